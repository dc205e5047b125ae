/**
 * Lists of posts as Hugo makes them: the home page, each term page and the `/posts/` section,
 * `paginate` posts a page at `<list>/page/<n>/`, and `<list>/page/1/` redirecting to the list.
 * The `lists` fixture (2 posts a page, published under /blog/, one draft) is built by the CLI,
 * with and without drafts, and its HTML parsed.
 */
import { appendFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Root } from 'hast';
import { select, selectAll } from 'hast-util-select';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cleanup, copySite, hashTree, listFiles, readHtml, runCli, textOf, type CliResult } from './helpers/site.ts';

const ORIGIN = 'https://example.com';
const DRAFT_TITLE = '쓰는 중인 글';

let root: string;
let dist: string;
let drafts: string;
const runs: Record<'plain' | 'drafts', CliResult> = {} as never;

beforeAll(async () => {
  root = await copySite('lists');
  dist = path.join(root, 'dist');
  drafts = path.join(root, 'dist-drafts');
  [runs.plain, runs.drafts] = await Promise.all([
    runCli(['build', '--root', root, '--workers', '1']),
    runCli(['build', '--root', root, '--out', 'dist-drafts', '--drafts']),
  ]);
}, 60_000);

afterAll(() => cleanup(root));

const page = (dir: string, file: string): Root => readHtml(path.join(dir, file));
/** Hrefs of the posts a list page shows. */
const listed = (dir: string, file: string) => selectAll('.post-item-title a', page(dir, file)).map((a) => String(a.properties.href));
const href = (tree: Root, selector: string) => select(selector, tree)?.properties.href;
const post = (slug: string) => `/blog/posts/${slug}/`;

test('both builds exit 0 without problems', () => {
  for (const run of Object.values(runs)) {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  }
});

describe('term pages', () => {
  test('are cut into pages of `paginate` posts at <term>/page/<n>/, newest first', () => {
    expect(listed(dist, 'tags/nlp/index.html')).toEqual([post('fourth'), post('third')]);
    expect(listed(dist, 'tags/nlp/page/2/index.html')).toEqual([post('second'), post('first')]);
    expect(existsSync(path.join(dist, 'tags/nlp/page/3'))).toBe(false);
    expect(listed(dist, 'categories/paper-review/index.html')).toEqual([post('third'), post('second')]);
    expect(listed(dist, 'categories/paper-review/page/2/index.html')).toEqual([post('first')]);
    // A term of no more than one page has no page 2, and no page navigation.
    expect(listed(dist, 'tags/자연어-처리/index.html')).toEqual([post('third'), post('first')]);
    expect(existsSync(path.join(dist, 'tags/자연어-처리/page/2'))).toBe(false);
    expect(select('nav.pagination', page(dist, 'tags/자연어-처리/index.html'))).toBeUndefined();
  });

  test('link each other as the home pages do: rel=prev/next, page numbers, the current one marked, a canonical URL of their own', () => {
    const first = page(dist, 'tags/nlp/index.html');
    const second = page(dist, 'tags/nlp/page/2/index.html');
    expect(href(first, 'nav.pagination a[rel=next]')).toBe('/blog/tags/nlp/page/2/');
    expect(select('nav.pagination a[rel=prev]', first)).toBeUndefined();
    expect(href(second, 'nav.pagination a[rel=prev]')).toBe('/blog/tags/nlp/');
    expect(select('nav.pagination a[rel=next]', second)).toBeUndefined();
    expect(selectAll('nav.pagination ol a', second).map((a) => [textOf(a), a.properties.href])).toEqual([
      ['1', '/blog/tags/nlp/'],
      ['2', '/blog/tags/nlp/page/2/'],
    ]);
    expect(textOf(select('nav.pagination a[aria-current=page]', second)!)).toBe('2');
    expect(href(first, 'link[rel=canonical]')).toBe(`${ORIGIN}/blog/tags/nlp/`);
    expect(href(second, 'link[rel=canonical]')).toBe(`${ORIGIN}/blog/tags/nlp/page/2/`);
    // Page 2 says so in its title, as the home's page 2 does.
    expect(textOf(select('head > title', second)!)).toBe('태그: NLP (페이지 2) · 목록 블로그');
    expect(textOf(select('head > title', page(dist, 'page/2/index.html'))!)).toBe('페이지 2 · 목록 블로그');
    // The same navigation as the home page's.
    const home = page(dist, 'page/2/index.html');
    expect(href(home, 'nav.pagination a[rel=prev]')).toBe('/blog/');
    expect(select('nav.pagination ol', home)?.children.length).toBe(select('nav.pagination ol', second)?.children.length);
  });
});

test('/posts/ lists every post, paginated as the home page is', () => {
  const first = page(dist, 'posts/index.html');
  expect(textOf(select('h1', select('main', first)!)!)).toBe('글 목록');
  expect(listed(dist, 'posts/index.html')).toEqual([post('fourth'), post('third')]);
  expect(listed(dist, 'posts/page/2/index.html')).toEqual([post('second'), post('first')]);
  expect(existsSync(path.join(dist, 'posts/page/3'))).toBe(false);
  expect(href(first, 'nav.pagination a[rel=next]')).toBe('/blog/posts/page/2/');
  expect(href(first, 'link[rel=canonical]')).toBe(`${ORIGIN}/blog/posts/`);
  expect(href(page(dist, 'posts/page/2/index.html'), 'nav.pagination a[rel=prev]')).toBe('/blog/posts/');
});

test('page/1/ of every list redirects to the list, as Hugo\'s does: meta refresh, canonical link, noindex, a visible link', () => {
  const lists = ['', 'posts/', 'tags/nlp/', 'tags/자연어-처리/', 'categories/paper-review/'];
  for (const list of lists) {
    const file = `${list}page/1/index.html`;
    const tree = page(dist, file);
    const target = `/blog/${list}`;
    expect(select('meta[http-equiv=refresh]', tree)?.properties.content, file).toBe(`0; url=${target}`);
    expect(href(tree, 'link[rel=canonical]'), file).toBe(`${ORIGIN}${encodeURI(target)}`);
    expect(select('meta[name=robots]', tree)?.properties.content, file).toBe('noindex');
    expect(href(tree, 'body a'), file).toBe(target);
  }
  // No list has any other page the redirect could stand for.
  expect(listFiles(dist).filter((file) => /(^|\/)page\/1\//.test(file))).toEqual(lists.map((list) => `${list}page/1/index.html`).sort());
});

test('the sitemap lists each page of each list, and no redirect', () => {
  const locs = [...readFileSync(path.join(dist, 'sitemap.xml'), 'utf8').matchAll(/<loc>([^<]*)<\/loc>/g)].map((match) => match[1]!);
  const pages = listFiles(dist)
    .filter((file) => file.endsWith('index.html') && file !== 'search/index.html' && !/(^|\/)page\/1\//.test(file))
    .map((file) => `${ORIGIN}/blog/${encodeURI(file.replace(/index\.html$/, ''))}`);
  expect([...locs].sort()).toEqual(pages.sort());
  for (const loc of ['page/2/', 'posts/', 'posts/page/2/', 'tags/nlp/page/2/', 'categories/paper-review/page/2/']) expect(locs).toContain(`${ORIGIN}/blog/${loc}`);
});

test('drafts are in no list without --drafts, and counted in every list with it', () => {
  for (const file of listFiles(dist).filter((name) => /\.(html|xml)$/.test(name))) {
    expect.soft(readFileSync(path.join(dist, file), 'utf8').includes(DRAFT_TITLE), `${file} mentions the draft`).toBe(false);
  }
  // Five posts with the draft: a third page of the tag and of /posts/.
  expect(listed(drafts, 'tags/nlp/index.html')).toEqual([post('draft'), post('fourth')]);
  expect(listed(drafts, 'tags/nlp/page/3/index.html')).toEqual([post('first')]);
  expect(listed(drafts, 'posts/page/3/index.html')).toEqual([post('first')]);
  expect(readFileSync(path.join(drafts, 'sitemap.xml'), 'utf8')).toContain(`${ORIGIN}/blog/tags/nlp/page/3/`);
});

test('a templates/ folder without section.liquid (a theme made before it) builds /posts/ with the home template', async () => {
  const old = await copySite('lists');
  try {
    rmSync(path.join(old, 'templates', 'section.liquid'));
    const run = await runCli(['build', '--root', old]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(listed(path.join(old, 'dist'), 'posts/index.html')).toEqual([post('fourth'), post('third')]);
    expect(listed(path.join(old, 'dist'), 'posts/page/2/index.html')).toEqual([post('second'), post('first')]);
  } finally {
    await cleanup(old);
  }
}, 60_000);

test('a list whose template shows no page navigation (a theme\'s term.liquid made before term pages were paginated) is one page of all its posts, as Hugo lists without .Paginator', async () => {
  const theme = await copySite('lists');
  try {
    // The term template of an older theme: the posts, no `pagination` anywhere.
    writeFileSync(
      path.join(theme, 'templates', 'term.liquid'),
      '{% layout "base" %}{% block content %}<h1>{{ term.name }}</h1><div class="post-list">{% for post in posts %}{{ post | partial: "partials/post-item" | raw }}{% endfor %}</div>{% endblock %}',
    );
    const run = await runCli(['build', '--root', theme]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const built = path.join(theme, 'dist');
    expect(listed(built, 'tags/nlp/index.html')).toEqual([post('fourth'), post('third'), post('second'), post('first')]);
    expect(existsSync(path.join(built, 'tags/nlp/page'))).toBe(false);
    const locs = [...readFileSync(path.join(built, 'sitemap.xml'), 'utf8').matchAll(/<loc>([^<]*)<\/loc>/g)].map((match) => match[1]!);
    expect(locs).toContain(`${ORIGIN}/blog/tags/nlp/`);
    expect(locs.filter((loc) => loc.includes('/tags/nlp/page/'))).toEqual([]);
    // The lists whose templates paginate still do.
    expect(listed(built, 'page/2/index.html')).toEqual([post('second'), post('first')]);
    expect(listed(built, 'posts/page/2/index.html')).toEqual([post('second'), post('first')]);
  } finally {
    await cleanup(theme);
  }
}, 60_000);

test('1 and 3 workers give the same bytes', async () => {
  const run = await runCli(['build', '--root', root, '--out', 'dist-3', '--workers', '3']);
  expect(run.code, run.stderr).toBe(0);
  // Every file, geul's marker included.
  expect(hashTree(path.join(root, 'dist-3'))).toEqual(hashTree(dist));
}, 60_000);

test('a rebuild after an edit below a post\'s summary rewrites its page and no list page or redirect', async () => {
  const inodes = () => Object.fromEntries(listFiles(dist).map((file) => [file, statSync(path.join(dist, file)).ino]));
  const before = inodes();
  appendFileSync(path.join(root, 'content/posts/second.md'), '\n둘째 문단을 보탠다.\n');
  const run = await runCli(['build', '--root', root, '--workers', '1']);
  expect(run.code, run.stderr).toBe(0);
  const after = inodes();
  expect(after['posts/second/index.html']).not.toBe(before['posts/second/index.html']);
  const lists = Object.keys(before).filter((file) => /(^|\/)(index|page\/\d+\/index)\.html$/.test(file) && !/^posts\/(?!page\/)[^/]+\/index\.html$/.test(file) && file !== 'search/index.html');
  expect(lists).toContain('tags/nlp/page/2/index.html');
  expect(lists).toContain('posts/page/1/index.html');
  for (const file of lists) expect.soft(after[file], file).toBe(before[file]);
}, 60_000);
