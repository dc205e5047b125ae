import { existsSync, lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { watch, type FSWatcher } from 'chokidar';
import { kindOf } from './content-files.js';
import { contentLinks, linkProblem } from './load.js';
import { isIgnored, type WatchMessage } from './watch.js';

/**
 * The dev server's watcher, on a thread of its own: on every change inside a watched folder
 * chokidar lists the folder again and stats each entry (1,000 posts: 1,000 stats), work that
 * would otherwise hold up the rebuild of the post just saved. Posts back paths only.
 */
const { root } = workerData as { root: string };
const post = (message: WatchMessage) => parentPort!.postMessage(message);

const LINKABLE = ['content', 'images', 'static', 'templates'];
/**
 * A top-level content/, images/, static/ or templates/ that is a link to a folder (a notes
 * vault, a shared folder, a theme used by several blogs, `content -> posts-ko`) is read through
 * by the build (load.ts, assets.ts, static-files.ts, render.ts), but chokidar does not follow
 * it: its files are watched where they are, reported as <folder>/<path>. Unwatched, a linked
 * content/ was served as it was at the start for as long as geul dev ran. `outside` are the
 * targets out of the project, which need a watcher of their own; one inside it is seen by the
 * project's watcher, unless it lies in another watched folder (reported under that name) or
 * holds the project.
 */
function linkedFolders(): { all: Map<string, string>; outside: string[] } {
  const inside = (child: string, parent: string) => !path.relative(parent, child).startsWith('..') && !path.isAbsolute(path.relative(parent, child));
  const all = new Map<string, string>();
  const outside: string[] = [];
  for (const name of LINKABLE) {
    const link = path.join(root, name);
    try {
      if (!lstatSync(link).isSymbolicLink()) continue;
      const target = realpathSync(link);
      const project = realpathSync(root);
      if (!statSync(target).isDirectory() || inside(project, target)) continue;
      if (!inside(target, project)) {
        outside.push(target);
        all.set(name, target);
        continue;
      }
      // As the project's watcher names it: under the root as given, which may itself be a link.
      const within = path.relative(project, target);
      if (isIgnored(within.split(path.sep)[0]!)) all.set(name, path.join(root, within));
    } catch {
      // A link to nothing: nothing is read, nothing to watch.
    }
  }
  return { all, outside };
}
const folders = linkedFolders();
/** A watched path relative to the root; <folder>/<path> for a file of a linked folder. */
function relativeOf(file: string): string {
  for (const [name, target] of folders.all) {
    if (file === target || file.startsWith(target + path.sep)) return path.join(name, path.relative(target, file));
  }
  return path.relative(root, file);
}

// Links not followed, as the build does not follow them (load.ts). A top-level folder linked
// out of the project gets a watcher of its own.
const watchers = [root, ...folders.outside].map((dir) => {
  const watcher = watch(dir, { ignoreInitial: true, followSymlinks: false, ignored: (file) => isIgnored(relativeOf(file)) });
  watcher.on('all', (_event, file) => post({ type: 'change', path: relativeOf(file) }));
  watcher.on('error', (error) => post({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
  followReplacedFolders(watcher);
  return watcher;
});

/**
 * A folder replaced by another of the same name in two quick renames (`mv images old && mv
 * new images`, as an export script swaps its output in): chokidar reports nothing when the
 * names inside are the same, and goes on watching the folder moved away under the old name,
 * so no save in the new one was ever seen. Each watched folder's inode is kept; when a rename
 * brings another inode under a known name, that folder is watched afresh and reported changed
 * (the build lists it again).
 */
function followReplacedFolders(watcher: FSWatcher): void {
  const inodes = new Map<string, number>();
  const inodeOf = (dir: string) => {
    try {
      const stats = statSync(dir);
      return stats.isDirectory() ? stats.ino : undefined;
    } catch {
      return undefined;
    }
  };
  const remember = (dir: string) => {
    const inode = inodeOf(dir);
    if (inode !== undefined) inodes.set(dir, inode);
  };
  watcher.once('ready', () => {
    for (const dir of Object.keys(watcher.getWatched())) remember(dir);
  });
  watcher.on('addDir', remember);
  watcher.on('raw', (event, name, details) => {
    const parent = (details as { watchedPath?: string }).watchedPath;
    if (event !== 'rename' || !name || !parent) return;
    const dir = path.join(parent, name);
    const known = inodes.get(dir);
    const inode = known === undefined ? undefined : inodeOf(dir);
    if (inode === undefined || inode === known) return;
    inodes.set(dir, inode);
    watcher.unwatch(dir);
    watcher.add(dir);
    post({ type: 'change', path: relativeOf(dir) });
  });
}
/**
 * Posts and pages that are links to files elsewhere in the project (`drafts/x.md`), which the
 * build reads through the link (load.ts): each file they lead to is watched, and a save there
 * reported as the link's path. A link that leads to nothing yet (a draft not written, a file
 * being restored) is watched where it leads: the build reads it once the file is there.
 * Listed again when something is added or removed under content/ or where they lead.
 */
const linked = new Map<string, string[]>();
function listLinkedPosts(): void {
  linked.clear();
  for (const link of contentLinks(root)) {
    if (!kindOf(link.normalize('NFC'))) continue;
    const full = path.join(root, link);
    let target: string | undefined;
    try {
      target = existsSync(full) ? (linkProblem(root, link) ? undefined : realpathSync(full)) : danglingTarget(full);
    } catch {
      // Gone since it was listed.
    }
    if (target) linked.set(target, [...(linked.get(target) ?? []), link]);
  }
  // site.toml may be a link too (settings shared by several blogs), which the build reads
  // through: watched where it leads, or a save there was never seen.
  const config = path.join(root, 'site.toml');
  try {
    if (lstatSync(config).isSymbolicLink()) {
      const target = existsSync(config) ? realpathSync(config) : danglingTarget(config);
      if (target) linked.set(target, [...(linked.get(target) ?? []), 'site.toml']);
    }
  } catch {
    // No site.toml: the build takes the defaults.
  }
}
/** The path a link that leads to nothing would lead to, through any links on the way. */
function danglingTarget(link: string): string | undefined {
  let at = link;
  // As many links as the kernel follows (ELOOP past 40).
  for (let hop = 0; hop < 40; hop++) {
    let next: string;
    try {
      next = path.resolve(path.dirname(at), readlinkSync(at));
    } catch {
      // `at` is no link: the missing file at the end of the chain.
      return at === link ? undefined : at;
    }
    at = next;
  }
  return undefined;
}
listLinkedPosts();
const targets = watch([...linked.keys()], { ignoreInitial: true });
const relist = () => {
  const before = [...linked.keys()];
  listLinkedPosts();
  targets.unwatch(before.filter((target) => !linked.has(target)));
  targets.add([...linked.keys()].filter((target) => !before.includes(target)));
};
targets.on('all', (event, file) => {
  for (const link of linked.get(file) ?? []) post({ type: 'change', path: link });
  if (event !== 'change') relist();
});
targets.on('error', (error) => post({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
watchers[0]!.on('all', (event, file) => {
  if (event !== 'change' && relativeOf(file).startsWith(`content${path.sep}`)) relist();
});

// The targets' watcher is waited for only when it has files: chokidar given none never says it is ready.
void Promise.all([...watchers, ...(linked.size > 0 ? [targets] : [])].map((watcher) => new Promise<void>((resolve) => watcher.once('ready', () => resolve())))).then(() => post({ type: 'ready' }));
parentPort!.on('message', (message: 'close') => {
  if (message === 'close') void Promise.all([...watchers, targets].map((watcher) => watcher.close())).then(() => post({ type: 'closed' }));
});
