/**
 * A rebuild that moves a few files into the output folder, and one of the moves fails (a
 * folder made read-only, a file made immutable: what root on this machine cannot be refused,
 * so the refusal is made here, by renameSync). The folder must be as it was, byte for byte.
 */
import type * as fs from 'node:fs';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { outputStateFile, write } from '../src/write.ts';
import { cleanup, hashTree, listFiles, tempDir } from './helpers/site.ts';

/** A move into the output folder whose target ends so fails, as a read-only folder would make it. */
let refuse: string | undefined;
vi.mock('node:fs', async (original) => {
  const real = await original<typeof fs>();
  return {
    ...real,
    renameSync: (from: fs.PathLike, to: fs.PathLike) => {
      if (refuse !== undefined && String(to).endsWith(refuse) && String(from).includes('.new-')) {
        throw Object.assign(new Error(`EACCES: permission denied, rename '${String(from)}' -> '${String(to)}'`), { code: 'EACCES' });
      }
      real.renameSync(from, to);
    },
  };
});

let project: string;
beforeEach(async () => {
  project = await tempDir('geul-rollback-');
  mkdirSync(path.join(project, 'content'), { recursive: true });
  writeFileSync(path.join(project, 'site.toml'), 'title = "x"\n');
});
afterEach(async () => {
  refuse = undefined;
  await cleanup(project);
});

const site = (edited: Record<number, string>, count = 30) => [
  ...Array.from({ length: count }, (_, i) => ({ path: `posts/p${i}/index.html`, content: edited[i] ?? `글 ${i}` })),
  { path: 'index.html', content: Object.keys(edited).join(',') },
];

test('a move that fails midway puts back every file moved before it, removes what was new, and keeps the marker', async () => {
  const dist = path.join(project, 'dist');
  const state = outputStateFile(project, dist);
  await write(site({}), dist, undefined, state);
  const before = hashTree(dist);
  // Edited posts on both sides of the refused one, a new post, and a post gone.
  const next = [{ path: 'posts/new/index.html', content: '새 글' }, ...site({ 3: '새 3', 5: '새 5', 20: '새 20' }, 29)];
  refuse = path.join('posts', 'p20', 'index.html');
  await expect(write(next, dist, undefined, state)).rejects.toThrow(/EACCES/);
  expect(hashTree(dist)).toEqual(before);
  expect(listFiles(project).filter((file) => /\.dist\.(?:new|old)-/.test(file))).toEqual([]);
  // And the next build, allowed, writes the new site.
  refuse = undefined;
  await write(next, dist, undefined, state);
  expect(listFiles(dist)).toContain('posts/new/index.html');
  expect(listFiles(dist)).not.toContain('posts/p29/index.html');
});
