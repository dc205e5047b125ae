/**
 * A post, a folder of posts or a file to copy the build may not read (`chmod 000`, another user's): an error
 * at its path, told with every other problem of the run. The tests run as root, whom no mode
 * bit refuses, so the refusal is made here, by readFileSync, readdirSync and accessSync.
 */
import type * as fs from 'node:fs';
import type * as fsPromises from 'node:fs/promises';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { build } from '../src/build.ts';
import { openCache } from '../src/cache.ts';
import { createSiteBuilder } from '../src/incremental.ts';
import { formatProblem } from '../src/report.ts';
import { cleanup, REPO_ROOT, tempDir } from './helpers/site.ts';

vi.mock('node:fs', async (original) => {
  const real = await original<typeof fs>();
  return {
    ...real,
    readFileSync: ((file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
      if (/locked\.(?:md|liquid)$/.test(String(file))) throw Object.assign(new Error(`EACCES: permission denied, open '${String(file)}'`), { code: 'EACCES', syscall: 'open' });
      return (real.readFileSync as (...args: unknown[]) => unknown)(file, ...rest);
    }) as typeof fs.readFileSync,
    readdirSync: ((folder: fs.PathLike, ...rest: unknown[]) => {
      if (String(folder).endsWith('locked-folder')) throw Object.assign(new Error(`EACCES: permission denied, scandir '${String(folder)}'`), { code: 'EACCES', syscall: 'scandir' });
      return (real.readdirSync as (...args: unknown[]) => unknown)(folder, ...rest);
    }) as typeof fs.readdirSync,
    accessSync: ((file: fs.PathLike, mode?: number) => {
      if (/locked\.(?:png|txt)$/.test(String(file))) throw Object.assign(new Error(`EACCES: permission denied, access '${String(file)}'`), { code: 'EACCES', syscall: 'access' });
      real.accessSync(file, mode);
    }) as typeof fs.accessSync,
  };
});

/** Whether `later.md` is refused to the dev server's reads (node:fs/promises), as after `chmod 000`. */
let refuseLater = false;
vi.mock('node:fs/promises', async (original) => {
  const real = await original<typeof fsPromises>();
  return {
    ...real,
    readFile: (async (file: fs.PathLike, ...rest: unknown[]) => {
      if (refuseLater && String(file).endsWith('later.md')) throw Object.assign(new Error(`EACCES: permission denied, open '${String(file)}'`), { code: 'EACCES', syscall: 'open' });
      return (real.readFile as (...args: unknown[]) => Promise<unknown>)(file, ...rest);
    }) as typeof fsPromises.readFile,
  };
});

let root: string;
beforeEach(async () => {
  root = await tempDir('geul-unreadable-');
  mkdirSync(path.join(root, 'content', 'posts'), { recursive: true });
  writeFileSync(path.join(root, 'site.toml'), 'title = "x"\n');
  cpSync(path.join(REPO_ROOT, 'templates'), path.join(root, 'templates'), { recursive: true });
  writeFileSync(path.join(root, 'content', 'posts', 'locked.md'), '+++\ntitle = "잠김"\ndate = 2024-01-01\n+++\n본문\n');
  writeFileSync(path.join(root, 'content', 'posts', 'ok.md'), '+++\ntitle = "좋음"\ndate = 2024-01-01\n+++\n본문\n');
  writeFileSync(path.join(root, 'content', 'posts', 'broken.md'), '+++\ntitle = 1\ndate = 2024-01-01\n+++\n본문\n');
});
afterEach(async () => {
  refuseLater = false;
  await cleanup(root);
});

test('an unreadable post is an error at its path, told with the other problems; the build does not throw', async () => {
  const result = await build({ root, drafts: false, workers: 1 });
  expect(result.problems.map(formatProblem)).toEqual([
    'content/posts/broken.md:2:1: title must be a string',
    'content/posts/locked.md:1:1: cannot read this file: EACCES: permission denied',
  ]);
});

test('a folder of posts that cannot be listed is an error, not a site published without its posts', async () => {
  mkdirSync(path.join(root, 'content', 'posts', 'locked-folder'));
  writeFileSync(path.join(root, 'content', 'posts', 'locked-folder', 'index.md'), '+++\ntitle = "묶음"\ndate = 2024-01-01\n+++\n본문\n');
  const result = await build({ root, drafts: false, workers: 1 });
  expect(result.problems.map(formatProblem)).toContain('content/posts/locked-folder:1:1: cannot read this folder: EACCES: permission denied');
  expect(result.stats.errors).toBe(3);
});

test('an image or a static file that cannot be read is an error at its path, told with the rest', async () => {
  mkdirSync(path.join(root, 'images'));
  mkdirSync(path.join(root, 'static'));
  cpSync(path.join(REPO_ROOT, 'images', 'figure1.png'), path.join(root, 'images', 'locked.png'));
  writeFileSync(path.join(root, 'static', 'locked.txt'), 'x');
  writeFileSync(path.join(root, 'static', 'CNAME'), 'example.com');
  const result = await build({ root, drafts: false, workers: 1 });
  const problems = result.problems.map(formatProblem);
  expect(problems).toContain('images/locked.png:1:1: cannot read this file: EACCES: permission denied');
  expect(problems).toContain('static/locked.txt:1:1: cannot read this file: EACCES: permission denied');
  expect(problems.filter((problem) => problem.includes('CNAME'))).toEqual([]);
});

test('geul dev: a post made unreadable after a save is an error at its path, not a crash of the build; readable again, it is built', async () => {
  writeFileSync(path.join(root, 'content', 'posts', 'later.md'), '+++\ntitle = "나중"\ndate = 2024-01-01\n+++\n본문\n');
  const builder = createSiteBuilder(root, openCache(root, false));
  await builder.update([], new Map());
  refuseLater = true;
  const refused = await builder.update(['content/posts/later.md'], new Map());
  expect(refused?.problems.map(formatProblem)).toContain('content/posts/later.md:1:1: cannot read this file: EACCES: permission denied');
  refuseLater = false;
  const again = await builder.update(['content/posts/later.md'], new Map());
  expect(again?.problems.map(formatProblem).filter((problem) => problem.includes('later.md'))).toEqual([]);
  expect(again?.outputs.some((output) => output.path === 'posts/later/index.html')).toBe(true);
});

test('a template that cannot be read is told at its path with the other problems; the build does not throw', async () => {
  // Read here by LiquidJS's own fs, which the mock leaves alone: its unknown filter is told,
  // with the template's text for the code frame, which geul reads (refused by the mock).
  writeFileSync(path.join(root, 'templates', 'locked.liquid'), '{{ page.title | nope }}\n');
  const result = await build({ root, drafts: false, workers: 1 });
  expect(result.problems.map(formatProblem)).toContain('templates/locked.liquid:1:1: template error: undefined filter: nope');
});
