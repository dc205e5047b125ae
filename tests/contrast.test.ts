/**
 * WCAG AA contrast of the theme's colour tokens, light and dark, read from
 * templates/assets/style.css: every pair of a text colour and a background it is used on
 * (4.5:1), and the focus ring against the page (3:1, non-text contrast). The browser audit
 * (tests/e2e/audit.browser.test.ts) measures the rendered home page and reference post;
 * this covers the pairs those pages may not show (pagination, 404 button, marks, targets).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from './helpers/site.ts';

const css = readFileSync(path.join(REPO_ROOT, 'templates/assets/style.css'), 'utf8');

/** `--name: #hex` declarations of a block of CSS. */
function tokens(block: string): Record<string, string> {
  return Object.fromEntries([...block.matchAll(/--([\w-]+):\s*(#[0-9a-f]{3,8})\s*;/gi)].map((match) => [match[1]!, match[2]!.toLowerCase()]));
}

const light = tokens(/^:root\s*{([^}]*)}/m.exec(css)![1]!);
const dark = { ...light, ...tokens(/@media screen and \(prefers-color-scheme: dark\)\s*{\s*:root\s*{([^}]*)}/.exec(css)![1]!) };

function luminance(hex: string): number {
  const digits = hex.length === 4 ? [...hex.slice(1)].map((digit) => digit + digit).join('') : hex.slice(1, 7);
  const [r, g, b] = [0, 2, 4].map((start) => {
    const channel = Number.parseInt(digits.slice(start, start + 2), 16) / 255;
    return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** WCAG 2 contrast ratio of two colours. */
function contrast(a: string, b: string): number {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (high! + 0.05) / (low! + 0.05);
}

/** [text token, background token, where]: every text colour of the theme on each surface it is set on. */
const TEXT_PAIRS: [string, string, string][] = [
  ...['fg', 'fg-soft', 'muted', 'accent', 'accent-hover'].flatMap((text) =>
    ['bg', 'bg-subtle', 'bg-raised', 'target'].map((surface): [string, string, string] => [text, surface, 'text, links and lists on the page, boxes and cards, targeted footnotes']),
  ),
  ['accent', 'accent-soft', 'tag chips and tag counts'],
  ['on-accent', 'accent', 'skip link, current page number, buttons, tag chip on hover'],
  ['on-accent', 'accent-hover', 'buttons on hover'],
  ['code-fg', 'code-bg', 'inline code'],
  ['code-fg', 'pre-bg', 'code blocks'],
  ['fg', 'mark', 'highlighted text'],
  ['fg', 'selection', 'selected text'],
  ['draft-fg', 'draft-bg', 'the draft badge'],
  ...['alert-note', 'alert-tip', 'alert-important', 'alert-warning', 'alert-caution'].map((alert): [string, string, string] => [alert, 'bg', 'the title of a GitHub alert']),
];

describe.each([
  ['light', light],
  ['dark', dark],
] as const)('the %s scheme', (_scheme, palette) => {
  test('declares every token the pairs use', () => {
    const used = new Set(TEXT_PAIRS.flat().filter((name) => !name.includes(' ')));
    expect([...used].filter((name) => !palette[name])).toEqual([]);
  });

  test.each(TEXT_PAIRS)('--%s on --%s (%s) is at least 4.5:1', (text, surface) => {
    expect(contrast(palette[text]!, palette[surface]!)).toBeGreaterThanOrEqual(4.5);
  });

  test.each(['bg', 'bg-subtle', 'bg-raised'])('the focus ring stands out from --%s (3:1)', (surface) => {
    expect(contrast(palette.focus!, palette[surface]!)).toBeGreaterThanOrEqual(3);
  });
});

test('the ratio itself: black on white is 21:1, a colour on itself 1:1', () => {
  expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
  expect(contrast('#1d5bc4', '#1d5bc4')).toBe(1);
  expect(contrast('#777', '#fff')).toBeCloseTo(4.48, 2);
});

/** Every rule of the stylesheet: its selector and its declarations. */
const rules = [...css.matchAll(/([^{}]+)\{([^{}]*)\}/g)].map((match) => ({ selector: match[1]!.trim().replace(/\s+/g, ' '), body: match[2]! }));

test('KaTeX\'s visible error takes the caution colour, over its own inline #cc0000 (3.0:1 on the dark page), and it meets 4.5:1 wherever a formula may be', () => {
  const rule = rules.find((candidate) => /(?:^|\s)\.katex-error$/.test(candidate.selector));
  const token = /color:\s*var\(--([\w-]+)\)\s*!important/.exec(rule?.body ?? '')?.[1];
  expect(token).toBe('alert-caution');
  for (const palette of [light, dark]) {
    for (const surface of ['bg', 'bg-subtle', 'bg-raised']) expect(contrast(palette[token!]!, palette[surface]!)).toBeGreaterThanOrEqual(4.5);
  }
});

test('no text is faded with opacity, which takes it below the tokens\' contrast: only generated marks and anchors revealed on hover are', () => {
  const faded = rules.filter((rule) => /(?:^|;|\s)opacity:\s*0?\.\d/.test(rule.body)).map((rule) => rule.selector);
  expect(faded.filter((selector) => !selector.split(',').every((part) => /::(?:before|after|placeholder)\b|\.heading-anchor\b/.test(part)))).toEqual([]);
});

test('footnote back-references are underlined like links in running text (their colour alone is not 3:1 against the text)', () => {
  const plainLinks = rules.filter((rule) => /footnote-backref/.test(rule.selector) && /text-decoration:\s*none/.test(rule.body));
  expect(plainLinks.map((rule) => rule.selector)).toEqual([]);
});
