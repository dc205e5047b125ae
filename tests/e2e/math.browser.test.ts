/**
 * Display math in a real browser, against the basic fixture with a post of numbered
 * environments, labelled equations and a formula wider than a phone: a formula that fits its
 * column shows no scrollbar (KaTeX's equation numbers stick out 2px past it), and one that
 * does not scrolls inside its own box, never the page.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { serveDist, type StaticServer } from '../../scripts/static-server.ts';
import { cleanup, copySite, runCli } from '../helpers/site.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

// Run in the page; the project is type-checked without the DOM library.
declare const document: any;
declare const getComputedStyle: (element: any) => any;

const POST = `+++
title = "번호 있는 식"
date = 2024-01-01
+++

$$
\\begin{equation}
a = b + c
\\end{equation}
$$

$$
\\begin{align}
x &= y \\\\
z &= w
\\end{align}
$$

$$
L = 0 \\label{eq:loss}
$$

$$
E = mc^2
$$

- 항목 $\\alpha$
- 둘째 $\\beta$

$$
p(x_1, x_2, x_3, x_4, x_5, x_6, x_7, x_8, x_9, x_{10}) = \\prod_{i=1}^{10} p(x_i \\mid x_1, x_2, x_3, x_4, x_5, x_6, x_7, x_8, x_9)
$$

$$
\\mathrm{MultiHead}(Q, K, V) = \\mathrm{Concat}(\\mathrm{head}_1, \\dots, \\mathrm{head}_h) W^O \\label{eq:wide}
$$

$$
f_{20}(x) = a_{0} x^{0} + a_{1} x^{1} + a_{2} x^{2} + a_{3} x^{3} + a_{4} x^{4} + a_{5} x^{5} + a_{6} x^{6} + a_{7} x^{7} + a_{8} x^{8} + a_{9} x^{9} + a_{10} x^{10} + a_{11} x^{11} + a_{12} x^{12} + a_{13} x^{13} + a_{14} x^{14} \\label{eq:wider}
$$
`;

let site: string | undefined;
let server: StaticServer | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  site = await copySite('basic');
  writeFileSync(path.join(site, 'content', 'posts', 'numbered.md'), POST);
  const built = await runCli(['build', '--root', site]);
  expect(built.code, built.stderr).toBe(0);
  server = await serveDist(path.join(site, 'dist'));
  if (existsSync(CHROMIUM)) browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await cleanup(site);
});

test.each([375, 1280])('at %i px: formulas that fit show no scrollbar, a wider one scrolls in its own box, never the page; no number is drawn over its formula', async (width) => {
  if (!browser) return;
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  try {
    await page.goto(new URL('posts/numbered/', server!.url).href);
    await page.evaluate(() => document.fonts.ready);
    const scrolls = await page.evaluate(() => [...document.querySelectorAll('.prose .katex-display')].map((box: any) => box.scrollWidth > box.clientWidth));
    // The first four fit at both widths (the numbered ones did not, by KaTeX's 2px); the next
    // two are wider than a phone's column and scroll there, not at 1280 px; the last is wider
    // than the desktop column too.
    expect(scrolls).toEqual([false, false, false, false, width === 375, width === 375, true]);
    // No equation number is drawn over its formula, wide ones on a phone included.
    const overlaps = await page.evaluate(() =>
      [...document.querySelectorAll('.prose .katex-display')].flatMap((box: any) => {
        const tag = box.querySelector('.katex-html > .tag');
        if (!tag) return [];
        const right = Math.max(...[...box.querySelectorAll('.katex-html > .base')].map((base: any) => base.getBoundingClientRect().right));
        return [tag.getBoundingClientRect().left < right - 0.5];
      }),
    );
    expect(overlaps).toEqual([false, false, false, false, false]);
    // Where the formula fits, its number stands at the right edge of the column, as in LaTeX,
    // and the formula is centred on the column (within a number's width).
    const placed = await page.evaluate(() =>
      [...document.querySelectorAll('.prose .katex-display')].filter((box: any) => box.scrollWidth <= box.clientWidth && box.querySelector('.katex-html > .tag')).map((box: any) => {
        const frame = box.getBoundingClientRect();
        const tag = box.querySelector('.katex-html > .tag').getBoundingClientRect();
        const bases = [...box.querySelectorAll('.katex-html > .base')].map((base: any) => base.getBoundingClientRect());
        const middle = (Math.min(...bases.map((base: any) => base.left)) + Math.max(...bases.map((base: any) => base.right))) / 2;
        return { edge: Math.round(frame.right - tag.right), offCentre: Math.abs(middle - (frame.left + frame.right) / 2) / tag.width };
      }),
    );
    expect(placed.length).toBe(width === 375 ? 3 : 4);
    for (const { edge, offCentre } of placed) {
      expect(edge).toBeLessThanOrEqual(3);
      expect(offCentre).toBeLessThan(0.75);
    }
    // One sequence of numbers for the post: the rows of equation and align, which KaTeX would
    // number with a page-wide CSS counter of its own, and the \label-led formulas.
    const tags = await page.evaluate(() => [...document.querySelectorAll('.katex-html > .tag')].map((tag: any) => tag.textContent.replace(/\u200b/g, '')));
    expect(tags).toEqual(['(1)', '(2)(3)', '(4)', '(5)', '(6)']);
    expect(await page.locator('.eqn-num').count()).toBe(0);
    // A list item holding a formula keeps its marker: no item is a scrolling box, which
    // would clip the marker standing outside it (its list scrolls instead).
    const clipped = await page.evaluate(() => [...document.querySelectorAll('.prose li')].filter((item: any) => getComputedStyle(item).overflowX !== 'visible').length);
    expect(await page.locator('.prose li:has(> .katex)').count()).toBe(2);
    expect(clipped).toBe(0);
    const page_ = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(page_.scroll).toBeLessThanOrEqual(page_.client);
  } finally {
    await page.close();
  }
});
