/**
 * A list item shows a post's first twelve tags (and categories) and links to the post for the
 * rest: a post is listed on the page of each of its terms, so showing all of them there made a
 * post with thousands of tags a site that grew with their square (4,000 tags: 1 GB of term
 * pages). The post's own page still shows every tag. Built with `build()` and the repo's templates;
 * the HTML is parsed.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { build, type BuildResult } from '../src/build.ts';
import { cleanup, REPO_ROOT, tempDir, textOf } from './helpers/site.ts';

const MANY = Array.from({ length: 30 }, (_, n) => `주제 ${n + 1}`);
const FEW = ['주제 1', '주제 2', '주제 3'];
const SHELVES = Array.from({ length: 14 }, (_, n) => `분류 ${n + 1}`);

let root: string;
let result: BuildResult;

beforeAll(async () => {
  root = await tempDir();
  mkdirSync(path.join(root, 'content', 'posts'), { recursive: true });
  cpSync(path.join(REPO_ROOT, 'templates'), path.join(root, 'templates'), { recursive: true });
  writeFileSync(path.join(root, 'site.toml'), 'title = "태그 많은 블로그"\nbaseURL = "https://example.com/"\nlanguage = "ko"\n');
  const post = (name: string, date: string, tags: string[], categories: string[]) =>
    writeFileSync(
      path.join(root, 'content', 'posts', `${name}.md`),
      `+++\ntitle = "${name}"\ndate = ${date}\ntags = ${JSON.stringify(tags)}\ncategories = ${JSON.stringify(categories)}\n+++\n\n본문.\n`,
    );
  post('many', '2024-01-02', MANY, SHELVES);
  post('few', '2024-01-01', FEW, SHELVES.slice(0, 2));
  result = await build({ root, drafts: false, workers: 1 });
});

afterAll(() => cleanup(root));

const page = (file: string): Root => {
  const output = result.outputs.find((candidate) => candidate.path === file);
  if (!output || !('content' in output)) throw new Error(`no page ${file}`);
  return fromHtml(typeof output.content === 'string' ? output.content : Buffer.from(output.content).toString('utf8'));
};

/** The tag (or category) list of the list item of the post titled `title` on a list page. */
const itemTerms = (tree: Root, title: string, kind: 'tags' | 'categories' = 'tags') => {
  const item = selectAll('.post-item', tree).find((node) => textOf(select('.post-item-title', node)!) === title);
  expect(item, `the list item of ${title}`).toBeDefined();
  return select(`.terms-inline-${kind}`, item!)!;
};

describe('the terms of a list item', () => {
  test('builds without problems', () => {
    expect(result.problems).toEqual([]);
  });

  test('a post with more than twelve tags shows its first twelve, in order, then a link to the post for the rest', () => {
    for (const file of ['index.html', 'tags/주제-1/index.html', 'tags/주제-30/index.html']) {
      const tags = itemTerms(page(file), 'many');
      expect(selectAll('a[rel="tag"]', tags).map(textOf)).toEqual(MANY.slice(0, 12));
      const more = select('.terms-more a', tags);
      expect(textOf(more!)).toBe('외 18개');
      expect(more!.properties.href).toBe('/posts/many/');
    }
  });

  test('a post with a few tags shows them all, with no link for more', () => {
    const tags = itemTerms(page('tags/주제-1/index.html'), 'few');
    expect(selectAll('a[rel="tag"]', tags).map(textOf)).toEqual(FEW);
    expect(select('.terms-more', tags)).toBeUndefined();
  });

  test('categories are held to twelve alike', () => {
    const many = itemTerms(page('categories/분류-1/index.html'), 'many', 'categories');
    expect(selectAll('a', many).map(textOf)).toEqual([...SHELVES.slice(0, 12), '외 2개']);
    expect(select('.terms-more a', many)!.properties.href).toBe('/posts/many/');
    const few = itemTerms(page('categories/분류-1/index.html'), 'few', 'categories');
    expect(selectAll('a', few).map(textOf)).toEqual(SHELVES.slice(0, 2));
  });

  test("the post's own page shows every tag", () => {
    const tags = select('.terms-inline-tags', page('posts/many/index.html'))!;
    expect(selectAll('a[rel="tag"]', tags).map(textOf)).toEqual(MANY);
    expect(select('.terms-more', tags)).toBeUndefined();
  });
});
