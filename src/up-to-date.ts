import { execFile } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { existsSync, readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { imagesFolderProblem } from './assets.js';
import type { BuildStats } from './build.js';
import { ownPackage, versions } from './cache.js';
import { contentLinks } from './load.js';
import type { OutputFolder } from './write.js';

const run = promisify(execFile);

/**
 * What a successful `geul build` keeps with its output folder's state (`outputStateFile`), so that the next build
 * of unchanged sources can leave the folder as it is, as `make` would: no file read, no page
 * rendered, nothing written. Everything a build reads is in the stamp; the time a build runs
 * at counts through `since` and `upcoming` (see BuildResult).
 */
export interface BuildRecord {
  /** `inputStamp` of the build. */
  stamp: string;
  /** `BuildResult.upcoming`: instants, in milliseconds since the epoch. */
  upcoming: number[];
  /** `BuildResult.since`: an instant, in milliseconds since the epoch. */
  since: number;
  /** What the build printed before its summary (its warnings), line by line. */
  printed: string[];
  stats: BuildStats;
  /** Posts in the search index. */
  searchPosts: number;
}

/**
 * A digest of everything a build reads and of how it was asked: the inode, size, modification
 * and change times of every file under content/, images/, static/ and templates/ and of site.toml (the sitemap
 * takes dates from git or from those times), the commit git is at, geul's sources and the
 * versions of the packages that shape the output, Node's version (its Intl data formats the
 * dates) and time zone, and the build's options.
 */
export async function inputStamp(root: string, options: Record<string, unknown>): Promise<string> {
  // git runs while the files are looked at, not before them.
  const commit = headCommit(root);
  const files = createHash('sha256');
  for (const folder of ['content', 'images', 'static', 'templates']) {
    const dir = path.join(root, folder);
    if (!existsSync(dir)) {
      files.update(`\0${folder}: none`);
      continue;
    }
    // An images/ linked to the project or above it (`images -> /`) is refused by the build,
    // which copies none of it: walked here, it held the refusal up for as long as the disk took.
    if (folder === 'images' && imagesFolderProblem(root)) {
      files.update(`\0${folder}: refused link`);
      continue;
    }
    stampFolder(files, folder, dir, realpathSync(root), new Set([realpathSync(dir)]));
  }
  // A post that is a link is read through it (load.ts): the file it leads to is stamped,
  // and the link's own name, so a link added, removed or pointed elsewhere is seen too.
  for (const link of contentLinks(root)) files.update(`\0${link} -> ${stampOf(path.join(root, link))}`);
  files.update(`\0site.toml:${stampOf(path.join(root, 'site.toml'))}`);
  return createHash('sha256')
    .update(
      JSON.stringify({
        format: STAMP_FORMAT,
        options,
        versions: versions(),
        node: process.version,
        timeZone: [process.env.TZ ?? '', Intl.DateTimeFormat().resolvedOptions().timeZone],
        commit: await commit,
        // npm rewrites this on every install: a package updated under geul (a font, Pagefind,
        // sharp) changes the stamp even where versions() does not name it.
        installed: installedPackagesFiles().map(stampOf),
        files: files.digest('base64url'),
      }),
    )
    .digest('base64url');
}

const STAMP_FORMAT = 4;

/**
 * Every file under `dir` into `files`, by its path under `label`, one listing per folder.
 * A link is followed where the build reads through it, to a file or a folder inside the
 * project (`images/shared -> ../pics`: remark-images refuses only links leading out of it),
 * so a figure replaced behind one is seen; each real folder is walked once, so a loop of links
 * (`a -> .`) ends. A link leading out of the project, or to nothing, counts by its name only.
 */
function stampFolder(files: Hash, label: string, dir: string, project: string, seen: Set<string>): void {
  let items: Dirent[];
  try {
    items = readdirSync(dir, { withFileTypes: true });
  } catch {
    files.update(`\0${label}/: unreadable`);
    return;
  }
  for (const item of items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const name = `${label}/${item.name}`;
    const full = path.join(dir, item.name);
    if (item.isDirectory()) {
      files.update(`\0${name}/`);
      stampFolder(files, name, full, project, seen);
      continue;
    }
    if (!item.isSymbolicLink()) {
      files.update(`\0${name}:${stampOf(full)}`);
      continue;
    }
    let real: string;
    try {
      real = realpathSync(full);
    } catch {
      files.update(`\0${name} -> nothing`);
      continue;
    }
    const relative = path.relative(project, real);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      files.update(`\0${name} -> outside`);
    } else if (!statSync(real, { throwIfNoEntry: false })?.isDirectory()) {
      files.update(`\0${name} -> ${stampOf(real)}`);
    } else if (seen.has(real)) {
      files.update(`\0${name} -> walked`);
    } else {
      seen.add(real);
      files.update(`\0${name} -> folder`);
      stampFolder(files, name, real, project, seen);
    }
  }
}

/** npm's record of node_modules for geul's own install, and for a project that installed geul. */
function installedPackagesFiles(): string[] {
  const geul = ownPackage().dir;
  return [path.join(geul, 'node_modules', '.package-lock.json'), path.join(geul, '..', '.package-lock.json')];
}

function stampOf(file: string): string {
  try {
    const stats = statSync(file);
    // The change time too: a file rewritten to the same size with its modification time put
    // back (`cp -p`, `rsync -t`, `touch -r`) still gets a new one, which no program can set.
    return stats.isDirectory() ? 'dir' : `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
  } catch {
    return 'none';
  }
}

async function headCommit(root: string): Promise<string> {
  try {
    return (await run('git', ['-C', root, 'rev-parse', 'HEAD'], { encoding: 'utf8' })).stdout.trim();
  } catch {
    return '';
  }
}

/**
 * The record of the last build into an output folder, if it still describes the folder: every
 * file it wrote is there as it wrote it. Undefined otherwise (no record, an older format, a
 * file deleted or edited by hand).
 */
export function buildRecordOf(folder: OutputFolder): BuildRecord | undefined {
  const record = folder.record as BuildRecord | undefined;
  return typeof record?.stamp === 'string' ? record : undefined;
}

/**
 * Whether a build at `now`, with inputs stamped `stamp`, would make what `record`'s build
 * made: `now` lies between the last change of the site's clock-dependent state before that
 * build and the next one after it (`now` is the `--clock` given, else the machine's time).
 */
export function stillCurrent(record: BuildRecord, stamp: string, now: Date): boolean {
  const time = now.getTime();
  // A record of another format (dates as text, no `since`) is not trusted to be current.
  if (record.stamp !== stamp || typeof record.since !== 'number' || record.since > time || !Array.isArray(record.upcoming)) return false;
  return !record.upcoming.some((instant) => typeof instant !== 'number' || instant <= time);
}
