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

/** Inline formulas too long for a phone, inside bold, italics, a link, a strikethrough and a list item's bold. */
const WIDE_INLINE = `+++
title = "긴 인라인 수식"
date = 2024-01-02
+++

**굵게 $f(x_1, x_2, x_3, x_4, x_5, x_6, x_7, x_8, x_9, x_{10}, x_{11}, x_{12}, x_{13}, x_{14}, x_{15}, x_{16})$ 끝**

*기울임 $g(y_1, y_2, y_3, y_4, y_5, y_6, y_7, y_8, y_9, y_{10}, y_{11}, y_{12}, y_{13}, y_{14}, y_{15}, y_{16})$ 끝*

[링크 $h(z_1, z_2, z_3, z_4, z_5, z_6, z_7, z_8, z_9, z_{10}, z_{11}, z_{12}, z_{13}, z_{14}, z_{15}, z_{16})$](https://example.com)

- 목록 **$q(a_1, a_2, a_3, a_4, a_5, a_6, a_7, a_8, a_9, a_{10}, a_{11}, a_{12}, a_{13}, a_{14})$**

> 인용 ~~$r(b_1, b_2, b_3, b_4, b_5, b_6, b_7, b_8, b_9, b_{10}, b_{11}, b_{12}, b_{13}, b_{14})$~~
`;

/** Inline formulas whose scripts KaTeX shifts past the line box, in a paragraph, a list and a table. */
const TALL_INLINE = `+++
title = "첨자 많은 인라인 수식"
date = 2024-01-03
+++

크기가 $m$인 mini-batch에서 $j$번째 샘플의 값을 $a_i^{(j)}$라고 쓰고, $\\frac{\\partial \\mathcal{L}}{\\partial \\theta}$와 $\\displaystyle\\sum_{i=1}^{n} x_i$를 본다.

- 항목 $\\hat{\\theta}_{\\text{MLE}}$와 $a_i^{(j)}$

| 기호 | 뜻 |
|---|---|
| $a_i^{(j)}$ | 값 |
`;

/** Headings holding formulas too long for a phone: the headings, their TOC entries and anchor links. */
const WIDE_HEADINGS = `+++
title = "긴 수식 제목"
date = 2024-01-04
+++

## 결합 분포 $p(x_1, x_2, x_3, x_4, x_5, x_6, x_7, x_8, x_9, x_{10}, x_{11}, x_{12}, x_{13}, x_{14})$

본문.

### 전개 $\\prod_{i=1}^{14} p(x_i \\mid x_1, x_2, x_3, x_4, x_5, x_6, x_7, x_8, x_9, x_{10}, x_{11}, x_{12})$

본문.

## 짧은 제목

본문.
`;

/** Inline formulas whose labels are set in a text font (Hangul), taller than KaTeX's line box for them. */
const LABELLED_INLINE = `+++
title = "설명이 붙은 인라인 수식"
date = 2024-01-05
+++

$\\overbrace{a+b+c}^{\\text{세 항}}$ 위에 설명이 붙은 문단.

$\\underbrace{a+b+c}_{\\text{세 항}}$ 아래 설명이 붙은 문단.

$x \\xrightarrow[\\text{아래}]{\\text{위쪽 설명}} y$ 화살표.

- $\\underbrace{p(x)}_{\\text{사전 확률}}$ 목록
`;

let site: string | undefined;
let server: StaticServer | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  site = await copySite('basic');
  writeFileSync(path.join(site, 'content', 'posts', 'numbered.md'), POST);
  writeFileSync(path.join(site, 'content', 'posts', 'wide-inline.md'), WIDE_INLINE);
  writeFileSync(path.join(site, 'content', 'posts', 'tall-inline.md'), TALL_INLINE);
  writeFileSync(path.join(site, 'content', 'posts', 'wide-headings.md'), WIDE_HEADINGS);
  writeFileSync(path.join(site, 'content', 'posts', 'labelled-inline.md'), LABELLED_INLINE);
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

test('printed, a display formula wider than the page breaks after its relations and operators instead of being cut off at the scroll box\'s edge', async () => {
  if (!browser) return;
  // About an A4 page's text width at 96 dpi.
  const page = await browser.newPage({ viewport: { width: 640, height: 900 } });
  try {
    await page.emulateMedia({ media: 'print' });
    await page.goto(new URL('posts/numbered/', server!.url).href);
    await page.evaluate(() => document.fonts.ready);
    const boxes = await page.evaluate(() => [...document.querySelectorAll('.prose .katex-display')].map((box: any) => ({ cut: box.scrollWidth > box.clientWidth, rows: new Set([...box.querySelectorAll('.katex-html > .base')].map((base: any) => Math.round(base.getBoundingClientRect().top))).size })));
    expect(boxes.map(({ cut }) => cut)).toEqual([false, false, false, false, false, false, false]);
    // The widest one, numbered, runs over two lines or more (the others fit the page).
    expect(boxes.at(-1)!.rows).toBeGreaterThan(1);
  } finally {
    await page.close();
  }
});

test('at 375 px an inline formula too long to break, in bold, italics, a link or a strikethrough, scrolls in its own block, never the page', async () => {
  if (!browser) return;
  const page = await browser.newPage({ viewport: { width: 375, height: 900 } });
  try {
    await page.goto(new URL('posts/wide-inline/', server!.url).href);
    await page.evaluate(() => document.fonts.ready);
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    // Each formula is wider than the column, so each sits in a box that scrolls.
    const unscrolled = await page.evaluate(() =>
      [...document.querySelectorAll('.prose .katex')].filter((math: any) => {
        for (let box = math.parentElement; box; box = box.parentElement) if (getComputedStyle(box).overflowX !== 'visible') return false;
        return true;
      }).length,
    );
    expect(unscrolled).toBe(0);
    // Each box that scrolls is reached by the keyboard, itself or through a link in it
    // (axe's scrollable-region-focusable): Safari does not focus a scroller by itself.
    const unreachable = await page.evaluate(() =>
      [...document.querySelectorAll('.prose *')].filter((box: any) => box.scrollWidth > box.clientWidth && getComputedStyle(box).overflowX === 'auto' && box.tabIndex < 0 && !box.querySelector('a[href]:not([tabindex="-1"])')).map((box: any) => box.tagName),
    );
    expect(unreachable).toEqual([]);
  } finally {
    await page.close();
  }
});

test.each([375, 1280])('at %i px a heading holding a formula too long to break, and its TOC entry, scroll in their own box, never the page', async (width) => {
  if (!browser) return;
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  try {
    await page.goto(new URL('posts/wide-headings/', server!.url).href);
    await page.evaluate(() => document.fonts.ready);
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    // Every formula of a heading or a TOC entry is in a box that scrolls, or fits the column.
    const overflowing = await page.evaluate(() =>
      [...document.querySelectorAll(':is(h2, h3, .toc) .katex')].filter((math: any) => {
        for (let box = math.parentElement; box; box = box.parentElement) if (getComputedStyle(box).overflowX !== 'visible') return false;
        return math.getBoundingClientRect().right > document.documentElement.clientWidth;
      }).length,
    );
    expect(overflowing).toBe(0);
    expect(await page.locator('h2 .katex, h3 .katex').count()).toBe(2);
  } finally {
    await page.close();
  }
});

test('at 375 px the label of an inline formula, set in a text font over or under it, is not cut off by the block that scrolls it', async () => {
  if (!browser) return;
  const page = await browser.newPage({ viewport: { width: 375, height: 900 } });
  try {
    await page.goto(new URL('posts/labelled-inline/', server!.url).href);
    await page.evaluate(() => document.fonts.ready);
    // How far each label's text reaches past the top or bottom of the box clipping it.
    const cut = await page.evaluate(() =>
      [...document.querySelectorAll('.prose .katex .text')].map((label: any) => {
        let box = label.parentElement;
        while (getComputedStyle(box).overflowY === 'visible') box = box.parentElement;
        const range = document.createRange();
        range.selectNodeContents(label);
        const text = range.getBoundingClientRect();
        const frame = box.getBoundingClientRect();
        return Math.max(0, Math.round(frame.top - text.top), Math.round(text.bottom - frame.bottom));
      }),
    );
    expect(cut).toHaveLength(5);
    expect(cut).toEqual([0, 0, 0, 0, 0]);
  } finally {
    await page.close();
  }
});

test('with classic scrollbars (as on Windows), a block holding inline math shows no vertical scrollbar for scripts a pixel past its lines', async () => {
  if (!browser) return;
  // Headless Chromium hides scrollbars unless told otherwise.
  const classic = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, ignoreDefaultArgs: ['--hide-scrollbars'] });
  try {
    for (const width of [375, 1280]) {
      const page = await classic.newPage({ viewport: { width, height: 900 } });
      await page.goto(new URL('posts/tall-inline/', server!.url).href);
      await page.evaluate(() => document.fonts.ready);
      const scrollbars = await page.evaluate(() =>
        [...document.querySelectorAll('.prose *')].filter((box: any) => getComputedStyle(box).overflowX !== 'visible' && box.offsetWidth - box.clientWidth > 0).map((box: any) => box.tagName),
      );
      expect(scrollbars, `at ${width} px`).toEqual([]);
      await page.close();
    }
  } finally {
    await classic.close();
  }
});
