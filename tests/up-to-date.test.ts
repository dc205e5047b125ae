/**
 * `geul build` with nothing changed since the last build into the same folder leaves the
 * folder as it is and says so, printing the same warnings; any change to what a build reads
 * (a post, a template, site.toml, an image, the options, a file of the output deleted or edited) or
 * a post's publication time passing makes it build again.
 */
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cleanup, copySite, hashTree, readHtml, REPO_ROOT, runCli, runNode, tempDir, textOf } from './helpers/site.ts';
import { selectAll } from 'hast-util-select';
import { inputStamp } from '../src/up-to-date.ts';

const UNCHANGED = /; nothing changed since the last build, so dist\/ is as it was$/m;

let root: string;
const build = (...args: string[]) => runCli(['build', '--root', root, ...args], { cwd: root });
const markerOf = () => readFileSync(path.join(root, 'dist', '.geul'), 'utf8');
const inode = (file: string) => statSync(path.join(root, 'dist', file)).ino;

beforeAll(async () => {
  root = await copySite('basic');
  // A warning, to see it printed again by a build that does nothing.
  mkdirSync(path.join(root, 'drafts'));
  writeFileSync(path.join(root, 'content/posts/warned.md'), '+++\ntitle = "경고"\ndate = 2024-02-02\n+++\n\n```pythn\nprint(1)\n```\n');
});
afterAll(() => cleanup(root));

describe('a build with nothing changed', () => {
  test('leaves dist/ as it was, with the first build\'s warnings and counts', async () => {
    const first = await build();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).not.toMatch(UNCHANGED);
    expect(first.stderr).toMatch(/warned\.md:6:\d+: warning: unknown code language "pythn"/);
    const files = hashTree(path.join(root, 'dist'));
    const marker = markerOf();
    const home = inode('index.html');

    const second = await build();
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(UNCHANGED);
    expect(second.stderr).toBe(first.stderr);
    // The counts are the first build's: posts, pages, terms, warnings.
    const counts = (out: string) => out.replace(/ in \d+ ms/, '').replace(/ \(\d+ resized, \d+ from cache\)/, '').replace(/ \(\d+ ms\)/, '').replace(/ \(unchanged\)/, '').replace(UNCHANGED, '').trim();
    expect(counts(second.stdout)).toBe(counts(first.stdout));
    expect(hashTree(path.join(root, 'dist'))).toEqual(files);
    expect(markerOf()).toBe(marker);
    expect(inode('index.html')).toBe(home);
  });

  test('any change to what a build reads, or to how it is asked, builds again', async () => {
    const changes: [string, () => void, string[]?][] = [
      ['a post edited', () => writeFileSync(path.join(root, 'content/posts/warned.md'), readFileSync(path.join(root, 'content/posts/warned.md'), 'utf8').replace('경고', '경고 고침'))],
      ['a post touched (its date in the sitemap)', () => utimesSync(path.join(root, 'content/posts/warned.md'), new Date(), new Date(Date.now() - 86_400_000))],
      ['a template touched', () => utimesSync(path.join(root, 'templates/base.liquid'), new Date(), new Date(Date.now() - 3_600_000))],
      ['site.toml changed', () => writeFileSync(path.join(root, 'site.toml'), `${readFileSync(path.join(root, 'site.toml'), 'utf8')}\n# 설정\n`)],
      ['an image added', () => writeFileSync(path.join(root, 'images/new.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')],
      ['a page deleted from dist/', () => rmSync(path.join(root, 'dist/index.html'))],
      ['a page of dist/ edited by hand', () => writeFileSync(path.join(root, 'dist/index.html'), 'edited by hand')],
      ['a file added to dist/ by hand', () => writeFileSync(path.join(root, 'dist/stray.html'), 'put here by hand')],
      ['a file added to a folder of dist/ by hand', () => writeFileSync(path.join(root, 'dist/posts/stray.txt'), 'put here by hand')],
      ['a folder added to dist/ by hand', () => mkdirSync(path.join(root, 'dist/extra/deeper'), { recursive: true })],
      ['other options', () => {}, ['--drafts']],
      ['back to the first options', () => {}, []],
    ];
    await build();
    for (const [change, make, args = []] of changes) {
      make();
      const again = await build(...args);
      expect(again.code, change).toBe(0);
      expect(again.stdout, change).not.toMatch(UNCHANGED);
      const after = await build(...args);
      expect(after.stdout, `${change}, then nothing`).toMatch(UNCHANGED);
    }
    expect(textOf(selectAll('h1', readHtml(path.join(root, 'dist/posts/warned/index.html')))[0]!)).toBe('경고 고침');
    // What was put there by hand is gone, as README promises: the folder holds the site alone.
    expect(Object.keys(hashTree(path.join(root, 'dist'))).filter((file) => /stray|extra/.test(file))).toEqual([]);
    // --no-cache always builds.
    expect((await build('--no-cache')).stdout).not.toMatch(UNCHANGED);
  }, 120_000);

  test('a file of dist/ edited, truncated or replaced by hand is written again; the others are left alone', async () => {
    await build();
    const home = readFileSync(path.join(root, 'dist/index.html'), 'utf8');
    const post = readFileSync(path.join(root, 'dist/posts/warned/index.html'), 'utf8');
    const feedInode = inode('feed.xml');
    // Replaced by a file of the same size and mtime: only the inode tells it from geul's.
    const before = statSync(path.join(root, 'dist/index.html'));
    const copy = path.join(root, 'dist/index.html.copy');
    writeFileSync(copy, 'x'.repeat(before.size));
    rmSync(path.join(root, 'dist/index.html'));
    renameSync(copy, path.join(root, 'dist/index.html'));
    utimesSync(path.join(root, 'dist/index.html'), before.atime, before.mtime);
    // Truncated by hand.
    writeFileSync(path.join(root, 'dist/posts/warned/index.html'), '');
    const again = await build();
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(UNCHANGED);
    expect(readFileSync(path.join(root, 'dist/index.html'), 'utf8')).toBe(home);
    expect(readFileSync(path.join(root, 'dist/posts/warned/index.html'), 'utf8')).toBe(post);
    expect(inode('feed.xml')).toBe(feedInode);
    expect((await build()).stdout).toMatch(UNCHANGED);
  });

  test('a post that is a link: adding it, and editing the file it leads to, builds again', async () => {
    await build();
    writeFileSync(path.join(root, 'drafts/linked.md'), '+++\ntitle = "링크"\ndate = 2024-02-03\n+++\n\n본문\n');
    symlinkSync('../../drafts/linked.md', path.join(root, 'content/posts/linked.md'));
    expect((await build()).stdout).not.toMatch(UNCHANGED);
    expect((await build()).stdout).toMatch(UNCHANGED);
    writeFileSync(path.join(root, 'drafts/linked.md'), '+++\ntitle = "링크 고침"\ndate = 2024-02-03\n+++\n\n본문\n');
    expect((await build()).stdout).not.toMatch(UNCHANGED);
    expect(textOf(selectAll('h1', readHtml(path.join(root, 'dist/posts/linked/index.html')))[0]!)).toBe('링크 고침');
  }, 60_000);

  test('an image in a folder linked from images/ to one inside the project: replacing it builds again', async () => {
    // The build reads figures through such a link; the stamp's listing did not enter it, so the
    // build said "nothing changed" and kept the old figure's copies and size.
    mkdirSync(path.join(root, 'pics'));
    cpSync(path.join(REPO_ROOT, 'images/figure1.png'), path.join(root, 'pics/x.png'));
    symlinkSync('../pics', path.join(root, 'images/shared'));
    writeFileSync(path.join(root, 'content/posts/shared-figure.md'), '+++\ntitle = "공유 그림"\ndate = 2024-02-04\n+++\n\n![공유 그림](images/shared/x.png)\n');
    const srcset = () => readFileSync(path.join(root, 'dist/posts/shared-figure/index.html'), 'utf8').match(/srcset="([^"]*)"/)?.[1];
    expect((await build()).code).toBe(0);
    const before = srcset();
    expect(before).toContain('/images/shared/x-');
    expect((await build()).stdout).toMatch(UNCHANGED);
    cpSync(path.join(REPO_ROOT, 'images/figure2.png'), path.join(root, 'pics/x.png'));
    expect((await build()).stdout).not.toMatch(UNCHANGED);
    expect(srcset()).not.toBe(before);
    rmSync(path.join(root, 'content/posts/shared-figure.md'));
    rmSync(path.join(root, 'images/shared'));
  }, 60_000);

  test('an image that is a link to a file inside the project: replacing the file builds again', async () => {
    // The listing left links out altogether, a linked file as much as a linked folder.
    mkdirSync(path.join(root, 'pics'), { recursive: true });
    cpSync(path.join(REPO_ROOT, 'images/figure1.png'), path.join(root, 'pics/y.png'));
    symlinkSync('../pics/y.png', path.join(root, 'images/linked.png'));
    writeFileSync(path.join(root, 'content/posts/linked-figure.md'), '+++\ntitle = "링크 그림"\ndate = 2024-02-05\n+++\n\n![링크 그림](images/linked.png)\n');
    const srcset = () => readFileSync(path.join(root, 'dist/posts/linked-figure/index.html'), 'utf8').match(/srcset="([^"]*)"/)?.[1];
    expect((await build()).code).toBe(0);
    const before = srcset();
    expect(before).toContain('/images/linked-');
    expect((await build()).stdout).toMatch(UNCHANGED);
    cpSync(path.join(REPO_ROOT, 'images/figure2.png'), path.join(root, 'pics/y.png'));
    expect((await build()).stdout).not.toMatch(UNCHANGED);
    expect(srcset()).not.toBe(before);
    rmSync(path.join(root, 'content/posts/linked-figure.md'));
    rmSync(path.join(root, 'images/linked.png'));
  }, 60_000);

  test('builds again once the clock reaches a post\'s publication time, and again when it is set back before it', async () => {
    // `--clock` stands for the machine's time: the same check, without waiting for a real time to come.
    const post = path.join(root, 'content/posts/soon.md');
    writeFileSync(post, '+++\ntitle = "곧 나올 글"\ndate = 2030-06-01T12:00:00+09:00\n+++\n\n본문.\n');
    const page = path.join(root, 'dist/posts/soon/index.html');
    const at = async (clock: string) => {
      const result = await build('--clock', clock);
      expect(result.code, result.stderr).toBe(0);
      return UNCHANGED.test(result.stdout) ? 'unchanged' : 'built';
    };
    expect(await at('2030-06-01T11:00:00+09:00')).toBe('built');
    expect(() => statSync(page)).toThrow();
    expect(await at('2030-06-01T11:00:00+09:00')).toBe('unchanged');
    expect(await at('2030-06-01T11:59:59+09:00')).toBe('unchanged');
    expect(await at('2030-06-01T03:00:00Z')).toBe('built');
    expect(statSync(page).isFile()).toBe(true);
    expect(await at('2030-06-01T13:00:00+09:00')).toBe('unchanged');
    // Set back: the post is not out yet at that time, so the site is another.
    expect(await at('2030-06-01T11:00:00+09:00')).toBe('built');
    expect(() => statSync(page)).toThrow();
    // A year's end changes the footer: a clock in the next year builds again.
    expect(await at('2031-01-01T00:00:00+09:00')).toBe('built');
    expect(await at('2030-12-31T23:59:59+09:00')).toBe('built');
    rmSync(post);
  }, 60_000);
});

describe('a new version of geul', () => {
  let copy: string | undefined;
  afterAll(() => cleanup(copy));

  test('renders every page again, though no page\'s data changed: the code that renders it did', async () => {
    // geul as it is, and a copy whose relURL filter marks every link it makes: the same
    // templates and data, another renderer. Built in turn into the same folder.
    copy = await tempDir('geul-version-');
    for (const name of ['bin', 'src', 'templates', 'package.json']) cpSync(path.join(REPO_ROOT, name), path.join(copy, name), { recursive: true });
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(copy, 'node_modules'));
    const renderTs = path.join(copy, 'src', 'render.ts');
    const filter = 'call.urls.rel(where) + rest';
    expect(readFileSync(renderTs, 'utf8')).toContain(filter);
    writeFileSync(renderTs, readFileSync(renderTs, 'utf8').replace(filter, `${filter} + '?v2'`));

    const first = await build();
    expect(first.code, first.stderr).toBe(0);
    const styles = () => selectAll('link[rel=stylesheet]', readHtml(path.join(root, 'dist', 'posts', 'warned', 'index.html'))).map((link) => String(link.properties.href));
    expect(styles().some((href) => href.endsWith('?v2'))).toBe(false);
    const newer = await runNode([path.join(copy, 'bin', 'geul.js'), 'build', '--root', root], { cwd: root });
    expect(newer.code, newer.stderr).toBe(0);
    expect(styles().length).toBeGreaterThan(0);
    expect(styles().every((href) => href.endsWith('?v2'))).toBe(true);
  }, 60_000);
});

describe('the input stamp', () => {
  test('does not walk an images/ linked to a folder holding the project, which the build refuses (`images -> /` walked the disk)', async () => {
    const parent = await tempDir('geul-stamp-');
    try {
      const project = path.join(parent, 'blog');
      mkdirSync(project);
      writeFileSync(path.join(project, 'site.toml'), 'title = "블로그"\n');
      symlinkSync('..', path.join(project, 'images'));
      const before = await inputStamp(project, {});
      writeFileSync(path.join(parent, 'elsewhere.txt'), '프로젝트 밖의 파일');
      expect(await inputStamp(project, {})).toBe(before);
      // Links to folders inside the project are followed, each folder once: a loop ends.
      mkdirSync(path.join(project, 'content'));
      symlinkSync('.', path.join(project, 'content/a'));
      symlinkSync('..', path.join(project, 'content/b'));
      expect(typeof (await inputStamp(project, {}))).toBe('string');
    } finally {
      await cleanup(parent);
    }
  });
});
