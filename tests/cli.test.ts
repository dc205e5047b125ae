/** The command line as a writer uses it: `geul new`, exit codes, and refusing unsafe --out folders. */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { readFrontMatter } from '../src/frontmatter.ts';
import { cleanup, copySite, hashTree, listFiles, REPO_ROOT, runCli, tempDir } from './helpers/site.ts';

const made: string[] = [];
afterAll(() => cleanup(...made));

async function project(): Promise<string> {
  const root = await tempDir('geul-cli-');
  made.push(root);
  writeFileSync(path.join(root, 'site.toml'), 'title = "블로그"\nbaseURL = "https://example.com/"\ntimeZone = "Asia/Seoul"\n');
  return root;
}

describe('geul new', () => {
  test('creates a draft named after the title, with a date, and refuses to overwrite it', async () => {
    const root = await project();
    const first = await runCli(['new', '트랜스포머 리뷰', '--root', root]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const file = path.join(root, 'content', 'posts', '트랜스포머-리뷰.md');
    const text = readFileSync(file, 'utf8');

    const vfile = new VFile({ path: 'content/posts/트랜스포머-리뷰.md', value: text });
    const frontMatter = readFrontMatter(vfile, true);
    expect(vfile.messages.map(String)).toEqual([]);
    expect(frontMatter?.title).toBe('트랜스포머 리뷰');
    expect(frontMatter?.draft).toBe(true);
    // Now, in the site's time zone, written with its offset.
    expect(text).toMatch(/^date = \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/m);
    const written = Date.parse(frontMatter!.date!.iso);
    expect(Math.abs(Date.now() - written)).toBeLessThan(60_000);

    const second = await runCli(['new', '트랜스포머 리뷰', '--root', root]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/already exists/);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  test('--slug names the file; a slug that would climb out of content/posts/ is refused and nothing is written', async () => {
    const root = await project();
    const named = await runCli(['new', '트랜스포머 리뷰', '--slug', 'transformer', '--root', root]);
    expect(named.code, named.stderr).toBe(0);
    expect(listFiles(root)).toEqual(['content/posts/transformer.md', 'site.toml']);
    // `_x` and `.x` too: the build skips such files, so the post would never be seen.
    // `index` and `index.html` too: the build publishes the one at /posts/posts/ and refuses the other.
    for (const slug of ['../../escape', 'a/b', '..', '', '_notes', '.hidden', 'index', 'INDEX.HTML']) {
      const refused = await runCli(['new', '제목', '--slug', slug, '--root', root]);
      expect(refused.code, slug).toBe(2);
      expect(refused.stderr, slug).toMatch(/^geul new: slug/);
    }
    expect(listFiles(root)).toEqual(['content/posts/transformer.md', 'site.toml']);
  });

  test('a site.toml the build would refuse is told, and no post is written on the default clock', async () => {
    const root = await project();
    writeFileSync(path.join(root, 'site.toml'), 'title = "블로그"\npaginate = 0\ntimeZone = "America/New_York"\n');
    const run = await runCli(['new', '--root', root, '제목']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^site\.toml:2:1: paginate must be at least 1/m);
    expect(listFiles(root)).toEqual(['site.toml']);
  });

  test('without a title it explains and exits 2', async () => {
    const root = await project();
    const run = await runCli(['new', '--root', root]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/geul new "/);
    expect(listFiles(root)).toEqual(['site.toml']);
  });
});

describe('exit codes', () => {
  test('an unknown command exits 2 with the usage', async () => {
    const run = await runCli(['publish']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown command "publish"/);
    expect(run.stderr).toMatch(/Usage:/);
  });

  test.each([['build', '--help'], ['dev', '-h'], ['check', '--help'], ['new', '--help']])('geul %s %s prints the usage and exits 0, doing nothing else', async (command, flag) => {
    const run = await runCli([command, flag]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage:/);
    expect(run.stderr).toBe('');
  });

  test.each(['--version', '-v', 'version'])('geul %s prints the version from package.json and exits 0', async (flag) => {
    const run = await runCli([flag]);
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`geul ${version} (Node ${process.version})\n`);
    expect(run.stderr).toBe('');
  });

  test('an unknown option exits 2', async () => {
    const run = await runCli(['build', '--draft']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Usage:/);
  });

  test.each(['build', 'check', 'dev', 'new'])('geul %s with a --root that is not there says so, exits 1 and makes no folder', async (command) => {
    const parent = await project();
    const missing = path.join(parent, 'nope', 'site');
    const run = await runCli([command, ...(command === 'new' ? ['제목'] : []), '--root', missing]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`geul: --root ${missing}: no such folder`);
    expect(existsSync(path.join(parent, 'nope'))).toBe(false);
  });

  test('run from a subfolder of the project, each command says so, exits 1 and writes nothing there', async () => {
    const root = await project();
    const posts = path.join(root, 'content', 'posts');
    mkdirSync(posts, { recursive: true });
    for (const command of [['new', '하위 폴더에서'], ['build'], ['check'], ['dev', '--port', '0']]) {
      const run = await runCli(command, { cwd: posts });
      expect(run.code, command[0]).toBe(1);
      expect(run.stderr.trim(), command[0]).toBe(
        'geul: . is no geul project (it has no site.toml, content/ or templates/): run geul in the project folder or give --root <dir>; the project seems to be ../..',
      );
    }
    // Not content/posts/content/posts/하위-폴더에서.md, nor a .cache/ among the posts.
    expect(readdirSync(posts)).toEqual([]);
    expect(listFiles(root)).toEqual(['site.toml']);
  });

  test('a folder the system refuses exits 1 with its message, not a stack', async () => {
    const root = await project();
    writeFileSync(path.join(root, 'file'), 'a file, not a folder');
    const run = await runCli(['build', '--root', root, '--out', 'file/dist']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^geul: ENOTDIR: not a directory, mkdir '.*file\/\.dist\.new-/m);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('geul build --clock', () => {
  test('builds the site as it is at that time: a time without an offset is the site\'s time zone, as in front matter', async () => {
    const root = await project();
    cpSync(path.join(REPO_ROOT, 'templates'), path.join(root, 'templates'), { recursive: true });
    mkdirSync(path.join(root, 'content', 'posts'), { recursive: true });
    // Out from midnight in Seoul: 2030-05-31T15:00:00Z.
    writeFileSync(path.join(root, 'content', 'posts', 'scheduled.md'), '+++\ntitle = "예약 글"\ndate = 2030-06-01\n+++\n\n본문.\n');
    const page = path.join(root, 'dist', 'posts', 'scheduled', 'index.html');
    const cases: [string, boolean][] = [
      ['2030-05-31T23:59:59', false],
      ['2030-06-01', true],
      ['2030-05-31T14:59:59Z', false],
      ['2030-05-31T15:00:00Z', true],
      ['2030-05-31T08:00:00-07:00', true],
      ['2026-01-01', false],
    ];
    for (const [clock, out] of cases) {
      const result = await runCli(['build', '--root', root, '--clock', clock]);
      expect(result.code, result.stderr).toBe(0);
      expect(existsSync(page), clock).toBe(out);
    }
  }, 60_000);

  test.each([
    ['tomorrow', /--clock "tomorrow": expected YYYY-MM-DD/],
    ['2025-02-30', /--clock "2025-02-30": 2025-02 has no day 30/],
    ['2025-03-01T25:00', /no such time of day/],
  ])('--clock %s is refused with what to write, exit 2, nothing built', async (clock, message) => {
    const root = await project();
    const result = await runCli(['build', '--root', root, '--clock', clock]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/write 2025-03-01 or 2025-03-01T09:00/);
    expect(existsSync(path.join(root, 'dist'))).toBe(false);
  });
});

describe('unsafe --out folders are refused, and nothing is deleted', () => {
  test.each([
    ['the project root, as "."', '.'],
    ['content/', 'content'],
    ['a non-empty folder geul did not make', 'notes'],
  ])('%s', async (_name, out) => {
    // Other unsafe folders (absolute paths, parents, home) are covered in write.test.ts.
    const root = await copySite('basic');
    made.push(root);
    mkdirSync(path.join(root, 'notes'));
    writeFileSync(path.join(root, 'notes', 'todo.md'), '할 일\n');
    const before = hashTree(root);
    const run = await runCli(['build', '--root', root, '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^geul: refusing/m);
    expect(hashTree(root)).toEqual(before);
  });
});

describe('geul dev on the terminal', () => {
  test('prints problems to stderr, as geul build does, and its own lines to stdout', async () => {
    const { spawn } = await import('node:child_process');
    const root = await copySite('invalid-math');
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/geul.js'), 'dev', '--root', root, '--port', '0'], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
          if (/geul dev: built in/.test(stdout)) resolve();
        });
        child.on('exit', () => reject(new Error(`geul dev exited: ${stderr}`)));
      });
    } finally {
      child.kill('SIGTERM');
      await cleanup(root);
    }
    expect(stdout).toMatch(/geul dev: built in \d+ ms, 0 errors, [1-9]\d* warnings?/);
    expect(stdout).not.toMatch(/^content\//m);
    expect(stderr).toMatch(/^content\/posts\/\S+\.md:\d+:\d+: warning: /m);
  }, 60_000);
});

describe('a build stopped by a signal', () => {
  test.each(['SIGINT', 'SIGTERM'] as const)('%s: ends by that signal, leaves no staging folder beside dist/ and dist/ whole', async (signal) => {
    const { spawn } = await import('node:child_process');
    const root = await copySite('basic');
    made.push(root);
    const first = await runCli(['build', '--root', root]);
    expect(first.code, first.stderr).toBe(0);
    const before = hashTree(path.join(root, 'dist'));
    // Enough new posts that the build is still compiling when the signal comes.
    for (let n = 0; n < 60; n++) {
      writeFileSync(path.join(root, 'content', 'posts', `signal-${n}.md`), `+++\ntitle = "신호 ${n}"\ndate = 2024-01-01\n+++\n\n본문 $x^{${n}}$ 과 $$\\sum_{i=1}^{${n}} i$$\n`);
    }
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/geul.js'), 'build', '--root', root, '--no-cache'], { stdio: 'ignore' });
    const staged = () => readdirSync(root).filter((name) => name.startsWith('.dist.new-'));
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, how) => resolve({ code, signal: how })));
    while (staged().length === 0 && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill(signal);
    const { code, signal: how } = await ended;
    expect({ code, how }).toEqual({ code: null, how: signal });
    expect(readdirSync(root).filter((name) => /^\.dist\.(new|old)-/.test(name))).toEqual([]);
    // Stopped before its files were moved in: the previous site, untouched.
    expect(hashTree(path.join(root, 'dist'))).toEqual(before);
  });
});
