import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../src/dev.js';
import { cleanup, copySite } from '../helpers/site.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const POST = 'content/posts/트랜스포머-읽기.md';
const POST_URL = `posts/${encodeURIComponent('트랜스포머-읽기')}/`;

let browser: Browser | undefined;
let context: BrowserContext | undefined;
let server: DevServer | undefined;
let root: string | undefined;

beforeAll(async () => {
  if (existsSync(CHROMIUM)) browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  await context?.close();
  await server?.close();
  await cleanup(root);
  context = server = root = undefined;
});

async function edit(file: string, change: (text: string) => string): Promise<void> {
  const full = path.join(root!, file);
  await writeFile(full, change(await readFile(full, 'utf8')));
}

/** Serve the `dev` fixture, its post made long enough to scroll, and open that post. */
async function openLongPost(): Promise<Page> {
  root = await copySite('dev');
  const paragraphs = Array.from({ length: 120 }, (_, i) =>
    i % 4 === 0
      ? `${i + 1}번째 문단: 부분합 $\\sum_{k=1}^{${i + 1}} k = ${((i + 1) * (i + 2)) / 2}$ 을 한 줄씩 확인한다.`
      : `${i + 1}번째 문단: 수식 없이 앞 문단의 결과를 말로 다시 정리한다.`,
  );
  await edit(POST, (text) => text.replace('마지막 문단이다.', `${paragraphs.join('\n\n')}\n\n마지막 문단이다.`));
  server = await startDevServer({ root, port: 0, host: '127.0.0.1', log: () => {} });
  context = await browser!.newContext({ viewport: { width: 800, height: 600 } });
  const page = await context.newPage();
  await page.goto(new URL(POST_URL, server.url).href, { waitUntil: 'load' });
  // Mark this document: a reloaded page no longer has it.
  await page.evaluate(() => Object.assign(window, { stale: true }));
  return page;
}

// The callbacks given to page.evaluate run in the page; this project is type-checked without
// the DOM library, so the little they use is declared here.
declare const window: { scrollY: number; scrollTo(options: { left: number; top: number; behavior: 'instant' }): void };
declare const document: { readyState: string; fonts: { ready: Promise<unknown> }; body: { textContent: string | null }; querySelector(selector: string): { textContent: string | null } | null };
declare const history: { scrollRestoration: string };

/** Wait until the server has no build running and the page has loaded since the last one. */
async function settled(page: Page): Promise<void> {
  for (let quiet = 0; quiet < 3; ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    quiet = server!.building ? 0 : quiet + 1;
  }
  await page.waitForLoadState('load');
}

const isStale = (page: Page) => page.evaluate(() => (window as { stale?: boolean }).stale === true);

describe.skipIf(!existsSync(CHROMIUM))('geul dev in a browser', { timeout: 60_000 }, () => {
  it('reloads an open post after an edit and keeps the reader where they were', async () => {
    const page = await openLongPost();
    // Turn off the browser's own restoration, so only geul's client can bring the scroll back.
    await page.evaluate(() => {
      history.scrollRestoration = 'manual';
      window.scrollTo({ left: 0, top: 3000, behavior: 'instant' });
    });
    const before = await page.evaluate(() => window.scrollY);
    expect(before).toBe(3000);

    await edit(POST, (text) => text.replace('마지막 문단이다.', '마지막 문단을 고쳤다.'));
    await page.waitForFunction(() => document.readyState === 'complete' && document.body.textContent!.includes('마지막 문단을 고쳤다.'), undefined, {
      timeout: 20_000,
    });
    expect(await isStale(page)).toBe(false);
    await page.waitForFunction((y) => Math.abs(window.scrollY - y) <= 2, before, { timeout: 5_000 }).catch(() => {});
    expect(Math.abs((await page.evaluate(() => window.scrollY)) - before)).toBeLessThanOrEqual(2);
  });

  it('keeps the reader where they were when the fonts arrive after the reload and reflow the text above', async () => {
    const page = await openLongPost();
    // Long wrapped paragraphs above the fold, whose lines break elsewhere in another font.
    const long = Array.from({ length: 30 }, (_, i) => `문단 ${i + 1}: ${'긴 문단은 글꼴에 따라 줄이 바뀌는 자리가 달라진다, '.repeat(12)}`);
    await edit(POST, (text) => text.replace('첫 문단:', `${long.join('\n\n')}\n\n첫 문단:`));
    await page.waitForFunction(() => document.readyState === 'complete' && document.body.textContent!.includes('문단 30: 긴 문단'), undefined, { timeout: 20_000 });
    // The quick pass reloads the page and the rest of the build may reload it again: scrolled
    // before that, the page would be reloaded under the test.
    await settled(page);
    await page.evaluate(() => {
      history.scrollRestoration = 'manual';
      window.scrollTo({ left: 0, top: 3000, behavior: 'instant' });
    });
    // Held back, the fonts swap in after the position is restored: the text above reflows,
    // which the browser's scroll anchoring would answer by moving the page.
    await page.route('**/*.woff2', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 600));
      await route.continue();
    });
    await page.evaluate(() => document.fonts.ready);
    const before = await page.evaluate(() => window.scrollY);
    expect(before).toBe(3000);

    await edit(POST, (text) => text.replace('마지막 문단이다.', '마지막 문단을 고쳤다.'));
    await page.waitForFunction(() => document.readyState === 'complete' && document.body.textContent!.includes('마지막 문단을 고쳤다.'), undefined, {
      timeout: 20_000,
    });
    await settled(page);
    await page.evaluate(() => document.fonts.ready);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await page.evaluate(() => window.scrollY)).toBe(before);
  });

  it('a page that is a 404 shows the post once it is written, whether its address was typed with the slash or without', async () => {
    root = await copySite('dev');
    server = await startDevServer({ root, port: 0, host: '127.0.0.1', log: () => {} });
    context = await browser!.newContext({ viewport: { width: 800, height: 600 } });
    const tabs = [];
    for (const address of ['posts/새-글/', 'posts/새-글']) {
      const tab = await context.newPage();
      const response = await tab.goto(new URL(address, server.url).href, { waitUntil: 'load' });
      expect(response?.status(), address).toBe(404);
      tabs.push(tab);
    }
    await writeFile(path.join(root, 'content/posts/새-글.md'), '+++\ntitle = "이제 막 쓴 글"\ndate = 2024-03-09\n+++\n\n본문.\n');
    for (const tab of tabs) {
      await tab.waitForFunction(() => document.querySelector('h1')?.textContent?.includes('이제 막 쓴 글'), undefined, { timeout: 10_000 });
    }
  });

  it('serves a writer with many tabs open: one event stream for all of them, passed on when its tab closes', async () => {
    root = await copySite('dev');
    server = await startDevServer({ root, port: 0, host: '127.0.0.1', log: () => {} });
    context = await browser!.newContext({ viewport: { width: 800, height: 600 } });
    // A browser keeps six connections to a host for all its tabs: a stream per tab would
    // leave the seventh tab waiting for ever.
    const addresses = ['', 'posts/', 'tags/', 'categories/', 'search/', `tags/${encodeURIComponent('자연어-처리')}/`, 'tags/transformer/', POST_URL];
    const tabs: Page[] = [];
    for (const address of addresses) {
      const tab = await context.newPage();
      await tab.goto(new URL(address, server.url).href, { waitUntil: 'load', timeout: 10_000 });
      await tab.evaluate(() => Object.assign(window, { stale: true }));
      tabs.push(tab);
    }
    const post = tabs.at(-1)!;
    await edit(POST, (text) => text.replace('마지막 문단이다.', '마지막 문단을 고쳤다.'));
    await post.waitForFunction(() => document.body.textContent!.includes('마지막 문단을 고쳤다.'), undefined, { timeout: 10_000 });
    // Still only the pages the save changed reload.
    expect(await isStale(tabs[2]!)).toBe(true);

    // The tab that listened first goes; another takes the stream over.
    await tabs[0]!.close();
    await edit(POST, (text) => text.replace('마지막 문단을 고쳤다.', '마지막 문단을 또 고쳤다.'));
    await post.waitForFunction(() => document.body.textContent!.includes('마지막 문단을 또 고쳤다.'), undefined, { timeout: 10_000 });
  });

  it('shows the problems over the last good page while the site is broken, then reloads', async () => {
    const page = await openLongPost();
    const overlay = page.locator('geul-error-overlay');

    await edit(POST, (text) => text.replace('title = "트랜스포머 다시 읽기"', 'title = "unclosed'));
    await overlay.waitFor({ state: 'attached', timeout: 20_000 });
    await expect.poll(() => overlay.locator('.where').first().textContent()).toMatch(/^content\/posts\/트랜스포머-읽기\.md:2:18: invalid TOML/);
    expect(await overlay.locator('pre').first().textContent()).toContain('> 2 | title = "unclosed');
    expect(await overlay.locator('h2').textContent()).toBe('1 error: showing the last good build');
    // The overlay came over the page: no reload, the last good content is still there.
    expect(await isStale(page)).toBe(true);
    expect(await page.locator('h1').first().textContent()).toContain('트랜스포머 다시 읽기');

    // A page loaded while the site is broken shows the overlay straight away.
    await page.reload({ waitUntil: 'load' });
    expect(await overlay.locator('.where').first().textContent()).toContain(':2:18:');

    await edit(POST, (text) => text.replace('title = "unclosed', 'title = "트랜스포머 고쳐 읽기"'));
    await page.waitForFunction(() => document.querySelector('h1')?.textContent?.includes('트랜스포머 고쳐 읽기'), undefined, {
      timeout: 20_000,
    });
    expect(await overlay.count()).toBe(0);
  });

  it('shows the warnings of the page it serves (invalid math) in a panel the writer can close, and drops them once fixed', async () => {
    const page = await openLongPost();
    const panel = page.locator('geul-warnings');
    expect(await panel.count()).toBe(0);

    await edit(POST, (text) => text.replace('마지막 문단이다.', '문장 $\\frac{1}{$ 끝'));
    await panel.waitFor({ state: 'attached', timeout: 20_000 });
    await expect.poll(() => panel.locator('.where').first().textContent()).toMatch(/^content\/posts\/트랜스포머-읽기\.md:\d+:4: warning: Could not render math with KaTeX/);
    expect(await panel.locator('pre').first().textContent()).toContain('| 문장 $\\frac{1}{$ 끝');
    expect(await panel.locator('h2').textContent()).toBe('1 warning: the page is shown as built');
    // The page is the new one, with KaTeX's error in place, and nothing blocks it.
    await page.waitForFunction(() => document.body.textContent!.includes('문장'), undefined, { timeout: 20_000 });
    expect(await page.locator('.katex-error').count()).toBeGreaterThan(0);
    expect(await page.locator('geul-error-overlay').count()).toBe(0);

    // A page loaded now shows it at once; closed, it stays closed while the warnings are the same.
    await page.reload({ waitUntil: 'load' });
    expect(await panel.locator('.where').first().textContent()).toContain('Could not render math with KaTeX');
    await panel.getByRole('button', { name: 'Close' }).click();
    expect(await panel.count()).toBe(0);
    await page.reload({ waitUntil: 'load' });
    expect(await panel.count()).toBe(0);

    // Another warning opens it again: a display formula that does not parse (a function
    // replaces, as `$$` in a replacement string is one `$`).
    await edit(POST, (text) => text.replace('문장 $\\frac{1}{$ 끝', () => '$$\n\\sqrt{a\n$$'));
    await expect.poll(() => panel.locator('.where').allTextContents(), { timeout: 20_000 }).toEqual([
      expect.stringMatching(/^content\/posts\/트랜스포머-읽기\.md:\d+:8: warning: Could not render math with KaTeX: .*\\sqrt\{a/),
    ]);
    // At the line of the TeX KaTeX stopped at, the end of `\sqrt{a`, not at the opening `$$`.
    expect(await panel.locator('pre').first().textContent()).toMatch(/^> \d+ \| \\sqrt\{a$/m);

    await edit(POST, (text) => text.replace('$$\n\\sqrt{a\n$$', '마지막 문단을 고쳤다.'));
    await page.waitForFunction(() => document.body.textContent!.includes('마지막 문단을 고쳤다.'), undefined, { timeout: 20_000 });
    await expect.poll(() => panel.count(), { timeout: 5_000 }).toBe(0);
  });

  it('a site broken from the start says there is nothing to show yet, and shows the page once fixed', async () => {
    root = await copySite('dev');
    await edit(POST, (text) => text.replace('date = 2024-03-02', 'date = "2024-13-02"'));
    server = await startDevServer({ root, port: 0, host: '127.0.0.1', log: () => {} });
    context = await browser!.newContext({ viewport: { width: 800, height: 600 } });
    const page = await context.newPage();
    await page.goto(new URL(POST_URL, server.url).href, { waitUntil: 'load' });
    const overlay = page.locator('geul-error-overlay');
    await overlay.waitFor({ state: 'attached', timeout: 20_000 });
    expect(await overlay.locator('h2').textContent()).toBe('1 error: nothing to show until it is fixed');
    await edit(POST, (text) => text.replace('date = "2024-13-02"', 'date = 2024-03-02'));
    await page.waitForFunction(() => document.querySelector('h1')?.textContent?.includes('트랜스포머'), undefined, { timeout: 20_000 });
    expect(await overlay.count()).toBe(0);
  });
});
