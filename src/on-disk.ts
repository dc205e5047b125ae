import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Where a file named by its NFC path (`content/posts/한글.md`) lies on disk. A name written
 * on macOS is decomposed (NFD) on disk, and on Linux the NFC spelling does not open it: each
 * missing segment is looked up in its folder by its NFC form. The NFC path when nothing
 * matches (a file that is gone).
 */
export function onDisk(root: string, relative: string): string {
  const direct = path.join(root, relative);
  if (existsSync(direct)) return direct;
  let at = root;
  for (const segment of relative.split('/')) {
    const exact = path.join(at, segment);
    if (existsSync(exact)) {
      at = exact;
      continue;
    }
    const name = entryNamed(at, segment);
    if (name === undefined) return direct;
    at = path.join(at, name);
  }
  return at;
}

/**
 * The entry of `folder` whose NFC name is `segment`. A folder's names are read once while it
 * stays as it was (its inode and mtime): the cache checks of a 1,000-post site look for a
 * missing image next to each post, in the same folder of a thousand files.
 */
function entryNamed(folder: string, segment: string): string | undefined {
  let stamp: string;
  try {
    const stat = statSync(folder);
    stamp = `${stat.ino}:${stat.mtimeMs}`;
  } catch {
    return undefined;
  }
  let listing = listings.get(folder);
  if (listing?.stamp !== stamp) {
    let entries: string[];
    try {
      entries = readdirSync(folder);
    } catch {
      return undefined;
    }
    listing = { stamp, names: new Map(entries.map((entry) => [entry.normalize('NFC'), entry])) };
    listings.set(folder, listing);
  }
  return listing.names.get(segment);
}

const listings = new Map<string, { stamp: string; names: Map<string, string> }>();
