/**
 * `geul new "제목"` against the wording: the slug keeps Hangul, the date is now on the
 * site's clock (not the machine's, not UTC), the post is a draft, and nothing is overwritten —
 * including a post that already has the slug under another file name.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { readFrontMatter } from '../src/frontmatter.ts';
import { aliasedBy, newPostText, takenBy } from '../src/new-post.ts';
import { cleanup, listFiles, runCli, tempDir } from './helpers/site.ts';

const made: string[] = [];
afterAll(() => cleanup(...made));

async function project(timeZone = 'Asia/Seoul'): Promise<string> {
  const root = await tempDir('geul-new-');
  made.push(root);
  writeFileSync(path.join(root, 'site.toml'), `title = "블로그"\nbaseURL = "https://example.com/"\ntimeZone = "${timeZone}"\n`);
  return root;
}

describe('newPostText', () => {
  // 2024-03-10 16:30 UTC: already the 11th in Seoul, and an hour after Los Angeles moved to
  // summer time (PDT, -07:00) that very morning.
  const instant = new Date('2024-03-10T16:30:00Z');

  test.each([
    ['Asia/Seoul', '2024-03-11T01:30:00+09:00'],
    ['America/Los_Angeles', '2024-03-10T09:30:00-07:00'],
    ['UTC', '2024-03-10T16:30:00+00:00'],
  ])('the date is the wall clock of %s with its offset then', (zone, expected) => {
    const text = newPostText('제목', instant, zone);
    expect(text).toContain(`\ndate = ${expected}\n`);
    const file = new VFile({ path: 'content/posts/제목.md', value: text });
    const frontMatter = readFrontMatter(file, true)!;
    expect(file.messages.map(String)).toEqual([]);
    expect(frontMatter).toMatchObject({ title: '제목', draft: true, date: { iso: expected } });
    // The same instant, whatever the zone.
    expect(Date.parse(frontMatter.date!.iso)).toBe(instant.getTime());
  });

  test('a title with quotes and backslashes stays one TOML string', () => {
    const title = '"인용" \\ 그리고 \'작은따옴표\'';
    const file = new VFile({ path: 'content/posts/x.md', value: newPostText(title, instant, 'Asia/Seoul') });
    expect(readFrontMatter(file, true)?.title).toBe(title);
  });
});

describe('takenBy', () => {
  const posts = [
    { path: 'content/posts/a.md' },
    { path: 'content/posts/트랜스포머/index.md' },
    { path: 'content/posts/2024/LLM-정리.md' },
    { path: 'content/posts/2023/long-file-name.md', text: '+++\ntitle = "x"\nslug = "Custom"\n+++\n\n본문\n' },
    { path: 'content/posts/broken.md', text: '+++\ntitle = \n+++\n' },
    { path: 'content/posts/upper.md', text: '+++\ntitle = "x"\nSlug = "Upper-Key"\n+++\n' },
    // Blank lines before the block, which the build skips as Hugo does.
    { path: 'content/posts/blank-first.md', text: '\n  \n+++\ntitle = "x"\nslug = "after-blank"\n+++\n' },
  ];
  test.each([
    // Keys in any letter case, as the build reads them.
    ['upper-key', 'content/posts/upper.md'],
    ['after-blank', 'content/posts/blank-first.md'],
    ['blank-first', undefined],
    ['a', 'content/posts/a.md'],
    ['트랜스포머', 'content/posts/트랜스포머/index.md'],
    ['llm-정리', 'content/posts/2024/LLM-정리.md'],
    ['트랜스포머'.normalize('NFD'), 'content/posts/트랜스포머/index.md'],
    // A front-matter slug is the post's, not its file name.
    ['custom', 'content/posts/2023/long-file-name.md'],
    ['long-file-name', undefined],
    // Front matter that does not parse: the file name stands.
    ['broken', 'content/posts/broken.md'],
    ['b', undefined],
  ])('%s → %s', (slug, expected) => {
    expect(takenBy(slug, posts)).toBe(expected);
  });
});

describe('aliasedBy', () => {
  const posts = [
    { path: 'content/posts/layer-normalization.md', text: '+++\ntitle = "x"\naliases = ["/posts/layernorm/", "/old/ln/"]\n+++\n' },
    { path: 'content/posts/한글.md', text: '+++\ntitle = "x"\nAliases = "/posts/%EC%98%9B%EA%B8%80/"\n+++\n' },
    { path: 'content/posts/none.md', text: '+++\ntitle = "x"\n+++\n' },
  ];
  test.each([
    ['layernorm', 'content/posts/layer-normalization.md'],
    ['LayerNorm', 'content/posts/layer-normalization.md'],
    ['옛글', 'content/posts/한글.md'],
    ['ln', undefined],
    ['none', undefined],
  ])('%s → %s', (slug, expected) => {
    expect(aliasedBy(slug, posts)).toBe(expected);
  });
});

describe('geul new', () => {
  test('the date follows the site time zone, not the machine', async () => {
    const root = await project('America/Los_Angeles');
    const run = await runCli(['new', '시간대', '--root', root], { env: { TZ: 'Asia/Seoul' } });
    expect(run.code).toBe(0);
    const text = readFileSync(path.join(root, 'content/posts/시간대.md'), 'utf8');
    const written = /^date = (\S+)$/m.exec(text)![1]!;
    expect(written).toMatch(/-0[78]:00$/);
    expect(Math.abs(Date.parse(written) - Date.now())).toBeLessThan(60_000);
  });

  test('a title typed decomposed (NFD, as macOS may) gives an NFC file name and title', async () => {
    const root = await project();
    const run = await runCli(['new', '정규화 제목'.normalize('NFD'), '--root', root]);
    expect(run.code).toBe(0);
    expect(listFiles(root)).toContain('content/posts/정규화-제목.md');
    const text = readFileSync(path.join(root, 'content/posts', '정규화-제목.md'.normalize('NFC')), 'utf8');
    expect(text).toContain('title = "정규화 제목"');
  });

  test('refuses a slug a page bundle or another folder already has, and writes nothing', async () => {
    const root = await project();
    mkdirSync(path.join(root, 'content/posts/트랜스포머-리뷰'), { recursive: true });
    writeFileSync(path.join(root, 'content/posts/트랜스포머-리뷰/index.md'), '+++\ntitle = "기존"\ndate = "2024-01-01"\n+++\n');
    mkdirSync(path.join(root, 'content/posts/2024'), { recursive: true });
    writeFileSync(path.join(root, 'content/posts/2024/LLM-정리.md'), '+++\ntitle = "기존"\ndate = "2024-01-01"\n+++\n');
    const before = listFiles(root);

    const bundle = await runCli(['new', '트랜스포머 리뷰', '--root', root]);
    expect(bundle.code).toBe(1);
    expect(bundle.stderr).toContain('content/posts/트랜스포머-리뷰/index.md already has the slug "트랜스포머-리뷰"');
    const nested = await runCli(['new', 'llm 정리', '--root', root]);
    expect(nested.code).toBe(1);
    expect(nested.stderr).toContain('content/posts/2024/LLM-정리.md already has the slug "llm-정리"');
    expect(listFiles(root)).toEqual(before);
    expect(existsSync(path.join(root, 'content/posts/트랜스포머-리뷰.md'))).toBe(false);
  });
});
