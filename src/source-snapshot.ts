import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync, type BigIntStats } from 'node:fs';
import path from 'node:path';
import { readCacheFile } from './cache-folder.js';

/**
 * What `geul build` knew of each markdown file when it last read it: the file's inode, size,
 * modification and change times, and a digest of its text. A file whose stat is the same as
 * then is not read again: its digest keys the post cache, and its text is read only if
 * something asks for it (a post to compile, a warning's excerpt). Reading 4,000 sources took
 * a third of a second of every edit's build, before any post was compiled.
 *
 * The change time (ctime) is what makes this safe: the system sets it on every write and
 * every change of the modification time, and no program can set it back. Timestamps tick
 * coarsely, though (every few milliseconds on Linux, every second or two on some file
 * systems), so a second write in the same tick as the first can leave every time as it was.
 * A file is therefore recorded only once it had been left alone for `SETTLED_MS` when the
 * build started to read; a file written more recently is read again next time, as git treats
 * its "racily clean" entries.
 */
export interface SourceSnapshot {
  /** The digest of the file's text, if it is as it was when recorded (`stats`: a bigint stat, taken now). */
  digestOf(relative: string, stats: BigIntStats): string | undefined;
  /** A file read now: its stat, taken before it was read, and the digest of the text read. */
  record(relative: string, stats: BigIntStats, digest: string): void;
  /** Keep what this build found (only the files it looked at) for the next one, in `.cache/geul/`. */
  save(): void;
}

export interface SourceSnapshotOptions {
  /**
   * How long a file must have been left alone before a build's reading starts for its record
   * to be trusted later. @default SETTLED_MS
   */
  settledMs?: number;
}

/** Longer than any file system's timestamp tick (FAT's two seconds). */
export const SETTLED_MS = 2_500;

/** The digest a snapshot keeps of a source's text (hex SHA-256). */
export function sourceTextDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The snapshot of `root`'s sources left by the last build; a damaged or missing one knows nothing. */
export function openSourceSnapshot(root: string, options: SourceSnapshotOptions = {}): SourceSnapshot {
  const file = path.join(root, '.cache', 'geul', 'sources.json');
  const settledMs = options.settledMs ?? SETTLED_MS;
  const known = readSnapshot(file);
  const next = new Map<string, Entry>();
  // Files changed after this instant may yet change within the same timestamp tick.
  const settledBefore = BigInt(Date.now() - settledMs) * 1_000_000n;
  let changed = false;

  return {
    digestOf(relative, stats) {
      const entry = next.get(relative) ?? known.get(relative);
      if (!entry || entry[0] !== fingerprint(stats)) return undefined;
      if (!next.has(relative)) next.set(relative, entry);
      return entry[1];
    },
    record(relative, stats, digest) {
      changed = true;
      if (stats.ctimeNs >= settledBefore || stats.mtimeNs >= settledBefore) {
        next.delete(relative);
        return;
      }
      next.set(relative, [fingerprint(stats), digest]);
    },
    save() {
      // The same files as recorded, all confirmed: nothing to write.
      if (!changed && next.size === known.size) return;
      const body = JSON.stringify(Object.fromEntries([...next].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
      try {
        mkdirSync(path.dirname(file), { recursive: true });
        const temporary = `${file}.${process.pid}.tmp`;
        writeFileSync(temporary, `${JSON.stringify({ format: FORMAT, checksum: checksum(body) })}\n${body}`);
        renameSync(temporary, file);
      } catch {
        // Only saves work: the next build reads every file, as without a snapshot.
      }
    },
  };
}

/** A file's fingerprint as recorded, and the digest of its text. */
type Entry = [string, string];

const FORMAT = 1;

function fingerprint(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
}

function readSnapshot(file: string): Map<string, Entry> {
  try {
    const text = readCacheFile(file).toString('utf8');
    const newline = text.indexOf('\n');
    const header = JSON.parse(text.slice(0, newline)) as { format?: unknown; checksum?: unknown };
    const body = text.slice(newline + 1);
    if (newline === -1 || header.format !== FORMAT || header.checksum !== checksum(body)) return new Map();
    const entries = JSON.parse(body) as Record<string, unknown>;
    const known = new Map<string, Entry>();
    for (const [relative, entry] of Object.entries(entries)) {
      if (Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string' && typeof entry[1] === 'string') known.set(relative, [entry[0], entry[1]]);
    }
    return known;
  } catch {
    return new Map();
  }
}

function checksum(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
