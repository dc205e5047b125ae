import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Output } from './types.js';

/** A file geul leaves in every output folder, so that it only ever replaces its own work. */
export const OUTPUT_MARKER = '.geul';

/**
 * The marker's bytes: the same from every build, on every machine. What the next build needs
 * (each file's key, digest and fingerprint, the build's record) is kept in the project's cache
 * (`outputStateFile`): kept here, it made two builds of the same site differ in this file alone
 * (input files' inodes and times, the machine's time zone), and a deploy upload it each time.
 */
export const OUTPUT_MARKER_TEXT = 'Written by geul and replaced on every build.\n';

/**
 * Why `outDir` must not be replaced, or undefined when it may. geul deletes the previous
 * output, so it refuses anything that could hold a writer's files: the project itself, its
 * content, a filesystem root or home, and any non-empty folder it did not make.
 */
export function unsafeOutDirReason(outDir: string, root: string): string | undefined {
  const given = path.resolve(outDir);
  const linked = landing(given);
  // A link, at the folder or on its way, is judged by where it leads too: the site is written there.
  return unsafeFolderReason(outDir, given, path.resolve(root)) ?? (linked === given ? undefined : unsafeFolderReason(outDir, linked, realpathSync(root)));
}

/**
 * Where `target` lands with every link on its way followed, whether it exists yet or not:
 * `--out link-to-content/site` wrote the site into content/, since only a link at the
 * output folder itself was followed.
 */
function landing(target: string): string {
  let existing = target;
  while (!existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  try {
    return path.join(realpathSync(existing), path.relative(existing, target));
  } catch {
    return target;
  }
}

function unsafeFolderReason(outDir: string, target: string, project: string): string | undefined {
  const forbidden = [
    project,
    path.join(project, 'content'),
    path.join(project, 'images'),
    path.join(project, 'static'),
    path.join(project, 'templates'),
    path.join(project, 'src'),
    path.join(project, 'node_modules'),
    path.parse(target).root,
    os.homedir(),
  ];
  if (forbidden.includes(target)) return `refusing to write the site into ${outDir}: it holds other files`;
  // Inside a folder the build reads, the site would be read back into itself on the next
  // build (images/public/images/public/…), or published as a post's files.
  const read = ['content', 'images', 'static', 'templates', '.cache'].find((folder) => target.startsWith(path.join(project, folder) + path.sep));
  if (read) return `refusing to write the site into ${outDir}: it is inside ${read}/, which the build reads`;
  if (project.startsWith(target + path.sep)) return `refusing to write the site into ${outDir}: it contains the project`;
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) return `refusing to replace ${outDir}: it is not a folder`;
    const entries = readdirSync(target);
    if (entries.length > 0 && !entries.includes(OUTPUT_MARKER)) {
      return `refusing to replace ${outDir}: it is not empty and was not made by geul (no ${OUTPUT_MARKER} file)`;
    }
  }
  return undefined;
}

/** What the previous build left: the key of each file, from the state it kept. */
export type Manifest = Map<string, string>;

/**
 * What the previous build left in an output folder, as far as its files are still as it
 * wrote them: read once per build, before anything is written.
 */
export interface OutputFolder {
  /** The key of each file still there as written (`BuildOptions.previous`). */
  keys: Manifest;
  /** The digest of each such file's bytes. */
  digests: Map<string, string>;
  /** The fingerprint (`fingerprintOf`) of each such file. */
  fingerprints: Map<string, string>;
  /** What the build recorded for the next one (up-to-date.ts), while every file is as written. */
  record: unknown;
  /** The fingerprint (`folderFingerprint`) of each folder holding such files as found, the output folder's own as `.`. */
  folders: Map<string, string>;
}

/**
 * Where a project keeps the fingerprints of the files it wrote into `outDir` (see
 * `readOutputFolder`): in its cache, not in the output folder, whose files stay the same
 * bytes from build to build and machine to machine.
 */
export function outputStateFile(root: string, outDir: string): string {
  const name = createHash('sha256').update(path.resolve(outDir)).digest('hex').slice(0, 16);
  return path.join(root, '.cache', 'geul', 'outputs', `${name}.json`);
}

/**
 * What the previous build into `outDir` wrote, as kept in `stateFile`, each file checked
 * against the fingerprint it had when written: a file deleted, edited or replaced by hand
 * since (or by a `--no-cache` build, which keeps no state) is not trusted, and is written
 * again. Empty without a state file (`--no-cache`), with one of an older format or cut short
 * while files were moved in, or when the folder has no marker (it is not geul's).
 */
export function readOutputFolder(outDir: string, stateFile: string | undefined): OutputFolder {
  const read: OutputFolder = { keys: new Map(), digests: new Map(), fingerprints: new Map(), record: undefined, folders: new Map() };
  if (stateFile === undefined || !existsSync(path.join(path.resolve(outDir), OUTPUT_MARKER))) return read;
  try {
    const parsed = JSON.parse(readFileSync(stateFile, 'utf8')) as OutputState;
    if (parsed.format !== MANIFEST_FORMAT || parsed.updating || !parsed.files || !parsed.fingerprints) return read;
    const folders = parsed.folders ?? {};
    // A file or folder added by hand changes its folder's mtime: the folder is no longer as
    // the build left it, and the next build removes what it did not write.
    const root = folderFingerprintOf(outDir, { follow: true });
    if (root !== undefined) read.folders.set('.', root);
    let intact = root === folders['.'];
    const inPlace = foldersInPlace(outDir, (folder, fingerprint) => {
      if (folders[folder] !== fingerprint) intact = false;
      if (fingerprint !== undefined) read.folders.set(folder, fingerprint);
    });
    for (const [file, key] of Object.entries(parsed.files)) {
      const fingerprint = parsed.fingerprints[file];
      if (typeof key !== 'string' || fingerprint === undefined || !inPlace(file) || fingerprintOf(path.join(outDir, file)) !== fingerprint) {
        intact = false;
        continue;
      }
      read.keys.set(file, key);
      read.fingerprints.set(file, fingerprint);
      const digest = parsed.digests?.[file];
      if (typeof digest === 'string') read.digests.set(file, digest);
    }
    if (intact) read.record = parsed.build;
  } catch {
    // no marker or no state, or a broken one: every file is written
  }
  return read;
}

/** What `stateFile` holds of the files a build wrote into its output folder. */
interface OutputState {
  format?: number;
  /** Each file's key (`keyOf`): the same key next time, the file is left as it is. */
  files?: Record<string, string>;
  /** The bytes of each file written from content, so that a page rendered again into the same bytes is not written again. */
  digests?: Record<string, string>;
  /** Each file's inode, size and mtime as written (`fingerprintOf`). */
  fingerprints?: Record<string, string>;
  /** Each folder's inode and mtime once written (`folderFingerprintOf`), the output folder's own as `.`. */
  folders?: Record<string, string>;
  /** What the next build needs to tell whether it can leave the folder as it is (up-to-date.ts). */
  build?: unknown;
  /** Set while files are moved into place: should that be cut short, the next build trusts no file of the folder. */
  updating?: true;
}

/**
 * What tells a file geul wrote from one changed since: its inode, size and modification time.
 * Moving a file into place by a rename, or hard-linking it, keeps all three; an editor saving
 * it, a copy over it or a truncation changes at least one.
 */
function fingerprintOf(file: string): string | undefined {
  try {
    // Not through a link: a file replaced by a link to it elsewhere is no longer the one written.
    const stats = lstatSync(file);
    return stats.isFile() ? `${stats.ino}:${stats.size}:${stats.mtimeMs}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether every folder between `outDir` and a file of it (`posts/x/index.html`) is a folder of
 * the output itself: a folder moved elsewhere and linked back in its place (`posts/x ->
 * /elsewhere/x`) holds the very files geul wrote, inodes and all, which their fingerprints,
 * taken through the link, would still trust. Each folder is looked at once.
 */
function foldersInPlace(outDir: string, seen: (folder: string, fingerprint: string | undefined) => void): (file: string) => boolean {
  const folders = new Map<string, boolean>();
  const inPlace = (file: string): boolean => {
    const folder = path.posix.dirname(file);
    if (folder === '.' || folder === '/') return true;
    let known = folders.get(folder);
    if (known === undefined) {
      const stats = inPlace(folder) ? lstatSync(path.join(outDir, folder), { throwIfNoEntry: false }) : undefined;
      known = stats?.isDirectory() ?? false;
      seen(folder, known ? folderFingerprint(stats!) : undefined);
      folders.set(folder, known);
    }
    return known;
  };
  return inPlace;
}

/** What tells a folder as geul left it from one changed since: an entry added, removed or renamed changes its mtime. */
function folderFingerprintOf(folder: string, { follow = false } = {}): string | undefined {
  // The output folder itself may be a link to where the site goes (`dist -> ../deploy`).
  const stats = (follow ? statSync : lstatSync)(folder, { throwIfNoEntry: false });
  return stats?.isDirectory() ? folderFingerprint(stats) : undefined;
}

function folderFingerprint(stats: Stats): string {
  return `${stats.ino}:${stats.mtimeMs}`;
}

/**
 * The fingerprints of the output folder and every folder that holds one of `files`. A folder
 * the build wrote nothing into, removed nothing from and made nothing in keeps the
 * fingerprint it was found with (`found`): an edit looks at its few folders again, not at
 * every folder of the site (2,249 at 1,000 posts, 35 ms). Without `touched`, all are looked at.
 */
function folderFingerprints(outDir: string, files: Iterable<string>, found: ReadonlyMap<string, string>, touched?: ReadonlySet<string>): Record<string, string> {
  const folders = new Map<string, string>();
  const fingerprintOf = (folder: string) =>
    touched && !touched.has(folder) && found.has(folder) ? found.get(folder) : folderFingerprintOf(folder === '.' ? outDir : path.join(outDir, folder));
  const root = fingerprintOf('.');
  if (root !== undefined) folders.set('.', root);
  for (const file of files) {
    for (let folder = path.posix.dirname(file); folder !== '.' && !folders.has(folder); folder = path.posix.dirname(folder)) {
      const fingerprint = fingerprintOf(folder);
      if (fingerprint !== undefined) folders.set(folder, fingerprint);
    }
  }
  return Object.fromEntries(sortedByPath(folders));
}

/** Every folder from each of `files`' own up to the output folder (`.`): those a move or removal of them may change. */
function foldersOf(files: Iterable<string>): Set<string> {
  const folders = new Set<string>(['.']);
  for (const file of files) {
    for (let folder = path.posix.dirname(file); folder !== '.' && !folders.has(folder); folder = path.posix.dirname(folder)) folders.add(folder);
  }
  return folders;
}

const MANIFEST_FORMAT = 6;

/**
 * The folder `outDir` leads to when it is a link to one (`dist -> ../site-deploy`, a
 * gh-pages worktree): the site goes there, however many files changed. A build that moved a
 * few files in wrote through the link, but one that swapped a whole new folder in replaced
 * the link itself, leaving the folder it led to with the old site from then on.
 */
function linkedFolder(outDir: string): string {
  try {
    if (!lstatSync(outDir).isSymbolicLink()) return outDir;
    return statSync(outDir).isDirectory() ? realpathSync(outDir) : outDir;
  } catch {
    // Nothing there (or a file where a folder of its path should be, which making the
    // folder reports), or a link to nothing: replaced by the new folder, as a missing one is made.
    return outDir;
  }
}

/**
 * Write a whole site into `outDir`. Nothing in it changes until every file is written: new
 * and changed files go into a staging folder beside it first, and a failure leaves the
 * previous output exactly as it was. Then, when the site changed in a few files (an edited
 * post: its page, a part of the search index), those are moved into place one by one;
 * when it changed in many, the staging folder, completed with links to the unchanged files,
 * is swapped in for the old one.
 *
 * A file whose key matches the previous build's is not written again: bytes, inode and mtime
 * stay untouched (so rsync and CDNs see no change). `record`, when given, is kept in the
 * state for the next build. Files are only reused with a `stateFile` (`outputStateFile`),
 * where their keys and fingerprints are kept.
 */
export async function write(outputs: Output[], outDir: string, record?: unknown, stateFile?: string): Promise<void> {
  const staging = await openStaging(outDir, readOutputFolder(outDir, stateFile), stateFile);
  await staging.commit(outputs, record);
}

/**
 * A site being written: files go into the staging folder as they are put, so a build need not
 * hold every page in memory until the end. `commit` puts the rest and brings them into the
 * output folder; `discard` (or a failed commit) removes the staging folder and leaves the
 * previous output as it was.
 */
export interface Staging {
  /** Write one file now; resolves once few enough writes are in flight to put another. */
  put(output: Output): Promise<void>;
  commit(outputs: Output[], record?: unknown): Promise<void>;
  discard(): Promise<void>;
}

/**
 * `outDir`'s files are those `folder` describes (`readOutputFolder`, read before the build
 * began); the fingerprints of the committed files go to `stateFile`, if any.
 */
export async function openStaging(outDir: string, folder: OutputFolder, stateFile: string | undefined): Promise<Staging> {
  const target = linkedFolder(path.resolve(outDir));
  const parent = path.dirname(target);
  const stamp = `${process.pid}-${Date.now().toString(36)}`;
  const staging = path.join(parent, `.${path.basename(target)}.new-${stamp}`);
  const retired = path.join(parent, `.${path.basename(target)}.old-${stamp}`);
  const { keys: previous, digests: previousDigests, fingerprints: previousFingerprints } = folder;
  await removeAbandoned(parent, path.basename(target));
  // Listening before the folder is made: a signal between the two would leave it behind.
  const signals = stagingSignals(staging);
  await mkdir(staging, { recursive: true });
  const keys = new Map<string, string>();
  /** Digests of the bytes of written files, kept in the state. */
  const digests = new Map<string, string>();
  /** Fingerprints of the files as they stand once committed. */
  const fingerprints = new Map<string, string>();
  /** Files written into the staging folder; every other output is the previous file, kept. */
  const written = new Set<string>();
  const folders = new Set<string>([staging]);
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;

  const writeOne = async (output: Output, file: string) => {
    const folder = path.dirname(file);
    if (!folders.has(folder)) {
      await mkdir(folder, { recursive: true });
      folders.add(folder);
    }
    if ('unchanged' in output) throw new Error(`${output.path} was not rendered, and the previous file is gone`);
    if ('copyFrom' in output) await copyFile(output.copyFrom, file);
    else await writeFile(file, output.content);
  };
  const put = async (given: Output) => {
    if (failure !== undefined) throw failure;
    // Output paths are built from slugs and file names; check once more that none climbs out.
    const file = path.resolve(staging, given.path);
    if (!file.startsWith(staging + path.sep)) {
      failure ??= new Error(`output path escapes the output folder: ${given.path}`);
      throw failure;
    }
    let key: string;
    try {
      key = keyOf(given);
    } catch (error) {
      // A file to copy that is not there: the commit fails, as if its copy had.
      failure ??= error;
      return;
    }
    keys.set(given.path, key);
    // The previous build's file, with the same key, stays where it is.
    if (previous.get(given.path) === key) {
      written.delete(given.path);
      const digest = previousDigests.get(given.path);
      if (digest !== undefined) digests.set(given.path, digest);
      return;
    }
    // Encoded now rather than by writeFile later: the page's string (two bytes a character for
    // Hangul) dies young instead of waiting in the old generation with the writes in flight.
    const output = 'content' in given && typeof given.content === 'string' ? { ...given, key, content: Buffer.from(given.content) } : given;
    if ('content' in output) {
      // Rendered again (a template changed) into the same bytes: the file stays as it is.
      // (An output without a key of its own is keyed by this same digest.)
      const digest = given.key === undefined ? key : createHash('sha256').update(output.content).digest('base64url');
      digests.set(given.path, digest);
      if (previousDigests.get(given.path) === digest) {
        written.delete(given.path);
        return;
      }
    } else digests.delete(given.path);
    written.add(given.path);
    const writing = writeOne(output, file).then(
      () => void inFlight.delete(writing),
      (error: unknown) => {
        inFlight.delete(writing);
        failure ??= error;
      },
    );
    inFlight.add(writing);
    // A few writes in flight keep the disk busy without opening thousands of files at once.
    while (inFlight.size >= WRITES_IN_FLIGHT) await Promise.race(inFlight);
  };
  const discard = async () => {
    await Promise.allSettled([...inFlight]);
    await rm(staging, { recursive: true, force: true });
    signals.release();
  };
  /**
   * Once every file is in place: what the next build reads (`readOutputFolder`). A build that
   * dies before this leaves the previous state, whose fingerprints the files it replaced no
   * longer match: those are not trusted.
   */
  const keepState = (record: unknown, touched?: ReadonlySet<string>) => {
    if (stateFile === undefined) return;
    const state: OutputState = {
      format: MANIFEST_FORMAT,
      files: Object.fromEntries(sortedByPath(keys)),
      digests: Object.fromEntries(sortedByPath(digests).filter(([file]) => keys.has(file))),
      fingerprints: Object.fromEntries(sortedByPath(fingerprints).filter(([file]) => keys.has(file))),
      folders: folderFingerprints(target, keys.keys(), folder.folders, touched),
      ...(record === undefined ? {} : { build: record }),
    };
    try {
      mkdirSync(path.dirname(stateFile), { recursive: true });
      replaceFile(stateFile, JSON.stringify(state));
    } catch {
      // A cache that cannot be written costs the next build its reuse of files, nothing more.
    }
  };

  return {
    put,
    discard,
    async commit(outputs, record) {
      let gone: string[];
      try {
        for (const output of outputs) await put(output);
        await Promise.all([...inFlight]);
        if (failure !== undefined) throw failure;
        // Each file's fingerprint as it will stand in the output folder: a rename keeps it.
        for (const file of keys.keys()) {
          const fingerprint = written.has(file) ? fingerprintOf(path.join(staging, file)) : previousFingerprints.get(file);
          if (fingerprint !== undefined) fingerprints.set(file, fingerprint);
        }
        // Files of the folder that the new site does not have: pages of deleted posts, and
        // anything put there by hand.
        const found = existsSync(target) ? listFiles(target) : { files: [], links: [] };
        gone = found.files.filter((file) => file !== OUTPUT_MARKER && !keys.has(file));
        const changes = written.size + gone.length;
        // A symbolic link put into the folder (`dist/posts/x -> /elsewhere`) would take the
        // renames below, and the files they replace, out of it: such a folder is swapped
        // whole, the links gone with the old one and never followed.
        const inPlace = previous.size > 0 && found.links.length === 0 && changes <= keys.size * IN_PLACE_SHARE && !blocked(target, written);
        if (!inPlace) {
          for (const file of keys.keys()) {
            if (written.has(file)) continue;
            const to = path.join(staging, file);
            const folder = path.dirname(to);
            if (!folders.has(folder)) {
              mkdirSync(folder, { recursive: true });
              folders.add(folder);
            }
            const placed = linkOrCopy(path.join(target, file), to);
            if (!placed) throw new Error(`${file} was not rendered, and the previous file is gone`);
            if (placed === 'copied') fingerprints.set(file, fingerprintOf(to) ?? '');
          }
          writeFileSync(path.join(staging, OUTPUT_MARKER), OUTPUT_MARKER_TEXT);
          signals.hold();
          try {
            await swapIn(staging, target, retired);
            keepState(record);
          } finally {
            signals.release();
          }
          return;
        }
      } catch (error) {
        await discard();
        throw error;
      }
      signals.hold();
      try {
        await moveIn(staging, target, [...written], gone, retired, stateFile);
        keepState(record, foldersOf([...written, ...gone]));
      } finally {
        signals.release();
      }
    },
  };
}

/**
 * Ctrl-C or a `kill` while a site is written. Before the files are moved into the output
 * folder, the staging folder is removed and the process ends by the signal, as it would have:
 * a hidden `.dist.new-…` beside `dist/` was left behind until the next build. While they are
 * moved, the signal waits for the move to end, so the folder is never left half old, half new.
 */
function stagingSignals(staging: string): { hold(): void; release(): void } {
  let holding = false;
  let waiting: NodeJS.Signals | undefined;
  const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const end = (signal: NodeJS.Signals) => {
    for (const name of SIGNALS) process.off(name, onSignal);
    // Ended by the signal itself, so a shell or a CI runner sees how the build stopped.
    process.kill(process.pid, signal);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (holding) {
      waiting ??= signal;
      return;
    }
    rmSync(staging, { recursive: true, force: true });
    end(signal);
  };
  for (const name of SIGNALS) process.on(name, onSignal);
  return {
    hold: () => void (holding = true),
    release: () => {
      holding = false;
      if (waiting) {
        rmSync(staging, { recursive: true, force: true });
        end(waiting);
      } else for (const name of SIGNALS) process.off(name, onSignal);
    },
  };
}

/**
 * Past this share of the site's files changed, the staging folder is completed and swapped in
 * whole; below it, the changed files are moved in one by one (a rename each, where completing
 * the staging folder costs a link for every unchanged file and removing the old folder an
 * unlink each: most of a one-post rebuild).
 */
const IN_PLACE_SHARE = 0.5;

/** Swap a complete staging folder in for the output folder. */
async function swapIn(staging: string, target: string, retired: string): Promise<void> {
  const hadPrevious = existsSync(target);
  if (hadPrevious) await rename(target, retired);
  try {
    await rename(staging, target);
  } catch (error) {
    if (hadPrevious) await rename(retired, target);
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  if (hadPrevious) rmSync(retired, { recursive: true, force: true });
}

/**
 * Move the files written into the staging folder into the output folder, each by a rename (a
 * reader sees a file whole, old or new), and remove the files that are gone. Each file they
 * replace or remove is first moved aside into `aside`: should a move fail (a folder made
 * read-only, a file made immutable), every file is put back and the folder is as it was.
 * The state in `stateFile` says "updating" meanwhile (a build cut short there trusts no file
 * next time); Ctrl-C or a `kill` waits for the moves to end (`stagingSignals`).
 */
async function moveIn(staging: string, target: string, written: string[], gone: string[], aside: string, stateFile: string | undefined): Promise<void> {
  const markerFile = path.join(target, OUTPUT_MARKER);
  const before = stateFile === undefined ? undefined : textOf(stateFile);
  /** What puts the folder back as it was, in the order done. */
  const undo: (() => void)[] = [];
  /** Move the folder's `file` aside, if it has one; false if not. */
  const setAside = (file: string): boolean => {
    const from = path.join(target, file);
    if (!existsSync(from)) return false;
    const kept = path.join(aside, file);
    mkdirSync(path.dirname(kept), { recursive: true });
    renameSync(from, kept);
    undo.push(() => {
      mkdirSync(path.dirname(from), { recursive: true });
      renameSync(kept, from);
    });
    return true;
  };
  try {
    if (stateFile !== undefined && before !== undefined) replaceFileIfCan(stateFile, JSON.stringify({ format: MANIFEST_FORMAT, updating: true } satisfies OutputState));
    const made = new Set<string>();
    for (const file of written) {
      const to = path.join(target, file);
      const folder = path.dirname(to);
      if (!made.has(folder)) {
        const created = mkdirSync(folder, { recursive: true });
        if (created !== undefined) undo.push(() => rmSync(created, { recursive: true, force: true }));
        made.add(folder);
      }
      if (!setAside(file)) undo.push(() => rmSync(to, { force: true }));
      renameSync(path.join(staging, file), to);
    }
    for (const file of gone) {
      setAside(file);
      removeEmptyFolders(target, path.dirname(path.join(target, file)));
    }
    // A folder of an older geul holds another marker.
    if (textOf(markerFile) !== OUTPUT_MARKER_TEXT) replaceFile(markerFile, OUTPUT_MARKER_TEXT);
  } catch (error) {
    // Newest first, each step whatever the others did: as much as can be put back is.
    let restored = true;
    for (const step of undo.reverse()) {
      try {
        step();
      } catch {
        restored = false;
      }
    }
    // Left "updating" where a file could not be put back: the next build trusts no file of
    // the folder and writes them all.
    if (restored && stateFile !== undefined && before !== undefined) replaceFileIfCan(stateFile, before);
    throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(aside, { recursive: true, force: true });
  }
}

/** Whether some written file cannot be moved into the output folder by a rename: a folder stands at its place, or a file at one of its folders'. */
function blocked(target: string, written: Set<string>): boolean {
  const checked = new Set<string>();
  for (const file of written) {
    const place = path.join(target, file);
    if (existsSync(place) && statSync(place).isDirectory()) return true;
    for (let folder = path.dirname(place); folder.length > target.length && !checked.has(folder); folder = path.dirname(folder)) {
      checked.add(folder);
      if (existsSync(folder) && !statSync(folder).isDirectory()) return true;
    }
  }
  return false;
}

/** Remove `folder` and the folders above it, up to `target`, while they are empty. */
function removeEmptyFolders(target: string, folder: string): void {
  for (let current = folder; current.length > target.length; current = path.dirname(current)) {
    try {
      if (readdirSync(current).length > 0) return;
      rmdirSync(current);
    } catch {
      return;
    }
  }
}

/** A file's text, or undefined where there is none to read. */
function textOf(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** `replaceFile` for the cache's state, which a build may be unable to write: it then only costs the next build its reuse of files. */
function replaceFileIfCan(file: string, content: string): void {
  try {
    replaceFile(file, content);
  } catch {
    // as said
  }
}

/** Write a file whole by a rename: a reader, or a crash, never sees half of it. */
function replaceFile(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, file);
}

/**
 * Every file under `dir`, relative, with `/` separators, symbolic links among them; `links`
 * lists those. A link to a folder is not followed: what lies behind it is not the folder's.
 */
function listFiles(dir: string): { files: string[]; links: string[] } {
  const files: string[] = [];
  const links: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    const file = path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
    files.push(file);
    if (entry.isSymbolicLink()) links.push(file);
  }
  return { files, links };
}

const WRITES_IN_FLIGHT = 32;

/**
 * Staging and retired folders left beside the output by a build that was killed (Ctrl-C while
 * rendering): a folder is abandoned when the process whose id it carries is gone.
 */
async function removeAbandoned(parent: string, base: string): Promise<void> {
  const pattern = new RegExp(`^\\.${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(new|old)-(\\d+)-[0-9a-z]+$`);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const match = pattern.exec(name);
    if (!match || processAlive(Number(match[2]))) continue;
    // A retired folder is the only copy of the site if the build died between its two renames.
    if (match[1] === 'old' && !existsSync(path.join(parent, base))) continue;
    await rm(path.join(parent, name), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A map's entries by path: pages are put as the threads rendering them finish (render.ts),
 * and the manifest must not depend on which finished first.
 */
function sortedByPath<T>(map: ReadonlyMap<string, T>): [string, T][] {
  return [...map.keys()].sort().map((file) => [file, map.get(file)!]);
}

function keyOf(output: Output): string {
  if (output.key !== undefined) return output.key;
  if ('copyFrom' in output) {
    // The change time too: a file replaced in place with its size and modification time put
    // back (`cp -p`, `touch -r`) gets a new one.
    const stat = statSync(output.copyFrom);
    return `file:${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
  }
  if ('content' in output) return createHash('sha256').update(output.content).digest('base64url');
  throw new Error(`no key for ${output.path}`);
}

/** Hard-link the previous file into place (copy it where links are not possible); false when it is gone. */
function linkOrCopy(from: string, to: string): 'linked' | 'copied' | false {
  try {
    linkSync(from, to);
    return 'linked';
  } catch {
    try {
      copyFileSync(from, to);
      return 'copied';
    } catch {
      return false;
    }
  }
}
