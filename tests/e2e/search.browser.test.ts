/**
 * Search in a real browser: the `search` fixture built by the CLI, its dist/ served as static
 * files on 127.0.0.1 under the site's base path (/blog/), and the same site in `geul dev`.
 * Proves what readers get: Korean particles on either side of a query, English words,
 * highlighted excerpts, no console errors, no failed requests, nothing from other hosts.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../src/dev.js';
import { serveDist, type StaticServer } from '../../scripts/static-server.ts';
import { cleanup, copySite, runCli } from '../helpers/site.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

let browser: Browser | undefined;
let root: string | undefined;
let server: StaticServer | undefined;
let origin = '';
let context: BrowserContext | undefined;
/** What went wrong in the page: console errors, failed requests, requests to other hosts. */
let trouble: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return;
  root = await copySite('search');
  const built = await runCli(['build', '--root', root]);
  expect(built.code, built.stderr).toBe(0);
  server = await serveDist(path.join(root, 'dist'), '/blog/');
  origin = new URL(server.url).origin;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await cleanup(root);
});

afterEach(async () => {
  await context?.close();
  context = undefined;
});

async function open(url: string, options: { width?: number; scheme?: 'light' | 'dark' } = {}): Promise<Page> {
  context = await browser!.newContext({ viewport: { width: options.width ?? 1024, height: 800 }, colorScheme: options.scheme ?? 'light' });
  const page = await context.newPage();
  trouble = [];
  const allowed = new URL(url).origin;
  page.on('console', (message) => {
    if (message.type() === 'error') trouble.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => trouble.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => trouble.push(`failed: ${request.url()}`));
  page.on('request', (request) => {
    if (new URL(request.url()).origin !== allowed) trouble.push(`other host: ${request.url()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) trouble.push(`${response.status()}: ${response.url()}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

interface Shown {
  status: string;
  results: { href: string; title: string; datetime: string | null; date: string; excerpt: string; marks: string[] }[];
}

// The callbacks given to page.evaluate run in the page; this project is type-checked without
// the DOM library, so the little they use is declared here.
interface Node {
  textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): Node | null;
  querySelectorAll(selector: string): Node[];
}
declare const document: Node & { documentElement: { scrollWidth: number; clientWidth: number }; body: Node };
declare function getComputedStyle(node: Node): { backgroundColor: string; color: string };

/** Wait until the results of `query` are shown (the page names it in `data-query`), then read them. */
async function shown(page: Page, query: string): Promise<Shown> {
  await page.waitForFunction((query) => document.querySelector('[data-search]')?.getAttribute('data-query') === query, query);
  expect(await page.locator('.search-results').getAttribute('aria-busy')).toBe('false');
  return page.evaluate(() => ({
    status: document.querySelector('[role="status"]')!.textContent ?? '',
    results: Array.from(document.querySelectorAll('.search-results > li')).map((item) => ({
      href: item.querySelector('h2 a')!.getAttribute('href') ?? '',
      title: item.querySelector('h2 a')!.textContent ?? '',
      datetime: item.querySelector('time')?.getAttribute('datetime') ?? null,
      date: item.querySelector('time')?.textContent ?? '',
      excerpt: item.querySelector('.search-excerpt')!.textContent ?? '',
      marks: Array.from(item.querySelectorAll('.search-excerpt mark')).map((mark) => mark.textContent ?? ''),
    })),
  }));
}

const hrefs = (result: Shown) => result.results.map((item) => item.href).sort();

describe.skipIf(!existsSync(CHROMIUM))('search in a browser', { timeout: 60_000 }, () => {
  it('typing 모델 finds the posts that say 모델은, 모델이, 모델을 or 모델의, and no other', async () => {
    const page = await open(`${origin}/blog/search/`);
    await page.getByLabel('검색어').fill('모델');
    const result = await shown(page, '모델');
    expect(hrefs(result)).toEqual(['/blog/posts/object-marker/', '/blog/posts/subject-marker/', '/blog/posts/topic-marker/']);
    expect(result.status).toBe('3개의 글을 찾았습니다');
    // The address now links this search.
    expect(new URL(page.url()).searchParams.get('q')).toBe('모델');
    const topic = result.results.find((item) => item.href === '/blog/posts/topic-marker/')!;
    expect(topic).toMatchObject({ title: '주제 조사만 쓰는 글', datetime: '2024-01-10', date: '2024년 1월 10일' });
    for (const item of result.results) {
      expect(item.marks.length, item.href).toBeGreaterThan(0);
      for (const mark of item.marks) expect(mark, item.href).toMatch(/^모델(?:은|이|을|의)?$/u);
      // The stems the index holds never show: `모델은` reads as written.
      expect(item.excerpt, item.href).not.toContain('_^');
    }
    expect(topic.excerpt).toContain('이 글에서 모델은 크다.');
    expect(trouble).toEqual([]);
  });

  it('?q=모델은 in the address finds the post that only says 모델이', async () => {
    const page = await open(`${origin}/blog/search/?q=${encodeURIComponent('모델은')}`);
    const result = await shown(page, '모델은');
    expect(await page.getByLabel('검색어').inputValue()).toBe('모델은');
    expect(hrefs(result)).toContain('/blog/posts/subject-marker/');
    const subject = result.results.find((item) => item.href === '/blog/posts/subject-marker/')!;
    expect(subject.marks).toEqual(['모델이']);
    expect(hrefs(result)).not.toContain('/blog/posts/unrelated/');
    expect(trouble).toEqual([]);
  });

  it('foundation finds the English word, highlighted', async () => {
    const page = await open(`${origin}/blog/search/`);
    await page.getByLabel('검색어').fill('foundation');
    await page.getByLabel('검색어').press('Enter');
    const result = await shown(page, 'foundation');
    expect(hrefs(result)).toEqual(['/blog/posts/english-words/']);
    expect(result.results[0]!.marks).toEqual(['foundation']);
    expect(result.status).toBe('1개의 글을 찾았습니다');
    expect(trouble).toEqual([]);
  });

  it('finds a word joined to others by punctuation outside ASCII (·, full-width brackets), shown as written', async () => {
    // Pagefind splits words at ASCII punctuation only: `정규화` in `토큰화·정규화·임베딩을` was not found.
    for (const [query, word] of [['정규화', '토큰화·정규화·임베딩을'], ['임베딩', '토큰화·정규화·임베딩을'], ['loss', '손실（loss）이']] as const) {
      const page = await open(`${origin}/blog/search/?q=${encodeURIComponent(query)}`);
      const result = await shown(page, query);
      expect(hrefs(result), query).toEqual(['/blog/posts/english-words/']);
      expect(result.results[0]!.marks, query).toEqual([word]);
      expect(result.results[0]!.excerpt, query).not.toContain('_^');
      expect(trouble).toEqual([]);
      await context?.close();
      context = undefined;
    }
  });

  it('finds a piece of a formula typed as its TeX (d_k, n^2, a^2+b^2=c^2), the excerpt showing the TeX as written', async () => {
    // Pagefind matches a query word as the start of a whole word, and `\sqrt{d_k}` was one word;
    // it also keeps `^` in a query while the index drops it, so `n^2` found only `n`.
    for (const [query, marks] of [['d_k', ['d_k']], ['n^2', ['n^2']], ['a^2+b^2=c^2', ['a^2', 'b^2', 'c^2']], ['\\sqrt{d_k}', ['\\sqrt', 'd_k']]] as const) {
      const page = await open(`${origin}/blog/search/?q=${encodeURIComponent(query)}`);
      const result = await shown(page, query);
      expect(hrefs(result), query).toEqual(['/blog/posts/english-words/']);
      expect(result.results[0]!.marks, query).toEqual(marks);
      expect(result.results[0]!.excerpt, query).toContain('divides by \\sqrt{d_k} and costs O(n^2)');
      expect(trouble).toEqual([]);
      await context?.close();
      context = undefined;
    }
  });

  it('finds a compound noun typed without the space the post has (자연어처리 → 자연어 처리)', async () => {
    const page = await open(`${origin}/blog/search/?q=${encodeURIComponent('자연어처리')}`);
    const result = await shown(page, '자연어처리');
    expect(hrefs(result)).toEqual(['/blog/posts/unrelated/']);
    expect(result.results[0]!.marks).toEqual(['자연어', '처리']);
    expect(result.status).toBe('1개의 글을 찾았습니다');
    // Two words of the post that are not side by side do not make one.
    await page.getByLabel('검색어').fill('데이터방법');
    expect(await shown(page, '데이터방법')).toEqual({ status: '‘데이터방법’에 맞는 글이 없습니다', results: [] });
    expect(trouble).toEqual([]);
  });

  it('says so when nothing matches, and finds nothing of drafts or standalone pages', async () => {
    const page = await open(`${origin}/blog/search/?q=${encodeURIComponent('양자컴퓨터')}`);
    expect(await shown(page, '양자컴퓨터')).toEqual({ status: '‘양자컴퓨터’에 맞는 글이 없습니다', results: [] });
    // Pagefind would search `이` (in 이 글에서) for a word it lacks that begins like it.
    for (const query of ['인공지능', '이순신']) {
      await page.getByLabel('검색어').fill(query);
      expect(await shown(page, query)).toEqual({ status: `‘${query}’에 맞는 글이 없습니다`, results: [] });
    }
    await page.getByLabel('검색어').fill('초안');
    expect((await shown(page, '초안')).results).toEqual([]);
    await page.getByLabel('검색어').fill('소개');
    expect((await shown(page, '소개')).results).toEqual([]);
    expect(trouble).toEqual([]);
  });

  it.each(['light', 'dark'] as const)('fits a 375 px phone in the %s scheme, the matches marked in the theme colour', async (scheme) => {
    const page = await open(`${origin}/blog/search/?q=${encodeURIComponent('모델')}`, { width: 375, scheme });
    await shown(page, '모델');
    const layout = await page.evaluate(() => ({
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      body: getComputedStyle(document.body).backgroundColor,
      mark: getComputedStyle(document.querySelector('.search-excerpt mark')!).backgroundColor,
    }));
    expect(layout.overflow).toBe(0);
    expect(layout.body).toBe(scheme === 'light' ? 'rgb(252, 252, 251)' : 'rgb(21, 23, 27)');
    expect(layout.mark).toBe(scheme === 'light' ? 'rgb(255, 241, 166)' : 'rgb(91, 74, 16)');
    expect(trouble).toEqual([]);
  });
});

describe.skipIf(!existsSync(CHROMIUM))('search on a blog of drafts only', { timeout: 60_000 }, () => {
  let fresh: string | undefined;
  let freshServer: StaticServer | undefined;
  afterAll(async () => {
    await freshServer?.close();
    await cleanup(fresh);
  });

  it('says nothing matches, with no failed request', async () => {
    fresh = await copySite('search');
    for (const name of ['english-words', 'object-marker', 'subject-marker', 'topic-marker', 'unrelated']) rmSync(path.join(fresh, 'content', 'posts', `${name}.md`));
    const built = await runCli(['build', '--root', fresh]);
    expect(built.code, built.stderr).toBe(0);
    freshServer = await serveDist(path.join(fresh, 'dist'), '/blog/');
    const page = await open(`${new URL(freshServer.url).origin}/blog/search/?q=${encodeURIComponent('모델')}`);
    expect(await shown(page, '모델')).toEqual({ status: '‘모델’에 맞는 글이 없습니다', results: [] });
    expect(trouble).toEqual([]);
  });
});

describe.skipIf(!existsSync(CHROMIUM))('search matches what a post says, not its metadata', { timeout: 60_000 }, () => {
  let site: string | undefined;
  let siteServer: StaticServer | undefined;
  afterAll(async () => {
    await siteServer?.close();
    await cleanup(site);
  });

  it('2024 finds the post that says 2024년, not every post dated 2024', async () => {
    site = await copySite('search');
    writeFileSync(
      path.join(site, 'content', 'posts', 'year-review.md'),
      '+++\ntitle = "한 해 회고"\ndate = "2024-12-30"\n+++\n\n2024년에는 논문을 많이 읽었다.\n',
    );
    const built = await runCli(['build', '--root', site]);
    expect(built.code, built.stderr).toBe(0);
    siteServer = await serveDist(path.join(site, 'dist'), '/blog/');
    // Every post of the fixture is dated 2024; Pagefind matches its date metadata too.
    for (const query of ['2024', '2024년']) {
      const page = await open(`${new URL(siteServer.url).origin}/blog/search/?q=${encodeURIComponent(query)}`);
      const result = await shown(page, query);
      expect(hrefs(result), query).toEqual(['/blog/posts/year-review/']);
      expect(result.results[0]!.marks).toEqual(['2024년에는']);
      expect(trouble).toEqual([]);
      await context?.close();
    }
  });
});

describe.skipIf(!existsSync(CHROMIUM))('search in geul dev', { timeout: 60_000 }, () => {
  let dev: DevServer | undefined;
  afterAll(async () => {
    await dev?.close();
  });

  it('builds the index in memory, drafts included and marked', async () => {
    dev = await startDevServer({ root: root!, port: 0, host: '127.0.0.1', log: () => {} });
    // The index follows the first build in the background.
    const bundle = new URL('pagefind/pagefind.js', dev.url).href;
    for (let tries = 0; (await fetch(bundle)).status !== 200; tries++) {
      expect(tries).toBeLessThan(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const page = await open(new URL(`search/?q=${encodeURIComponent('모델')}`, dev.url).href);
    const result = await shown(page, '모델');
    expect(hrefs(result)).toContain('/blog/posts/draft-model/');
    expect(await page.locator('.search-results .badge-draft').count()).toBe(1);
    expect(trouble).toEqual([]);
  });
});

/** A made-up Hangul word that no other post holds: three syllables picked by `n`. */
function uniqueWord(n: number): string {
  return String.fromCharCode(0xac00 + ((n * 37) % 11172), 0xac00 + ((n * 101 + 5) % 11172), 0xac00 + ((n * 7919 + 11) % 11172));
}

describe.skipIf(!existsSync(CHROMIUM))('search over an index in parts', { timeout: 120_000 }, () => {
  const POSTS = 320;
  // `양자얽힘` in a post of the first part only; `양자`, a start of it, in posts of other parts.
  const LONGER_WORD = new Set([0]);
  const SHORTER_WORD = new Set([160, POSTS - 1]);
  let big: string | undefined;
  let bigServer: StaticServer | undefined;
  let parts: string[] = [];

  beforeAll(async () => {
    big = await copySite('search');
    for (let n = 0; n < POSTS; n++) {
      const name = `bulk-${String(n).padStart(3, '0')}`;
      const day = String((n % 28) + 1).padStart(2, '0');
      writeFileSync(
        path.join(big, 'content', 'posts', `${name}.md`),
        `+++\ntitle = "묶음 글 ${n}"\ndate = 2023-03-${day}\n+++\n\n이 글은 묶음 ${uniqueWord(n)}은 여기에만 있다. 공통표지어가 모든 글에 있다.\n${LONGER_WORD.has(n) ? '\n양자얽힘에 대한 문단.\n' : SHORTER_WORD.has(n) ? '\n양자라는 말이 나온다.\n' : ''}`,
      );
    }
    const built = await runCli(['build', '--root', big]);
    expect(built.code, built.stderr).toBe(0);
    parts = JSON.parse(readFileSync(path.join(big, 'dist', 'pagefind', 'geul-parts.json'), 'utf8')) as string[];
    bigServer = await serveDist(path.join(big, 'dist'), '/blog/');
  });

  afterAll(async () => {
    await bigServer?.close();
    await cleanup(big);
  });

  it('merges every part: a word of each post is found, and a word of all posts finds all', async () => {
    expect(parts.length).toBeGreaterThanOrEqual(2);
    const bigOrigin = new URL(bigServer!.url).origin;
    // The first post, one in the middle and the last, in index (file name) order: the first part, and the last.
    for (const n of [0, 160, POSTS - 1]) {
      const word = uniqueWord(n);
      const page = await open(`${bigOrigin}/blog/search/?q=${encodeURIComponent(word)}`);
      const result = await shown(page, word);
      expect(hrefs(result), word).toEqual([`/blog/posts/bulk-${String(n).padStart(3, '0')}/`]);
      expect(result.results[0]!.marks).toEqual([`${word}은`]);
      expect(trouble).toEqual([]);
      await context?.close();
      context = undefined;
    }
    const page = await open(`${bigOrigin}/blog/search/?q=${encodeURIComponent('공통표지어')}`);
    const result = await shown(page, '공통표지어');
    expect(result.status).toBe(`${POSTS}개의 글을 찾았습니다`);
    expect(trouble).toEqual([]);
  });

  it('a word one part holds finds only its posts: the parts without it put no shorter word in its place', async () => {
    const bigOrigin = new URL(bigServer!.url).origin;
    const page = await open(`${bigOrigin}/blog/search/?q=${encodeURIComponent('양자얽힘')}`);
    expect(hrefs(await shown(page, '양자얽힘'))).toEqual(['/blog/posts/bulk-000/']);
    // The shorter word still finds every post that has it, in every part.
    await page.getByLabel('검색어').fill('양자');
    expect(hrefs(await shown(page, '양자')).sort()).toEqual(['/blog/posts/bulk-000/', '/blog/posts/bulk-160/', `/blog/posts/bulk-${POSTS - 1}/`]);
    expect(trouble).toEqual([]);
  });

  it('in geul dev, a saved post is found by its new word and every other part still is', async () => {
    const dev = await startDevServer({ root: big!, port: 0, host: '127.0.0.1', log: () => {} });
    try {
      const bundle = new URL('pagefind/pagefind.js', dev.url).href;
      for (let tries = 0; (await fetch(bundle)).status !== 200; tries++) {
        expect(tries).toBeLessThan(200);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const word = '무지개떡볶이';
      const page = await open(new URL(`search/?q=${encodeURIComponent(word)}`, dev.url).href);
      expect((await shown(page, word)).results).toEqual([]);
      const edited = path.join(big!, 'content', 'posts', 'bulk-160.md');
      writeFileSync(edited, readFileSync(edited, 'utf8').replace('공통표지어가', `${word}가`));
      // The open search page reloads itself with its query once the new index is served.
      await page.waitForSelector('.search-results > li', { timeout: 30_000 });
      expect(hrefs(await shown(page, word))).toEqual(['/blog/posts/bulk-160/']);
      // The parts that were not indexed again are still merged in: the first post and the last.
      for (const n of [0, POSTS - 1]) {
        await page.getByLabel('검색어').fill(uniqueWord(n));
        expect(hrefs(await shown(page, uniqueWord(n)))).toEqual([`/blog/posts/bulk-${String(n).padStart(3, '0')}/`]);
      }
      // The reload cuts the page's event stream, which the browser counts as a failed request.
      expect(trouble.filter((line) => !line.endsWith('/__geul/events'))).toEqual([]);
    } finally {
      await dev.close();
    }
  });
});
