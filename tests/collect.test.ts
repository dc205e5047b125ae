import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { parseDate } from '../src/date.ts';
import type { CalendarDate, ParsedPost } from '../src/types.ts';
import { collectPosts, postFrom } from './helpers/posts.ts';

interface Spec {
  path: string;
  date?: string;
  slug?: string;
  tags?: string[];
  categories?: string[];
}

/** A parsed post with its VFile, as readPost would give it. */
function makePost(spec: Spec, kind: ParsedPost['kind'] = 'post') {
  const lines = ['+++', 'title = "t"'];
  if (spec.date) lines.push(`date = "${spec.date}"`);
  if (spec.slug !== undefined) lines.push(`slug = "${spec.slug}"`);
  lines.push('+++', '');
  const file = new VFile({ path: spec.path, value: lines.join('\n') });
  const date = spec.date ? (parseDate(spec.date) as CalendarDate) : undefined;
  const post: ParsedPost = {
    kind,
    sourcePath: spec.path,
    slug: spec.slug ?? spec.path.replace(/^.*\//, '').replace(/\.md$/, ''),
    frontMatter: { title: 't', date, slug: spec.slug, categories: spec.categories ?? [], tags: spec.tags ?? [], draft: false, extra: {} },
    rendered: { html: '', toc: [], excerpt: '', readingMinutes: 1, wordCount: 0, math: false, assets: [] },
  };
  return { post, file };
}

function run(posts: Spec[], pages: Spec[] = []) {
  return collectPosts([...posts.map((spec) => makePost(spec)), ...pages.map((spec) => makePost(spec, 'page'))]);
}

describe('collect', () => {
  test("pages are in the menu by Hugo's weight, lighter first, then those without one (or 0) by path", () => {
    const { site } = collectPosts([
      postFrom('content/about.md', ['title = "소개"', 'weight = 1'], 'page'),
      postFrom('content/cv.md', ['title = "이력"'], 'page'),
      postFrom('content/projects/index.md', ['title = "프로젝트"', 'Weight = -1'], 'page'),
      postFrom('content/blogroll.md', ['title = "링크"', 'weight = 0'], 'page'),
      postFrom('content/contact.md', ['title = "연락처"', 'weight = 2.5'], 'page'),
    ]);
    expect(site.pages.map((page) => page.sourcePath)).toEqual(['content/projects/index.md', 'content/about.md', 'content/contact.md', 'content/blogroll.md', 'content/cv.md']);
  });

  test('posts newest first, whatever the date form; same date by path, the last file newest', () => {
    const { site } = run([
      { path: 'content/posts/old.md', date: '2023-05-01' },
      { path: 'content/posts/new.md', date: '2024-03-01T00:30:00+09:00' },
      { path: 'content/posts/b.md', date: '2024-01-01' },
      { path: 'content/posts/a.md', date: '2024-01-01' },
    ]);
    expect(site.posts.map((post) => post.slug)).toEqual(['new', 'b', 'a', 'old']);
  });

  test('a datetime without an offset is a wall-clock time in the site time zone when ordering: 10:00 in Seoul (01:00Z) is older than 05:00Z', () => {
    const { site } = run([
      { path: 'content/posts/seoul-ten.md', date: '2024-01-01T10:00:00' },
      { path: 'content/posts/utc-five.md', date: '2024-01-01T05:00:00Z' },
      { path: 'content/posts/seoul-day.md', date: '2024-01-01' },
      { path: 'content/posts/utc-eve.md', date: '2023-12-31T16:00:00Z' },
    ]);
    // Seoul midnight of Jan 1st is 2023-12-31T15:00Z, before 16:00Z.
    expect(site.posts.map((post) => post.slug)).toEqual(['utc-five', 'seoul-ten', 'utc-eve', 'seoul-day']);
    const inLosAngeles = collectPosts(
      ['2024-01-01T10:00:00', '2024-01-01T17:00:00Z'].map((date, n) => makePost({ path: `content/posts/p${n}.md`, date })),
      {},
      'timeZone = "America/Los_Angeles"',
    );
    // 10:00 in Los Angeles is 18:00Z.
    expect(inLosAngeles.site.posts.map((post) => post.slug)).toEqual(['p0', 'p1']);
  });

  test('a term whose URL would be longer than a folder name may be is an error, and is left out', () => {
    const { site, messages } = run([{ path: 'content/posts/a.md', date: '2024-01-01', tags: ['태'.repeat(90), 'NLP'] }]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^content\/posts\/a\.md:\d+:\d+: tags: the URL of "태{40}…" is 270 bytes long in UTF-8/);
    expect(site.taxonomies.find((taxonomy) => taxonomy.key === 'tags')!.terms.map((term) => term.name)).toEqual(['NLP']);
  });

  test('a duplicate slug is an error in both files, each naming the other', () => {
    const { site, messages } = run([
      { path: 'content/posts/hello.md', date: '2024-01-01' },
      { path: 'content/posts/2024/other.md', date: '2024-01-02', slug: 'hello' },
    ]);
    expect(site.posts).toEqual([]);
    expect(messages.sort()).toEqual([
      'content/posts/2024/other.md:4:1: duplicate slug "hello": also used by content/posts/hello.md',
      'content/posts/hello.md:1:1: duplicate slug "hello": also used by content/posts/2024/other.md',
    ]);
  });

  test('slugs differing only in case collide (case-insensitive disks)', () => {
    const { messages } = run([
      { path: 'content/posts/Hello.md', date: '2024-01-01' },
      { path: 'content/posts/hello.md', date: '2024-01-02' },
    ]);
    expect(messages).toHaveLength(2);
  });

  test('a page may not take a name geul writes itself', () => {
    const { site, messages } = run([], [{ path: 'content/tags.md' }, { path: 'content/about.md' }]);
    expect(site.pages.map((page) => page.slug)).toEqual(['about']);
    expect(messages).toEqual(['content/tags.md:1:1: slug "tags" is reserved for geul\'s own pages']);
  });

  test('a post may not take posts/index.html, the list of posts', () => {
    const { site, messages } = run([
      { path: 'content/posts/a.md', date: '2024-01-01', slug: 'Index.html' },
      { path: 'content/posts/b.md', date: '2024-01-02' },
    ]);
    expect(site.posts.map((post) => post.slug)).toEqual(['b']);
    expect(messages).toEqual(['content/posts/a.md:4:1: slug "Index.html" is reserved: posts/index.html is the list of posts']);
  });

  test('"NLP" and "nlp" are one term, listing both posts newest first', () => {
    const { site, messages } = run([
      { path: 'content/posts/a.md', date: '2024-01-01', tags: ['NLP', '자연어 처리'] },
      { path: 'content/posts/b.md', date: '2024-02-01', tags: ['nlp'] },
      { path: 'content/posts/c.md', date: '2024-03-01', tags: ['LLM'], categories: ['Paper Review'] },
    ]);
    expect(messages).toEqual([]);
    const tags = site.taxonomies.find((taxonomy) => taxonomy.key === 'tags')!;
    const nlp = tags.terms.find((term) => term.slug === 'nlp')!;
    expect(tags.terms.filter((term) => term.slug === 'nlp')).toHaveLength(1);
    expect(nlp.posts.map((post) => post.slug)).toEqual(['b', 'a']);
    expect(tags.terms.map((term) => term.slug).sort()).toEqual(['llm', 'nlp', '자연어-처리']);
    const categories = site.taxonomies.find((taxonomy) => taxonomy.key === 'categories')!;
    expect(categories.terms.map((term) => [term.name, term.slug])).toEqual([['Paper Review', 'paper-review']]);
  });

  test('a term repeated in one post counts once', () => {
    const { site } = run([{ path: 'content/posts/a.md', date: '2024-01-01', tags: ['NLP', 'nlp'] }]);
    const [term] = site.taxonomies.find((taxonomy) => taxonomy.key === 'tags')!.terms;
    expect(term?.posts).toHaveLength(1);
  });

  test('names that make the same URL are one term, with a warning once for each other name', () => {
    const { site, messages } = run([
      { path: 'content/posts/a.md', date: '2024-01-01', tags: ['C++', 'c++'] },
      { path: 'content/posts/b.md', date: '2024-02-01', tags: ['C#', 'Go'] },
      { path: 'content/posts/c.md', date: '2024-03-01', tags: ['c#', 'C', 'GO '] },
    ]);
    const tags = site.taxonomies.find((taxonomy) => taxonomy.key === 'tags')!;
    // Named as first written, the newest post first.
    expect(tags.terms.map((term) => [term.name, term.slug, term.posts.length])).toEqual([
      ['c#', 'c', 3],
      ['GO ', 'go', 2],
    ]);
    // "C#" is "c#" again and "Go" is "GO ": only "C" and "C++" are other names.
    expect(messages.sort()).toEqual([
      'content/posts/a.md:2:1: tags: "C++" and "c#" make the same URL (tags/c/), so they are one term, shown as "c#"; rename one to keep them apart',
      'content/posts/c.md:2:1: tags: "C" and "c#" make the same URL (tags/c/), so they are one term, shown as "c#"; rename one to keep them apart',
    ]);
  });

  test('a term with nothing to make a URL from is an error', () => {
    const { messages } = run([{ path: 'content/posts/a.md', date: '2024-01-01', tags: ['?!'] }]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/tags: "\?!" has no letters or digits/);
  });

  test('a term whose URL would be only "_", "-" or "." is an error too, not tags/_/', () => {
    const { site, messages } = run([{ path: 'content/posts/a.md', date: '2024-01-01', tags: ['_', '_-_', '._.', 'a_b'] }]);
    expect(messages).toEqual(['_', '_-_', '._.'].map((name) => `content/posts/a.md:2:1: tags: "${name}" has no letters or digits to make a URL from`));
    expect(site.taxonomies.find((taxonomy) => taxonomy.key === 'tags')?.terms.map((term) => term.slug)).toEqual(['a_b']);
  });
});
