/**
 * Sources saved in another encoding than UTF-8 (CP949 from Korean Windows, UTF-16 from
 * Notepad) are an error at their first garbled character, not a page of U+FFFD.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { encodingProblem } from '../src/encoding.ts';
import { cleanup, hashTree, problemLines, REPO_ROOT, runCli, tempDir } from './helpers/site.ts';

// "+++\ntitle = "한글"\n..." as CP949 writes it: 한 = C7 D1, 글 = B1 DB.
const CP949 = Buffer.concat([Buffer.from('+++\ntitle = "'), Buffer.from([0xc7, 0xd1, 0xb1, 0xdb]), Buffer.from('"\ndate = 2024-01-01\n+++\n\nbody\n')]);
const UTF16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('+++\ntitle = "한글"\ndate = 2024-01-01\n+++\n\n본문\n', 'utf16le')]);

const made: string[] = [];
afterAll(() => cleanup(...made));

describe('encodingProblem', () => {
  const problem = (bytes: Buffer, name = 'content/posts/a.md') => encodingProblem(new VFile({ path: name, value: bytes.toString('utf8') }));

  test('UTF-8, with or without a byte order mark, is fine', () => {
    expect(problem(Buffer.from('+++\ntitle = "한글"\n+++\n'))).toBeUndefined();
    expect(problem(Buffer.from('\uFEFF+++\ntitle = "한글"\n+++\n'))).toBeUndefined();
  });

  test('CP949 is refused at its first garbled character', () => {
    expect(problem(CP949)).toEqual({ line: 2, column: 10, fatal: true, reason: 'this file is not UTF-8 text (CP949/EUC-KR?): save it as UTF-8 (a "\uFFFD" written on purpose: &#xFFFD;)' });
    expect(problem(CP949, 'site.toml')?.reason).toMatch(/written on purpose: "\\uFFFD"\)$/);
  });

  test('UTF-16 is named', () => {
    expect(problem(UTF16)).toEqual({ line: 1, column: 1, fatal: true, reason: 'this file is UTF-16 text: save it as UTF-8' });
  });

  test('one "\uFFFD" alone, as pasted from a PDF or written about, is a warning: another encoding garbles every character outside ASCII', () => {
    const one = problem(Buffer.from('+++\ntitle = "글"\n+++\n\n깨진 글자 \uFFFD 하나.\n'));
    expect(one).toMatchObject({ line: 5, column: 7, fatal: false });
    expect(one?.reason).toMatch(/written on purpose, write it &#xFFFD;$/);
  });
});

describe('a site with a CP949 post, a UTF-16 post and a CP949 site.toml', () => {
  test('fails at each file, leaving dist/ as it was', async () => {
    const root = await tempDir('geul-encoding-');
    made.push(root);
    await cp(path.join(REPO_ROOT, 'templates'), path.join(root, 'templates'), { recursive: true });
    mkdirSync(path.join(root, 'content', 'posts'), { recursive: true });
    writeFileSync(path.join(root, 'site.toml'), Buffer.concat([Buffer.from('title = "'), Buffer.from([0xc7, 0xd1, 0xb1, 0xdb]), Buffer.from('"\n')]));
    writeFileSync(path.join(root, 'content', 'posts', 'cp949.md'), CP949);
    writeFileSync(path.join(root, 'content', 'posts', 'utf16.md'), UTF16);
    writeFileSync(path.join(root, 'content', 'posts', 'fine.md'), '+++\ntitle = "괜찮은 글"\ndate = 2024-01-02\n+++\n\n본문.\n');
    const dist = path.join(root, 'dist');
    mkdirSync(dist);
    writeFileSync(path.join(dist, '.geul'), 'This folder is written by geul and replaced on every build.\n');
    writeFileSync(path.join(dist, 'index.html'), '<p>이전 빌드</p>\n');
    const before = hashTree(dist);
    const run = await runCli(['build', '--root', root]);
    expect(run.code).toBe(1);
    expect(problemLines(run.stderr)).toEqual([
      'content/posts/cp949.md:2:10: this file is not UTF-8 text (CP949/EUC-KR?): save it as UTF-8 (a "\uFFFD" written on purpose: &#xFFFD;)',
      'content/posts/utf16.md:1:1: this file is UTF-16 text: save it as UTF-8',
      'site.toml:1:10: this file is not UTF-8 text (CP949/EUC-KR?): save it as UTF-8 (a "\uFFFD" written on purpose: "\\uFFFD")',
    ]);
    expect(hashTree(dist)).toEqual(before);
  }, 60_000);
});
