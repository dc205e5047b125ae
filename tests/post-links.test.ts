/**
 * Links to another post's markdown file (`[앞 글](attention.md)`), as GitHub, VS Code and
 * Obsidian follow them in the sources, are published as that page's address, built end to
 * end from tests/fixtures/sites/post-links (baseURL under /blog/).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Element } from 'hast';
import { select, selectAll } from 'hast-util-select';
import { afterEach, describe, expect, test } from 'vitest';
import { cleanup, copySite, hashTree, problemLines, readHtml, runCli } from './helpers/site.ts';

let root: string | undefined;
afterEach(async () => {
  await cleanup(root);
  root = undefined;
});

function hrefsIn(file: string): string[] {
  const article = select('article', readHtml(file));
  if (!article) throw new Error(`no article in ${file}`);
  return selectAll('.post-body a:not(.heading-anchor), .prose a:not(.heading-anchor), article p a, article li a', article)
    .map((a) => String((a as Element).properties.href))
    .filter((href, index, all) => all.indexOf(href) === index);
}

describe('links to posts by their markdown file', () => {
  test("are published as the post's or page's address under baseURL's path, fragment and query kept", async () => {
    root = await copySite('post-links');
    const result = await runCli(['build', '--root', root]);
    expect(result.code, result.stderr).toBe(0);
    expect(problemLines(result.stderr)).toEqual([]);
    expect(hrefsIn(path.join(root, 'dist/posts/links/index.html'))).toEqual([
      '/blog/posts/attention-is-all/',
      '/blog/posts/attention-is-all/#%EC%84%9C%EB%A1%A0',
      '/blog/posts/%EB%B2%88%EB%93%A4/',
      '/blog/posts/%EB%8B%A4%EB%A5%B8-%EA%B8%80/?from=links',
      '/blog/who/',
      'https://github.com/x/y/blob/main/README.md',
    ]);
    // Code is code: the link written in backticks stays text.
    expect(readFileSync(path.join(root, 'dist/posts/links/index.html'), 'utf8')).toContain('<code>[x](attention.md)</code>');
    expect(hrefsIn(path.join(root, 'dist/posts/번들/index.html'))).toEqual(['/blog/posts/attention-is-all/#%EC%84%9C%EB%A1%A0', '/blog/who/']);
    expect(hrefsIn(path.join(root, 'dist/who/index.html'))).toEqual(['/blog/posts/attention-is-all/']);
    // Every address is a page the build wrote.
    for (const href of ['posts/attention-is-all', 'posts/번들', 'posts/다른-글', 'who']) expect(readHtml(path.join(root, 'dist', href, 'index.html'))).toBeTruthy();
  }, 60_000);

  test("follow the target's slug when it changes, in a build that reuses the cache", async () => {
    root = await copySite('post-links');
    expect((await runCli(['build', '--root', root])).code).toBe(0);
    const target = path.join(root, 'content/posts/attention.md');
    writeFileSync(target, readFileSync(target, 'utf8').replace('slug = "attention-is-all"', 'slug = "attention-v2"'));
    const result = await runCli(['build', '--root', root]);
    expect(result.code, result.stderr).toBe(0);
    expect(hrefsIn(path.join(root, 'dist/posts/links/index.html')).slice(0, 2)).toEqual(['/blog/posts/attention-v2/', '/blog/posts/attention-v2/#%EC%84%9C%EB%A1%A0']);
    expect(hrefsIn(path.join(root, 'dist/who/index.html'))).toEqual(['/blog/posts/attention-v2/']);
  }, 60_000);

  test('to a draft: a warning at the link, the address kept (it leads somewhere with --drafts)', async () => {
    root = await copySite('post-links');
    writeFileSync(path.join(root, 'content/posts/to-draft.md'), '+++\ntitle = "초안으로"\ndate = 2024-03-06\n+++\n\n곧 나올 [초안](draft-target.md)을 보라.\n');
    const result = await runCli(['build', '--root', root]);
    expect(result.code, result.stderr).toBe(0);
    expect(problemLines(result.stderr)).toEqual([
      'content/posts/to-draft.md:6:6: warning: links to content/posts/draft-target.md, a draft: `geul build` leaves it out, so the link leads nowhere until it is published',
    ]);
    expect(hrefsIn(path.join(root, 'dist/posts/to-draft/index.html'))).toEqual(['/blog/posts/draft-target/']);
  }, 60_000);

  test('to a file that is missing or not published: errors at each link, all at once, dist/ left as it was', async () => {
    root = await copySite('post-links');
    expect((await runCli(['build', '--root', root])).code).toBe(0);
    const before = hashTree(path.join(root, 'dist'));
    writeFileSync(path.join(root, 'content/posts/bad.md'), '+++\ntitle = "깨진 링크"\ndate = 2024-03-07\n+++\n\n[없는 글](nowhere.md)과\n[숨은 글](_notes.md) 그리고 [README](../../README.md).\n');
    writeFileSync(path.join(root, 'content/posts/_notes.md'), '메모\n');
    const result = await runCli(['build', '--root', root]);
    expect(result.code).not.toBe(0);
    expect(problemLines(result.stderr)).toEqual([
      "content/posts/bad.md:6:1: links to content/posts/nowhere.md, which does not exist: link to a post's own file, or write the page's address",
      'content/posts/bad.md:7:1: links to content/posts/_notes.md, which geul does not publish (posts are content/posts/**/*.md, pages content/<name>.md), so the link would lead nowhere',
    ]);
    expect(hashTree(path.join(root, 'dist'))).toEqual(before);
  }, 60_000);
});
