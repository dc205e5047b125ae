/**
 * The features for paper reviewers, end to end: `tests/fixtures/sites/paper/` built by the CLI
 * and its HTML parsed. Equation numbers and links, the citation card, BibTeX and JSON-LD,
 * the series box, related posts, future and expired posts, alias pages. Then
 * `tests/fixtures/sites/alias-collision/`, which must fail with exact `path:line:col` lines
 * and leave the previous dist/ as it was.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Element, Root } from 'hast';
import { select, selectAll } from 'hast-util-select';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { brokenLinks, cleanup, copySite, hashTree, listFiles, problemLines, readHtml, REPO_ROOT, runCli, textOf, type CliResult } from './helpers/site.ts';

const BASE_URL = 'https://example.com/';
const PAPER_TITLE = 'On the Opportunities and Risks of Foundation Models </script><script>alert(1)</script>';

let root: string;
let dist: string;
let run: CliResult;
let post: Root;

beforeAll(async () => {
  root = await copySite('paper');
  dist = path.join(root, 'dist');
  run = await runCli(['build', '--root', root]);
  post = readHtml(path.join(dist, 'posts/foundation-models/index.html'));
}, 60_000);

afterAll(() => cleanup(root));

const page = (file: string): Root => readHtml(path.join(dist, file));
const attr = (node: Element | undefined, name: string) => String(node?.properties[name] ?? '');

describe('the paper site', () => {
  test('builds without problems, and every internal link resolves (equation links and aliases included)', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(brokenLinks(dist, BASE_URL)).toEqual([]);
  });

  test('labelled equations are numbered in order, with anchor ids', () => {
    const equations = selectAll('.prose div.equation', post);
    expect(equations.map((node) => node.properties.id)).toEqual(['eq-nll', 'eq-목적']);
    expect(equations.map((node) => textOf(select('.tag', node) ?? node).match(/\((\d)\)/)?.[1])).toEqual(['1', '2']);
    for (const equation of equations) expect(select('.katex-display', equation)).toBeDefined();
  });

  test('\\eqref and \\ref link to existing ids, in text and inside formulas', () => {
    const ids = new Set(selectAll('[id]', post).map((node) => String(node.properties.id)));
    const inText = selectAll('.prose a.eqref', post).map((a) => [attr(a, 'href'), textOf(a)]);
    expect(inText).toEqual([
      ['#eq-nll', '(1)'],
      ['#eq-목적', '2'],
    ]);
    const inMath = selectAll('.prose .katex-html a', post).map((a) => attr(a, 'href'));
    expect(inMath).toEqual(['#eq-nll']);
    for (const href of [...inText.map(([href]) => href!), ...inMath]) expect(ids.has(href.slice(1))).toBe(true);
  });

  test('the citation card: title linked, authors, venue and year, arXiv and DOI', () => {
    const card = select('article .paper-card', post)!;
    expect(card).toBeDefined();
    const title = select('.paper-card-title a', card)!;
    expect(textOf(title)).toBe(PAPER_TITLE);
    expect(attr(title, 'href')).toBe('https://arxiv.org/abs/2108.07258');
    expect(textOf(select('.paper-card-authors', card)!)).toBe('Rishi Bommasani, Drew A. Hudson, et al.');
    expect(textOf(select('.paper-card-venue', card)!)).toBe('arXiv 2021');
    expect(selectAll('.paper-card-links a', card).map((a) => attr(a, 'href'))).toEqual([
      'https://arxiv.org/abs/2108.07258',
      'https://doi.org/10.48550/arXiv.2108.07258',
    ]);
    // The card stands before the text.
    const children = (select('article.post', post)!.children as Element[]).filter((child) => child.type === 'element');
    expect(children.findIndex((child) => attr(child, 'className').includes('paper-card'))).toBeLessThan(
      children.findIndex((child) => attr(child, 'className').includes('prose')),
    );
  });

  test('a BibTeX entry to copy', () => {
    const code = select('.paper-card details.bibtex pre > code', post)!;
    expect(textOf(select('.paper-card details.bibtex summary', post)!)).toBe('BibTeX');
    const bibtex = textOf(code);
    expect(bibtex.startsWith('@article{bommasani2021opportunities,\n')).toBe(true);
    expect(bibtex).toContain('author = {Rishi Bommasani and Drew A. Hudson and others}');
    expect(bibtex).toContain('title = {On the Opportunities and Risks of Foundation Models </script><script>alert(1)</script>}');
    // Its long lines scroll sideways in the card: the keyboard reaches the box (axe: scrollable-region-focusable).
    expect(select('.paper-card details.bibtex pre', post)!.properties.tabIndex).toBe(0);
  });

  test('JSON-LD parses, is a BlogPosting citing a ScholarlyArticle, and cannot be closed by a </script> in a title', () => {
    const scripts = selectAll('script:not([data-geul-fonts])', post);
    expect(scripts.map((script) => attr(script, 'type'))).toEqual(['application/ld+json']);
    const raw = textOf(scripts[0]!);
    expect(raw).not.toMatch(/[<>]/);
    const data = JSON.parse(raw) as Record<string, any>;
    expect(data['@type']).toBe('BlogPosting');
    expect(data.headline).toBe('Foundation Models 리뷰');
    expect(data.url).toBe('https://example.com/posts/foundation-models/');
    expect(data.citation).toMatchObject({
      '@type': 'ScholarlyArticle',
      name: PAPER_TITLE,
      datePublished: '2021',
      sameAs: ['https://arxiv.org/abs/2108.07258', 'https://doi.org/10.48550/arXiv.2108.07258'],
      identifier: { propertyID: 'DOI', value: '10.48550/arXiv.2108.07258' },
    });
    // A post without [paper] has its BlogPosting too, citing nothing.
    const others = selectAll('script:not([data-geul-fonts])', page('posts/unrelated/index.html'));
    expect(others.map((script) => attr(script, 'type'))).toEqual(['application/ld+json']);
    expect(JSON.parse(textOf(others[0]!))).not.toHaveProperty('citation');
  });

  test('the series box lists the series oldest first, the current post marked', () => {
    const box = select('nav.series-box', post)!;
    expect(textOf(select('.series-box-name', box)!)).toBe('기초 모델 읽기');
    expect(textOf(select('.series-box-position', box)!)).toBe('3편 중 3편');
    const items = selectAll('.series-box-list li', box);
    expect(items.map((item) => textOf(item).trim())).toEqual(['기초 모델 이전: 사전 학습', '규모의 법칙', 'Foundation Models 리뷰']);
    expect(selectAll('.series-box-list a', box).map((a) => attr(a, 'href'))).toEqual(['/posts/series-part-1/', '/posts/series-part-2/']);
    expect(select('[aria-current="page"]', items[2]!)).toBeDefined();
    const first = select('nav.series-box', page('posts/series-part-1/index.html'))!;
    expect(textOf(select('.series-box-position', first)!)).toBe('3편 중 1편');
    expect(select('nav.series-box', page('posts/unrelated/index.html'))).toBeUndefined();
  });

  test('related posts at the end: shared tags or category, not the series, not unrelated, not left-out posts', () => {
    const related = selectAll('aside.related a', post).map((a) => [textOf(a), attr(a, 'href')]);
    expect(related).toEqual([['LLM 평가 방법', '/posts/related-llm/']]);
    expect(textOf(select('aside.related .related-title', post)!)).toBe('관련 글');
  });

  test('reading time in Korean, and the <!--more--> cut as the list summary', () => {
    expect(selectAll('.post-meta .meta-item', post).map(textOf)).toContain('읽는 데 약 1분');
    const home = page('index.html');
    const item = selectAll('.post-item', home).find((node) => textOf(node).includes('Foundation Models 리뷰'))!;
    expect(textOf(select('.post-item-summary', item)!)).toBe('목록에는 이 문단만 보인다.');
    // The meta description keeps the front matter description.
    expect(attr(select('meta[name="description"]', post), 'content')).toBe('기초 모델의 기회와 위험을 정리한다.');
  });

  test('a future post and an expired one are absent everywhere: pages, lists, terms, feed, sitemap, aliases', () => {
    const files = listFiles(dist);
    for (const slug of ['future', 'expired']) expect(files).not.toContain(`posts/${slug}/index.html`);
    expect(files).not.toContain('tags/미래/index.html');
    expect(files).not.toContain('tags/공지/index.html');
    expect(files).not.toContain('posts/soon/index.html');
    const everything = ['index.html', 'tags/index.html', 'feed.xml', 'sitemap.xml'].map((file) => readFileSync(path.join(dist, file), 'utf8')).join('\n');
    expect(everything).not.toContain('아직 오지 않은 글');
    expect(everything).not.toContain('기한이 지난 공지');
    expect(everything).not.toContain('/posts/future/');
  });

  test('alias pages redirect to the post: meta refresh, canonical, a visible link, noindex', () => {
    for (const file of ['posts/foundation/index.html', '2024/03/기초-모델/index.html']) {
      const tree = page(file);
      expect(attr(select('meta[http-equiv="refresh"]', tree), 'content')).toBe('0; url=/posts/foundation-models/');
      expect(attr(select('link[rel="canonical"]', tree), 'href')).toBe('https://example.com/posts/foundation-models/');
      expect(attr(select('meta[name="robots"]', tree), 'content')).toBe('noindex');
      expect(selectAll('body a', tree).map((a) => attr(a, 'href'))).toEqual(['/posts/foundation-models/']);
    }
    // Redirects are not pages of their own for search engines.
    expect(readFileSync(path.join(dist, 'sitemap.xml'), 'utf8')).not.toContain('posts/foundation/');
  });
});

/** Whether the CLI knows `--future` yet (it is added in cli.ts, outside this feature's files). */
const cliHasFuture = readFileSync(path.join(REPO_ROOT, 'src/cli.ts'), 'utf8').includes("future:");

describe.runIf(cliHasFuture)('geul build --future', () => {
  test('includes the future post', async () => {
    const out = path.join(root, 'dist-future');
    const result = await runCli(['build', '--root', root, '--future', '--out', 'dist-future']);
    expect(result.code).toBe(0);
    expect(existsSync(path.join(out, 'posts/future/index.html'))).toBe(true);
    expect(existsSync(path.join(out, 'posts/expired/index.html'))).toBe(false);
  });
});

describe('alias problems', () => {
  let bad: string;
  let badRun: CliResult;
  let before: Record<string, string>;

  beforeAll(async () => {
    bad = await copySite('alias-collision');
    const previous = path.join(bad, 'dist');
    mkdirSync(previous, { recursive: true });
    writeFileSync(path.join(previous, '.geul'), 'This folder is written by geul and replaced on every build.\n');
    writeFileSync(path.join(previous, 'index.html'), '<!doctype html><p>이전 빌드</p>\n');
    before = hashTree(previous);
    badRun = await runCli(['build', '--root', bad]);
  }, 60_000);

  afterAll(() => cleanup(bad));

  test('collisions with a page or another alias, and an alias escaping the site, are errors at the alias', () => {
    expect(badRun.code).toBe(1);
    expect(problemLines(badRun.stderr)).toEqual([
      'content/posts/escape.md:4:12: alias "/../../outside/" would escape the site: "." and ".." segments are not allowed',
      'content/posts/new-name.md:5:3: alias "/posts/old-name/" is also an alias of content/posts/other.md',
      'content/posts/new-name.md:6:3: alias "/posts/other/" collides with a page of the site (posts/other/index.html)',
      'content/posts/other.md:4:12: alias "/posts/old-name/" is also an alias of content/posts/new-name.md',
    ]);
  });

  test('the previous dist/ is left as it was', () => {
    expect(hashTree(path.join(bad, 'dist'))).toEqual(before);
  });
});
