/**
 * Files replaced by others of the same size with their modification time put back, as
 * `cp -p`, `rsync -t` and `touch -r` do: a build with its cache must still make the site a
 * build without cache makes (the posts' case is in source-snapshot.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, expect, test } from 'vitest';
import { cleanup, copySite, hashTree, runCli, withoutMarker } from './helpers/site.ts';

let roots: string[] = [];
afterEach(async () => {
  await cleanup(...roots);
  roots = [];
});

/**
 * Write `bytes` over `file` in place, then give it back the size and times it had, to the
 * nanosecond (`touch -r`: Node's utimes would round them).
 */
function replaceKeepingTimes(file: string, bytes: Buffer): void {
  const before = statSync(file, { bigint: true });
  expect(BigInt(bytes.length)).toBe(before.size);
  const reference = `${file}.reference`;
  execFileSync('touch', ['-r', file, reference]);
  writeFileSync(file, bytes);
  execFileSync('touch', ['-r', reference, file]);
  rmSync(reference);
  const after = statSync(file, { bigint: true });
  expect([after.ino, after.size, after.mtimeNs]).toEqual([before.ino, before.size, before.mtimeNs]);
}

test('an image and a plain file under images/ replaced by others of the same size and mtime are published, as a build without cache publishes them', async () => {
  const root = await copySite('basic');
  roots.push(root);
  // Two solid images of one size: the same bytes but for the colour, so the same length.
  const solid = (red: number, green: number) => sharp({ create: { width: 900, height: 300, channels: 3, background: { r: red, g: green, b: 10 } } }).png().toBuffer();
  const [red, green] = await Promise.all([solid(200, 10), solid(10, 200)]);
  mkdirSync(path.join(root, 'images'), { recursive: true });
  writeFileSync(path.join(root, 'images', 'fig.png'), red);
  writeFileSync(path.join(root, 'images', 'note.txt'), 'AAAA');
  writeFileSync(path.join(root, 'content/posts/figure.md'), '+++\ntitle = "그림"\ndate = 2024-01-01\n+++\n\n![빨강](images/fig.png "캡션")\n');
  const dist = path.join(root, 'dist');
  expect((await runCli(['build', '--root', root, '--out', dist])).code).toBe(0);

  replaceKeepingTimes(path.join(root, 'images', 'fig.png'), green);
  replaceKeepingTimes(path.join(root, 'images', 'note.txt'), Buffer.from('BBBB'));
  const run = await runCli(['build', '--root', root, '--out', dist]);
  expect(run.code, run.stderr).toBe(0);
  expect(readFileSync(path.join(dist, 'images', 'note.txt'), 'utf8')).toBe('BBBB');
  expect(readFileSync(path.join(dist, 'images', 'fig.png'))).toEqual(green);

  const fresh = path.join(root, 'fresh');
  expect((await runCli(['build', '--root', root, '--out', fresh, '--no-cache'])).code).toBe(0);
  expect(withoutMarker(hashTree(dist))).toEqual(withoutMarker(hashTree(fresh)));
}, 120_000);
