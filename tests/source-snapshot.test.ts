/**
 * The source snapshot (src/source-snapshot.ts): `geul build` does not read a markdown file
 * whose stat is as the last build found it. It must never take a changed file for unchanged:
 * not one rewritten with the same size and its modification time put back, not one written
 * twice within one tick of the file system's clock, not after a damaged snapshot.
 */
import { mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, test } from 'vitest';
import { build } from '../src/build.js';
import { openCache } from '../src/cache.js';
import { loadContent } from '../src/load.js';
import { openSourceSnapshot, sourceTextDigest, type SourceSnapshot } from '../src/source-snapshot.js';
import { cleanup, copySite, readHtml, runCli, textOf } from './helpers/site.js';

let root: string | undefined;
afterEach(async () => {
  await cleanup(root);
  root = undefined;
});

const post = (title: string, body: string) => `+++\ntitle = "${title}"\ndate = 2024-03-01\n+++\n\n${body}\n`;
const stat = (file: string) => statSync(file, { bigint: true });

function tempSite(): string {
  root = mkdtempSync(path.join(tmpdir(), 'geul-snapshot-'));
  mkdirSync(path.join(root, 'content', 'posts'), { recursive: true });
  return root;
}

test('a file recorded by one build is known to the next while its stat is the same', async () => {
  const site = tempSite();
  const file = path.join(site, 'content', 'posts', 'a.md');
  writeFileSync(file, post('가', '본문'));
  // A whole second, which utimes sets exactly.
  const then = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  utimesSync(file, then, then);
  await sleep(20);
  const first = openSourceSnapshot(site, { settledMs: 0 });
  const digest = sourceTextDigest(readFileSync(file, 'utf8'));
  first.record('content/posts/a.md', stat(file), digest);
  first.save();

  const second = openSourceSnapshot(site, { settledMs: 0 });
  expect(second.digestOf('content/posts/a.md', stat(file))).toBe(digest);
  expect(second.digestOf('content/posts/b.md', stat(file))).toBeUndefined();

  // Rewritten with the same size, its modification time put back: the change time tells.
  const before = stat(file);
  writeFileSync(file, post('나', '본문'));
  utimesSync(file, then, then);
  expect([stat(file).ino, stat(file).size, stat(file).mtimeNs]).toEqual([before.ino, before.size, before.mtimeNs]);
  expect(openSourceSnapshot(site, { settledMs: 0 }).digestOf('content/posts/a.md', stat(file))).toBeUndefined();
});

test('a file changed shortly before the build read it is not recorded: a second write in the same clock tick could leave its stat as it was', () => {
  const site = tempSite();
  const file = path.join(site, 'content', 'posts', 'a.md');
  writeFileSync(file, post('가', '본문'));
  const snapshot = openSourceSnapshot(site);
  snapshot.record('content/posts/a.md', stat(file), sourceTextDigest(readFileSync(file, 'utf8')));
  snapshot.save();
  expect(openSourceSnapshot(site).digestOf('content/posts/a.md', stat(file))).toBeUndefined();
});

test('a damaged or cut snapshot knows nothing', async () => {
  const site = tempSite();
  const file = path.join(site, 'content', 'posts', 'a.md');
  writeFileSync(file, post('가', '본문'));
  await sleep(20);
  const snapshot = openSourceSnapshot(site, { settledMs: 0 });
  snapshot.record('content/posts/a.md', stat(file), sourceTextDigest(readFileSync(file, 'utf8')));
  snapshot.save();
  const saved = path.join(site, '.cache', 'geul', 'sources.json');
  const text = readFileSync(saved, 'utf8');
  expect(openSourceSnapshot(site).digestOf('content/posts/a.md', stat(file))).toBeDefined();
  // The digest's first hex digit changed, the checksum left as it was.
  const at = text.lastIndexOf(sourceTextDigest(readFileSync(file, 'utf8')));
  writeFileSync(saved, `${text.slice(0, at)}${text[at] === '0' ? '1' : '0'}${text.slice(at + 1)}`);
  expect(openSourceSnapshot(site).digestOf('content/posts/a.md', stat(file))).toBeUndefined();
  writeFileSync(saved, text.slice(0, text.length - 10));
  expect(openSourceSnapshot(site).digestOf('content/posts/a.md', stat(file))).toBeUndefined();
});

/** A snapshot that knows one file by a digest of its choosing, and records the others. */
function claiming(relative: string, digest: string): SourceSnapshot & { recorded: string[] } {
  const recorded: string[] = [];
  return {
    recorded,
    digestOf: (name) => (name === relative ? digest : undefined),
    record: (name) => void recorded.push(name),
    save: () => undefined,
  };
}

test('loadContent does not read a file the snapshot knows: its text is read when asked for', async () => {
  const site = tempSite();
  writeFileSync(path.join(site, 'content', 'posts', 'a.md'), post('가', '첫 글'));
  writeFileSync(path.join(site, 'content', 'posts', 'b.md'), post('나', '둘째 글'));
  const snapshot = claiming('content/posts/a.md', 'f'.repeat(64));
  const sources = await loadContent(site, snapshot);
  const [a, b] = sources.posts;
  // Known: the snapshot's digest is taken as it is, not made from the text.
  expect(a!.data.textDigest).toBe('f'.repeat(64));
  expect(b!.data.textDigest).toBe(sourceTextDigest(post('나', '둘째 글')));
  expect(snapshot.recorded).toEqual(['content/posts/b.md']);
  // Its text, asked for, is the file's as it is now.
  writeFileSync(path.join(site, 'content', 'posts', 'a.md'), post('가', '고친 글'));
  expect(String(a!.value)).toBe(post('가', '고친 글'));
  // Without a snapshot every file is read, and no digest is set.
  const plain = await loadContent(site);
  expect(plain.posts.map((file) => file.data.textDigest)).toEqual([undefined, undefined]);
});

test('a post compiled because its entry is missing is compiled from its text as read, and cached under that text, not under the digest the snapshot gave', async () => {
  const site = await copySite('basic');
  root = site;
  const relative = 'content/posts/quoted-date.md';
  const text = readFileSync(path.join(site, relative), 'utf8');
  // As if the file had changed between its stat and its read: the snapshot's digest is of
  // another text, for which the cache holds nothing.
  const stale = sourceTextDigest(`${text}\n예전 글`);
  const cache = openCache(site, true);
  const result = await build({ root: site, drafts: false, workers: 1, cache, sourceSnapshot: claiming(relative, stale) });
  await cache.flush({ prune: false });
  expect(result.stats.errors).toBe(0);

  const settings = { root: site, basePath: '/', language: 'ko' };
  const again = openCache(site, true);
  const key = (input: Parameters<typeof again.keyOf>[0]) => again.keyOf(input, settings);
  expect(again.get(key({ sourcePath: relative, kind: 'post', textDigest: stale }), false)).toBeUndefined();
  const entry = again.get(key({ sourcePath: relative, kind: 'post', text }), false);
  expect(entry?.post?.sourcePath).toBe(relative);
  // The keys of a text and of its digest are one.
  expect(key({ sourcePath: relative, kind: 'post', text })).toBe(key({ sourcePath: relative, kind: 'post', textDigest: sourceTextDigest(text) }));
}, 60_000);

test('geul build: a post rewritten to the same size with its modification time put back is built anew, right away and after its record has settled', async () => {
  const site = await copySite('basic');
  root = site;
  const file = path.join(site, 'content', 'posts', 'quoted-date.md');
  // A whole second, which utimes sets exactly: a rewrite leaves the size and mtime as they were.
  const then = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  utimesSync(file, then, then);
  const rewrite = (from: string, to: string) => {
    const before = statSync(file, { bigint: true });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(from);
    writeFileSync(file, text.replace(from, to));
    utimesSync(file, then, then);
    const after = statSync(file, { bigint: true });
    expect([after.ino, after.size, after.mtimeNs]).toEqual([before.ino, before.size, before.mtimeNs]);
  };
  const bodyText = () => textOf(readHtml(path.join(site, 'dist', 'posts', 'quoted-date', 'index.html')));
  const geul = async () => {
    const built = await runCli(['build', '--root', site]);
    expect(built.code, built.stderr).toBe(0);
  };
  const original = readFileSync(file, 'utf8');
  const word = /[가-힣]{2}/u.exec(original.slice(original.indexOf('+++', 3)))![0];
  const other = word === '하늘' ? '바다' : '하늘';

  await geul();
  expect(bodyText()).toContain(word);
  // Right after the build that read it: its record is not trusted yet.
  rewrite(word, other);
  await geul();
  expect(bodyText()).toContain(other);

  // Settled, recorded by a build, then rewritten the same way: the change time tells.
  await sleep(2_700);
  writeFileSync(path.join(site, 'content', 'posts', 'extra.md'), post('다른 글', '새 글'));
  await geul();
  expect(JSON.parse(readFileSync(path.join(site, '.cache', 'geul', 'sources.json'), 'utf8').split('\n')[1]!)).toHaveProperty(['content/posts/quoted-date.md']);
  rewrite(other, word);
  await geul();
  expect(bodyText()).toContain(word);
  rmSync(path.join(site, 'content', 'posts', 'extra.md'));
}, 90_000);
