import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { FIXTURES, REPO_ROOT } from './helpers/site.js';

/** A geul install of its own: package.json, src/ and npm's record of node_modules, as given. */
function install(lock: Record<string, { version: string; dev?: boolean }>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'geul-versions-'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'geul', version: '0.1.0' }));
  cpSync(path.join(REPO_ROOT, 'src'), path.join(dir, 'src'), { recursive: true });
  mkdirSync(path.join(dir, 'node_modules'));
  writeFileSync(path.join(dir, 'node_modules', '.package-lock.json'), JSON.stringify({ name: 'geul', lockfileVersion: 3, packages: lock }));
  return dir;
}

/** versions() as a fresh process of the install at `dir` computes it. */
async function versionsOf(dir: string): Promise<Record<string, string>> {
  (globalThis as { geulSourceDir?: string }).geulSourceDir = path.join(dir, 'src');
  vi.resetModules();
  const { versions } = await import('../src/cache.js');
  return versions();
}

const made: string[] = [];
afterEach(() => {
  delete (globalThis as { geulSourceDir?: string }).geulSourceDir;
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the post cache key and the installed packages', () => {
  test('a dependency of the chain updated alone (micromark under remark-parse) gives other keys; a dev tool does not', async () => {
    const base = { 'node_modules/micromark': { version: '4.0.1' }, 'node_modules/eslint': { version: '10.0.0', dev: true } };
    const before = install(base);
    const updated = install({ ...base, 'node_modules/micromark': { version: '4.0.2' } });
    const devOnly = install({ ...base, 'node_modules/eslint': { version: '10.1.0', dev: true } });
    made.push(before, updated, devOnly);
    const a = await versionsOf(before);
    expect(await versionsOf(updated)).not.toEqual(a);
    expect(await versionsOf(devOnly)).toEqual(a);
  }, 30_000);
});

describe("the image cache key and geul's own code", () => {
  test('copies made by another images.ts are made again, not copied from the cache', async () => {
    const geul = install({});
    const root = mkdtempSync(path.join(os.tmpdir(), 'geul-image-code-'));
    made.push(geul, root);
    mkdirSync(path.join(root, 'images'));
    copyFileSync(path.join(FIXTURES, 'markdown/images/photo.jpg'), path.join(root, 'images/photo.jpg'));
    const hash = createHash('sha256').update(readFileSync(path.join(root, 'images/photo.jpg'))).digest('hex');
    const variants = async () => {
      (globalThis as { geulSourceDir?: string }).geulSourceDir = path.join(geul, 'src');
      vi.resetModules();
      const { makeVariants, planImage } = await import('../src/images.js');
      const plan = planImage('images/photo.jpg', { width: 1000, height: 750 }, 'jpg', hash)!;
      return makeVariants([{ source: 'images/photo.jpg', output: 'images/photo.jpg', hash, variants: plan.variants }], { root });
    };
    expect(await variants()).toMatchObject({ made: 1, reused: 0, problems: [] });
    expect(await variants()).toMatchObject({ made: 0, reused: 1 });
    // A new geul whose images.ts makes copies otherwise (here only a comment differs).
    appendFileSync(path.join(geul, 'src', 'images.ts'), '\n// resized another way\n');
    expect(await variants()).toMatchObject({ made: 1, reused: 0, problems: [] });
  }, 60_000);
});
