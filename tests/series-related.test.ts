import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { messages } from '../src/i18n.ts';
import type { ParsedPost, Site } from '../src/types.ts';
import { createUrls } from '../src/urls.ts';
import { createViews } from '../src/view.ts';
import { collectPosts, postFrom } from './helpers/posts.ts';

const SERIES = 'series = "Transformer 다시 읽기"';

function build(made: ReturnType<typeof postFrom>[]) {
  const { site, messages: problems } = collectPosts(made, {}, 'baseURL = "https://example.com/blog/"\nauthor = "Kurt"');
  const views = createViews(site, createUrls(site.config), messages('ko'), new Date('2024-06-01T00:00:00Z'));
  const bySlug = (slug: string) => site.posts.find((post) => post.slug === slug)!;
  return { site, views, problems, full: (slug: string) => views.fullPost(bySlug(slug)) };
}

describe('series', () => {
  const made = () => [
    postFrom('content/posts/part-2.md', ['title = "2부"', 'date = 2024-02-01', SERIES]),
    postFrom('content/posts/part-1.md', ['title = "1부"', 'date = 2024-01-01', SERIES]),
    postFrom('content/posts/part-3.md', ['title = "3부"', 'date = 2024-03-01', 'series = ["transformer 다시 읽기"]']),
    postFrom('content/posts/alone.md', ['title = "혼자"', 'date = 2024-04-01']),
  ];

  test('groups posts by name (compared like terms), oldest first', () => {
    const { site, problems } = build(made());
    expect(problems).toEqual([]);
    expect(site.series.map((series: Site['series'][number]) => [series.name, series.posts.map((post: ParsedPost) => post.slug)])).toEqual([
      ['Transformer 다시 읽기', ['part-1', 'part-2', 'part-3']],
    ]);
  });

  test('names that differ only by punctuation are two series: "C++ 입문" is not "C 입문"', () => {
    const { site } = build([
      postFrom('content/posts/cpp.md', ['title = "C++"', 'date = 2024-01-01', 'series = "C++ 입문"']),
      postFrom('content/posts/c.md', ['title = "C"', 'date = 2024-01-02', 'series = "C 입문"']),
      postFrom('content/posts/cpp-2.md', ['title = "C++ 2"', 'date = 2024-01-03', 'series = "c++  입문"']),
    ]);
    expect(site.series.map((series: Site['series'][number]) => [series.name, series.posts.map((post: ParsedPost) => post.slug)])).toEqual([
      ['C++ 입문', ['cpp', 'cpp-2']],
      ['C 입문', ['c']],
    ]);
  });

  test('each post of a series gets the whole ordered list, itself marked; others get none', () => {
    const { full } = build(made());
    expect(full('part-2').series).toEqual({
      name: 'Transformer 다시 읽기',
      index: 2,
      total: 3,
      posts: [
        { title: '1부', url: '/blog/posts/part-1/', current: false, draft: false },
        { title: '2부', url: '/blog/posts/part-2/', current: true, draft: false },
        { title: '3부', url: '/blog/posts/part-3/', current: false, draft: false },
      ],
    });
    expect(full('alone').series).toBeNull();
  });

  test('parts dated the same day: lists, and so prev and next, agree with the series box', () => {
    // Part 1 said "3편 중 1편" in its series box and "← 이전 글 2부" below: the newest-first
    // lists broke ties in file order too, putting part 1 above part 2.
    const { site, problems } = build(['3', '1', '2'].map((n) => postFrom(`content/posts/part-${n}.md`, [`title = "${n}부"`, 'date = 2024-05-05', SERIES])));
    expect(problems).toEqual([]);
    const inSeries = site.series[0]!.posts.map((post: ParsedPost) => post.slug);
    expect(inSeries).toEqual(['part-1', 'part-2', 'part-3']);
    expect(site.posts.map((post) => post.slug)).toEqual([...inSeries].reverse());
  });

  test('series is one name', () => {
    expect(() => postFrom('content/posts/x.md', ['title = "x"', 'date = 2024-01-01', 'series = ["a", "b"]'])).toThrow(/series must be one name/);
  });
});

describe('related posts', () => {
  test('the four sharing the most tags or categories (the newer of equals), listed newest first; never the post itself, its series or unshared posts', () => {
    const { full } = build([
      postFrom('content/posts/me.md', ['title = "나"', 'date = 2024-05-01', 'tags = ["NLP", "LLM"]', 'categories = ["Paper Review"]', SERIES]),
      postFrom('content/posts/same-series.md', ['title = "시리즈"', 'date = 2024-04-01', 'tags = ["NLP", "LLM"]', SERIES]),
      postFrom('content/posts/three.md', ['title = "셋"', 'date = 2023-01-01', 'tags = ["nlp", "LLM"]', 'categories = ["Paper Review"]']),
      postFrom('content/posts/one-new.md', ['title = "하나 새것"', 'date = 2024-03-01', 'tags = ["LLM"]']),
      postFrom('content/posts/one-old.md', ['title = "하나 옛것"', 'date = 2023-06-01', 'categories = ["paper review"]']),
      postFrom('content/posts/two.md', ['title = "둘"', 'date = 2022-01-01', 'tags = ["NLP"]', 'categories = ["Paper Review"]']),
      postFrom('content/posts/none.md', ['title = "무관"', 'date = 2024-04-15', 'tags = ["수학"]']),
      postFrom('content/posts/one-oldest.md', ['title = "하나 가장 옛것"', 'date = 2021-01-01', 'tags = ["LLM"]']),
    ]);
    // Chosen: 셋 and 둘 share the most, then the newer of the posts sharing one; 하나 가장 옛것 is left out.
    expect(full('me').related.map((link) => link.title)).toEqual(['하나 새것', '하나 옛것', '셋', '둘']);
    expect(full('me').related[2]).toEqual({
      title: '셋',
      url: '/blog/posts/three/',
      draft: false,
      date: { iso: '2023-01-01', display: '2023년 1월 1일', timestamp: '2023-01-01T00:00:00+09:00', year: 2023, month: 1, day: 1 },
    });
    expect(full('none').related).toEqual([]);
  });

  test('is the pairwise rule on any site: every other post outside the series, chosen by shared terms, then newest, and listed newest first', () => {
    const postShape = fc.record({
      day: fc.integer({ min: 1, max: 28 }),
      tags: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 3 }),
      categories: fc.uniqueArray(fc.constantFrom('x', 'y'), { maxLength: 2 }),
      series: fc.option(fc.constantFrom('s1', 's2'), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(postShape, { minLength: 1, maxLength: 40 }), (shapes) => {
        const { site, full } = build(
          shapes.map((shape, at) =>
            postFrom(`content/posts/p${at}.md`, [
              `title = "p${at}"`,
              `date = 2024-01-${String(shape.day).padStart(2, '0')}`,
              `tags = ${JSON.stringify(shape.tags)}`,
              `categories = ${JSON.stringify(shape.categories)}`,
              ...(shape.series ? [`series = "${shape.series}"`] : []),
            ]),
          ),
        );
        const terms = (post: ParsedPost) => [...post.frontMatter.tags.map((t) => `t${t}`), ...post.frontMatter.categories.map((c) => `c${c}`)];
        for (const post of site.posts) {
          const expected = site.posts
            .map((other, place) => ({ other, place, shared: terms(other).filter((term) => terms(post).includes(term)).length }))
            .filter(({ other, shared }) => other !== post && shared > 0 && !(post.frontMatter.series && other.frontMatter.series === post.frontMatter.series))
            .sort((a, b) => b.shared - a.shared || a.place - b.place)
            .slice(0, 4)
            .sort((a, b) => a.place - b.place)
            .map(({ other }) => other.frontMatter.title);
          expect(full(post.slug).related.map((link) => link.title)).toEqual(expected);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('post views for paper reviews', () => {
  const paper = [
    'title = "Foundation Models 리뷰"',
    'date = 2024-01-01',
    'description = "요약 설명"',
    'tags = ["LLM"]',
    '[paper]',
    'title = "On the Opportunities and Risks of Foundation Models </script><script>alert(1)</script>"',
    'authors = ["Rishi Bommasani", "Drew A. Hudson"]',
    'year = 2021',
    'arxiv = "2108.07258"',
    'doi = "10.48550/arXiv.2108.07258"',
  ];

  test('the paper card data and a BibTeX entry', () => {
    const { full } = build([postFrom('content/posts/fm.md', paper)]);
    const view = full('fm').paper!;
    expect(view).toMatchObject({
      title: 'On the Opportunities and Risks of Foundation Models </script><script>alert(1)</script>',
      authors: ['Rishi Bommasani', 'Drew A. Hudson'],
      authorsText: 'Rishi Bommasani, Drew A. Hudson',
      venueLine: 'arXiv 2021',
      link: 'https://arxiv.org/abs/2108.07258',
      arxivUrl: 'https://arxiv.org/abs/2108.07258',
      doiUrl: 'https://doi.org/10.48550/arXiv.2108.07258',
    });
    expect(view.bibtex.startsWith('@article{bommasani2021opportunities,\n')).toBe(true);
  });

  test('JSON-LD: a BlogPosting for every post, citing a ScholarlyArticle for posts with [paper], escaped for <script>', () => {
    const { full } = build([postFrom('content/posts/fm.md', paper), postFrom('content/posts/plain.md', ['title = "보통 글"', 'date = 2024-01-02'])]);
    const json = full('fm').jsonLd;
    expect(json).not.toMatch(/[<>&]/);
    expect(JSON.parse(json)).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'BlogPosting',
      headline: 'Foundation Models 리뷰',
      description: '요약 설명',
      url: 'https://example.com/blog/posts/fm/',
      datePublished: '2024-01-01T00:00:00+09:00',
      author: { '@type': 'Person', name: 'Kurt' },
      citation: {
        '@type': 'ScholarlyArticle',
        name: 'On the Opportunities and Risks of Foundation Models </script><script>alert(1)</script>',
        datePublished: '2021',
        identifier: { '@type': 'PropertyValue', propertyID: 'DOI', value: '10.48550/arXiv.2108.07258' },
      },
    });
    expect(JSON.parse(full('plain').jsonLd)).toMatchObject({ '@type': 'BlogPosting', headline: '보통 글' });
    expect(JSON.parse(full('plain').jsonLd)).not.toHaveProperty('citation');
    expect(full('plain').paper).toBeNull();
  });
});

describe('summaries and counts', () => {
  test('<!--more--> wins over description, description over the first paragraph', () => {
    const { site, views } = build([
      postFrom('content/posts/more.md', ['title = "more"', 'date = 2024-01-01', 'description = "설명"']),
      postFrom('content/posts/described.md', ['title = "desc"', 'date = 2024-01-02', 'description = "설명"']),
      postFrom('content/posts/bare.md', ['title = "bare"', 'date = 2024-01-03']),
    ]);
    const [bare, described, more] = site.posts;
    more!.rendered = { ...more!.rendered, excerpt: '더보기 앞의 글.', more: true };
    described!.rendered = { ...described!.rendered, excerpt: '첫 문단.' };
    bare!.rendered = { ...bare!.rendered, excerpt: '첫 문단.' };
    expect(views.post(more!).summary).toBe('더보기 앞의 글.');
    expect(views.post(described!).summary).toBe('설명');
    expect(views.post(bare!).summary).toBe('첫 문단.');
  });

  test('reading time and word count reach templates', () => {
    const { full } = build([postFrom('content/posts/a.md', ['title = "a"', 'date = 2024-01-01'])]);
    expect(full('a')).toMatchObject({ readingMinutes: 1, wordCount: 2 });
    expect(messages('ko').readingTime.replace('{n}', '3')).toBe('읽는 데 약 3분');
  });
});
