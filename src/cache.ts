import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isOwnCacheFolder, readCacheFile } from './cache-folder.js';
import type { CompiledPost, CompileInput } from './compile.js';
import { compactHtml, digestOfHtml, htmlBytes, htmlOnDisk, knownHtmlDigest, withoutHtml } from './compact-html.js';
import { fragmentStoreDir, pruneFragmentStores, type FragmentStoreLocation } from './fragments.js';
import { readAt } from './read-at.js';
import { stampAt } from './remark-images.js';
import { sourceTextDigest } from './source-snapshot.js';

const require = createRequire(import.meta.url);

/** Bump when the shape of a cached entry or the meaning of a key changes. */
const CACHE_FORMAT = 7;

/** The packages whose versions can change what a post compiles to. */
const PACKAGES = [
  'unified', 'remark-parse', 'remark-frontmatter', 'remark-gfm', 'remark-math', 'remark-cjk-friendly',
  'remark-cjk-friendly-gfm-strikethrough', 'remark-rehype', 'rehype-katex', 'katex', 'rehype-slug',
  'rehype-autolink-headings', 'rehype-stringify', 'smol-toml', 'zod', 'image-size', 'shiki',
];

/**
 * Compiled posts kept between builds in `.cache/geul/posts/`, one file per entry, keyed by a
 * hash of everything that can change the result: the source text and path, the settings,
 * and the versions of geul and of every package in the chain. An entry also lists the image
 * files it looked at with their size and mtime, and is reused only while those are
 * unchanged. An entry that does not parse, fails its checksum or names another key is
 * ignored, never trusted.
 */
export interface PostCache {
  /** False for `--no-cache`: nothing is read or kept. */
  readonly enabled: boolean;
  /** Where formulas and code blocks are kept (src/fragments.ts); none for `--no-cache`. */
  readonly fragments: FragmentStoreLocation | undefined;
  /**
   * The key of an input under the given settings. Whether the build includes drafts is not
   * part of it: a post compiles the same either way, so `geul dev` starts from what
   * `geul build` compiled, and the other way round.
   */
  keyOf(input: KeyInput, settings: unknown): string;
  /**
   * A valid entry for the key, if any, fit for a build with or without drafts: a draft left
   * out by one does not serve the other.
   */
  get(key: string, drafts: boolean): CompiledPost | undefined;
  /**
   * Remember a result. Written to disk at once, in the background: a cold build writes its
   * entries while other posts compile, and holds no second copy of them for a write at the end.
   */
  set(key: string, value: CompiledPost): void;
  /**
   * A small note kept beside the entries (`.cache/geul/<name>.json`), such as the related
   * posts chosen: undefined when there is none, or it is damaged or of another version.
   */
  readNote(name: string): unknown;
  /**
   * Entries whose HTML, read from disk only when a page needed it (`lazyHtml`), was damaged
   * or gone by then (another build pruned it): the build that met them used a wrong body
   * somewhere and must be made again. They are never served again by this cache.
   */
  lost(): number;
  /** Keep a note, written in the background with the entries. */
  writeNote(name: string, value: unknown): void;
  /**
   * Wait for the entries being written and, when `prune`, remove entries this build did not use from disk.
   * Ends the build: memory keeps only the entries it used, so a long dev session does not
   * grow with every save. The cache only saves work, so entries that could not be written
   * (a full disk, a file where its folder should be) fail no build: the warning to print is returned.
   */
  flush(options: { prune: boolean }): Promise<string | undefined>;
}

/**
 * What a key is made of: the source's path and kind, and its text or the digest of its text
 * (`sourceTextDigest`, from the source snapshot when the text was not read): both give one key.
 */
export type KeyInput = Pick<CompileInput, 'sourcePath' | 'kind'> & ({ text: string } | { textDigest: string });

export interface CacheOptions {
  /**
   * Read an entry's JSON at once and its HTML (nine tenths of its bytes) only when a page
   * reads it, checked against its digest then. An edit of one post in a site of 4,000 read
   * and hashed 133 MB of entries for the few pages it renders. For `geul build`, whose
   * caller makes the build again when `lost()` says an entry failed that late check; the dev
   * server, which keeps posts across rebuilds, reads entries whole.
   */
  lazyHtml?: boolean;
}

/** Open the cache of a project; `enabled: false` gives a cache that holds nothing. */
export function openCache(root: string, enabled: boolean, options: CacheOptions = {}): PostCache {
  const dir = path.join(root, '.cache', 'geul', 'posts');
  const salt = enabled ? JSON.stringify({ format: CACHE_FORMAT, versions: versions() }) : '';
  const used = new Set<string>();
  const writes = backgroundWrites(16);
  const folders = new Set<string>();
  let written = 0;
  // Entries read or made by this process: a dev server's rebuilds find them without disk.
  const memory = new Map<string, CompiledPost>();
  const lost = new Set<string>();
  const loseEntry = (key: string) => {
    lost.add(key);
    memory.delete(key);
  };
  const fileOf = (key: string) => path.join(dir, key.slice(0, 2), `${key}.json`);
  // `geul build` only (lazyHtml): the index of the entries the last build used, and the heads
  // of those this build uses or makes, for the next index.
  const indexFile = path.join(root, '.cache', 'geul', 'posts.index');
  let index: Map<string, IndexedHead> | undefined;
  const heads = new Map<string, IndexedHead>();
  const noteFile = (name: string) => path.join(root, '.cache', 'geul', `${name}.json`);

  const fragments = enabled ? { dir: fragmentStoreDir(root), salt: fragmentSalt() } : undefined;

  return {
    enabled,
    fragments,
    keyOf(input, settings) {
      const text = 'textDigest' in input ? input.textDigest : sourceTextDigest(input.text);
      return createHash('sha256').update(salt).update('\0').update(JSON.stringify(settings)).update('\0').update(input.kind).update('\0').update(input.sourcePath).update('\0').update(text).digest('hex');
    },
    get(key, drafts) {
      if (!enabled || lost.has(key)) return undefined;
      let entry = memory.get(key);
      if (!entry) {
        if (options.lazyHtml) {
          index ??= readIndex(indexFile, salt);
          const indexed = index.get(key);
          const onHead = (head: IndexedHead) => void heads.set(key, head);
          entry = indexed ? fromIndex(fileOf(key), indexed, () => loseEntry(key), onHead) : readEntryLazily(fileOf(key), key, () => loseEntry(key), onHead);
        } else entry = readEntry(fileOf(key), key);
        if (!entry) return undefined;
        memory.set(key, entry);
      }
      // A draft's result depends on the build's `drafts`: left out without, compiled with.
      if (entry.draft && Boolean(entry.draftLeftOut) === Boolean(drafts)) return undefined;
      if (!entry.dependencies.every((dependency) => stampAt(root, dependency.path) === dependency.stamp)) return undefined;
      used.add(key);
      return entry;
    },
    set(key, value) {
      if (!enabled) return;
      used.add(key);
      memory.set(key, value);
      writes.add(async () => {
        const { head, html } = serializeEntry(value);
        // The checksum covers the JSON; the HTML is checked against the digest the JSON holds.
        const header = Buffer.from(`${JSON.stringify({ format: CACHE_FORMAT, key, checksum: checksum(head) })}\n`);
        const body = Buffer.concat([header, head, html]);
        const target = fileOf(key);
        const folder = path.dirname(target);
        if (!folders.has(folder)) {
          await mkdir(folder, { recursive: true });
          folders.add(folder);
        }
        // Write then rename: a reader never sees half an entry.
        const temporary = `${target}.${process.pid}-${written++}.tmp`;
        await writeFile(temporary, body);
        // Another build of the same project (geul dev beside geul build) may have pruned our
        // temporary file: that entry is simply not cached, which is no failure of this build.
        const moved = await placeFile(temporary, target).then(
          () => true,
          (error: NodeJS.ErrnoException) => {
            if (error.code !== 'ENOENT') throw error;
            return false;
          },
        );
        if (moved && options.lazyHtml) heads.set(key, { head: head.toString('utf8', 0, head.length - 1), htmlStart: header.length + head.length, size: body.length });
      });
    },
    lost() {
      return lost.size;
    },
    readNote(name) {
      if (!enabled) return undefined;
      try {
        const [header, json] = readCacheFile(noteFile(name)).toString('utf8').split('\n', 2) as [string, string | undefined];
        const { format, salt: written, checksum: sum } = JSON.parse(header) as { format?: unknown; salt?: unknown; checksum?: unknown };
        // Made by another version of geul or of the chain: not trusted.
        if (format !== CACHE_FORMAT || written !== salt || json === undefined || sum !== checksum(json)) return undefined;
        return JSON.parse(json) as unknown;
      } catch {
        return undefined;
      }
    },
    writeNote(name, value) {
      if (!enabled) return;
      const json = JSON.stringify(value);
      writes.add(async () => {
        const target = noteFile(name);
        await mkdir(path.dirname(target), { recursive: true });
        const temporary = `${target}.${process.pid}-${written++}.tmp`;
        await writeFile(temporary, `${JSON.stringify({ format: CACHE_FORMAT, salt, checksum: checksum(json) })}\n${json}`);
        await placeFile(temporary, target);
      });
    },
    async flush({ prune }) {
      if (!enabled) return undefined;
      const failure = await writes.settled().then(
        () => undefined,
        (error: unknown) => `warning: the cache in ${path.relative(process.cwd(), path.dirname(dir)) || '.'}/ could not be written (${error instanceof Error ? error.message : String(error)}); the next build compiles those posts again`,
      );
      if (prune) {
        await pruneUnused(dir, used);
        // The index, the sources snapshot and the notes are written by a rename too.
        await pruneStaleTemporaries(path.dirname(dir));
        pruneFragmentStores(fragments!);
        // Only after a build that used every entry it needed (no errors): its index is whole.
        if (options.lazyHtml && failure === undefined) await writeIndex(indexFile, salt, used, heads, index).catch(() => undefined);
      }
      heads.clear();
      index = undefined;
      for (const key of memory.keys()) if (!used.has(key)) memory.delete(key);
      used.clear();
      return failure;
    },
  };
}

/** An entry read whole and checked: JSON against the header's checksum, HTML against the JSON's digest. */
function readEntry(file: string, key: string): CompiledPost | undefined {
  let bytes: Buffer;
  try {
    bytes = readCacheFile(file);
  } catch {
    return undefined;
  }
  return withCheckedHtml(bytes, key);
}

/** How much of an entry file is read at first: its JSON, seldom over 2 KB, and some HTML. */
const HEAD_READ_BYTES = 8 * 1024;

/**
 * An entry whose JSON is read and checked now, and whose HTML is read from the file each time
 * a page needs it, checked then against the digest the JSON holds. A failed read or check
 * calls `onLost` and throws: the bytes are never used. Entries that fit in the first read, or
 * whose JSON does not, are read whole as by `readEntry`.
 */
function readEntryLazily(file: string, key: string, onLost: () => void, onHead: (head: IndexedHead) => void): CompiledPost | undefined {
  let first: Buffer;
  let size: number;
  try {
    if (!statSync(file).isFile()) return undefined;
    const fd = openSync(file, 'r');
    try {
      size = fstatSync(fd).size;
      first = Buffer.allocUnsafe(Math.min(size, HEAD_READ_BYTES));
      first = first.subarray(0, readAt(fd, first, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const parsed = parseHead(first, key);
  // The JSON goes past the first read: read whole.
  if (parsed === 'incomplete') return readEntry(file, key);
  if (!parsed) return undefined;
  onHead({ head: parsed.head, htmlStart: parsed.htmlStart, size });
  if (first.length === size) return withHtml(parsed.value, first.subarray(parsed.htmlStart));
  return withLazyHtml(file, parsed.value, parsed.htmlStart, size, onLost);
}

/**
 * The JSON of an entry as the index holds it, its HTML read from the entry's file as by
 * `readEntryLazily`: a file that is gone or holds other bytes fails the HTML's digest then.
 */
function fromIndex(file: string, indexed: IndexedHead, onLost: () => void, onHead: (head: IndexedHead) => void): CompiledPost | undefined {
  const value = checkedHead(indexed.head);
  if (!value) return undefined;
  onHead(indexed);
  return withLazyHtml(file, value, indexed.htmlStart, indexed.size, onLost);
}

/** `value` with its post's HTML left in `file`, from `htmlStart` to `size`, read when a page needs it. */
function withLazyHtml(file: string, value: CompiledPost, htmlStart: number, size: number, onLost: () => void): CompiledPost | undefined {
  if (!value.post) return size === htmlStart ? value : undefined;
  const digest = value.htmlDigest!;
  const length = size - htmlStart;
  const read = (): Uint8Array => {
    let bytes: Buffer | undefined;
    try {
      bytes = readRange(file, htmlStart, length);
    } catch {
      bytes = undefined;
    }
    if (!bytes || digestOfHtml(bytes) !== digest) {
      onLost();
      throw new Error(`the cached HTML of ${value.post!.sourcePath} is damaged or gone (${path.basename(file)}); the build is made again`);
    }
    return bytes;
  };
  value.post.rendered = htmlOnDisk(value.post.rendered, read);
  knownHtmlDigest(value.post.rendered, digest);
  return value;
}

/** An entry from all of its file's bytes. */
function withCheckedHtml(bytes: Buffer, key: string): CompiledPost | undefined {
  const parsed = parseHead(bytes, key);
  if (!parsed || parsed === 'incomplete') return undefined;
  return withHtml(parsed.value, bytes.subarray(parsed.htmlStart));
}

/** Exactly `length` bytes of `file` from `offset`; throws if the file is shorter. */
function readRange(file: string, offset: number, length: number): Buffer {
  if (!statSync(file).isFile()) throw new Error('not a file');
  const fd = openSync(file, 'r');
  try {
    const bytes = Buffer.allocUnsafe(length);
    if (readAt(fd, bytes, offset) < length) throw new Error('entry cut short');
    // A longer file is another entry than the one whose JSON was read.
    if (fstatSync(fd).size !== offset + length) throw new Error('entry changed');
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/**
 * An entry file's header line and JSON line: the header's checksum covers the JSON line,
 * taken over the bytes as they are. `incomplete` when `bytes` (the start of the file) ends
 * before the JSON does.
 */
function parseHead(bytes: Buffer, key: string): { value: CompiledPost; head: string; htmlStart: number } | 'incomplete' | undefined {
  const newline = bytes.indexOf(0x0a);
  if (newline === -1) return 'incomplete';
  try {
    const header = JSON.parse(bytes.toString('utf8', 0, newline)) as { format?: unknown; key?: unknown; checksum?: unknown };
    if (header.format !== CACHE_FORMAT || header.key !== key) return undefined;
    const headEnd = bytes.indexOf(0x0a, newline + 1);
    if (headEnd === -1) return 'incomplete';
    const head = bytes.subarray(newline + 1, headEnd + 1);
    if (header.checksum !== checksum(head)) return undefined;
    const json = head.toString('utf8', 0, head.length - 1);
    const value = checkedHead(json);
    return value && { value, head: json, htmlStart: headEnd + 1 };
  } catch {
    return undefined;
  }
}

/** An entry's JSON, parsed, if it has the shape of one. */
function checkedHead(json: string): CompiledPost | undefined {
  try {
    const value = JSON.parse(json) as CompiledPost;
    if (!Array.isArray(value.messages) || !Array.isArray(value.dependencies)) return undefined;
    if (value.post && typeof value.htmlDigest !== 'string') return undefined;
    return value;
  } catch {
    return undefined;
  }
}

/** The entry with its HTML, which must match the digest its JSON holds. */
function withHtml(value: CompiledPost, html: Buffer): CompiledPost | undefined {
  if (!value.post) return html.length === 0 ? value : undefined;
  if (digestOfHtml(html) !== value.htmlDigest) return undefined;
  // The HTML stays bytes, decoded only when a page needs it.
  value.post.rendered = compactHtml(value.post.rendered, html);
  knownHtmlDigest(value.post.rendered, value.htmlDigest);
  return value;
}

/**
 * An entry as its JSON with the post's HTML left out, a newline, then the HTML as it is
 * (JSON never holds a raw newline). Decoding the HTML as plain text costs far less than
 * parsing it as a JSON string full of escaped quotes: a no-change rebuild reads every entry.
 */
function serializeEntry(value: CompiledPost): { head: Buffer; html: Uint8Array } {
  const { post } = value;
  if (!post) return { head: Buffer.from(`${JSON.stringify(value)}\n`), html: new Uint8Array() };
  const htmlDigest = value.htmlDigest ?? digestOfHtml(htmlBytes(post.rendered));
  const rendered = { html: '', ...withoutHtml(post.rendered) };
  return { head: Buffer.from(`${JSON.stringify({ ...value, htmlDigest, post: { ...post, rendered } })}\n`), html: htmlBytes(post.rendered) };
}

function checksum(payload: string | Uint8Array): string {
  return createHash('sha256').update(payload).digest('hex');
}

/**
 * The index of the post cache (`.cache/geul/posts.index`): the JSON of each entry the last
 * `geul build` used, and where the entry's HTML lies in its file. A build reads it in one go
 * instead of opening an entry file per post (a third of a second at 4,000 posts, on the path
 * of every edit); the HTML is still read from each entry's file when a page needs it, and
 * checked against the digest the JSON holds. One checksum covers the whole index, and a salt
 * (the versions) ties it to the code that wrote it: a damaged or foreign index is ignored and
 * the entries are read from their files as before.
 */
interface IndexedHead {
  /** The entry's JSON line, without its newline. */
  head: string;
  htmlStart: number;
  /** The entry file's size: its HTML ends there. */
  size: number;
}

const INDEX_FORMAT = 1;

function readIndex(file: string, salt: string): Map<string, IndexedHead> {
  const index = new Map<string, IndexedHead>();
  let text: string;
  try {
    text = readCacheFile(file).toString('utf8');
  } catch {
    return index;
  }
  const newline = text.indexOf('\n');
  try {
    const header = JSON.parse(text.slice(0, newline)) as { format?: unknown; salt?: unknown; checksum?: unknown };
    if (newline === -1 || header.format !== INDEX_FORMAT || header.salt !== salt || header.checksum !== checksum(text.slice(newline + 1))) return index;
  } catch {
    return index;
  }
  // Lines `<key> <size> <htmlStart> <JSON>`; the JSON is parsed only for the entries asked for.
  for (let start = newline + 1; start < text.length; ) {
    const end = text.indexOf('\n', start);
    if (end === -1) break;
    const line = text.slice(start, end);
    start = end + 1;
    const [key, size, htmlStart] = line.split(' ', 3) as [string, string, string];
    const head = line.slice(key.length + size.length + htmlStart.length + 3);
    index.set(key, { head, size: Number(size), htmlStart: Number(htmlStart) });
  }
  return index;
}

/** The index of the entries a build used, written unless it is the one the build read. */
async function writeIndex(file: string, salt: string, used: ReadonlySet<string>, heads: ReadonlyMap<string, IndexedHead>, previous: ReadonlyMap<string, IndexedHead> | undefined): Promise<void> {
  const keys = [...used].filter((key) => heads.has(key)).sort();
  if (previous && previous.size === keys.length && keys.every((key) => previous.get(key) === heads.get(key))) return;
  const body = keys.map((key) => {
    const { size, htmlStart, head } = heads.get(key)!;
    return `${key} ${size} ${htmlStart} ${head}\n`;
  }).join('');
  const temporary = `${file}.${process.pid}.tmp`;
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(temporary, `${JSON.stringify({ format: INDEX_FORMAT, salt, checksum: checksum(body) })}\n${body}`);
  await rename(temporary, file);
}

/** How old a temporary entry file must be before pruning takes it for a crashed build's leftover. */
const STALE_TEMPORARY_MS = 60 * 60 * 1000;

/**
 * Rename a written temporary file onto its place. A folder standing there (a damaged cache)
 * is removed first; a temporary file that cannot be placed is not left behind.
 */
async function placeFile(temporary: string, target: string): Promise<void> {
  try {
    await rename(temporary, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    try {
      if (code !== 'EISDIR' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      await rm(target, { recursive: true, force: true });
      await rename(temporary, target);
    } catch (again) {
      await rm(temporary, { force: true });
      throw again;
    }
  }
}

async function pruneUnused(dir: string, used: Set<string>): Promise<void> {
  if (!isOwnCacheFolder(dir)) return;
  let folders: string[];
  try {
    // Only real folders are looked into: a link among them leads out of the cache.
    folders = (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return;
  }
  for (const folder of folders) {
    const files = await readdir(path.join(dir, folder)).catch(() => [] as string[]);
    await inBatches(files, 32, async (file) => {
      const place = path.join(dir, folder, file);
      // A temporary file may be another running build's entry on its way in: only one left
      // behind by a crash (an hour old) goes.
      if (file.endsWith('.tmp')) {
        const age = await stat(place).then((stats) => Date.now() - stats.mtimeMs, () => 0);
        if (age > STALE_TEMPORARY_MS) await rm(place, { force: true });
        return;
      }
      // Recursive: a folder where an entry should be (a damaged cache) goes too.
      if (!used.has(file.replace(/\.json$/, ''))) await rm(place, { recursive: true, force: true }).catch(() => undefined);
    });
  }
}

/** Remove the temporary files in `dir` (not below it) that a crashed build left an hour or more ago. */
async function pruneStaleTemporaries(dir: string): Promise<void> {
  if (!isOwnCacheFolder(dir)) return;
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.endsWith('.tmp')) continue;
    const place = path.join(dir, name);
    const stats = await stat(place).catch(() => undefined);
    if (stats?.isFile() && Date.now() - stats.mtimeMs > STALE_TEMPORARY_MS) await rm(place, { force: true });
  }
}

let cachedVersions: Record<string, string> | undefined;

/** geul's version and those of the chain's packages, read once. */
export function versions(): Record<string, string> {
  if (cachedVersions) return cachedVersions;
  // geul's own sources count too, so an edited plugin never meets results of the old one.
  cachedVersions = { geul: ownPackage().version, sources: sourcesDigest((file) => file.endsWith('.ts')), installed: installedPackagesDigest() };
  for (const name of PACKAGES) cachedVersions[name] = packageVersion(name);
  return cachedVersions;
}

/**
 * A digest of the name and version of every package npm installed for use (not `dev`), from
 * npm's record of node_modules: for geul's own install, and for a project that installed geul.
 * PACKAGES names the chain's plugins, but a post's HTML also comes from what they depend on
 * (micromark, mdast-util-from-markdown, hast-util-to-html, github-slugger…): an `npm update`
 * that changed only one of those left every cached post as the old code made it.
 */
function installedPackagesDigest(): string {
  const geul = ownPackage().dir;
  const digest = createHash('sha256');
  for (const file of [path.join(geul, 'node_modules', '.package-lock.json'), path.join(geul, '..', '.package-lock.json')]) {
    let packages: Record<string, { version?: unknown; dev?: unknown }>;
    try {
      packages = (JSON.parse(readFileSync(file, 'utf8')) as { packages?: typeof packages }).packages ?? {};
    } catch {
      digest.update('none\0');
      continue;
    }
    for (const name of Object.keys(packages).sort()) if (packages[name]!.dev !== true) digest.update(`${name}@${String(packages[name]!.version)}\0`);
  }
  return digest.digest('hex');
}

/** Bump when the shape of a stored fragment or the meaning of its key changes. */
const FRAGMENT_FORMAT = 1;

/**
 * geul's sources that shape a fragment (a formula's or a code block's HTML): the KaTeX
 * settings and trust rule, the formula cache, the highlighter and the fence options.
 */
const FRAGMENT_SOURCES = new Set(['markdown.ts', 'remark-equations.ts', 'rehype-katex-cache.ts', 'rehype-shiki.ts', 'code-fence-meta.ts']);

let cachedFragmentSalt: string | undefined;

/**
 * What the fragment store's contents depend on: KaTeX's and Shiki's versions and the few of
 * geul's sources that make fragments, not all of them, so that most new versions of geul find
 * their formulas and code blocks made.
 */
export function fragmentSalt(): string {
  cachedFragmentSalt ??= JSON.stringify({
    format: FRAGMENT_FORMAT,
    katex: packageVersion('katex'),
    'rehype-katex': packageVersion('rehype-katex'),
    shiki: packageVersion('shiki'),
    sources: sourcesDigest((file) => FRAGMENT_SOURCES.has(file)),
  });
  return cachedFragmentSalt;
}

/**
 * A digest of geul's source files that `include` names. Whether this runs from src/ or from
 * the bundle bin/geul.js made of it, the digest is of src/: the CLI, the tests and
 * GEUL_FROM_SOURCE share one cache. bin/geul.js names the src/ it bundled, since node_modules
 * (where the bundle lives) may be a link into another checkout.
 */
export function sourcesDigest(include: (file: string) => boolean): string {
  const named = (globalThis as { geulSourceDir?: string }).geulSourceDir;
  const src = named ?? path.join(ownPackage().dir, 'src');
  const digest = createHash('sha256');
  for (const file of readdirSync(src).sort()) if (include(file)) digest.update(file).update(readFileSync(path.join(src, file)));
  return digest.digest('hex');
}

/**
 * Tasks run in the background, at most `width` at a time. `settled()` waits for all of them
 * and throws the first failure.
 */
function backgroundWrites(width: number): { add(task: () => Promise<void>): void; settled(): Promise<void> } {
  const waiting: (() => Promise<void>)[] = [];
  const running = new Set<Promise<void>>();
  let failure: unknown;
  const next = () => {
    while (running.size < width && waiting.length > 0) {
      const task = waiting.shift()!;
      const run: Promise<void> = task()
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => {
          running.delete(run);
          next();
        });
      running.add(run);
    }
  };
  return {
    add(task) {
      waiting.push(task);
      next();
    },
    async settled() {
      while (running.size > 0) await Promise.all(running);
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        throw error;
      }
    },
  };
}

async function inBatches<T>(items: T[], width: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}


/**
 * geul's folder and version: the nearest package.json named geul above the src/ that
 * bin/geul.js bundled, or above this code (src/, or the bundle in node_modules/.cache).
 */
export function ownPackage(): { dir: string; version: string } {
  const named = (globalThis as { geulSourceDir?: string }).geulSourceDir;
  const from = named ? path.dirname(named) : path.dirname(fileURLToPath(import.meta.url));
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'geul') return { dir, version: manifest.version ?? '?' };
    } catch {
      // no package.json at this level
    }
    if (path.dirname(dir) === dir) throw new Error(`geul's package.json not found above ${from}`);
  }
}

/** The installed version of a package, found by walking up from its entry point (many export maps hide package.json). */
export function packageVersion(name: string): string {
  let dir: string;
  try {
    dir = path.dirname(require.resolve(name));
  } catch {
    return 'unresolvable';
  }
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === name) return manifest.version ?? '?';
    } catch {
      // no package.json at this level
    }
    const parent = path.dirname(dir);
    if (parent === dir) return 'unresolvable';
    dir = parent;
  }
}
