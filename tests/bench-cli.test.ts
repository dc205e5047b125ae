import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from './helpers/site.js';

/** `npm run bench -- <args>`, without npm: only its command line is looked at, no corpus is made. */
function bench(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
}

describe('npm run bench, its command line', () => {
  test('--help prints the usage and exits 0, building nothing', () => {
    const run = bench(['--help']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('Usage: npm run bench');
    expect(run.stdout).toContain('--sizes');
    expect(run.stdout).not.toContain('geul bench on');
  }, 60_000);

  test('an unknown option is named with the usage, exit 2, no stack trace', () => {
    const run = bench(['--size', '100']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("Unknown option '--size'");
    expect(run.stderr).toContain('Usage: npm run bench');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
