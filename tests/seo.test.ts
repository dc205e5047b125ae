/**
 * What search engines and link previews read in `<head>`: title, description, canonical URL,
 * Open Graph, X card, JSON-LD and the feed link. `tests/fixtures/sites/seo` is built in-process
 * under a sub-path (`https://example.com/blog/`) and the HTML parsed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { beforeAll, describe, expect, test } from 'vitest';
import { ogLocale } from '../src/view.ts';
import { buildInProcess, FIXTURES, REPO_ROOT, textOf } from './helpers/site.ts';

const BASE = 'https://example.com/blog/';
const siteToml = readFileSync(path.join(FIXTURES, 'sites', 'seo', 'site.toml'), 'utf8');
let outputs: Map<string, string>;
let withSiteImage: Map<string, string>;
let withImageUrl: Map<string, string>;

beforeAll(async () => {
  const [plain, local, remote] = await Promise.all([
    buildInProcess('seo'),
    buildInProcess('seo', { siteToml: `${siteToml}image = "images/card.png"\n` }),
    buildInProcess('seo', { siteToml: `${siteToml}image = "https://cdn.example.net/card.png"\n` }),
  ]);
  expect(plain.problems).toEqual([]);
  outputs = plain.outputs;
  withSiteImage = local.outputs;
  withImageUrl = remote.outputs;
});

const html = (files: Map<string, string>, file: string): Root => {
  const text = files.get(file);
  if (text === undefined) throw new Error(`no output ${file}`);
  return fromHtml(text);
};
/** `content` of `<meta property|name=key>`; undefined when absent, an array when repeated. */
const meta = (tree: Root, key: string): string | string[] | undefined => {
  const found = selectAll(`head meta[property="${key}"], head meta[name="${key}"]`, tree).map((node) => String(node.properties.content));
  return found.length === 0 ? undefined : found.length === 1 ? found[0] : found;
};
const jsonLd = (tree: Root) => selectAll('script[type="application/ld+json"]', tree).map((node) => JSON.parse(textOf(node)) as Record<string, unknown>);

describe('a post with an image and a description', () => {
  let tree: Root;
  beforeAll(() => {
    tree = html(outputs, 'posts/with-image/index.html');
  });

  test('title, description, canonical URL and feed link', () => {
    expect(textOf(select('head > title', tree)!)).toBe('그림이 있는 글 · 검색 친화 블로그');
    expect(meta(tree, 'description')).toBe('앞머리 설명이 메타 설명이 된다.');
    expect(select('link[rel=canonical]', tree)?.properties.href).toBe(`${BASE}posts/with-image/`);
    const feed = select('link[rel=alternate]', tree)!;
    expect(feed.properties).toMatchObject({ type: 'application/atom+xml', href: `${BASE}feed.xml` });
    expect(outputs.has('feed.xml')).toBe(true);
  });

  test('Open Graph: an article, its first raster image (an SVG before it is skipped), absolute URLs', () => {
    expect(meta(tree, 'og:type')).toBe('article');
    expect(meta(tree, 'og:title')).toBe('그림이 있는 글');
    expect(meta(tree, 'og:description')).toBe('앞머리 설명이 메타 설명이 된다.');
    expect(meta(tree, 'og:url')).toBe(`${BASE}posts/with-image/`);
    expect(meta(tree, 'og:image')).toBe(`${BASE}images/photo.png`);
    expect(meta(tree, 'og:locale')).toBe('ko_KR');
    expect(meta(tree, 'og:site_name')).toBe('검색 친화 블로그');
    expect(meta(tree, 'article:published_time')).toBe('2024-03-15T00:00:00+09:00');
    expect(meta(tree, 'article:modified_time')).toBe('2024-04-01T10:00:00+09:00');
    expect(meta(tree, 'article:tag')).toEqual(['NLP', '자연어 처리']);
  });

  test('a large X card with the same title, description and image', () => {
    expect(meta(tree, 'twitter:card')).toBe('summary_large_image');
    expect(meta(tree, 'twitter:title')).toBe('그림이 있는 글');
    expect(meta(tree, 'twitter:description')).toBe('앞머리 설명이 메타 설명이 된다.');
    expect(meta(tree, 'twitter:image')).toBe(`${BASE}images/photo.png`);
  });

  test('one JSON-LD BlogPosting with headline, dates, author, keywords, url, image and language', () => {
    expect(jsonLd(tree)).toEqual([
      {
        '@context': 'https://schema.org',
        '@type': 'BlogPosting',
        headline: '그림이 있는 글',
        description: '앞머리 설명이 메타 설명이 된다.',
        url: `${BASE}posts/with-image/`,
        mainEntityOfPage: `${BASE}posts/with-image/`,
        image: `${BASE}images/photo.png`,
        datePublished: '2024-03-15T00:00:00+09:00',
        dateModified: '2024-04-01T10:00:00+09:00',
        author: { '@type': 'Person', name: '테스터' },
        inLanguage: 'ko',
        keywords: ['NLP', '자연어 처리'],
      },
    ]);
  });
});

describe('a post whose first image is a raster figure', () => {
  test('og:image is that figure, with its size and alt text, in a file the site has', () => {
    const tree = html(outputs, 'posts/figure-first/index.html');
    const image = meta(tree, 'og:image') as string;
    expect(image.startsWith(`${BASE}images/`)).toBe(true);
    expect(outputs.has(decodeURI(image.slice(BASE.length)))).toBe(true);
    expect(meta(tree, 'og:image:width')).toBe('4');
    expect(meta(tree, 'og:image:height')).toBe('3');
    expect(meta(tree, 'og:image:alt')).toBe('바다 사진');
    expect(meta(tree, 'twitter:image')).toBe(image);
    expect(meta(tree, 'twitter:image:alt')).toBe('바다 사진');
    expect(jsonLd(tree)[0]!.image).toBe(image);
  });
});

describe('a post whose first paragraph holds a formula with a reference', () => {
  test('description, og:description, JSON-LD and the feed summary show the TeX as written, not the link and number geul made of it', () => {
    const written = '손실 J = \\eqref{eq:nll} + \\lambda를 최소화한다.';
    const tree = html(outputs, 'posts/equations/index.html');
    expect(meta(tree, 'description')).toBe(written);
    expect(meta(tree, 'og:description')).toBe(written);
    expect(jsonLd(tree)[0]).toMatchObject({ description: written });
    const feed = fromHtml(outputs.get('feed.xml')!);
    const entry = selectAll('entry', feed).find((node) => textOf(select('id', node)!).endsWith('/posts/equations/'))!;
    expect(textOf(select('summary', entry)!)).toBe(written);
  });
});

describe('a post without image or description', () => {
  test('the description is the first paragraph as plain text, cut at a sentence end within 160 characters', () => {
    const tree = html(outputs, 'posts/plain/index.html');
    const description = meta(tree, 'description') as string;
    expect(description.startsWith('첫 문단은 아주 길다. 검색 결과에 보이는 설명은')).toBe(true);
    expect(Array.from(description).length).toBeLessThanOrEqual(160);
    expect(description).toMatch(/이 문장까지는 들어간다\.$/);
    expect(meta(tree, 'og:description')).toBe(description);
    expect(jsonLd(tree)[0]).toMatchObject({ description, datePublished: '2024-02-01T21:30:00+09:00', dateModified: '2024-02-01T21:30:00+09:00' });
    expect(meta(tree, 'article:modified_time')).toBeUndefined();
  });

  test("the image is the theme's default card, shipped in dist", () => {
    const tree = html(outputs, 'posts/plain/index.html');
    expect(meta(tree, 'og:image')).toBe(`${BASE}assets/og-default.png`);
    expect([meta(tree, 'og:image:width'), meta(tree, 'og:image:height'), meta(tree, 'og:image:alt')]).toEqual(['1200', '630', undefined]);
    expect(jsonLd(tree)[0]!.image).toBe(`${BASE}assets/og-default.png`);
    expect(outputs.get('assets/og-default.png')).toBe(`copy of templates/assets/og-default.png`);
    // A 1200×630 PNG: what Open Graph and X show uncropped.
    const png = readFileSync(path.join(REPO_ROOT, 'templates/assets/og-default.png'));
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 630]);
  });

  test('site.toml `image` replaces the default: a path under the site, or a URL as written', () => {
    expect(meta(html(withSiteImage, 'posts/plain/index.html'), 'og:image')).toBe(`${BASE}images/card.png`);
    expect(meta(html(withSiteImage, 'index.html'), 'og:image')).toBe(`${BASE}images/card.png`);
    expect(meta(html(withImageUrl, 'posts/plain/index.html'), 'og:image')).toBe('https://cdn.example.net/card.png');
    // A post's own image still wins.
    expect(meta(html(withSiteImage, 'posts/with-image/index.html'), 'og:image')).toBe(`${BASE}images/photo.png`);
  });
});

describe('a site image that is not there', () => {
  test('is a warning at site.toml\'s `image` line, whether written with a leading slash or not', async () => {
    for (const image of ['images/nope.png', '/images/nope.png']) {
      const { problems } = await buildInProcess('seo', { siteToml: `${siteToml}image = "${image}"\n` });
      expect(problems).toEqual([
        `site.toml:7:1: warning: image: "${image}" names no file of the built site (looked for images/nope.png), so link previews point at a missing file; put the file in images/, or give a full URL`,
      ]);
    }
  });
});

describe('other pages', () => {
  test('the home page is a website described by the site description, with no JSON-LD', () => {
    const tree = html(outputs, 'index.html');
    expect(textOf(select('head > title', tree)!)).toBe('검색 친화 블로그');
    expect(meta(tree, 'og:type')).toBe('website');
    expect(meta(tree, 'og:title')).toBe('검색 친화 블로그');
    expect(meta(tree, 'description')).toBe('공유와 검색을 시험하는 사이트');
    expect(select('link[rel=canonical]', tree)?.properties.href).toBe(BASE);
    expect(meta(tree, 'og:image')).toBe(`${BASE}assets/og-default.png`);
    expect(jsonLd(tree)).toEqual([]);
  });

  test('every HTML page has a title, a description, a canonical URL and an og:image, all absolute', () => {
    // Redirects (a list's `page/1/`) are left out of search results: noindex, canonical to their target.
    const pages = [...outputs.keys()].filter((file) => file.endsWith('.html') && !outputs.get(file)!.includes('http-equiv="refresh"'));
    expect(pages.length).toBeGreaterThan(6);
    for (const file of pages) {
      const tree = html(outputs, file);
      expect.soft(textOf(select('head > title', tree)!).length, file).toBeGreaterThan(0);
      expect.soft(meta(tree, 'description'), file).toBeTruthy();
      expect.soft(String(select('link[rel=canonical]', tree)?.properties.href), file).toMatch(/^https:\/\/example\.com\/blog\//);
      expect.soft(String(meta(tree, 'og:image')), file).toMatch(/^https:\/\/example\.com\/blog\//);
      expect.soft(meta(tree, 'og:url'), file).toBe(select('link[rel=canonical]', tree)?.properties.href);
    }
  });

  test('a standalone page is a website page with no JSON-LD', () => {
    const tree = html(outputs, 'about/index.html');
    expect(meta(tree, 'og:type')).toBe('website');
    expect(meta(tree, 'description')).toBe('이 블로그를 소개하는 쪽이다.');
    expect(jsonLd(tree)).toEqual([]);
  });
});

describe('ogLocale', () => {
  test.each([
    ['ko', 'ko_KR'],
    ['ko-KR', 'ko_KR'],
    ['en', 'en_US'],
    ['en-GB', 'en_GB'],
    ['ja', 'ja_JP'],
    ['de', 'de_DE'],
    ['zh-Hant-TW', 'zh_TW'],
  ])('%s → %s', (language, locale) => {
    expect(ogLocale(language)).toBe(locale);
  });
});
