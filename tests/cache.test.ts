/**
 * The post cache shared by builds of one project: a build's pruning must not take the entry
 * another build is writing at the same moment (geul dev beside geul build, two --out builds).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { openCache } from '../src/cache.js';

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

test("pruning keeps another build's temporary entry and removes one a crash left an hour ago", async () => {
  root = mkdtempSync(path.join(tmpdir(), 'geul-cache-'));
  const folder = path.join(root, '.cache', 'geul', 'posts', 'ab');
  mkdirSync(folder, { recursive: true });
  const fresh = 'ab12.json.4242-0.tmp';
  const stale = 'ab34.json.4243-0.tmp';
  const unused = 'ab56.json';
  for (const file of [fresh, stale, unused]) writeFileSync(path.join(folder, file), '{}\n');
  const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
  utimesSync(path.join(folder, stale), twoHoursAgo, twoHoursAgo);

  await openCache(root, true).flush({ prune: true });

  expect(readdirSync(folder)).toEqual([fresh]);
});
