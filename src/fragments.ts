import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { isOwnCacheFolder, readCacheFile } from './cache-folder.js';
import { readAt } from './read-at.js';

/**
 * Pieces of posts that are costly to make and depend on nothing but their own input — a
 * formula laid out by KaTeX, a code block tokenized by Shiki — kept between builds in
 * `.cache/geul/fragments/`, so that each is made once, ever: a post edited, a setting that
 * changes every post's cache key, or a new version of geul recompiles the posts but finds
 * their formulas and code blocks made. Every thread that compiles (the main thread and each
 * worker) opens the store and reads and adds to it on its own.
 *
 * The store is 256 files, a fragment going to the one named by the first two hex digits of
 * its key's hash. A file is a log of lines `<hash> <checksum> <JSON>`, only ever appended to
 * with one write per post, so threads and processes adding at once never mix their lines; a
 * file is indexed (hash → place) the first time a thread needs it, and a fragment read back
 * only when asked for. A line that is cut short, altered or of another key fails its hash
 * or checksum and is ignored. Everything lives in a folder named by `salt` (the versions of
 * the code that makes fragments), and a build removes the folders of other salts.
 */
export interface FragmentStore {
  /** The fragment stored under `key`, as it was put; undefined when there is none or it fails its checks. */
  get(key: string): unknown;
  /**
   * Keep a fragment (JSON data). Held until `flush`, and not found by `get` in this thread
   * afterwards either: its callers remember what they made themselves.
   */
  put(key: string, value: unknown): void;
  /** Append the fragments put since the last flush: after each post, so a worker that dies loses at most one post's. */
  flush(): void;
}

/** Where a project's fragments live, and the salt of the code that makes them. */
export interface FragmentStoreLocation {
  dir: string;
  salt: string;
}

export function fragmentStoreDir(root: string): string {
  return path.join(root, '.cache', 'geul', 'fragments');
}

/** Where rendered list items are kept (see render.ts), in stores of the same kind. */
export function partialStoreDir(root: string): string {
  return path.join(root, '.cache', 'geul', 'partials');
}

export function openFragmentStore({ dir, salt }: FragmentStoreLocation): FragmentStore {
  const folder = path.join(dir, saltName(salt));
  // Per shard: where each hash's line is, once the shard has been read.
  const indexes = new Map<string, Map<string, { offset: number; length: number }>>();
  let pending = new Map<string, string[]>();
  let made = false;

  const shardFile = (shard: string) => path.join(folder, `${shard}.log`);
  const indexOf = (shard: string) => {
    let index = indexes.get(shard);
    if (index) return index;
    index = new Map();
    indexes.set(shard, index);
    let bytes: Buffer;
    try {
      bytes = readCacheFile(shardFile(shard));
    } catch {
      return index;
    }
    for (let start = 0; start < bytes.length; ) {
      const end = bytes.indexOf(0x0a, start);
      // A line still being written by another process (or cut by a crash) is not complete.
      if (end === -1) break;
      if (end - start > HASH_LENGTH) index.set(bytes.toString('latin1', start, start + HASH_LENGTH), { offset: start, length: end - start });
      start = end + 1;
    }
    return index;
  };

  return {
    get(key) {
      const hash = hashOf(key);
      const shard = hash.slice(0, 2);
      const place = indexOf(shard).get(hash);
      if (!place) return undefined;
      const line = readLine(shardFile(shard), place.offset, place.length);
      // The file may have been replaced since it was indexed (a cleared cache): the line then
      // fails its checks like any damaged one.
      return line === undefined ? undefined : parseLine(line, hash);
    },
    put(key, value) {
      const hash = hashOf(key);
      const json = JSON.stringify(value);
      const shard = hash.slice(0, 2);
      const lines = pending.get(shard) ?? [];
      lines.push(`${hash} ${checksum(json)} ${json}\n`);
      pending.set(shard, lines);
    },
    flush() {
      if (pending.size === 0) return;
      const writing = pending;
      pending = new Map();
      // One write per shard: lines appended by another thread or process at the same time
      // land before or after this one, never inside it. The store only saves work: lines
      // that cannot be written (a full disk, a file where the folder should be) are dropped,
      // and the next build renders those fragments again.
      for (const [shard, lines] of writing) {
        try {
          if (!made) {
            mkdirSync(folder, { recursive: true });
            made = true;
          }
          appendFileSync(shardFile(shard), lines.join(''));
        } catch (error) {
          // Another build removed the folder meanwhile (its templates or its version of
          // geul differ): it is made again.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') continue;
          try {
            mkdirSync(folder, { recursive: true });
            appendFileSync(shardFile(shard), lines.join(''));
          } catch {
            // dropped, as above
          }
        }
      }
    },
  };
}

/** Remove the fragments of other salts (older versions of the code that makes them). */
export function pruneFragmentStores({ dir, salt }: FragmentStoreLocation): void {
  if (!isOwnCacheFolder(dir)) return;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) if (name !== saltName(salt)) rmSync(path.join(dir, name), { recursive: true, force: true });
}

const HASH_LENGTH = 64;

function saltName(salt: string): string {
  return createHash('sha256').update(salt).digest('hex').slice(0, 16);
}

function hashOf(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function checksum(json: string): string {
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}

function readLine(file: string, offset: number, length: number): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const bytes = Buffer.allocUnsafe(length);
    return readAt(fd, bytes, offset) < length ? undefined : bytes.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The value of a line `<hash> <checksum> <JSON>`, if it is whole and of `hash`. */
function parseLine(line: string, hash: string): unknown {
  if (!line.startsWith(`${hash} `) || line.charAt(HASH_LENGTH + 17) !== ' ') return undefined;
  const json = line.slice(HASH_LENGTH + 18);
  if (checksum(json) !== line.slice(HASH_LENGTH + 1, HASH_LENGTH + 17)) return undefined;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The store this thread compiles with, if any: set by the build (main thread) or from a
 * worker's start-up data, read by the plugins that make fragments. None under `--no-cache`.
 */
let current: FragmentStore | undefined;

export function useFragmentStore(store: FragmentStore | undefined): void {
  current = store;
}

export function fragmentStore(): FragmentStore | undefined {
  return current;
}
