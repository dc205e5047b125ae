/**
 * Responsive figures in a real browser, against the figures fixture built and served as static
 * files under /blog/: the browser picks the WebP source at the width the column and the screen
 * density ask for, the figure fits the column, and every image it fetches exists; an embed
 * pasted as raw HTML fits the column too.
 */
import path from 'node:path';
import { existsSync, writeFileSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { serveDist, type StaticServer } from '../../scripts/static-server.ts';
import { cleanup, copySite, runCli } from '../helpers/site.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

// Run in the page; the project is type-checked without the DOM library.
declare const document: any;

/** A video player pasted as raw HTML, as YouTube's "embed" button gives it (a fixed 560 px width). */
const EMBED = `+++
title = "영상 넣기"
date = 2024-01-05
+++

발표 영상:

<iframe width="560" height="315" srcdoc="<p>영상</p>" title="발표 영상"></iframe>
`;

let site: string | undefined;
let server: StaticServer | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  site = await copySite('figures');
  writeFileSync(path.join(site, 'content', 'posts', 'embed.md'), EMBED);
  const built = await runCli(['build', '--root', site]);
  expect(built.code, built.stderr).toBe(0);
  server = await serveDist(path.join(site, 'dist'), '/blog/');
  if (existsSync(CHROMIUM)) browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await cleanup(site);
});

describe.each([
  // 375 − 2 × 18 px gutters = 339 CSS px, × 2 = 678 device px: the 800 px copy.
  { name: 'phone', viewport: { width: 375, height: 800 }, deviceScaleFactor: 2, width: 800, shown: 339 },
  // 339 × 3 = 1017 device px: the 1200 px copy.
  { name: 'phone at 3x', viewport: { width: 375, height: 800 }, deviceScaleFactor: 3, width: 1200, shown: 339 },
  // The 42rem column, 672 px at 1x: the 800 px copy.
  { name: 'desktop', viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, width: 800, shown: 672 },
])('figures on a $name', ({ viewport, deviceScaleFactor, width, shown }) => {
  test('the WebP copy of the needed width is loaded, fits the column and keeps its ratio', async () => {
    expect(browser, `Chromium at ${CHROMIUM}`).toBeDefined();
    const context = await browser!.newContext({ viewport, deviceScaleFactor });
    const page = await context.newPage();
    const failed: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    page.on('requestfailed', (request) => failed.push(`failed ${request.url()}`));
    await page.goto(new URL('posts/figures/', server!.url).href, { waitUntil: 'networkidle' });
    const first = await page.evaluate(() => {
      const img = document.querySelector('.prose figure img');
      const box = img.getBoundingClientRect();
      return { currentSrc: img.currentSrc, complete: img.complete, naturalWidth: img.naturalWidth, width: box.width, height: box.height };
    });
    expect(first.currentSrc).toMatch(new RegExp(`/blog/images/wide-${width}w\\.[0-9a-f]{8}\\.webp$`));
    // naturalWidth is density-corrected (the file's width over its density): only completeness tells.
    expect(first.complete).toBe(true);
    expect(Math.abs(first.width - shown)).toBeLessThan(2);
    expect(Math.abs(first.width / first.height - 2)).toBeLessThan(0.02);
    // The 600 px figure is never stretched past its own width.
    const small = await page.evaluate(() => document.querySelectorAll('.prose figure img')[1].getBoundingClientRect().width);
    expect(small).toBeLessThanOrEqual(600);
    expect(failed).toEqual([]);
    await context.close();
  });
});

test('at 375 px an embed pasted as raw HTML (an <iframe width="560">) fits the column: the page does not scroll sideways', async () => {
  expect(browser, `Chromium at ${CHROMIUM}`).toBeDefined();
  const page = await browser!.newPage({ viewport: { width: 375, height: 800 } });
  await page.goto(new URL('posts/embed/', server!.url).href);
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, frame: document.querySelector('.prose iframe').getBoundingClientRect().width }));
  expect(widths.page).toBe(375);
  expect(widths.frame).toBeLessThanOrEqual(339);
  await page.close();
});
