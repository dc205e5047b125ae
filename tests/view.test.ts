import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { collect } from '../src/collect.ts';
import { readConfig } from '../src/config.ts';
import { parseDate } from '../src/date.ts';
import { messages } from '../src/i18n.ts';
import type { CalendarDate, ParsedPost } from '../src/types.ts';
import { createUrls } from '../src/urls.ts';
import { createViews } from '../src/view.ts';

const config = readConfig(new VFile({ path: 'site.toml', value: 'baseURL = "https://example.com/blog/"\nauthor = "Kurt"' }));

function post(slug: string, date: string, extra: Record<string, unknown> = {}, tags: string[] = []): ParsedPost {
  return {
    kind: 'post',
    sourcePath: `content/posts/${slug}.md`,
    slug,
    frontMatter: { title: slug, date: parseDate(date) as CalendarDate, categories: [], tags, draft: false, extra },
    rendered: { html: '<p>x</p>', toc: [], excerpt: '요약.', readingMinutes: 2, wordCount: 10, math: false, assets: [] },
  };
}

describe('createViews', () => {
  const posts = [post('a', '2024-01-01', { mood: '맑음', params: { x: 1 } }, ['NLP', '자연어 처리']), post('b', '2024-02-01', {}, ['nlp'])];
  const site = collect(config, posts, [], () => new VFile());
  const views = createViews(site, createUrls(config), messages('ko'), new Date('2024-06-01T00:00:00Z'));

  test('unknown front-matter keys reach templates as params', () => {
    expect(views.post(posts[0]!).params).toEqual({ mood: '맑음', params: { x: 1 } });
  });

  // Hugo keeps a site's own settings in `[params]`: a ported theme's `site.params.subtitle`
  // was an undefined variable, the value being at site.params.params.subtitle.
  test("the keys of site.toml's [params] table are site.params too, as Hugo's .Site.Params", () => {
    const hugo = readConfig(new VFile({ path: 'site.toml', value: 'accent = "red"\n[params]\nsubtitle = "부제"\naccent = "blue"' }));
    const params = createViews(collect(hugo, [], [], () => new VFile()), createUrls(hugo), messages('ko'), new Date('2024-06-01T00:00:00Z')).site.params;
    expect(params).toEqual({ subtitle: '부제', accent: 'red', params: { subtitle: '부제', accent: 'blue' } });
  });

  test('links under the base path, the permalink absolute', () => {
    const view = views.post(posts[0]!);
    expect(view.url).toBe('/blog/posts/a/');
    expect(view.permalink).toBe('https://example.com/blog/posts/a/');
    expect(view.tags.map((tag) => tag.url)).toEqual(['/blog/tags/nlp/', '/blog/tags/자연어-처리/']);
  });

  test('dates already formatted for the site language', () => {
    expect(views.post(posts[0]!).date).toEqual({ iso: '2024-01-01', display: '2024년 1월 1일', timestamp: '2024-01-01T00:00:00+09:00', year: 2024, month: 1, day: 1 });
  });

  test('summary falls back to the excerpt; author to the site author', () => {
    const view = views.post(posts[1]!);
    expect(view.summary).toBe('요약.');
    expect(view.author).toBe('Kurt');
  });

  test('neighbours: prev is the older post, next the newer', () => {
    const full = views.fullPost(site.posts[1]!, undefined, site.posts[0]);
    expect(full.next).toEqual({ title: 'b', url: '/blog/posts/b/', draft: false });
    expect(full.prev).toBeNull();
  });
});
