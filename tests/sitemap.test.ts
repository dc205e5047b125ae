/** `sitemap.xml` and `robots.txt` of `tests/fixtures/sites/feed`, built in-process; XML checked as text. */
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildInProcess, cleanup, copySite, FIXTURES, tempDir, xmlProblems } from './helpers/site.ts';

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

  test('lists every published HTML page except 404, the search page and redirects, each at an absolute https URL', () => {
    const xml = root.get('sitemap.xml')!;
    const locs = entries(xml).map((entry) => entry.loc);
    expect(locs.filter((loc) => !loc.startsWith('https://example.com/'))).toEqual([]);
    // The search page has no content of its own for a search engine to find; a redirect
    // (a list's `page/1/`) names its target as canonical.
    expect(root.has('search/index.html')).toBe(true);
    expect(root.get('page/1/index.html')).toContain('http-equiv="refresh"');
    const pages = [...root.keys()]
      .filter((file) => file.endsWith('index.html') && file !== 'search/index.html' && !root.get(file)!.includes('http-equiv="refresh"'))
      .map((file) => `https://example.com/${encodeURI(file.replace(/index\.html$/, ''))}`)
      .sort();
    expect([...locs].sort()).toEqual(pages);
    expect(locs).not.toContain('https://example.com/404.html');
  });

  test('lastmod: front matter `lastmod` as written, else the file date in the site time zone; a list takes its newest post', () => {
    const byLoc = new Map(entries(root.get('sitemap.xml')!).map((entry) => [entry.loc, entry.lastmod]));
    expect(byLoc.get('https://example.com/posts/plain/')).toBe('2024-01-05');
    // The fixture copy is no git repository: the other files give their mtime, in Seoul time.
    for (const loc of ['https://example.com/posts/seoul/', 'https://example.com/posts/la/', 'https://example.com/about/']) {
      expect(byLoc.get(loc)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/);
    }
    for (const lastmod of byLoc.values()) expect(lastmod).toMatch(/^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2})?$/);
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

/** Build a copy of the feed fixture after `prepare(root)`, in-process, and give its sitemap entries by URL. */
async function lastmodsAfter(prepare: (root: string) => void): Promise<Map<string, string | undefined>> {
  const { build } = await import('../src/build.ts');
  const root = await copySite('feed');
  try {
    prepare(root);
    const result = await build({ root, drafts: false, workers: 1 });
    const output = result.outputs.find((file) => file.path === 'sitemap.xml');
    const xml = output && 'content' in output ? String(output.content) : '';
    return new Map(entries(xml).map((entry) => [entry.loc, entry.lastmod]));
  } finally {
    await cleanup(root);
  }
}

const git = (root: string, args: string[], date?: string) =>
  execFileSync('git', args, {
    cwd: root,
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}) },
    stdio: 'pipe',
  });

describe('sitemap lastmod from files', () => {
  test('without git: the file mtime, shown in the site time zone', async () => {
    const byLoc = await lastmodsAfter((root) => {
      // 2024-06-01 18:30 UTC is 2024-06-02 03:30 in Seoul.
      const when = new Date('2024-06-01T18:30:00Z');
      utimesSync(path.join(root, 'content/posts/la.md'), when, when);
      utimesSync(path.join(root, 'content/posts/seoul.md'), new Date('2024-04-01T00:00:00Z'), new Date('2024-04-01T00:00:00Z'));
    });
    expect(byLoc.get('https://example.com/posts/la/')).toBe('2024-06-02T03:30:00+09:00');
    expect(byLoc.get('https://example.com/posts/seoul/')).toBe('2024-04-01T09:00:00+09:00');
    // Lists take their newest post: the home has la.md, the NLP tag only seoul.md.
    expect(byLoc.get('https://example.com/')).toBe('2024-06-02T03:30:00+09:00');
    expect(byLoc.get('https://example.com/tags/nlp/')).toBe('2024-04-01T09:00:00+09:00');
    expect(byLoc.get('https://example.com/categories/paper-review/')).toBe('2024-06-02T03:30:00+09:00');
  });

  test('in a git repository: the last commit touching each file, one git process for the whole site; untracked files give their mtime', async () => {
    const bin = await tempDir('geul-git-shim-');
    const calls = path.join(bin, 'calls');
    const savedPath = process.env.PATH;
    const byLoc = await lastmodsAfter((root) => {
      writeFileSync(path.join(root, 'content/posts/한글-이름.md'), '+++\ntitle = "한글 파일"\ndate = "2024-02-01"\n+++\n\n본문.\n');
      git(root, ['init', '-q']);
      git(root, ['add', 'content']);
      git(root, ['commit', '-q', '-m', 'first'], '2024-07-01T00:00:00+00:00');
      writeFileSync(path.join(root, 'content/posts/seoul.md'), readFileSync(path.join(root, 'content/posts/seoul.md'), 'utf8') + '\n고친 문단.\n');
      git(root, ['commit', '-q', '-am', 'second'], '2024-08-15T23:00:00+00:00');
      // Untracked: never committed, so its mtime counts.
      writeFileSync(path.join(root, 'content/posts/new.md'), '+++\ntitle = "새 글"\ndate = "2024-02-02"\n+++\n\n새 글.\n');
      utimesSync(path.join(root, 'content/posts/new.md'), new Date('2024-09-09T09:09:09Z'), new Date('2024-09-09T09:09:09Z'));
      // Count git processes through a wrapper first on PATH.
      const realGit = execFileSync('which', ['git'], { encoding: 'utf8' }).trim();
      writeFileSync(path.join(bin, 'git'), `#!/bin/sh\necho "$@" >> '${calls}'\nexec '${realGit}' "$@"\n`);
      chmodSync(path.join(bin, 'git'), 0o755);
      process.env.PATH = `${bin}${path.delimiter}${savedPath}`;
    }).finally(() => {
      process.env.PATH = savedPath;
    });
    expect(byLoc.get('https://example.com/posts/la/')).toBe('2024-07-01T09:00:00+09:00');
    expect(byLoc.get('https://example.com/posts/seoul/')).toBe('2024-08-16T08:00:00+09:00');
    expect(byLoc.get(`https://example.com/posts/${encodeURI('한글-이름')}/`)).toBe('2024-07-01T09:00:00+09:00');
    expect(byLoc.get('https://example.com/posts/new/')).toBe('2024-09-09T18:09:09+09:00');
    // Front matter lastmod still wins over git.
    expect(byLoc.get('https://example.com/posts/plain/')).toBe('2024-01-05');
    expect(readFileSync(calls, 'utf8').trim().split('\n')).toHaveLength(1);
    await cleanup(bin);
  });
});
