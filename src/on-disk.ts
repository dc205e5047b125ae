import { existsSync, readdirSync } from 'node:fs';
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
    let entries: string[];
    try {
      entries = readdirSync(at);
    } catch {
      return direct;
    }
    const name = entries.find((entry) => entry.normalize('NFC') === segment);
    if (name === undefined) return direct;
    at = path.join(at, name);
  }
  return at;
}
