/**
 * The published site in a real browser: the sample site built with drafts (so the reference
 * post, content/posts/foundation-models.md, is in it) into a temp folder, served on 127.0.0.1
 * as a static host serves it, and opened in Debian's Chromium — one launch for the file.
 * What the audit asks: no console errors, no failed requests, no request to any
 * other host, Pretendard and KaTeX's fonts really loaded, no sideways scrolling at 375 px,
 * the dark scheme under `prefers-color-scheme: dark`, and AA contrast for every piece of text
 * in both schemes. `npm run audit` (Lighthouse) is the slower companion of this file.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { serveDist, type StaticServer } from '../../scripts/static-server.ts';
import { cleanup, REPO_ROOT, runCli, tempDir } from '../helpers/site.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const PAGES = { home: '', post: 'posts/foundation-models/' } as const;

// page.evaluate callbacks run in the page; the project is type-checked without the DOM library.
declare const document: any;
declare const getComputedStyle: (element: any) => any;
declare const performance: any;

let browser: Browser | undefined;
let server: StaticServer | undefined;
let dir: string | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return;
  dir = await tempDir('geul-audit-');
  const out = path.join(dir, 'site');
  const built = await runCli(['build', '--drafts', '--root', REPO_ROOT, '--out', out]);
  expect(built.stderr).toBe('');
  expect(built.code).toBe(0);
  [server, browser] = await Promise.all([serveDist(out), chromium.launch({ executablePath: CHROMIUM, args: ARGS })]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await cleanup(dir);
});

interface Visit {
  page: Page;
  /** Console errors, failed requests and HTTP errors, as text. */
  problems: string[];
  /** Every URL the page asked for. */
  requests: string[];
}

/** Open a page of the site at a viewport width and colour scheme, recording what goes wrong. */
async function visit(which: keyof typeof PAGES, width: number, colorScheme: 'light' | 'dark' = 'light'): Promise<Visit> {
  const context = await browser!.newContext({ viewport: { width, height: 800 }, colorScheme });
  const page = await context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => requests.push(request.url()));
  page.on('requestfailed', (request) => problems.push(`failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  await page.goto(new URL(PAGES[which], server!.url).href, { waitUntil: 'networkidle' });
  await page.evaluate(() => document.fonts.ready);
  return { page, problems, requests };
}

const close = (visited: Visit) => visited.page.context().close();

/** Families of the web fonts the page has loaded, and how many faces each. */
const loadedFonts = (page: Page): Promise<Record<string, number>> =>
  page.evaluate(() => {
    const counts: Record<string, number> = {};
    for (const face of document.fonts) {
      if (face.status === 'loaded') counts[face.family.replace(/^["']|["']$/g, '')] = (counts[face.family.replace(/^["']|["']$/g, '')] ?? 0) + 1;
    }
    return counts;
  });

/**
 * Every element holding text, with its colour against the background it is painted on
 * (transparent backgrounds composited up the tree): `{ text, ratio, large }`. Text hidden
 * for screen readers only (KaTeX's MathML, .sr-only) and faded text (opacity: a heading anchor
 * waiting for hover) is left out, as axe does.
 */
const contrasts = (page: Page) =>
  page.evaluate(() => {
    const parse = (value: string): number[] => {
      const parts = value.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0, 0];
      return [parts[0]!, parts[1]!, parts[2]!, parts.length > 3 ? parts[3]! : 1];
    };
    const over = (top: number[], bottom: number[]) => [0, 1, 2].map((i) => top[i]! * top[3]! + bottom[i]! * (1 - top[3]!)).concat(1);
    const luminance = (rgb: number[]) => {
      const [r, g, b] = rgb.slice(0, 3).map((channel) => {
        const c = channel / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const background = (element: any): number[] => {
      const layers: number[][] = [];
      for (let node = element; node; node = node.parentElement) {
        const color = parse(getComputedStyle(node).backgroundColor);
        if (color[3]! > 0) layers.push(color);
        if (color[3] === 1) break;
      }
      return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
    };
    const faded = (element: any) => {
      for (let node = element; node; node = node.parentElement) if (Number(getComputedStyle(node).opacity) < 1) return true;
      return false;
    };
    const results: { text: string; ratio: number; large: boolean }[] = [];
    for (const element of document.querySelectorAll('body *')) {
      const text = [...element.childNodes].filter((node: any) => node.nodeType === 3).map((node: any) => node.data).join('').trim();
      if (!text || element.closest('.katex-mathml, .sr-only, .visually-hidden, script, style, .skip-link') || faded(element)) continue;
      const rect = element.getBoundingClientRect();
      if (rect.width < 2 || rect.height < 2) continue;
      const style = getComputedStyle(element);
      const back = background(element);
      const fore = over(parse(style.color), back);
      const [light, dark] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
      const size = Number.parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      results.push({ text: `${element.tagName.toLowerCase()}.${element.className}: ${text.slice(0, 30)}`, ratio: (light! + 0.05) / (dark! + 0.05), large });
    }
    return results;
  });

describe.skipIf(!existsSync(CHROMIUM))('the built site in Chromium', { timeout: 90_000 }, () => {
  test.each(Object.keys(PAGES) as (keyof typeof PAGES)[])('%s: no console error, no failed request, nothing from another host', async (which) => {
    const visited = await visit(which, 375);
    try {
      expect(visited.problems).toEqual([]);
      const origin = new URL(server!.url).origin;
      expect(visited.requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin)).toEqual([]);
      expect(visited.requests.length).toBeGreaterThan(3);
    } finally {
      await close(visited);
    }
  });

  test('Pretendard is fetched only after the first text has painted, then set on the page; without script it is there from the start', async () => {
    const home = await visit('home', 375);
    try {
      const timing = await home.page.evaluate(() => ({
        paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
        fonts: performance.getEntriesByType('resource').filter((entry: any) => /PretendardVariable\.subset/.test(entry.name)).map((entry: any) => entry.startTime),
      }));
      expect(timing.paint).toBeGreaterThan(0);
      expect(timing.fonts.length).toBeGreaterThan(0);
      expect(Math.min(...timing.fonts)).toBeGreaterThanOrEqual(timing.paint!);
      const font = await home.page.evaluate(() => ({
        pending: document.documentElement.classList.contains('fonts-after-paint'),
        family: getComputedStyle(document.querySelector('.post-item')).fontFamily,
      }));
      expect(font.pending).toBe(false);
      expect(font.family).toMatch(/^"Pretendard Variable"/);
    } finally {
      await close(home);
    }
    const context = await browser!.newContext({ viewport: { width: 375, height: 800 }, javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(server!.url, { waitUntil: 'networkidle' });
      const family = await page.evaluate(() => getComputedStyle(document.querySelector('.post-item')).fontFamily);
      expect(family).toMatch(/^"Pretendard Variable"/);
    } finally {
      await context.close();
    }
  });

  test('Pretendard is loaded as a few unicode-range subsets, KaTeX fonts where there is math', async () => {
    const home = await visit('home', 375);
    const post = await visit('post', 375);
    try {
      // The formulas are far down the post, laid out (and their fonts fetched) once near the screen.
      await post.page.evaluate(() => document.querySelector('.prose .katex').scrollIntoView());
      await post.page.waitForFunction(() => [...document.fonts].some((face: any) => face.family === 'KaTeX_Main' && face.status === 'loaded'));
      await post.page.evaluate(() => document.fonts.ready);
      const homeFonts = await loadedFonts(home.page);
      const postFonts = await loadedFonts(post.page);
      // A page fetches the subsets its characters need, never the 92 of them.
      expect(homeFonts['Pretendard Variable']).toBeGreaterThan(0);
      expect(homeFonts['Pretendard Variable']).toBeLessThan(92);
      expect(postFonts['Pretendard Variable']).toBeGreaterThan(homeFonts['Pretendard Variable']! - 1);
      expect(postFonts['Pretendard Variable']).toBeLessThan(92);
      expect(Object.keys(homeFonts).filter((family) => family.startsWith('KaTeX'))).toEqual([]);
      expect(postFonts).toMatchObject({ KaTeX_Main: expect.any(Number), KaTeX_Math: expect.any(Number) });
      // Each font file fetched is a subset the CSS named, from this site.
      const fontRequests = post.requests.filter((url) => url.endsWith('.woff2'));
      expect(fontRequests.every((url) => /\/assets\/(?:fonts\/pretendard\/PretendardVariable\.subset\.\d+|katex\/fonts\/KaTeX_[\w-]+)\.woff2$/.test(url))).toBe(true);
      // The text itself is set in Pretendard (with the fallbacks after it).
      const family = await post.page.evaluate(() => getComputedStyle(document.querySelector('.prose p')).fontFamily);
      expect(family).toMatch(/^"Pretendard Variable", Pretendard, .*"Apple SD Gothic Neo".*"Noto Sans KR".*"Malgun Gothic".*sans-serif$/);
    } finally {
      await Promise.all([close(home), close(post)]);
    }
  });

  test('at 375 px the reference post does not scroll sideways; wide formulas scroll inside their own box', async () => {
    const { page, ...rest } = await visit('post', 375);
    try {
      // Lay out every block (content-visibility skips those off screen) before measuring.
      await page.addStyleTag({ content: '.prose > * { content-visibility: visible !important; }' });
      const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      expect(widths.scroll).toBeLessThanOrEqual(widths.client);
      const formulas = await page.evaluate(() =>
        [...document.querySelectorAll('.prose .katex')].map((katex: any) => {
          let box = katex.parentElement;
          while (box && getComputedStyle(box).display.startsWith('inline')) box = box.parentElement;
          // The box that scrolls: the block itself, or for a list item its list (an item that
          // scrolled would clip its own marker).
          let scroller = box;
          while (scroller.parentElement && !['auto', 'scroll'].includes(getComputedStyle(scroller).overflowX) && !scroller.classList.contains('prose')) scroller = scroller.parentElement;
          return { wide: katex.getBoundingClientRect().width > box.clientWidth, overflowX: getComputedStyle(scroller).overflowX, fits: box.getBoundingClientRect().right <= document.documentElement.clientWidth };
        }),
      );
      expect(formulas.length).toBeGreaterThan(0);
      // The reference post's long p(future observations | …) formulas are wider than a phone.
      expect(formulas.some((formula) => formula.wide)).toBe(true);
      for (const formula of formulas) {
        expect(formula.fits).toBe(true);
        if (formula.wide) expect(['auto', 'scroll']).toContain(formula.overflowX);
      }
      expect(rest.problems).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  test('a table-of-contents link lands on its heading, though blocks far away are not laid out', async () => {
    const { page, ...rest } = await visit('post', 375);
    try {
      const hrefs: string[] = await page.$$eval('nav.toc a', (links) => links.map((link: any) => link.getAttribute('href')));
      expect(hrefs.length).toBeGreaterThan(10);
      for (const href of [hrefs.at(-2)!, hrefs[Math.floor(hrefs.length / 2)]!, hrefs[1]!]) {
        await page.click(`nav.toc a[href="${href}"]`);
        await page.waitForFunction((id) => {
          const top = document.getElementById(id).getBoundingClientRect().top;
          return top >= 0 && top < 100;
        }, decodeURIComponent(href.slice(1)), { timeout: 5000 });
      }
      expect(rest.problems).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  test('prefers-color-scheme: dark gives the dark scheme', async () => {
    const light = await visit('post', 375, 'light');
    const dark = await visit('post', 375, 'dark');
    try {
      const colours = (page: Page) =>
        page.evaluate(() => ({ background: getComputedStyle(document.body).backgroundColor, text: getComputedStyle(document.body).color }));
      const [day, night] = await Promise.all([colours(light.page), colours(dark.page)]);
      const luminance = (rgb: string) => {
        const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number).map((channel) => channel / 255);
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      expect(luminance(day.background)).toBeGreaterThan(0.9);
      expect(luminance(night.background)).toBeLessThan(0.1);
      expect(luminance(night.text)).toBeGreaterThan(0.7);
    } finally {
      await Promise.all([close(light), close(dark)]);
    }
  });

  test.each([
    ['home', 'light'],
    ['home', 'dark'],
    ['post', 'light'],
    ['post', 'dark'],
  ] as const)('%s in the %s scheme: every text meets WCAG AA contrast', async (which, scheme) => {
    const visited = await visit(which, 1280, scheme);
    try {
      await visited.page.addStyleTag({ content: '.prose > * { content-visibility: visible !important; }' });
      const found = await contrasts(visited.page);
      expect(found.length).toBeGreaterThan(20);
      const failing = found.filter((item) => item.ratio < (item.large ? 3 : 4.5)).map((item) => `${item.text} (${item.ratio.toFixed(2)})`);
      expect(failing).toEqual([]);
    } finally {
      await close(visited);
    }
  });

  test('a keyboard reader: the skip link comes first, shows on focus and leads to the main content', async () => {
    const { page, ...rest } = await visit('post', 375);
    try {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const element = document.activeElement;
        const rect = element.getBoundingClientRect();
        return { className: element.className, href: element.getAttribute('href'), top: rect.top, outline: getComputedStyle(element).outlineStyle };
      });
      expect(focused).toMatchObject({ className: 'skip-link', href: '#main' });
      expect(focused.top).toBeGreaterThanOrEqual(0);
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement.id)).toBe('main');
      // The next Tab reaches a link inside the main content, with a visible focus ring.
      await page.keyboard.press('Tab');
      const next = await page.evaluate(() => ({
        inMain: Boolean(document.activeElement.closest('main')),
        outline: getComputedStyle(document.activeElement).outlineStyle,
        width: Number.parseFloat(getComputedStyle(document.activeElement).outlineWidth),
      }));
      expect(next).toMatchObject({ inMain: true, outline: 'solid' });
      expect(next.width).toBeGreaterThanOrEqual(2);
      expect(rest.problems).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  test.each(Object.keys(PAGES) as (keyof typeof PAGES)[])('%s: landmarks, one h1, alt on every image, the page language', async (which) => {
    const visited = await visit(which, 1280);
    try {
      const facts = await visited.page.evaluate(() => ({
        lang: document.documentElement.lang,
        h1: document.querySelectorAll('h1').length,
        landmarks: ['body > header', 'header nav', 'body > main', 'body > footer'].map((selector) => document.querySelectorAll(selector).length),
        noAlt: [...document.querySelectorAll('img')].filter((img: any) => !img.hasAttribute('alt')).map((img: any) => img.src),
        mathml: document.querySelectorAll('.katex math').length === document.querySelectorAll('.katex').length,
      }));
      expect(facts).toEqual({ lang: 'ko', h1: 1, landmarks: [1, 1, 1, 1], noAlt: [], mathml: true });
    } finally {
      await close(visited);
    }
  });
});
