import path from 'node:path';
import { glob } from 'tinyglobby';
import { VFile } from 'vfile';
import { EDITOR_BACKUPS } from './assets.js';
import { addWarning } from './report.js';
import { SEARCH_BUNDLE_DIR } from './search.js';
import type { Output } from './types.js';
import { OUTPUT_MARKER } from './write.js';

/** What `staticFiles` adds to a site: the files to copy, and a file for each one left out. */
export interface StaticFiles {
  outputs: Output[];
  /** `static/<path>` files that name an output of geul's own, each with a warning. */
  skipped: VFile[];
}

/**
 * Hugo's `static/` folder, copied to the root of the site as it is: a `CNAME` for GitHub Pages,
 * `favicon.ico`, `.well-known/`, downloads. A migrated site keeps them rather than losing them
 * unseen. geul's own files win where a path is taken (`robots.txt`, a post's page), as Hugo's
 * rendered pages overwrite its static files, and the writer is told.
 */
export async function staticFiles(root: string, own: readonly string[]): Promise<StaticFiles> {
  const dir = path.join(root, 'static');
  // Links not followed, as for the sources (load.ts); dot files kept (`.well-known/`, `.nojekyll`).
  // Editors' backups left out, as from images/ and bundles: geul dev's watcher never sees them.
  const files = await glob('**/*', { cwd: dir, onlyFiles: true, dot: true, expandDirectories: false, followSymbolicLinks: false, ignore: EDITOR_BACKUPS });
  const taken = new Set(own.map((file) => file.toLowerCase()));
  // A file where geul makes a folder (`static/tags`), or inside one of geul's files.
  const folders = new Set([...taken].flatMap((file) => file.split('/').slice(0, -1).map((_, at, parts) => parts.slice(0, at + 1).join('/'))));
  const reserved = [OUTPUT_MARKER, SEARCH_BUNDLE_DIR];
  const outputs: Output[] = [];
  const skipped: VFile[] = [];
  for (const file of files.sort()) {
    const name = file.normalize('NFC');
    // Compared in lower case: on the case-insensitive disks of macOS and Windows, `Robots.txt` is `robots.txt`.
    const lower = name.toLowerCase();
    const parents = lower.split('/').slice(0, -1).map((_, at, parts) => parts.slice(0, at + 1).join('/'));
    const clash = taken.has(lower) || folders.has(lower) || parents.some((parent) => taken.has(parent)) || reserved.some((top) => lower === top || lower.startsWith(`${top}/`));
    if (!clash) {
      outputs.push({ path: name, copyFrom: path.join(dir, file) });
      continue;
    }
    const source = new VFile({ path: `static/${name}`, cwd: root });
    addWarning(source, `not copied: geul writes its own file or folder at ${name}`, { line: 1, column: 1 });
    skipped.push(source);
  }
  return { outputs, skipped };
}
