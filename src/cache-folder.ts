import { lstatSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Whether `dir` (`.cache/geul/<kind>`) and the `geul` folder holding it are folders of their
 * own, not symbolic links. Pruning removes what it finds there and did not just use: through
 * a link (`.cache/geul/fragments -> ../../..`, committed to a repository, or a slip of `ln`),
 * that was every file of the folder linked to. `.cache` itself may be a link (to a shared
 * cache folder): its `geul/` is still geul's.
 */
export function isOwnCacheFolder(dir: string): boolean {
  return [dir, path.dirname(dir)].every((folder) => {
    try {
      return lstatSync(folder).isDirectory();
    } catch {
      return false;
    }
  });
}

/**
 * The bytes of a cache file that is a regular file (or a link to one). Anything else where an
 * entry should be (a link to /dev/zero, a named pipe) is no entry: read, it never ended (a
 * build hung, its memory growing without bound) or blocked until something wrote to it.
 */
export function readCacheFile(file: string): Buffer {
  if (!statSync(file).isFile()) throw new Error(`${file} is not a file`);
  return readFileSync(file);
}
