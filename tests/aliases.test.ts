import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { aliasOutputPath, aliasPath, pageOutputPaths } from '../src/aliases.ts';
import { readFrontMatter } from '../src/frontmatter.ts';
import { messages as i18nMessages } from '../src/i18n.ts';
import { routes } from '../src/routes.ts';
import { createUrls } from '../src/urls.ts';
import { createViews } from '../src/view.ts';
import { collectPosts, postFrom } from './helpers/posts.ts';

describe('aliasPath', () => {
  test('site-relative paths, normalised', () => {
    expect(aliasPath('/old/path/')).toEqual({ path: 'old/path/' });
    expect(aliasPath('old/path')).toEqual({ path: 'old/path/' });
    expect(aliasPath('//old///path//'.replace(/^\/\//, '/'))).toEqual({ path: 'old/path/' });
    expect(aliasPath('/%ED%8A%B8%EB%9E%9C%EC%8A%A4%ED%8F%AC%EB%A8%B8/')).toEqual({ path: '트랜스포머/' });
    expect(aliasPath('/old/page.html')).toEqual({ path: 'old/page.html' });
    expect(aliasPath('/')).toEqual({ path: '' });
    expect(aliasOutputPath('old/path/')).toBe('old/path/index.html');
    expect(aliasOutputPath('old/page.html')).toBe('old/page.html');
  });

  test('anything that leaves the site or is not a path is refused', () => {
    for (const bad of ['/../etc/passwd', '/a/../../b/', '/a/%2e%2e/b/', '/a/./b/', 'https://example.com/a/', '//evil.com/a/', '/a?x=1', '/a#b', '/a\\b/', '/a/%2F/', '/x%00y/', '/x%0ay/', '/x%7Fy/']) {
      expect(aliasPath(bad), bad).toHaveProperty('error');
    }
  });

  test('a segment longer than a folder name may be is refused, not left to fail the write', () => {
    expect(aliasPath(`/old/${'가'.repeat(85)}/`)).toEqual({ path: `old/${'가'.repeat(85)}/` });
    expect(aliasPath(`/old/${'가'.repeat(86)}/`)).toEqual({
      error: `alias "/old/${'가'.repeat(86)}/" has a segment that is 258 bytes long in UTF-8, and a folder name can have at most 255 (85 Hangul syllables): shorten it`,
    });
    expect(aliasPath(`/${'%EA%B0%80'.repeat(86)}.html`)).toHaveProperty('error');
  });

  test('a bad alias is an error at that alias in the front matter', () => {
    const file = new VFile({
      path: 'content/posts/x.md',
      value: ['+++', 'title = "x"', 'date = 2024-01-01', 'aliases = [', '  "/fine/",', '  "/../../escape/",', ']', '+++', ''].join('\n'),
    });
    expect(readFrontMatter(file, true)).toBeUndefined();
    expect(file.messages.map((m) => `${m.line}:${m.column}: ${m.reason}`)).toEqual([
      '6:3: alias "/../../escape/" would escape the site: "." and ".." segments are not allowed',
    ]);
  });
});

describe('aliases in collect', () => {
  test('become redirect pages to their post, on every site path', () => {
    const { site, messages } = collectPosts([
      postFrom('content/posts/new-name.md', ['title = "새 이름"', 'date = 2024-01-01', 'aliases = ["/posts/old-name/", "/2023/글.html"]']),
      postFrom('content/about.md', ['title = "소개"', 'aliases = "/me/"'], 'page'),
    ]);
    expect(messages).toEqual([]);
    expect(site.aliases.map((alias) => [alias.outputPath, alias.target.slug])).toEqual([
      ['posts/old-name/index.html', 'new-name'],
      ['2023/글.html', 'new-name'],
      ['me/index.html', 'about'],
    ]);
  });

  test('an alias on a real page, on geul\'s files or on another alias is an error at the alias, in every file concerned', () => {
    const { site, messages } = collectPosts([
      postFrom('content/posts/a.md', ['title = "a"', 'date = 2024-01-01', 'tags = ["NLP"]', 'aliases = ["/posts/b/", "/tags/nlp/", "/shared/", "/posts/", "/tags/nlp/page/1/"]']),
      postFrom('content/posts/b.md', ['title = "b"', 'date = 2024-01-02', 'aliases = ["/assets/x/", "/", "/Shared/", "/page/1/", "/twice/", "/twice"]']),
    ]);
    expect(messages.sort()).toEqual([
      'content/posts/a.md:5:12: alias "/posts/b/" collides with a page of the site (posts/b/index.html)',
      'content/posts/a.md:5:25: alias "/tags/nlp/" collides with a page of the site (tags/nlp/index.html)',
      'content/posts/a.md:5:39: alias "/shared/" is also an alias of content/posts/b.md',
      'content/posts/a.md:5:51: alias "/posts/" collides with a page of the site (posts/index.html)',
      'content/posts/a.md:5:62: alias "/tags/nlp/page/1/" collides with a page of the site (tags/nlp/page/1/index.html)',
      'content/posts/b.md:4:12: alias "/assets/x/" would overwrite geul\'s own files under "assets"',
      'content/posts/b.md:4:26: alias "/" collides with a page of the site (index.html)',
      'content/posts/b.md:4:31: alias "/Shared/" is also an alias of content/posts/a.md',
      // Hugo's redirect from a list's first page to the list is geul's too.
      'content/posts/b.md:4:43: alias "/page/1/" collides with a page of the site (page/1/index.html)',
      'content/posts/b.md:4:66: alias "/twice/" is listed twice',
    ]);
    expect(site.aliases.map((alias) => alias.path)).toEqual(['twice/']);
  });

  test('a post left out (future) takes its aliases with it', () => {
    const { site } = collectPosts([postFrom('content/posts/later.md', ['title = "later"', 'date = 2999-01-01', 'aliases = ["/soon/"]'])]);
    expect(site.aliases).toEqual([]);
  });

  test('pageOutputPaths lists exactly the pages routes() makes, so no alias can hide one', () => {
    const made = [
      ...Array.from({ length: 12 }, (_, i) => postFrom(`content/posts/p${i}.md`, [`title = "p${i}"`, `date = 2024-01-${String(i + 1).padStart(2, '0')}`, 'tags = ["NLP", "자연어 처리"]', 'categories = ["Paper Review"]'])),
      postFrom('content/about.md', ['title = "소개"', 'aliases = ["/old-about/"]'], 'page'),
    ];
    const { site } = collectPosts(made);
    const urls = createUrls(site.config);
    const i18n = i18nMessages('ko');
    const pages = routes(site, createViews(site, urls, i18n, new Date()), urls, i18n);
    const written = new Set(site.aliases.map((alias) => alias.outputPath));
    const own = pages.filter((page) => !written.has(page.outputPath) && page.template !== '404').map((page) => page.outputPath);
    expect(own.sort()).toEqual(pageOutputPaths(site.posts, site.pages, site.taxonomies, site.pageSizes).sort());
    // 12 posts, 10 a page: two pages of each list, and each list's `page/1/`.
    expect(own.filter((path) => path.includes('page/')).sort()).toEqual([
      'categories/paper-review/page/1/index.html',
      'categories/paper-review/page/2/index.html',
      'page/1/index.html',
      'page/2/index.html',
      'posts/page/1/index.html',
      'posts/page/2/index.html',
      'tags/nlp/page/1/index.html',
      'tags/nlp/page/2/index.html',
      'tags/자연어-처리/page/1/index.html',
      'tags/자연어-처리/page/2/index.html',
    ]);
    const alias = pages.find((page) => page.outputPath === 'old-about/index.html')!;
    expect(alias.template).toBe('alias');
    expect(alias.outputPath).toBe('old-about/index.html');
    expect(alias.data.target).toEqual({ title: '소개', url: '/about/', permalink: 'http://localhost:4000/about/' });
  });
});
