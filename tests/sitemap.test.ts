/** `sitemap.xml` and `robots.txt` of `tests/fixtures/sites/feed`, built in-process; XML checked as text. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildInProcess, FIXTURES, xmlProblems } from './helpers/site.ts';

const siteToml = readFileSync(path.join(FIXTURES, 'sites', 'feed', 'site.toml'), 'utf8');
let root: Map<string, string>;
let blog: Map<string, string>;
let drafts: Map<string, string>;

beforeAll(async () => {
  [root, blog, drafts] = await Promise.all([
    buildInProcess('feed').then((result) => result.outputs),
    buildInProcess('feed', { siteToml: siteToml.replace('https://example.com/', 'https://example.com/blog/') }).then((result) => result.outputs),
    buildInProcess('feed', { drafts: true }).then((result) => result.outputs),
  ]);
});

const entries = (xml: string) =>
  [...xml.matchAll(/<url><loc>([^<]*)<\/loc>(?:<lastmod>([^<]*)<\/lastmod>)?<\/url>/g)].map((match) => ({ loc: match[1]!, lastmod: match[2] }));

describe('sitemap.xml', () => {
  test('is well-formed and uses the sitemap namespace', () => {
    const xml = root.get('sitemap.xml')!;
    expect(xmlProblems(xml)).toEqual([]);
    expect(xml).toContain('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">');
    expect(entries(xml).length).toBe((xml.match(/<url>/g) ?? []).length);
  });

  test('lists every published HTML page except 404, each at an absolute https URL', () => {
    const xml = root.get('sitemap.xml')!;
    const locs = entries(xml).map((entry) => entry.loc);
    expect(locs.filter((loc) => !loc.startsWith('https://example.com/'))).toEqual([]);
    const pages = [...root.keys()]
      .filter((file) => file.endsWith('index.html'))
      .map((file) => `https://example.com/${encodeURI(file.replace(/index\.html$/, ''))}`)
      .sort();
    expect([...locs].sort()).toEqual(pages);
    expect(locs).not.toContain('https://example.com/404.html');
  });

  test('lastmod is a calendar date: the last change of a post, the newest post of a list', () => {
    const byLoc = new Map(entries(root.get('sitemap.xml')!).map((entry) => [entry.loc, entry.lastmod]));
    // The home's newest post is the LA one (latest instant), written on 2024-02-29.
    expect(byLoc.get('https://example.com/')).toBe('2024-02-29');
    expect(byLoc.get('https://example.com/posts/plain/')).toBe('2024-01-05');
    expect(byLoc.get('https://example.com/posts/seoul/')).toBe('2024-03-01');
    expect(byLoc.get('https://example.com/posts/la/')).toBe('2024-02-29');
    expect(byLoc.get('https://example.com/tags/nlp/')).toBe('2024-03-01');
    for (const lastmod of byLoc.values()) if (lastmod) expect(lastmod).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  test('drafts are absent without --drafts and present with it', () => {
    expect(root.get('sitemap.xml')).not.toContain('/posts/draft/');
    expect(root.get('sitemap.xml')).not.toContain(encodeURI('초안전용'));
    expect(drafts.get('sitemap.xml')).toContain('https://example.com/posts/draft/');
  });

  test('a site under a sub-path lists its URLs under it', () => {
    const locs = entries(blog.get('sitemap.xml')!).map((entry) => entry.loc);
    expect(locs.length).toBeGreaterThan(5);
    expect(locs.filter((loc) => !loc.startsWith('https://example.com/blog/'))).toEqual([]);
  });
});

describe('robots.txt', () => {
  test('allows everything and names the sitemap by its absolute URL', () => {
    expect(root.get('robots.txt')).toBe('User-agent: *\nAllow: /\n\nSitemap: https://example.com/sitemap.xml\n');
    expect(blog.get('robots.txt')).toContain('Sitemap: https://example.com/blog/sitemap.xml');
  });
});
