/**
 * A Hugo site's content/ built end to end: markdown under Hugo's other extensions, a page
 * bundle whose text is index.markdown, posts that are links, a blank line before the front
 * matter, and the files geul does not publish (Hugo's _index.md, content/index.md), each told.
 */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { selectAll } from 'hast-util-select';
import { cleanup, copySite, hashTree, problemLines, readHtml, runCli, tempDir, textOf, type CliResult } from './helpers/site.ts';

let root: string;
let outside: string;
let result: CliResult;

const write = (file: string, text: string) => {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
};
const post = (title: string, body = '본문') => `+++\ntitle = "${title}"\ndate = 2024-05-01\n+++\n\n${body}\n`;
const h1 = (file: string) => textOf(selectAll('h1', readHtml(path.join(root, 'dist', file)))[0]!);

beforeAll(async () => {
  root = await copySite('basic');
  outside = await tempDir('geul-hugo-outside-');
  write('content/posts/긴-글.markdown', post('긴 확장자'));
  write('content/posts/짧은.mdown', post('mdown'));
  write('content/posts/WINDOWS.MD', post('대문자 확장자'));
  write('content/posts/논문/index.markdown', post('번들', '[논문](paper.pdf)'));
  write('content/posts/논문/paper.pdf', '%PDF-1.4');
  write('content/posts/빈-줄.md', `\n\n${post('빈 줄 먼저', '## 소제목\n\n![없는 그림](images/없음.png)')}`);
  write('drafts/링크.md', post('링크된 글'));
  symlinkSync('../../drafts/링크.md', path.join(root, 'content/posts/링크.md'));
  write('content/_index.md', '+++\ntitle = "홈"\n+++\n');
  write('content/posts/_index.md', '+++\ntitle = "글"\n+++\n');
  write('content/index.md', '+++\ntitle = "홈 페이지"\n+++\n');
  write('content/posts/index.md', post('글 목록'));
  result = await runCli(['build', '--root', root], { cwd: root });
});

afterAll(() => cleanup(root, outside));

describe('a migrated Hugo content/ folder', () => {
  test('builds, with the missing image the only error, at its line after the blank lines', () => {
    expect(result.code).toBe(1);
    expect(problemLines(result.stderr).filter((line) => !line.includes(': warning: '))).toEqual(['content/posts/빈-줄.md:10:1: image not found: "images/없음.png" (looked for content/posts/images/없음.png, images/없음.png)']);
  });

  test('says what to do with _index.md, content/index.md and content/posts/index.md', () => {
    const warnings = problemLines(result.stderr).filter((line) => line.includes(': warning: '));
    expect(warnings.map((line) => line.replace(/: warning: ([^:,]*)[:,].*$/, ': $1'))).toEqual([
      'content/_index.md:1:1: not used',
      'content/index.md:1:1: published at /content/',
      'content/posts/_index.md:1:1: not used',
      'content/posts/index.md:1:1: published at /posts/posts/',
    ]);
  });

  test('publishes the posts of every markdown extension, a linked post, and a bundle of index.markdown with its files', async () => {
    write('content/posts/빈-줄.md', `\n\n${post('빈 줄 먼저', '## 소제목\n\n본문')}`);
    const built = await runCli(['build', '--root', root], { cwd: root });
    expect(built.code, built.stderr).toBe(0);
    expect(h1('posts/긴-글/index.html')).toBe('긴 확장자');
    expect(h1('posts/짧은/index.html')).toBe('mdown');
    expect(h1('posts/WINDOWS/index.html')).toBe('대문자 확장자');
    expect(h1('posts/논문/index.html')).toBe('번들');
    expect(h1('posts/링크/index.html')).toBe('링크된 글');
    expect(h1('posts/빈-줄/index.html')).toBe('빈 줄 먼저');
    expect(textOf(readHtml(path.join(root, 'dist/posts/빈-줄/index.html')))).not.toContain('+++');
    const files = Object.keys(hashTree(path.join(root, 'dist')));
    expect(files).toContain('posts/논문/paper.pdf');
    expect(files.filter((file) => /\.(?:md|markdown|mdown)$/i.test(file))).toEqual([]);
    expect(existsSync(path.join(root, 'dist/posts/_index'))).toBe(false);
    expect(existsSync(path.join(root, 'dist/_index'))).toBe(false);
  });

  test('a post that is a link out of the project is an error, and dist/ is left as it was', async () => {
    writeFileSync(path.join(outside, 'private.md'), post('비공개'));
    symlinkSync(path.join(outside, 'private.md'), path.join(root, 'content/posts/private.md'));
    const before = hashTree(path.join(root, 'dist'));
    const built = await runCli(['build', '--root', root], { cwd: root });
    expect(built.code).toBe(1);
    expect(problemLines(built.stderr).filter((line) => !line.includes(': warning: '))).toEqual([
      expect.stringMatching(/^content\/posts\/private\.md:1:1: a link to .*private\.md, outside the project: copy the file into the project/),
    ]);
    expect(hashTree(path.join(root, 'dist'))).toEqual(before);
  });
});
