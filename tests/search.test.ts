/**
 * The search index and page of a built site: the `search` fixture (under baseURL path
 * `/blog/`) built by the CLI, published and with drafts, and a build whose index fails.
 * What a reader finds is proven in a browser by tests/e2e/search.browser.test.ts.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { particleRules } from '../src/korean-particles.js';
import { BuildAbandoned } from '../src/abandon.js';
import { buildSearchIndex, createSearchFeed, indexDocument, indexOrder, STEM_JOINER, TEX_SEPARATOR, withStems, withStemsInHtml } from '../src/search.js';
import type { Output, ParsedPost } from '../src/types.js';
import { collectPosts, postFrom } from './helpers/posts.ts';
import { cleanup, copySite, hashTree, readHtml, runCli, textOf, type CliResult } from './helpers/site.ts';

const PUBLISHED = ['english-words', 'object-marker', 'subject-marker', 'topic-marker', 'unrelated'];

let root: string;
let dist: string;
let drafts: string;
let published: CliResult;
let withDrafts: CliResult;

beforeAll(async () => {
  root = await copySite('search');
  dist = path.join(root, 'dist');
  drafts = path.join(root, 'dist-drafts');
  [published, withDrafts] = await Promise.all([
    runCli(['build', '--root', root]),
    runCli(['build', '--root', root, '--out', 'dist-drafts', '--drafts']),
  ]);
});

afterAll(() => cleanup(root));

/** The pages in an index, read back from Pagefind's fragments (gzip of `pagefind_dcd` + JSON). */
function indexedPages(dir: string): { url: string; content: string; meta: Record<string, string> }[] {
  const folder = path.join(dir, 'pagefind', 'fragment');
  return readdirSync(folder)
    .map((file) => {
      const bytes = gunzipSync(readFileSync(path.join(folder, file)));
      expect(bytes.subarray(0, 12).toString()).toBe('pagefind_dcd');
      return JSON.parse(bytes.subarray(12).toString('utf8')) as { url: string; content: string; meta: Record<string, string> };
    })
    .sort((a, b) => (a.url < b.url ? -1 : 1));
}

describe('the index', () => {
  test('builds without a problem and says how many posts it indexed', () => {
    expect(published.stderr).toBe('');
    expect(published.code).toBe(0);
    expect(published.stdout).toMatch(/, search index of 5 posts \(\d+ ms\), 0 warnings$/m);
    expect(withDrafts.stdout).toMatch(/, search index of 6 posts \(\d+ ms\), 0 warnings$/m);
  });

  test('the Pagefind bundle is in dist/pagefind/, with its script, WebAssembly and a Korean index', () => {
    for (const file of ['pagefind.js', 'pagefind-worker.js', 'wasm.unknown.pagefind', 'pagefind-entry.json']) {
      expect(existsSync(path.join(dist, 'pagefind', file)), file).toBe(true);
    }
    const entry = JSON.parse(readFileSync(path.join(dist, 'pagefind', 'pagefind-entry.json'), 'utf8')) as {
      languages: Record<string, { page_count: number }>;
    };
    expect(Object.keys(entry.languages)).toEqual(['ko']);
    expect(entry.languages.ko!.page_count).toBe(5);
  });

  test('holds the published posts only: no draft, no standalone page, no list', () => {
    expect(indexedPages(dist).map((page) => page.url)).toEqual(PUBLISHED.map((slug) => `/posts/${slug}/`));
    expect(indexedPages(drafts).map((page) => page.url)).toEqual(['draft-model', ...PUBLISHED].map((slug) => `/posts/${slug}/`));
    const text = indexedPages(dist).map((page) => page.content).join('\n');
    expect(text).not.toContain('아직 쓰는 중인 글');
    expect(text).not.toContain('검색은 글만 찾는다');
  });

  test('each page: title and date as metadata, title and body as text, the stem before each word with a particle', () => {
    const topic = indexedPages(dist).find((page) => page.url === '/posts/topic-marker/')!;
    expect(topic.meta).toMatchObject({ title: '주제 조사만 쓰는 글', date: '2024년 1월 10일', datetime: '2024-01-10' });
    expect(topic.meta.draft).toBeUndefined();
    expect(topic.content).toContain(`이 글에서 모델${STEM_JOINER}모델은 크다.`);
    // Inline math reads as its TeX; display math and the heading's "#" anchor are left out.
    expect(topic.content).toContain('입력 길이 n에 비례해');
    // A formula is split where its TeX meets a bracket, an operator or a command, so that its
    // pieces are words of their own (U+2063 tells the search page to join them again).
    const english = indexedPages(dist).find((page) => page.url === '/posts/english-words/')!;
    expect(english.content).toContain(['\\sqrt', '{', 'd_k', '}'].join(TEX_SEPARATOR));
    expect(english.content).toContain(['a^2', '+', 'b^2', '=', 'c^2'].join(TEX_SEPARATOR));
    expect(topic.content).not.toContain('mathcal');
    expect(topic.content).not.toContain('#');
    // Footnote marks are left out, the footnote's own text is not.
    expect(topic.content).toContain('크다. ');
    expect(topic.content).toContain('각주도 색인된다');
    expect(topic.content).not.toContain('↩');
    const draft = indexedPages(drafts).find((page) => page.url === '/posts/draft-model/')!;
    expect(draft.meta.draft).toBe('true');
    // A code block is indexed, its language label ("Python") is not: it would find every post with such a block.
    const unrelated = indexedPages(dist).find((page) => page.url === '/posts/unrelated/')!;
    expect(unrelated.content).toContain('print');
    expect(unrelated.content).not.toContain('Python');
  });

  test('an index that cannot be built fails the build and leaves dist/ as it was', async () => {
    const before = hashTree(dist);
    // --no-cache: an unchanged index would otherwise be kept without starting Pagefind.
    const result = await runCli(['build', '--root', root, '--no-cache'], {
      env: { PAGEFIND_BINARY_PATH: path.join(root, 'no-pagefind'), PAGEFIND_EXTENDED_BINARY_PATH: path.join(root, 'no-pagefind') },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^geul: search index: .*; \S*dist left as it was$/m);
    expect(hashTree(dist)).toEqual(before);
  });

  test('a rebuild that changes no post keeps the bundle as it was; an edited post is indexed again', async () => {
    const bundle = path.join(dist, 'pagefind', 'pagefind-entry.json');
    const before = statSync(bundle).mtimeMs;
    // A template touched: the site is built again, but no post's text changed.
    utimesSync(path.join(root, 'templates', 'base.liquid'), new Date(), new Date());
    const again = await runCli(['build', '--root', root]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/, search index of 5 posts \(unchanged\), 0 warnings$/m);
    expect(statSync(bundle).mtimeMs).toBe(before);

    const file = path.join(root, 'content', 'posts', 'unrelated.md');
    writeFileSync(file, readFileSync(file, 'utf8').replace('빈 줄을 둔다.', '빈 줄을 두고 표본을 섞는다.'));
    const edited = await runCli(['build', '--root', root]);
    expect(edited.stdout).toMatch(/, search index of 5 posts \(\d+ ms\), 0 warnings$/m);
    expect(indexedPages(dist).find((page) => page.url === '/posts/unrelated/')!.content).toContain(`표본${STEM_JOINER}표본을 섞는다`);
  });

  test('a blog of drafts only (a new one) gets an empty index the search page can load, made on its first build', async () => {
    const fresh = await copySite('search');
    try {
      for (const name of PUBLISHED) rmSync(path.join(fresh, 'content', 'posts', `${name}.md`));
      const first = await runCli(['build', '--root', fresh]);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/: 0 posts, .*, search index of 0 posts \(\d+ ms\), 0 warnings$/m);
      for (const file of ['pagefind.js', 'pagefind-worker.js', 'wasm.unknown.pagefind', 'pagefind-entry.json']) {
        expect(existsSync(path.join(fresh, 'dist', 'pagefind', file)), file).toBe(true);
      }
      expect(JSON.parse(readFileSync(path.join(fresh, 'dist', 'pagefind', 'geul-parts.json'), 'utf8'))).toEqual([]);
      // Pagefind's script cannot open an index of no page: the page knows not to ask it.
      expect(select('[data-search]', readHtml(path.join(fresh, 'dist', 'search', 'index.html')))!.properties.dataEmpty).toBe('');
      const again = await runCli(['build', '--root', fresh, '--drafts']);
      expect(again.stdout).toMatch(/, search index of 1 post \(\d+ ms\), 0 warnings$/m);
      expect(select('[data-search]', readHtml(path.join(fresh, 'dist', 'search', 'index.html')))!.properties.dataEmpty).toBeUndefined();
    } finally {
      await cleanup(fresh);
    }
  });
});

describe('the search page', () => {
  let search: Root;
  beforeAll(() => {
    search = readHtml(path.join(dist, 'search', 'index.html'));
  });

  test('a labelled search form that submits ?q= to itself, and a live region for the outcome', () => {
    const form = select('form[role="search"]', search)!;
    expect(form.properties.action).toBe('/blog/search/');
    expect(form.properties.method).toBe('get');
    const input = select('input[type="search"]', form)!;
    expect(input.properties.name).toBe('q');
    const label = select(`label[for="${String(input.properties.id)}"]`, form)!;
    expect(textOf(label)).toBe('검색어');
    expect(select('[role="status"]', search)!.properties.ariaLive).toBe('polite');
    expect(select('ol.search-results', search)).toBeTruthy();
    expect(textOf(select('h1', search)!)).toBe('검색');
    expect(textOf(select('noscript', search)!)).toContain('JavaScript');
  });

  test('loads the bundle from the site itself, under its base path, with the particle rules the index used', () => {
    const root = select('[data-search]', search)!;
    expect(root.properties.dataBundle).toBe('/blog/pagefind/');
    expect(root.properties.dataJoiner).toBe(STEM_JOINER);
    expect(JSON.parse(String(root.properties.dataRules))).toEqual(particleRules());
    expect(selectAll('script:not([data-geul-fonts])', search).map((script) => script.properties.src)).toEqual(['/blog/assets/search.js']);
    expect(existsSync(path.join(dist, 'assets', 'search.js'))).toBe(true);
  });

  test('every page links to it from the main menu; it marks itself as the current page', () => {
    for (const file of ['index.html', 'posts/topic-marker/index.html', 'about/index.html', '404.html']) {
      const link = selectAll('nav.site-nav a', readHtml(path.join(dist, file))).find((a) => textOf(a) === '검색');
      expect(link?.properties.href, file).toBe('/blog/search/');
    }
    const current = select('nav.site-nav a[aria-current="page"]', search)!;
    expect(textOf(current)).toBe('검색');
  });
});

test('the search page and the bundle keep their places: no page slug or alias may take them', () => {
  const { messages } = collectPosts([
    postFrom('content/posts/a.md', ['title = "a"', 'date = 2024-01-01', 'aliases = ["/search/", "/pagefind/pagefind.js"]']),
    postFrom('content/pagefind.md', ['title = "p"'], 'page'),
  ]);
  expect(messages.sort()).toEqual([
    'content/pagefind.md:1:1: slug "pagefind" is reserved for geul\'s own pages',
    'content/posts/a.md:4:12: alias "/search/" collides with a page of the site (search/index.html)',
    'content/posts/a.md:4:24: alias "/pagefind/pagefind.js/" would overwrite geul\'s own files under "pagefind"',
  ]);
});

describe('indexDocument', () => {
  const post = (html: string, extra: Partial<ParsedPost['frontMatter']> = {}): ParsedPost =>
    ({
      kind: 'post',
      sourcePath: 'content/posts/a.md',
      slug: 'a',
      frontMatter: { title: '모델은 <무엇인가>', categories: [], tags: [], draft: false, extra: {}, ...extra },
      rendered: { html, toc: [], excerpt: '', readingMinutes: 1, wordCount: 1, math: html.includes('class="katex'), assets: [] },
    }) as ParsedPost;

  test('withStems puts the stem before every word with a particle, and leaves the rest as written', () => {
    expect(withStems('이 모델은 (데이터를) 쓴다. GPT는 foundation 모델이다')).toBe(
      '이 모델_^모델은 (데이터_^데이터를) 쓴다. GPT_^GPT는 foundation 모델_^모델이다',
    );
    expect(withStems('사이 값이 정확도')).toBe('사이 값이 정확도');
  });

  test('withStems puts the joiner where a word meets punctuation outside ASCII, so Pagefind splits there', () => {
    // Pagefind splits a word at ASCII punctuation only: `정규화` was no word of its index.
    expect(withStems('토큰화·정규화·임베딩을 거친다')).toBe('토큰화_^·_^정규화_^·_^임베딩_^임베딩을 거친다');
    expect(withStems('손실（loss）이, 저자의「딥러닝」')).toBe('손실_^（_^loss_^）_^이, 저자_^저자의_^「_^딥러닝_^」');
    expect(withStems('model（base）, a · b, 「x」')).toBe('model_^（_^base_^）, a · b, 「_^x_^」');
    expect(withStems('plain ASCII (code) stays')).toBe('plain ASCII (code) stays');
  });

  test('the title as written in metadata, with stems as text; HTML in the title stays text', () => {
    const tree = fromHtml(indexDocument(post('<p>본문이다.</p>', { description: '설명은 짧다' }), 'ko'));
    expect(select('meta[data-pagefind-meta="title[content]"]', tree)!.properties.content).toBe('모델은 <무엇인가>');
    expect(select('html', tree)!.properties.lang).toBe('ko');
    expect(textOf(select('h1', tree)!)).toBe('모델_^모델은 <무엇인가>');
    expect(textOf(select('article', tree)!)).toBe('모델_^모델은 <무엇인가>설명_^설명은 짧다본문_^본문이다.');
  });

  test('stems go into the text between tags; after a stray ">" in an attribute, only letters and the joiner', () => {
    expect(withStemsInHtml('모델은 <a href="/모델은/" title="모델은 > 데이터는">데이터는</a> 끝')).toBe(
      '모델_^모델은 <a href="/모델은/" title="모델은 > 데이터_^데이터는">데이터_^데이터는</a> 끝',
    );
  });
});

describe('an index fed while the build compiles', () => {
  const posts = Array.from({ length: 30 }, (_, n) => postFrom(`content/posts/글-${n}.md`, [`title = "글 ${n}: 모델은 무엇인가"`, `date = 2024-02-${String((n % 28) + 1).padStart(2, '0')}`]));
  const { site } = collectPosts(posts);
  const bytes = (index: { outputs: Output[] }) => index.outputs.map((output) => [output.path, output.key, 'content' in output ? Buffer.from(output.content as Uint8Array).toString('base64') : '']);

  test('fed post by post in source order, it is the index made from the collected site', async () => {
    const feed = createSearchFeed();
    for (const post of indexOrder(site.posts)) feed.add(post, site.config, site.postFiles);
    const fed = await feed.finish(site);
    expect(fed.posts).toBe(30);
    expect(bytes(fed)).toEqual(bytes(await buildSearchIndex(site)));
  });

  test('fed other posts than the site publishes (one too many, one missing), it indexes the site again from the start', async () => {
    const { site: fewer } = collectPosts(posts.slice(1));
    const feed = createSearchFeed();
    for (const post of indexOrder(site.posts)) feed.add(post, site.config, site.postFiles);
    expect(bytes(await feed.finish(fewer))).toEqual(bytes(await buildSearchIndex(fewer)));

    const short = createSearchFeed();
    for (const post of indexOrder(fewer.posts)) short.add(post, site.config, site.postFiles);
    expect(bytes(await short.finish(site))).toEqual(bytes(await buildSearchIndex(site)));
  });
});

describe('an index the dev server calls off', () => {
  const posts = Array.from({ length: 45 }, (_, n) => postFrom(`content/posts/글-${n}.md`, [`title = "글 ${n}: 모델은 무엇인가"`, `date = 2024-01-${String((n % 28) + 1).padStart(2, '0')}`]));
  const { site } = collectPosts(posts);

  test('stops with BuildAbandoned at the first pause after it is asked to, and leaves nothing running', async () => {
    let asked = 0;
    await expect(buildSearchIndex(site, new Map(), { abandon: () => ++asked >= 2 })).rejects.toBeInstanceOf(BuildAbandoned);
    // Asked once per 20 posts sent: it stopped at the second pause, not after all 45.
    expect(asked).toBe(2);
  });

  test('asked and never told to stop, it makes the same index as without asking', async () => {
    const asked = await buildSearchIndex(site, new Map(), { abandon: () => false });
    const plain = await buildSearchIndex(site);
    const bytes = (index: typeof plain) => index.outputs.map((output) => [output.path, 'content' in output ? Buffer.from(output.content as Uint8Array).toString('base64') : '']);
    expect(asked.posts).toBe(45);
    expect(bytes(asked)).toEqual(bytes(plain));
  });
});
