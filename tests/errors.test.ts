/**
 * Sites that must fail, one per kind of bad input (`tests/fixtures/sites/<kind>/`), each with
 * the exact `path:line:col: message` lines it must print in `expected-errors.txt`. Each is
 * built by the CLI in a temp copy that already holds a previous output in dist/, which must
 * come out byte-for-byte unchanged. Invalid math is the one kind that only warns.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { select } from 'hast-util-select';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cleanup, copySite, FIXTURES, hashTree, problemLines, readHtml, REPO_ROOT, runCli, type CliResult } from './helpers/site.ts';

const FAILING = [
  'invalid-toml',
  'invalid-date',
  'invalid-bare-date',
  'duplicate-slug',
  'missing-image',
  'missing-title',
  'unclosed-front-matter',
  'slug-escape',
  'several-errors',
  'pathological-markdown',
  'reserved-names',
] as const;
const ALL = [...FAILING, 'invalid-math'] as const;
type Kind = (typeof ALL)[number];

interface Case {
  root: string;
  dist: string;
  before: Record<string, string>;
  run: CliResult;
}
const cases = new Map<Kind, Case>();

/** A previous output as geul leaves it: the marker file and some pages and an image. */
function writePreviousDist(dist: string) {
  mkdirSync(path.join(dist, 'posts', 'old'), { recursive: true });
  mkdirSync(path.join(dist, 'images'), { recursive: true });
  writeFileSync(path.join(dist, '.geul'), 'This folder is written by geul and replaced on every build.\n');
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><html lang="ko"><p>이전 빌드</p></html>\n');
  writeFileSync(path.join(dist, 'posts', 'old', 'index.html'), '<!doctype html><p>이전 글</p>\n');
  copyFileSync(path.join(FIXTURES, 'sites', 'basic', 'images', 'dot.png'), path.join(dist, 'images', 'keep.png'));
}

beforeAll(async () => {
  const queue = [...ALL];
  const worker = async () => {
    for (let kind = queue.shift(); kind; kind = queue.shift()) {
      const root = await copySite(kind);
      const dist = path.join(root, 'dist');
      writePreviousDist(dist);
      const before = hashTree(dist);
      const run = await runCli(['build', '--root', root]);
      cases.set(kind, { root, dist, before, run });
    }
  };
  await Promise.all([worker(), worker()]);
}, 120_000);

afterAll(() => cleanup(...[...cases.values()].map((c) => c.root)));

function expectedLines(kind: Kind, file = 'expected-errors.txt'): string[] {
  return readFileSync(path.join(FIXTURES, 'sites', kind, file), 'utf8').split('\n').filter(Boolean);
}

/** After each `path:line:col:` line, the code frame marks that line of the source file as written. */
function expectFrames(kind: Kind) {
  const { run, root } = cases.get(kind)!;
  const lines = run.stderr.split('\n');
  for (const [index, line] of lines.entries()) {
    const match = /^(\S+):(\d+):(\d+): /.exec(line);
    if (!match) continue;
    const [, file, lineNumber] = match;
    const source = readFileSync(path.join(root, file!), 'utf8').split(/\r?\n/)[Number(lineNumber) - 1];
    const marked = lines.slice(index + 1).find((next) => next.startsWith('>') || /^\S+:\d+:\d+: /.test(next));
    expect(marked?.startsWith(`> ${lineNumber} | `), `frame after ${line}`).toBe(true);
    // A long line is shown around its column, what is cut off marked `…`.
    const shown = marked!.slice(`> ${lineNumber} | `.length);
    if (source!.length <= 160) expect(shown, `frame after ${line}`).toBe(source);
    else expect(source, `frame after ${line}`).toContain(shown.replace(/^…|…$/g, ''));
  }
}

describe.each(FAILING)('%s', (kind) => {
  test('exits 1 and prints exactly the expected problems', () => {
    const { run } = cases.get(kind)!;
    expect(problemLines(run.stderr)).toEqual(expectedLines(kind));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/left as it was/);
    expect(run.stdout).toBe('');
  });

  test('each problem is followed by a frame of its source line', () => {
    expectFrames(kind);
  });

  test('the previous dist/ is byte-for-byte unchanged, and nothing is left beside it', () => {
    const { dist, before, root } = cases.get(kind)!;
    expect(hashTree(dist)).toEqual(before);
    // No half-written staging folder (`.dist.new-*`) or retired one (`.dist.old-*`).
    expect(readdirSync(root).filter((name) => name.startsWith('.dist'))).toEqual([]);
  });
});

describe('invalid-math', () => {
  test('exits 0 and prints the warning at the formula', () => {
    const { run } = cases.get('invalid-math')!;
    expect(run.code).toBe(0);
    expect(problemLines(run.stderr)).toEqual(expectedLines('invalid-math', 'expected-warnings.txt'));
    expect(run.stdout).toMatch(/1 warning$/m);
  });

  test('the warning is followed by a frame of its source line', () => {
    expectFrames('invalid-math');
  });

  test("the page shows KaTeX's visible error in place of the formula, and the rest of the site is built", () => {
    const { dist } = cases.get('invalid-math')!;
    const tree = readHtml(path.join(dist, 'posts', 'bad-math', 'index.html'));
    const error = select('.prose .katex-error', tree);
    expect(error).toBeDefined();
    expect(error?.children).toEqual([expect.objectContaining({ type: 'text', value: '\\frac{1}{' })]);
    expect(existsSync(path.join(dist, 'posts', 'good', 'index.html'))).toBe(true);
    // The previous output was replaced.
    expect(existsSync(path.join(dist, 'posts', 'old'))).toBe(false);
  });
});

describe('a template that is a named pipe', () => {
  let root: string | undefined;
  afterAll(() => cleanup(root));

  // A read of a pipe waits for a writer that never comes: the build hung for good. The CLI
  // runs in a child process killed after 30 s, so the test fails rather than hangs.
  test('is an error at its path, and the build ends', async () => {
    root = await copySite('basic');
    execFileSync('mkfifo', [path.join(root, 'templates', 'piped.liquid')]);
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'geul.js'), 'build', '--root', root], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    expect(code).toBe(1);
    expect(problemLines(stderr)).toEqual(['templates/piped.liquid:1:1: template error: piped.liquid is not a file (a pipe, a socket or a device)']);
  }, 40_000);
});
