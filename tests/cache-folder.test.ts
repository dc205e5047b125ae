/**
 * The cache is pruned of what a build did not use; a symbolic link inside `.cache/geul/`
 * (committed to a repository, or a slip of `ln`) must not make that prune the folder it
 * leads to.
 */
import { copyFileSync, existsSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { isOwnCacheFolder } from '../src/cache-folder.ts';
import { cleanup, FIXTURES, REPO_ROOT, runCli, tempDir } from './helpers/site.ts';

const made: string[] = [];
afterAll(() => cleanup(...made));

/** A folder of someone's files, a year old, as the cache's pruning would find them. */
function precious(dir: string): string[] {
  const files = [path.join(dir, 'notes.txt'), path.join(dir, 'work', 'thesis.tex')];
  mkdirSync(path.join(dir, 'work'), { recursive: true });
  const old = new Date('2020-01-01T00:00:00Z');
  for (const file of files) {
    writeFileSync(file, 'precious\n');
    utimesSync(file, old, old);
  }
  utimesSync(path.join(dir, 'work'), old, old);
  return files;
}

test('a build leaves alone the folders that links inside .cache/geul/ lead to', async () => {
  const root = await tempDir('geul-cache-links-');
  const outside = await tempDir('geul-cache-victim-');
  made.push(root, outside);
  await cp(path.join(REPO_ROOT, 'templates'), path.join(root, 'templates'), { recursive: true });
  mkdirSync(path.join(root, 'content', 'posts'), { recursive: true });
  mkdirSync(path.join(root, 'images'));
  // An image wide enough for resized copies, so the image cache is made and pruned.
  copyFileSync(path.join(FIXTURES, 'markdown', 'images', 'wide.png'), path.join(root, 'images', 'wide.png'));
  writeFileSync(path.join(root, 'site.toml'), 'title = "캐시"\nbaseURL = "https://example.com/"\n');
  writeFileSync(path.join(root, 'content', 'posts', 'a.md'), '+++\ntitle = "글"\ndate = 2024-01-01\n+++\n\n본문 $x$.\n\n![그림](images/wide.png)\n');
  const cache = path.join(root, '.cache', 'geul');
  mkdirSync(path.join(cache, 'posts'), { recursive: true });
  const files: string[] = [];
  for (const [link, target] of [['fragments', 'f'], ['partials', 'p'], ['images', 'i'], ['posts/ab', 'pa']] as const) {
    files.push(...precious(path.join(outside, target)));
    symlinkSync(path.join(outside, target), path.join(cache, link));
  }

  const run = await runCli(['build', '--root', root]);
  expect(run.code, run.stderr).toBe(0);
  expect(files.filter((file) => !existsSync(file))).toEqual([]);
});

test('isOwnCacheFolder: a real folder under a real geul/ folder, not a link', async () => {
  const root = await tempDir('geul-cache-own-');
  made.push(root);
  mkdirSync(path.join(root, 'geul', 'posts'), { recursive: true });
  mkdirSync(path.join(root, 'elsewhere', 'posts'), { recursive: true });
  symlinkSync(path.join(root, 'elsewhere'), path.join(root, 'linked-geul'));
  symlinkSync(path.join(root, 'elsewhere', 'posts'), path.join(root, 'geul', 'images'));
  expect(isOwnCacheFolder(path.join(root, 'geul', 'posts'))).toBe(true);
  expect(isOwnCacheFolder(path.join(root, 'geul', 'images'))).toBe(false);
  expect(isOwnCacheFolder(path.join(root, 'linked-geul', 'posts'))).toBe(false);
  expect(isOwnCacheFolder(path.join(root, 'geul', 'missing'))).toBe(false);
});
