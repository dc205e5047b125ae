import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { openStaging, OUTPUT_MARKER, OUTPUT_MARKER_TEXT, outputStateFile, readOutputFolder, unsafeOutDirReason, write as writeSite } from '../src/write.ts';
import { cleanup, hashTree, listFiles, tempDir } from './helpers/site.ts';

let project: string;

beforeEach(async () => {
  project = await tempDir('geul-write-');
  mkdirSync(path.join(project, 'content', 'posts'), { recursive: true });
  writeFileSync(path.join(project, 'site.toml'), 'title = "x"\n');
});

afterEach(() => cleanup(project));

/** Where the tests keep the fingerprints of an output folder's files, as `geul build` does in .cache/geul/. */
const stateOf = (dist: string) => outputStateFile(project, dist);
const write = (outputs: Parameters<typeof writeSite>[0], dist: string, record?: unknown) => writeSite(outputs, dist, record, stateOf(dist));
/** The project folder's entries, its cache aside. */
const entries = () => readdirSync(project).filter((name) => name !== '.cache').sort();

describe('unsafeOutDirReason', () => {
  test('a folder beside the inputs whose name starts like one of them is fine', () => {
    expect(unsafeOutDirReason(path.join(project, 'images-site'), project)).toBeUndefined();
    expect(unsafeOutDirReason(path.join(project, 'public', 'images'), project)).toBeUndefined();
  });

  test('dist/ inside the project, missing or empty or made by geul, is fine', () => {
    const dist = path.join(project, 'dist');
    expect(unsafeOutDirReason(dist, project)).toBeUndefined();
    mkdirSync(dist);
    expect(unsafeOutDirReason(dist, project)).toBeUndefined();
    writeFileSync(path.join(dist, OUTPUT_MARKER), '');
    writeFileSync(path.join(dist, 'index.html'), 'old');
    expect(unsafeOutDirReason(dist, project)).toBeUndefined();
  });

  test.each([
    ['the project root', (root: string) => root],
    ['content/', (root: string) => path.join(root, 'content')],
    ['content/ written with a trailing slash', (root: string) => `${path.join(root, 'content')}/`],
    ['images/', (root: string) => path.join(root, 'images')],
    ['templates/', (root: string) => path.join(root, 'templates')],
    ['the filesystem root', () => path.parse(process.cwd()).root],
    ['the home folder', () => os.homedir()],
    ['a parent of the project', (root: string) => path.dirname(root)],
    // Read by the next build: the site would copy itself into itself, deeper each time.
    ['a folder inside images/', (root: string) => path.join(root, 'images', 'public')],
    ['a folder inside templates/', (root: string) => path.join(root, 'templates', 'assets', 'out')],
    ['a folder inside content/', (root: string) => path.join(root, 'content', 'posts', 'dist')],
    ['a folder inside the cache', (root: string) => path.join(root, '.cache', 'dist')],
  ])('refuses %s', (_name, dir) => {
    expect(unsafeOutDirReason(dir(project), project)).toMatch(/refusing/);
  });

  test('judges a link by where it leads: the site is written there', () => {
    mkdirSync(path.join(project, 'images', 'public'), { recursive: true });
    symlinkSync(path.join(project, 'images', 'public'), path.join(project, 'dist'));
    expect(unsafeOutDirReason(path.join(project, 'dist'), project)).toMatch(/inside images\//);
  });

  test('judges a folder not made yet by where the links on its way lead: --out link-to-content/site', () => {
    symlinkSync(path.join(project, 'content'), path.join(project, 'notes'));
    expect(unsafeOutDirReason(path.join(project, 'notes', 'site'), project)).toMatch(/inside content\//);
    expect(unsafeOutDirReason(path.join(project, 'notes', 'a', 'b'), project)).toMatch(/inside content\//);
  });

  test('refuses a non-empty folder without the .geul marker', () => {
    const out = path.join(project, 'public');
    mkdirSync(out);
    writeFileSync(path.join(out, 'notes.txt'), 'mine');
    expect(unsafeOutDirReason(out, project)).toMatch(/not empty and was not made by geul/);
  });

  test('refuses a file', () => {
    writeFileSync(path.join(project, 'out'), 'x');
    expect(unsafeOutDirReason(path.join(project, 'out'), project)).toMatch(/not a folder/);
  });
});

describe('write', () => {
  test('writes every output and the marker into a new folder', async () => {
    const dist = path.join(project, 'dist');
    const source = path.join(project, 'content', 'pic.png');
    writeFileSync(source, 'PNG');
    await write(
      [
        { path: 'index.html', content: '<p>홈</p>' },
        { path: 'posts/글/index.html', content: new TextEncoder().encode('bytes') },
        { path: 'images/pic.png', copyFrom: source },
      ],
      dist,
    );
    expect(listFiles(dist)).toEqual([OUTPUT_MARKER, 'images/pic.png', 'index.html', 'posts/글/index.html']);
    expect(readFileSync(path.join(dist, 'posts/글/index.html'), 'utf8')).toBe('bytes');
    expect(readFileSync(path.join(dist, 'images/pic.png'), 'utf8')).toBe('PNG');
  });

  test('replaces the previous output entirely: stale files are gone', async () => {
    const dist = path.join(project, 'dist');
    await write([{ path: 'old/index.html', content: 'old' }, { path: 'index.html', content: 'v1' }], dist);
    await write([{ path: 'index.html', content: 'v2' }], dist);
    expect(listFiles(dist)).toEqual([OUTPUT_MARKER, 'index.html']);
    expect(readFileSync(path.join(dist, 'index.html'), 'utf8')).toBe('v2');
    // No staging or retired folders are left beside it.
    expect(entries()).toEqual(['content', 'dist', 'site.toml']);
  });

  test('a failing write leaves the previous folder byte-for-byte intact', async () => {
    const dist = path.join(project, 'dist');
    await write(
      [
        { path: 'index.html', content: '<p>이전</p>' },
        { path: 'posts/a/index.html', content: 'a' },
      ],
      dist,
    );
    const before = hashTree(dist);
    const outputs = [
      { path: 'index.html', content: 'new' },
      ...Array.from({ length: 50 }, (_, i) => ({ path: `posts/p${i}/index.html`, content: `p${i}` })),
      { path: 'images/missing.png', copyFrom: path.join(project, 'no-such-file.png') },
      ...Array.from({ length: 50 }, (_, i) => ({ path: `tags/t${i}/index.html`, content: `t${i}` })),
    ];
    await expect(write(outputs, dist)).rejects.toThrow();
    expect(hashTree(dist)).toEqual(before);
    // Give any write still in flight a moment, then check nothing was left behind.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(entries()).toEqual(['content', 'dist', 'site.toml']);
  });

  test('an output path climbing out of the folder is refused before anything is replaced', async () => {
    const dist = path.join(project, 'dist');
    await write([{ path: 'index.html', content: 'keep' }], dist);
    const before = hashTree(dist);
    await expect(write([{ path: '../escaped.html', content: 'x' }], dist)).rejects.toThrow(/escapes the output folder/);
    expect(hashTree(dist)).toEqual(before);
    expect(existsSync(path.join(project, 'escaped.html'))).toBe(false);
  });
});

describe('openStaging', () => {
  test('files put one by one land in a staging folder; the site changes only at commit', async () => {
    const dist = path.join(project, 'dist');
    await write([{ path: 'index.html', content: '이전' }], dist);
    const before = hashTree(dist);
    const staging = await openStaging(dist, readOutputFolder(dist, stateOf(dist)), stateOf(dist));
    for (let i = 0; i < 100; i++) await staging.put({ path: `posts/p${i}/index.html`, content: `글 ${i}` });
    expect(hashTree(dist)).toEqual(before);
    await staging.commit([{ path: 'index.html', content: '새것' }]);
    expect(readFileSync(path.join(dist, 'posts', 'p99', 'index.html'), 'utf8')).toBe('글 99');
    expect(readFileSync(path.join(dist, 'index.html'), 'utf8')).toBe('새것');
    expect(Object.keys(JSON.parse(readFileSync(stateOf(dist), 'utf8')).files as object)).toHaveLength(101);
    expect(entries()).toEqual(['content', 'dist', 'site.toml']);
  });

  test('discarded, or failing on a file put earlier, it leaves the previous site and no staging folder', async () => {
    const dist = path.join(project, 'dist');
    await write([{ path: 'index.html', content: '이전' }], dist);
    const before = hashTree(dist);
    const dropped = await openStaging(dist, readOutputFolder(dist, stateOf(dist)), stateOf(dist));
    await dropped.put({ path: 'index.html', content: 'x' });
    await dropped.discard();
    const failing = await openStaging(dist, readOutputFolder(dist, stateOf(dist)), stateOf(dist));
    await failing.put({ path: 'images/missing.png', copyFrom: path.join(project, 'no-such-file.png') });
    await expect(failing.commit([{ path: 'index.html', content: 'y' }])).rejects.toThrow();
    expect(hashTree(dist)).toEqual(before);
    expect(entries()).toEqual(['content', 'dist', 'site.toml']);
  });

  test('a staging folder left by a killed build is removed; one of a running build is not', async () => {
    const dist = path.join(project, 'dist');
    await write([{ path: 'index.html', content: '이전' }], dist);
    // No process has an id this large (Linux caps them at 2^22).
    mkdirSync(path.join(project, '.dist.new-999999999-abc'));
    mkdirSync(path.join(project, '.dist.old-999999999-abc'));
    mkdirSync(path.join(project, `.dist.new-${process.pid}-abc`));
    mkdirSync(path.join(project, '.other.new-999999999-abc'));
    await write([{ path: 'index.html', content: '새것' }], dist);
    expect(entries()).toEqual([`.dist.new-${process.pid}-abc`, '.other.new-999999999-abc', 'content', 'dist', 'site.toml']);
  });
});

describe('a rebuild that changes a few files', () => {
  const site = (changed: string) => [
    ...Array.from({ length: 20 }, (_, i) => ({ path: `posts/p${i}/index.html`, content: `글 ${i}` })),
    { path: 'index.html', content: changed },
  ];
  const inodes = (dir: string) => Object.fromEntries(listFiles(dir).map((file) => [file, statSync(path.join(dir, file)).ino]));

  test('moves only those into place: every other file keeps its inode; deleted pages and stray files go, with their empty folders', async () => {
    const dist = path.join(project, 'dist');
    await write(site('v1'), dist);
    const before = inodes(dist);
    // Moved in, not swapped: the folder itself is the same one.
    const folder = statSync(dist).ino;
    writeFileSync(path.join(dist, 'stray.txt'), 'put here by hand');
    const next = site('v2').filter((output) => output.path !== 'posts/p3/index.html');
    await write(next, dist);
    expect(readFileSync(path.join(dist, 'index.html'), 'utf8')).toBe('v2');
    expect(existsSync(path.join(dist, 'posts', 'p3'))).toBe(false);
    expect(existsSync(path.join(dist, 'stray.txt'))).toBe(false);
    const after = inodes(dist);
    for (const file of Object.keys(after)) if (file !== 'index.html' && file !== OUTPUT_MARKER) expect(after[file], file).toBe(before[file]);
    expect(after['index.html']).not.toBe(before['index.html']);
    expect(statSync(dist).ino).toBe(folder);
    const state = JSON.parse(readFileSync(stateOf(dist), 'utf8')) as { files: object; updating?: boolean };
    expect(Object.keys(state.files)).toHaveLength(next.length);
    expect(state.updating).toBeUndefined();
    expect(entries()).toEqual(['content', 'dist', 'site.toml']);
  });

  test('the marker is the same bytes from every build, whatever it wrote; keys, digests and fingerprints stay in the state file', async () => {
    const dist = path.join(project, 'dist');
    await write(site('v1'), dist);
    expect(readFileSync(path.join(dist, OUTPUT_MARKER), 'utf8')).toBe(OUTPUT_MARKER_TEXT);
    // Moved in (a few files changed) and swapped in (a new folder) alike.
    await write(site('v2'), dist);
    expect(readFileSync(path.join(dist, OUTPUT_MARKER), 'utf8')).toBe(OUTPUT_MARKER_TEXT);
    rmSync(dist, { recursive: true });
    await write(site('v1'), dist);
    expect(readFileSync(path.join(dist, OUTPUT_MARKER), 'utf8')).toBe(OUTPUT_MARKER_TEXT);
    const state = JSON.parse(readFileSync(stateOf(dist), 'utf8')) as { files: object; fingerprints: object };
    expect(Object.keys(state.files)).toHaveLength(site('v1').length);
    expect(Object.keys(state.fingerprints)).toHaveLength(site('v1').length);
  });

  test("an older geul's marker (the manifest it kept in the folder) is replaced by the constant one", async () => {
    const dist = path.join(project, 'dist');
    await write(site('v1'), dist);
    writeFileSync(path.join(dist, OUTPUT_MARKER), JSON.stringify({ format: 4, files: { 'index.html': 'x' } }));
    await write(site('v2'), dist);
    expect(readFileSync(path.join(dist, OUTPUT_MARKER), 'utf8')).toBe(OUTPUT_MARKER_TEXT);
    expect(readFileSync(path.join(dist, 'index.html'), 'utf8')).toBe('v2');
  });

  test('without a state file, or with one of another marker, no file is trusted: all are written again', async () => {
    const dist = path.join(project, 'dist');
    await write(site('v1'), dist);
    const before = inodes(dist);
    await writeSite(site('v1'), dist);
    const after = inodes(dist);
    for (const file of Object.keys(before)) expect(after[file], file).not.toBe(before[file]);
    // The state file is the one of the build before the last: it names another marker.
    const again = inodes(dist);
    await write(site('v1'), dist);
    for (const file of Object.keys(again)) expect(inodes(dist)[file], file).not.toBe(again[file]);
  });

  test('a file changed by hand since (same size, same mtime, another inode) is written again; the others stay', async () => {
    const dist = path.join(project, 'dist');
    await write(site('v1'), dist);
    const before = inodes(dist);
    const page = path.join(dist, 'posts', 'p2', 'index.html');
    const { atime, mtime } = statSync(page);
    rmSync(page);
    writeFileSync(page, '글 X');
    utimesSync(page, atime, mtime);
    await write(site('v1'), dist);
    expect(readFileSync(page, 'utf8')).toBe('글 2');
    const after = inodes(dist);
    for (const file of Object.keys(after)) if (!file.startsWith('posts/p2/') && file !== OUTPUT_MARKER) expect(after[file], file).toBe(before[file]);
  });

  test('a folder cut short while files were moved in (the state still says so) is written whole by the next build', async () => {
    const dist = path.join(project, 'dist');
    await write(site('v1'), dist);
    const before = inodes(dist);
    // As if a build had died between two moves: every file may be stale, though each one's
    // fingerprint is as the state has it; only the state's word tells.
    const state = JSON.parse(readFileSync(stateOf(dist), 'utf8')) as object;
    writeFileSync(stateOf(dist), JSON.stringify({ ...state, updating: true }));
    await write(site('v1'), dist);
    const after = inodes(dist);
    for (const file of Object.keys(before)) if (file !== OUTPUT_MARKER) expect(after[file], file).not.toBe(before[file]);
  });

  describe('a symbolic link planted in the folder is never written through', () => {
    /** A folder outside the site, with a file of its own, and its entries and bytes. */
    const outside = () => {
      const dir = path.join(project, 'elsewhere');
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'keep.txt'), 'not the site\'s');
      return dir;
    };
    const outsideState = (dir: string) => Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(path.join(dir, name), 'utf8')]));

    test('a link in place of a page\'s folder: the page is written into the site, the link goes, its folder is untouched', async () => {
      const dist = path.join(project, 'dist');
      const elsewhere = outside();
      await write(site('v1'), dist);
      rmSync(path.join(dist, 'posts', 'p3'), { recursive: true });
      symlinkSync(elsewhere, path.join(dist, 'posts', 'p3'));
      await write(site('v2').map((output) => (output.path === 'posts/p3/index.html' ? { ...output, content: '글 3, 고침' } : output)), dist);
      expect(outsideState(elsewhere)).toEqual({ 'keep.txt': 'not the site\'s' });
      expect(lstatSync(path.join(dist, 'posts', 'p3')).isDirectory()).toBe(true);
      expect(readFileSync(path.join(dist, 'posts', 'p3', 'index.html'), 'utf8')).toBe('글 3, 고침');
      expect(readFileSync(path.join(dist, 'index.html'), 'utf8')).toBe('v2');
    });

    test('a link to a folder holding a page\'s previous copy: that copy is neither moved nor replaced', async () => {
      const dist = path.join(project, 'dist');
      const elsewhere = outside();
      await write(site('v1'), dist);
      renameSync(path.join(dist, 'posts', 'p3', 'index.html'), path.join(elsewhere, 'index.html'));
      rmSync(path.join(dist, 'posts', 'p3'), { recursive: true });
      symlinkSync(elsewhere, path.join(dist, 'posts', 'p3'));
      await write(site('v2').map((output) => (output.path === 'posts/p3/index.html' ? { ...output, content: '글 3, 고침' } : output)), dist);
      expect(outsideState(elsewhere)).toEqual({ 'index.html': '글 3', 'keep.txt': 'not the site\'s' });
      expect(readFileSync(path.join(dist, 'posts', 'p3', 'index.html'), 'utf8')).toBe('글 3, 고침');
    });

    test('a page moved elsewhere and linked back in its place is written again as a file of the site', async () => {
      const dist = path.join(project, 'dist');
      const elsewhere = outside();
      await write(site('v1'), dist);
      renameSync(path.join(dist, 'posts', 'p2', 'index.html'), path.join(elsewhere, 'index.html'));
      symlinkSync(path.join(elsewhere, 'index.html'), path.join(dist, 'posts', 'p2', 'index.html'));
      await write(site('v2'), dist);
      expect(lstatSync(path.join(dist, 'posts', 'p2', 'index.html')).isFile()).toBe(true);
      expect(readFileSync(path.join(dist, 'posts', 'p2', 'index.html'), 'utf8')).toBe('글 2');
      expect(outsideState(elsewhere)).toEqual({ 'index.html': '글 2', 'keep.txt': 'not the site\'s' });
    });

    test('a page\'s folder moved elsewhere and linked back in its place is not trusted: the next build writes it into the site again', async () => {
      const dist = path.join(project, 'dist');
      const elsewhere = path.join(outside(), 'p2');
      await write(site('v1'), dist);
      renameSync(path.join(dist, 'posts', 'p2'), elsewhere);
      symlinkSync(elsewhere, path.join(dist, 'posts', 'p2'));
      // Its files, seen through the link, are the ones written: same inode, size and time.
      expect(readOutputFolder(dist, stateOf(dist)).keys.has('posts/p2/index.html')).toBe(false);
      expect(readOutputFolder(dist, stateOf(dist)).keys.has('posts/p1/index.html')).toBe(true);
      await write(site('v1'), dist);
      expect(lstatSync(path.join(dist, 'posts', 'p2')).isDirectory()).toBe(true);
      expect(readFileSync(path.join(dist, 'posts', 'p2', 'index.html'), 'utf8')).toBe('글 2');
      expect(readdirSync(elsewhere)).toEqual(['index.html']);
    });

    test('a link to itself, or one the site has no page for, is removed without a system error', async () => {
      const dist = path.join(project, 'dist');
      const elsewhere = outside();
      await write(site('v1'), dist);
      rmSync(path.join(dist, 'posts', 'p4'), { recursive: true });
      symlinkSync('p4', path.join(dist, 'posts', 'p4'));
      symlinkSync(elsewhere, path.join(dist, 'posts', 'x'));
      await write(site('v2').map((output) => (output.path === 'posts/p4/index.html' ? { ...output, content: '글 4, 고침' } : output)), dist);
      expect(readFileSync(path.join(dist, 'posts', 'p4', 'index.html'), 'utf8')).toBe('글 4, 고침');
      expect(existsSync(path.join(dist, 'posts', 'x'))).toBe(false);
      expect(outsideState(elsewhere)).toEqual({ 'keep.txt': 'not the site\'s' });
      expect(listFiles(dist)).toEqual([OUTPUT_MARKER, ...site('v2').map((output) => output.path)].sort());
    });
  });

  test('an output folder that is a link (dist -> a deploy folder) is written through, whether a few files change or all do', async () => {
    const deploy = path.join(project, 'deploy');
    const dist = path.join(project, 'dist');
    await write(site('v1'), deploy);
    symlinkSync(deploy, dist);
    // One file changed: moved in one by one.
    await write(site('v2'), dist);
    expect(readFileSync(path.join(deploy, 'index.html'), 'utf8')).toBe('v2');
    // Every file changed: a whole folder swapped in, which replaced the link itself and left
    // the deploy folder with the old site from then on.
    await write(site('v3').map((output) => ({ ...output, content: `${String(output.content)}, 고침` })), dist);
    expect(lstatSync(dist).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(deploy, 'index.html'), 'utf8')).toBe('v3, 고침');
    expect(readFileSync(path.join(deploy, 'posts', 'p1', 'index.html'), 'utf8')).toBe('글 1, 고침');
    expect(entries()).toEqual(['content', 'deploy', 'dist', 'site.toml']);
  });

  test('a file where a folder must go, or the other way round, is still replaced', async () => {
    const dist = path.join(project, 'dist');
    await write([...site('v1'), { path: 'about', content: 'a file' }], dist);
    await write([...site('v1'), { path: 'about/index.html', content: 'a page' }], dist);
    expect(readFileSync(path.join(dist, 'about', 'index.html'), 'utf8')).toBe('a page');
    await write([...site('v1'), { path: 'about', content: 'a file again' }], dist);
    expect(readFileSync(path.join(dist, 'about'), 'utf8')).toBe('a file again');
    expect(entries()).toEqual(['content', 'dist', 'site.toml']);
  });
});

describe('a page rendered again into the same bytes', () => {
  test('is not written again: its file keeps its inode, whatever its key; different bytes are written', async () => {
    const dist = path.join(project, 'dist');
    const pages = (key: string, second: string) => [
      { path: 'a/index.html', content: '같은 글', key: `a-${key}` },
      { path: 'b/index.html', content: second, key: `b-${key}` },
      ...Array.from({ length: 6 }, (_, i) => ({ path: `p${i}/index.html`, content: `글 ${i}`, key: `p${i}` })),
    ];
    await write(pages('1', '둘째'), dist);
    const before = { a: statSync(path.join(dist, 'a', 'index.html')).ino, b: statSync(path.join(dist, 'b', 'index.html')).ino };
    // A template edited: every key changes, but only b's bytes.
    await write(pages('2', '둘째, 고침'), dist);
    expect(statSync(path.join(dist, 'a', 'index.html')).ino).toBe(before.a);
    expect(statSync(path.join(dist, 'b', 'index.html')).ino).not.toBe(before.b);
    expect(readFileSync(path.join(dist, 'b', 'index.html'), 'utf8')).toBe('둘째, 고침');
    // And once more: the new keys were recorded, the kept file's digest carried over.
    const kept = statSync(path.join(dist, 'a', 'index.html')).ino;
    await write(pages('3', '둘째, 고침'), dist);
    expect(statSync(path.join(dist, 'a', 'index.html')).ino).toBe(kept);
    const state = JSON.parse(readFileSync(stateOf(dist), 'utf8')) as { files: Record<string, string> };
    expect(state.files['a/index.html']).toBe('a-3');
  });
});
