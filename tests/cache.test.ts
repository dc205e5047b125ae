/**
 * The post cache shared by builds of one project: a build's pruning must not take the entry
 * another build is writing at the same moment (geul dev beside geul build, two --out builds),
 * and a cache that cannot be written only costs the next build its work.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import { openCache } from '../src/cache.js';

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

test("pruning keeps another build's temporary files and removes those a crash left an hour ago", async () => {
  root = mkdtempSync(path.join(tmpdir(), 'geul-cache-'));
  const folder = path.join(root, '.cache', 'geul', 'posts', 'ab');
  mkdirSync(folder, { recursive: true });
  const fresh = 'ab12.json.4242-0.tmp';
  const stale = 'ab34.json.4243-0.tmp';
  const unused = 'ab56.json';
  for (const file of [fresh, stale, unused]) writeFileSync(path.join(folder, file), '{}\n');
  const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
  utimesSync(path.join(folder, stale), twoHoursAgo, twoHoursAgo);

  // The index, the sources snapshot and the notes are renamed into place beside the folders.
  const top = path.join(root, '.cache', 'geul');
  const topFresh = 'posts.index.4244.tmp';
  for (const file of [topFresh, 'posts.index.4245.tmp', 'sources.json.4246.tmp', 'related.json.4247-0.tmp']) {
    writeFileSync(path.join(top, file), '{}\n');
    if (file !== topFresh) utimesSync(path.join(top, file), twoHoursAgo, twoHoursAgo);
  }

  await openCache(root, true).flush({ prune: true });

  expect(readdirSync(folder)).toEqual([fresh]);
  expect(readdirSync(top).filter((name) => name.endsWith('.tmp'))).toEqual([topFresh]);
});

test('builds with and without drafts share the cache: only drafts are compiled again, and a broken draft never blocks the other', async () => {
  const { copySite, cleanup } = await import('./helpers/site.js');
  const { build } = await import('../src/build.js');
  const site = await copySite('basic');
  try {
    const draft = path.join(site, 'content', 'posts', 'draft-post.md');
    // A slug that climbs out of the site: an error, in a build with drafts only.
    writeFileSync(draft, readFileSync(draft, 'utf8').replace('draft = true', 'draft = true\nslug = "../../밖"'));
    const counted = (cache: ReturnType<typeof openCache>) => {
      const hits: string[] = [];
      const get = cache.get.bind(cache);
      cache.get = (key, drafts) => {
        const entry = get(key, drafts);
        if (entry) hits.push(entry.post?.sourcePath ?? "left out");
        return entry;
      };
      return { cache, hits };
    };
    const first = counted(openCache(site, true));
    const published = await build({ root: site, cache: first.cache, workers: 1, drafts: false });
    await first.cache.flush({ prune: false });
    expect(published.stats.errors).toBe(0);
    const posts = published.site!.posts.length + published.site!.pages.length;

    // A new process (a dev server): every post but the draft comes from the cache.
    const second = counted(openCache(site, true));
    const withDrafts = await build({ root: site, cache: second.cache, workers: 1, drafts: true });
    await second.cache.flush({ prune: false });
    expect(second.hits).toHaveLength(posts);
    expect(second.hits.every((hit) => hit.endsWith('.md') && !hit.includes('draft-post'))).toBe(true);
    expect(withDrafts.problems.some((problem) => problem.path.includes('draft-post') && problem.severity === 'error')).toBe(true);

    // And back: the compiled draft, errors and all, is not what a build without drafts reuses.
    const third = counted(openCache(site, true));
    const again = await build({ root: site, cache: third.cache, workers: 1, drafts: false });
    expect(again.problems.filter((problem) => problem.severity === "error")).toEqual([]);
    expect(third.hits).toHaveLength(posts);
    expect(third.hits.every((hit) => hit.endsWith('.md'))).toBe(true);
  } finally {
    await cleanup(site);
  }
}, 60_000);

test('a cache that cannot be written fails no build: a warning, and the same site as without cache', async () => {
  const { copySite, cleanup, hashTree, runCli, withoutMarker } = await import('./helpers/site.js');
  const site = await copySite('basic');
  try {
    // A file where the posts' and the fragments' folders should be.
    mkdirSync(path.join(site, '.cache', 'geul'), { recursive: true });
    for (const folder of ['posts', 'fragments']) writeFileSync(path.join(site, '.cache', 'geul', folder), 'not a folder');
    const cached = await runCli(['build', '--root', site], { cwd: site });
    expect(cached.code, cached.stderr).toBe(0);
    expect(cached.stderr).toMatch(/^geul: warning: the cache in \.cache\/geul\/ could not be written \(ENOTDIR/m);
    const plain = await runCli(['build', '--root', site, '--out', 'plain', '--no-cache'], { cwd: site });
    expect(plain.code, plain.stderr).toBe(0);
    expect(withoutMarker(hashTree(path.join(site, 'dist')))).toEqual(withoutMarker(hashTree(path.join(site, 'plain'))));
  } finally {
    await cleanup(site);
  }
}, 60_000);

/**
 * `geul build` reads a cache entry's JSON at once and its HTML only when a page needs it
 * (`lazyHtml`). HTML damaged after the JSON was read must never reach a page: the read throws,
 * the cache counts the entry lost and serves it no more, and the CLI makes the build again.
 */
describe('HTML read from the cache only when a page needs it', () => {
  const longPost = (word: string) =>
    `+++\ntitle = "긴 글"\ndate = 2024-03-01\ntags = ["긴글"]\n+++\n\n` +
    Array.from({ length: 120 }, (_, at) => `${at}번째 문단: 어텐션의 가중치 $\\alpha_{${at}} = \\frac{e^{s_${at}}}{\\sum_j e^{s_j}}$ 는 ${word} 값이다.`).join('\n\n') +
    '\n';
  const entryFiles = (site: string) => {
    const dir = path.join(site, '.cache', 'geul', 'posts');
    return readdirSync(dir).flatMap((folder) => readdirSync(path.join(dir, folder)).map((file) => path.join(dir, folder, file)));
  };
  /** The entry file of the long post, and its key. */
  const longEntry = (site: string) => {
    const file = entryFiles(site).find((candidate) => readFileSync(candidate, 'utf8').includes('content/posts/long.md'));
    expect(file).toBeDefined();
    return { file: file!, key: path.basename(file!, '.json') };
  };
  /** Same length, other bytes: only the HTML's digest can tell. */
  const tamper = (file: string) => {
    const text = readFileSync(file, 'utf8');
    const at = text.lastIndexOf('가중치');
    writeFileSync(file, `${text.slice(0, at)}무게값${text.slice(at + 3)}`);
  };

  test('an entry is read without its HTML, which is checked on every read', async () => {
    const { copySite, cleanup, runCli } = await import('./helpers/site.js');
    const { isHtmlOnDisk } = await import('../src/compact-html.js');
    const site = await copySite('basic');
    try {
      writeFileSync(path.join(site, 'content', 'posts', 'long.md'), longPost('평범한'));
      expect((await runCli(['build', '--root', site])).code).toBe(0);
      const { file, key } = longEntry(site);
      expect(statSync(file).size).toBeGreaterThan(16 * 1024);

      const cache = openCache(site, true, { lazyHtml: true });
      const entry = cache.get(key, false)!;
      expect(isHtmlOnDisk(entry.post!.rendered)).toBe(true);
      const html = entry.post!.rendered.html;
      expect(html).toContain('가중치');
      expect(entry.post!.rendered.html).toBe(html);

      tamper(file);
      expect(() => entry.post!.rendered.html).toThrow(/damaged or gone/);
      expect(cache.lost()).toBe(1);
      expect(cache.get(key, false)).toBeUndefined();

      // A file gone (pruned by another build) is lost the same way: the entry's JSON comes
      // from the index the build wrote, its HTML from the file, which is not there.
      const again = openCache(site, true, { lazyHtml: true });
      rmSync(file);
      const gone = again.get(key, false)!;
      expect(() => gone.post!.rendered.html).toThrow(/damaged or gone/);
      expect(again.lost()).toBe(1);

      // Read whole (the dev server's way), a damaged entry is simply not found. (Another
      // output folder: the first one is up to date, so its build would compile nothing.)
      expect((await runCli(['build', '--root', site, '--out', 'other'])).code).toBe(0);
      tamper(longEntry(site).file);
      expect(openCache(site, true).get(key, false)).toBeUndefined();
    } finally {
      await cleanup(site);
    }
  }, 60_000);

  test('HTML damaged in the cache makes the build start again: the pages are as a build without cache makes them', async () => {
    const { copySite, cleanup, hashTree, runCli, withoutMarker } = await import('./helpers/site.js');
    const site = await copySite('basic');
    try {
      writeFileSync(path.join(site, 'content', 'posts', 'long.md'), longPost('평범한'));
      expect((await runCli(['build', '--root', site])).code).toBe(0);
      const { file } = longEntry(site);
      tamper(file);
      // Every page renders again, the long post's among them.
      const template = path.join(site, 'templates', 'post.liquid');
      writeFileSync(template, `${readFileSync(template, 'utf8')}\n{% comment %}changed{% endcomment %}\n`);
      const cached = await runCli(['build', '--root', site]);
      expect(cached.code, cached.stderr).toBe(0);
      expect(cached.stderr).toBe('');
      const plain = await runCli(['build', '--root', site, '--out', 'plain', '--no-cache']);
      expect(plain.code, plain.stderr).toBe(0);
      expect(withoutMarker(hashTree(path.join(site, 'dist')))).toEqual(withoutMarker(hashTree(path.join(site, 'plain'))));
      // The entry was made again, whole.
      expect(readFileSync(longEntry(site).file, 'utf8')).not.toContain('무게값');
    } finally {
      await cleanup(site);
    }
  }, 60_000);

  /** The index `geul build` leaves beside the entries: each entry's JSON, under one checksum. */
  const indexFile = (site: string) => path.join(site, '.cache', 'geul', 'posts.index');
  /** The index with `edit` applied to its lines and its checksum made again, its salt given or kept. */
  const rewriteIndex = (site: string, edit: (body: string) => string, salt?: string) => {
    const text = readFileSync(indexFile(site), 'utf8');
    const newline = text.indexOf('\n');
    const header = JSON.parse(text.slice(0, newline)) as { format: number; salt: string; checksum: string };
    const body = edit(text.slice(newline + 1));
    const checksum = createHash('sha256').update(body).digest('hex');
    writeFileSync(indexFile(site), `${JSON.stringify({ ...header, salt: salt ?? header.salt, checksum })}\n${body}`);
  };

  test("entries' JSON comes from the index a build wrote, unless the index is damaged or of another version", async () => {
    const { copySite, cleanup, runCli } = await import('./helpers/site.js');
    const site = await copySite('basic');
    try {
      writeFileSync(path.join(site, 'content', 'posts', 'long.md'), longPost('평범한'));
      expect((await runCli(['build', '--root', site])).code).toBe(0);
      const { key } = longEntry(site);
      const title = () => openCache(site, true, { lazyHtml: true }).get(key, false)?.post?.frontMatter.title;
      expect(title()).toBe('긴 글');
      // The index is what is read: a title changed in it (checksum made again) is served.
      rewriteIndex(site, (body) => body.replace('"title":"긴 글"', '"title":"색인의 글"'));
      expect(title()).toBe('색인의 글');
      // An index of another version of geul is ignored: the entry file is read.
      rewriteIndex(site, (body) => body, 'another version');
      expect(title()).toBe('긴 글');
      // So is a damaged one (a byte changed, the checksum left).
      const text = readFileSync(indexFile(site), 'utf8');
      writeFileSync(indexFile(site), text.replace('색인의 글', '색인이 글'));
      expect(title()).toBe('긴 글');
      // And one cut short.
      writeFileSync(indexFile(site), text.slice(0, text.length / 2));
      expect(title()).toBe('긴 글');
    } finally {
      await cleanup(site);
    }
  }, 60_000);

  test('builds after a damaged index, or an index whose entries were replaced, make the same site as a build without cache', async () => {
    const { copySite, cleanup, hashTree, runCli, withoutMarker } = await import('./helpers/site.js');
    const site = await copySite('basic');
    try {
      writeFileSync(path.join(site, 'content', 'posts', 'long.md'), longPost('평범한'));
      expect((await runCli(['build', '--root', site])).code).toBe(0);
      expect(statSync(indexFile(site)).size).toBeGreaterThan(0);
      const template = path.join(site, 'templates', 'post.liquid');
      const touchTemplate = (n: number) => writeFileSync(template, `${readFileSync(template, 'utf8')}\n{% comment %}${n}{% endcomment %}\n`);
      const plainSite = async () => {
        const plain = await runCli(['build', '--root', site, '--out', 'plain', '--no-cache']);
        expect(plain.code, plain.stderr).toBe(0);
        return withoutMarker(hashTree(path.join(site, 'plain')));
      };

      // The index damaged: ignored, every page rendered again from the entry files.
      writeFileSync(indexFile(site), readFileSync(indexFile(site), 'utf8').replace('긴 글', '김 글'));
      touchTemplate(1);
      const first = await runCli(['build', '--root', site]);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toBe('');
      expect(withoutMarker(hashTree(path.join(site, 'dist')))).toEqual(await plainSite());

      // The long post's entry file replaced by bytes of the same length: its HTML fails its
      // digest when a page reads it, and the build starts again without that entry.
      tamper(longEntry(site).file);
      touchTemplate(2);
      const second = await runCli(['build', '--root', site]);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toBe('');
      expect(withoutMarker(hashTree(path.join(site, 'dist')))).toEqual(await plainSite());
      expect(readFileSync(longEntry(site).file, 'utf8')).not.toContain('무게값');
    } finally {
      await cleanup(site);
    }
  }, 90_000);
});

test('entry files replaced by folders cost the next build nothing but their posts: it builds, makes the site a build without cache makes, and leaves no temporary file', async () => {
  const { copySite, cleanup, hashTree, listFiles, runCli, withoutMarker } = await import('./helpers/site.js');
  const site = await copySite('basic');
  try {
    expect((await runCli(['build', '--root', site])).code).toBe(0);
    const entries = path.join(site, '.cache', 'geul', 'posts');
    const files = listFiles(entries).filter((file) => file.endsWith('.json'));
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) {
      rmSync(path.join(entries, file));
      mkdirSync(path.join(entries, file, 'inner'), { recursive: true });
    }
    const post = path.join(site, 'content', 'posts', readdirSync(path.join(site, 'content', 'posts')).find((name) => name.endsWith('.md'))!);
    writeFileSync(post, `${readFileSync(post, 'utf8')}\n고친 문단.\n`);
    for (const attempt of [1, 2]) {
      const run = await runCli(['build', '--root', site]);
      expect(run.code, `build ${attempt}: ${run.stderr}`).toBe(0);
    }
    const plain = await runCli(['build', '--root', site, '--out', 'plain', '--no-cache']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(withoutMarker(hashTree(path.join(site, 'dist')))).toEqual(withoutMarker(hashTree(path.join(site, 'plain'))));
    expect(listFiles(entries).filter((file) => file.endsWith('.tmp'))).toEqual([]);
  } finally {
    await cleanup(site);
  }
}, 90_000);

test('an entry, the index or a note that is a named pipe or a link to /dev/zero is no entry: read, it never ended', async () => {
  root = mkdtempSync(path.join(tmpdir(), 'geul-cache-'));
  const { execFileSync, spawnSync } = await import('node:child_process');
  const { symlinkSync } = await import('node:fs');
  const cache = openCache(root, true, { lazyHtml: true });
  const keys = ['a', 'b'].map((name) => cache.keyOf({ sourcePath: `content/posts/${name}.md`, kind: 'post', text: name }, {}));
  for (const key of keys) cache.set(key, { messages: [], dependencies: [] } as never);
  cache.writeNote('related', { x: 1 });
  expect(await cache.flush({ prune: true })).toBeUndefined();
  // Whole, they are entries.
  const whole = openCache(root, true);
  expect(keys.every((key) => whole.get(key, false))).toBe(true);
  expect(whole.readNote('related')).toEqual({ x: 1 });
  const fileOf = (key: string) => path.join(root!, '.cache', 'geul', 'posts', key.slice(0, 2), `${key}.json`);
  rmSync(fileOf(keys[0]!));
  execFileSync('mkfifo', [fileOf(keys[0]!)]);
  rmSync(fileOf(keys[1]!));
  symlinkSync('/dev/zero', fileOf(keys[1]!));
  for (const name of ['posts.index', 'related.json']) {
    rmSync(path.join(root, '.cache', 'geul', name), { force: true });
    symlinkSync('/dev/zero', path.join(root, '.cache', 'geul', name));
  }
  // In a process of its own: reading such a file blocks this thread for good, or fills its memory.
  const script = `
    import { openCache } from ${JSON.stringify(path.resolve('src/cache.ts'))};
    for (const lazyHtml of [true, false]) {
      const cache = openCache(${JSON.stringify(root)}, true, { lazyHtml });
      const found = ${JSON.stringify(keys)}.map((key) => cache.get(key, false));
      console.log(JSON.stringify({ found: found.filter(Boolean).length, note: cache.readNote('related') ?? null }));
    }`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  expect(run.signal, 'the cache read a file that never ends').toBeNull();
  expect(run.stderr).toBe('');
  expect(run.stdout.trim().split('\n').map((line) => JSON.parse(line))).toEqual([{ found: 0, note: null }, { found: 0, note: null }]);
}, 60_000);

test('the sources snapshot and a formula store shard that never end are ignored too', async () => {
  root = mkdtempSync(path.join(tmpdir(), 'geul-cache-'));
  const { spawnSync } = await import('node:child_process');
  const { symlinkSync } = await import('node:fs');
  const { openFragmentStore, fragmentStoreDir } = await import('../src/fragments.js');
  const location = { dir: fragmentStoreDir(root), salt: 'test' };
  const store = openFragmentStore(location);
  store.put('formula', { html: '<b>x</b>' });
  store.flush();
  expect(openFragmentStore(location).get('formula')).toEqual({ html: '<b>x</b>' });
  const logs = readdirSync(location.dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.log'));
  expect(logs).toHaveLength(1);
  rmSync(path.join(location.dir, logs[0]!));
  symlinkSync('/dev/zero', path.join(location.dir, logs[0]!));
  symlinkSync('/dev/zero', path.join(root, '.cache', 'geul', 'sources.json'));
  const script = `
    import { openFragmentStore } from ${JSON.stringify(path.resolve('src/fragments.ts'))};
    import { openSourceSnapshot } from ${JSON.stringify(path.resolve('src/source-snapshot.ts'))};
    openSourceSnapshot(${JSON.stringify(root)});
    console.log(JSON.stringify(openFragmentStore(${JSON.stringify(location)}).get('formula') ?? null));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  expect(run.signal, 'a cache file that never ends was read').toBeNull();
  expect(run.stderr).toBe('');
  expect(run.stdout.trim()).toBe('null');
}, 60_000);
