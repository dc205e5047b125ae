import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { VFile } from 'vfile';
import { isBundleIndex, isMarkdown, kindOf, unpublishedReason } from './content-files.js';
import { addError, addWarning } from './report.js';
import { sourceTextDigest, type SourceSnapshot } from './source-snapshot.js';

declare module 'vfile' {
  interface DataMap {
    /**
     * The digest of the source's text (`sourceTextDigest`), which keys the post cache. Set by
     * `loadContent` when a snapshot is given, for every file, including those whose text is
     * not read until something asks for it.
     */
    textDigest: string;
  }
}

/** The source files of a site, each a VFile whose path is relative to the project root. */
export interface SourceFiles {
  /** `site.toml` (empty when the project has none). */
  config: VFile;
  /** Markdown under `content/posts/` (`.md`, `.markdown`, `.mdown`): see content-files.ts. */
  posts: VFile[];
  /** `content/<name>.md` and `content/<name>/index.md`: standalone pages. */
  pages: VFile[];
  /**
   * Other markdown files under `content/` (a Hugo section, `content/notes/a.md`, Hugo's
   * `_index.md`), which are not published, each with a warning saying so, and posts and pages
   * that are links geul does not follow, each with its problem.
   */
  unread?: VFile[];
}

/**
 * Read `site.toml` and every markdown file under `content/`. Paths are NFC: macOS writes
 * Korean file names decomposed (NFD), and a slug must not depend on the writer's machine.
 * Files and folders starting with `.` are skipped, and those starting with `_` but Hugo's
 * `_index.md`, which is told not to be used.
 */
export async function loadContent(root: string, snapshot?: SourceSnapshot): Promise<SourceFiles> {
  const configPath = path.join(root, 'site.toml');
  const config = new VFile({ path: 'site.toml', cwd: root, value: '' });
  try {
    // A named pipe would be read for ever: anything but a file is refused as a folder is.
    const stats = statSync(configPath);
    if (!stats.isFile() && !stats.isDirectory()) throw Object.assign(new Error('not a file (a pipe, a socket or a device)'), { code: 'ENOTFILE' });
    config.value = readFileSync(configPath, 'utf8');
  } catch (error) {
    // No site.toml: the defaults, said once, since every absolute URL (the feed's, the
    // sitemap's, each canonical link) then leads to localhost. One that cannot be read (a
    // folder of that name) is an error of its own.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') addError(config, `cannot read site.toml: ${(error as Error).message}`, { line: 1, column: 1 });
    else addWarning(config, 'no site.toml: the site is built with the default settings, so the feed, the sitemap and every canonical link point at http://localhost:4000/; add a site.toml with at least title and baseURL (README, Configuration)', { line: 1, column: 1 }, 'no-config');
  }
  const listing = listSources(root);
  const unreadable: VFile[] = [];
  return {
    config,
    posts: readMarkdown(root, listing.posts, snapshot, unreadable),
    pages: readMarkdown(root, listing.pages, snapshot, unreadable),
    unread: [...unreadFiles(root, listing), ...unreadable],
  };
}

/**
 * Paths of the markdown files `loadContent` reads, relative to the root, NFC, and the files it
 * leaves out with their problems (for the dev server's relisting).
 */
export async function listContent(root: string): Promise<{ posts: string[]; pages: string[]; unread: VFile[] }> {
  const listing = listSources(root);
  return { posts: listing.posts.map((file) => file.normalize('NFC')), pages: listing.pages.map((file) => file.normalize('NFC')), unread: unreadFiles(root, listing) };
}

function unreadFiles(root: string, listing: Listing): VFile[] {
  return listing.unread.map(({ path: relative, reason, severity }) => {
    const file = new VFile({ path: relative.normalize('NFC'), cwd: root });
    (severity === 'error' ? addError : addWarning)(file, reason, { line: 1, column: 1 });
    return file;
  });
}

/**
 * Files under `content/` that are links to other files, by their path as on disk: the build
 * reads a post or page through its link, so a check for changes looks at the file it leads to.
 */
export function contentLinks(root: string): string[] {
  return walkContent(root).links;
}

interface Listing {
  posts: string[];
  pages: string[];
  unread: { path: string; reason: string; severity: 'error' | 'warning' }[];
}

/** Posts, pages and the markdown left out, as on disk, sorted; each left out with its reason. */
function listSources(root: string): Listing {
  const { files, links, unreadable } = walkContent(root);
  const listing: Listing = { posts: [], pages: [], unread: unreadable.map((folder) => ({ ...folder, severity: 'error' as const })) };
  const read = [...files];
  for (const link of links) {
    const problem = linkProblem(root, link);
    // A link to another file (an image of a bundle) is the business of what reads that file.
    if (kindOf(link.normalize('NFC')) === undefined && problem?.reason !== FOLDER_LINK) continue;
    if (problem) listing.unread.push({ path: link, ...problem });
    else read.push(link);
  }
  read.sort();
  for (const file of read) {
    const kind = kindOf(file.normalize('NFC'));
    if (kind) listing[kind === 'post' ? 'posts' : 'pages'].push(file);
  }
  // Markdown inside a page's bundle is one of its resources, as in Hugo: not told.
  const bundles = listing.pages.filter((page) => isBundleIndex(page)).map((page) => `${path.posix.dirname(page)}/`);
  for (const file of files) {
    if (kindOf(file.normalize('NFC')) || !isMarkdown(file)) continue;
    const reason = unpublishedReason(file.normalize('NFC'), bundles);
    if (reason) listing.unread.push({ path: file, reason, severity: 'warning' });
  }
  return listing;
}

/**
 * Why a post or page that is a symbolic link is not read, if it is not: it leads out of the
 * project (whose sources a build and its watcher know), to a folder, or to nothing. A link to
 * a file inside the project is read as the file it leads to, as an image through a link is.
 */
export function linkProblem(root: string, relative: string): { reason: string; severity: 'error' | 'warning' } | undefined {
  const full = path.join(root, relative);
  // Not there at all: no link, and nothing to say (a file deleted is simply gone).
  if (!lstatSync(full, { throwIfNoEntry: false })?.isSymbolicLink()) return undefined;
  let target: string;
  try {
    target = realpathSync(full);
  } catch {
    return { reason: `not read: a link to ${readlinkOf(full)}, which does not exist`, severity: 'warning' };
  }
  let stats: Stats;
  let project: string;
  try {
    stats = statSync(target);
    project = realpathSync(root);
  } catch {
    // Gone between the two looks: not there for this build, as a file deleted while listed.
    return { reason: `not read: a link to ${target}, which does not exist`, severity: 'warning' };
  }
  if (stats.isDirectory()) return { reason: FOLDER_LINK, severity: 'warning' };
  // Reading a named pipe waits for a writer that never comes: the build hung for good.
  if (!stats.isFile()) return { reason: `not read: a link to ${target}, which is not a file (a pipe, a socket or a device)`, severity: 'error' };
  const outside = path.relative(project, target);
  if (outside.startsWith(`..${path.sep}`) || outside === '..' || path.isAbsolute(outside)) {
    return { reason: `a link to ${target}, outside the project: copy the file into the project (geul reads a link only to a file inside it)`, severity: 'error' };
  }
  return undefined;
}

const FOLDER_LINK = 'not read: a link to a folder, which geul does not follow under content/ (two links up the tree made paths without end); move the folder here, or link its files one by one';

function readlinkOf(full: string): string {
  try {
    return readlinkSync(full);
  } catch {
    return 'nothing';
  }
}

/**
 * Every file under `content/` (dot files and folders and `_` folders left out), and every
 * symbolic link there, not followed: two links back up the tree (`a -> .`, `b -> .`) made
 * paths without end, a build that never finished. Paths relative to the root, as on disk.
 */
function walkContent(root: string): { files: string[]; links: string[]; unreadable: { path: string; reason: string }[] } {
  const files: string[] = [];
  const links: string[] = [];
  const unreadable: { path: string; reason: string }[] = [];
  const visit = (relative: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(path.join(root, relative), { withFileTypes: true });
    } catch (error) {
      // No content/, or a folder removed while it is listed.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      // A folder the build may not list (`chmod 000 content/posts`) would publish the site
      // without its posts, the previous dist/ replaced by an empty one: an error instead.
      unreadable.push({ path: relative, reason: `cannot read this folder: ${systemReason(error)}` });
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const child = `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('_')) visit(child);
      } else if (entry.isSymbolicLink()) {
        links.push(child);
      } else if (entry.isFile()) {
        files.push(child);
      }
    }
  };
  visit('content');
  return { files: files.sort(), links: links.sort(), unreadable };
}

/** The files of `listed`, read; each that cannot be read (`chmod 000`) goes into `unreadable` with its error. */
function readMarkdown(root: string, listed: string[], snapshot: SourceSnapshot | undefined, unreadable: VFile[]): VFile[] {
  const files: VFile[] = [];
  // Read one after another, synchronously: a few kilobytes each, a thousand files take half
  // the time they take as a thousand promises through libuv's four threads.
  for (const relative of listed) {
    const full = path.join(root, relative);
    const name = relative.normalize('NFC');
    // Stat first: a write after it changes the stat the next build compares.
    const stats = snapshot && statSync(full, { bigint: true, throwIfNoEntry: false });
    if (snapshot && !stats) continue;
    const known = stats && snapshot.digestOf(name, stats);
    if (known !== undefined) {
      files.push(unreadFile(root, name, full, known));
      continue;
    }
    let value: string;
    try {
      value = readFileSync(full, 'utf8');
    } catch (error) {
      // Deleted between the listing and the read (an editor's save, a `git checkout`):
      // the file is simply not there for this build.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      // One the build may not read (`chmod 000`, another user's file) is an error of that
      // file, told with every other problem, where the system's message alone ended the run.
      unreadable.push(unreadableFile(root, name, error));
      continue;
    }
    const file = new VFile({ path: name, cwd: root, value });
    if (stats) {
      file.data.textDigest = sourceTextDigest(value);
      snapshot.record(name, stats, file.data.textDigest);
    }
    files.push(file);
  }
  return files;
}

/** A post or page that could not be read (not for its absence), with the error saying why. */
export function unreadableFile(root: string, name: string, error: unknown): VFile {
  const file = new VFile({ path: name, cwd: root });
  addError(file, `cannot read this file: ${systemReason(error)}`, { line: 1, column: 1 });
  return file;
}

/** A system error without the absolute path it names: `EACCES: permission denied`. */
function systemReason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  return message.replace(/, \w+ '.*'$/s, '') || String(code);
}

/**
 * A source the snapshot knows unchanged: its text is read when first asked for (a post to
 * compile again, a warning's excerpt), as it is then; a file gone by then reads as empty.
 */
function unreadFile(root: string, name: string, full: string, digest: string): VFile {
  const file = new VFile({ path: name, cwd: root });
  let value: string | undefined;
  Object.defineProperty(file, 'value', {
    enumerable: true,
    configurable: true,
    get: () => {
      if (value === undefined) {
        try {
          value = readFileSync(full, 'utf8');
        } catch {
          value = '';
        }
      }
      return value;
    },
    set: (given: string) => {
      value = given;
    },
  });
  file.data.textDigest = digest;
  return file;
}
