import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { createMarkdownProcessor } from '../src/markdown.ts';
import { readPost } from '../src/post.ts';

const processor = createMarkdownProcessor({ root: process.cwd(), basePath: '/', language: 'ko' });

async function read(path: string, frontMatter: string[], kind: 'post' | 'page' = 'post') {
  const file = new VFile({ path, value: ['+++', ...frontMatter, '+++', '', '본문.', ''].join('\n') });
  const post = await readPost(file, kind, processor, false);
  return { post, messages: file.messages.map((m) => `${m.line}:${m.column}: ${m.fatal ? 'error' : 'warning'}: ${m.reason}`) };
}

describe("Hugo's url front matter", () => {
  test('moving a post away from its url is a warning at the key naming the alias that keeps it; the key still reaches templates', async () => {
    const { post, messages } = await read('content/posts/old.md', ['title = "옛 글"', 'date = 2019-05-01', 'URL = "/2019/05/old-post/"']);
    expect(messages).toEqual([
      '4:1: warning: URL = "/2019/05/old-post/" is Hugo\'s address for this page, which geul does not read: it is published at /posts/old/ (from its file name); add "/2019/05/old-post/" to aliases to keep the old address working',
    ]);
    expect(post?.frontMatter.extra).toEqual({ URL: '/2019/05/old-post/' });
  });

  test('no warning when the url is kept by an alias, is where the page is published anyway, or is not a path of the site', async () => {
    expect((await read('content/posts/a.md', ['title = "a"', 'date = 2019-05-01', 'url = "/2019/05/a/"', 'aliases = ["/2019/05/a"]'])).messages).toEqual([]);
    expect((await read('content/posts/b.md', ['title = "b"', 'date = 2019-05-01', 'slug = "비"', 'url = "/posts/비/"'])).messages).toEqual([]);
    expect((await read('content/about.md', ['title = "소개"', 'url = "/about"'], 'page')).messages).toEqual([]);
    // A link post's target is a param of the writer's own, not an address on this site.
    expect((await read('content/posts/c.md', ['title = "c"', 'date = 2019-05-01', 'url = "https://example.org/article"'])).messages).toEqual([]);
  });
});

describe('terms on a standalone page', () => {
  test('tags, categories and series of a page are warnings at their keys; the page is still published', async () => {
    const { post, messages } = await read('content/about.md', ['title = "소개"', 'tags = ["NLP"]', 'Categories = "Paper Review"', 'series = "연재"'], 'page');
    expect(messages).toEqual([
      '4:1: warning: categories: a page is listed under no category (geul lists only posts there): move the file to content/posts/ to list it, or remove categories',
      '3:1: warning: tags: a page is listed under no tag (geul lists only posts there): move the file to content/posts/ to list it, or remove tags',
      '5:1: warning: series: a page is listed under no series (geul lists only posts there): move the file to content/posts/ to list it, or remove series',
    ]);
    expect(post?.slug).toBe('about');
  });

  test('no warning for empty lists on a page, nor for terms on a post', async () => {
    expect((await read('content/about.md', ['title = "소개"', 'tags = []'], 'page')).messages).toEqual([]);
    expect((await read('content/posts/a.md', ['title = "a"', 'date = 2024-01-01', 'tags = ["NLP"]', 'series = "연재"'])).messages).toEqual([]);
  });
});

describe('blank lines before the front matter', () => {
  test('the post is read and its body rendered without the block, problems in the body at their line of the file', async () => {
    const file = new VFile({ path: 'content/posts/blank.md', value: '\n  \n+++\ntitle = "빈 줄"\ndate = 2024-01-01\n+++\n\n본문 ![그림](images/없는-그림.png)\n' });
    const post = await readPost(file, 'post', processor, false);
    expect(post?.frontMatter.title).toBe('빈 줄');
    expect(post?.rendered.html).not.toContain('+++');
    expect(post?.rendered.html).not.toContain('title');
    expect(post?.rendered.html).toMatch(/^<p>본문/);
    expect(file.messages.map((m) => `${m.line}:${m.column}: ${m.fatal ? 'error' : 'warning'}`)).toEqual(['8:4: error']);
  });
});

describe('index.md at the top of content/ and content/posts/', () => {
  test('published under its folder name with a warning saying what to do, unless it has a slug', async () => {
    const home = await read('content/index.md', ['title = "홈"'], 'page');
    expect(home.post?.slug).toBe('content');
    expect(home.messages).toEqual([expect.stringMatching(/^1:1: warning: published at \/content\/, as an index\.md takes its folder's name; .*give it a slug$/)]);
    const posts = await read('content/posts/index.md', ['title = "글"', 'date = 2024-01-01']);
    expect(posts.messages).toEqual([expect.stringMatching(/^1:1: warning: published at \/posts\/posts\/, /)]);
    expect((await read('content/posts/index.md', ['title = "글"', 'date = 2024-01-01', 'slug = "all"'])).messages).toEqual([]);
    expect((await read('content/posts/bundle/index.md', ['title = "글"', 'date = 2024-01-01'])).messages).toEqual([]);
  });
});
