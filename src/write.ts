import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { copyFile, link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Output } from './types.js';

/** A file geul leaves in every output folder, so that it only ever replaces its own work. */
export const OUTPUT_MARKER = '.geul';

/**
 * Why `outDir` must not be replaced, or undefined when it may. geul deletes the previous
 * output, so it refuses anything that could hold a writer's files: the project itself, its
 * content, a filesystem root or home, and any non-empty folder it did not make.
 */
export function unsafeOutDirReason(outDir: string, root: string): string | undefined {
  const target = path.resolve(outDir);
  const project = path.resolve(root);
  const forbidden = [
    project,
    path.join(project, 'content'),
    path.join(project, 'images'),
    path.join(project, 'templates'),
    path.join(project, 'src'),
    path.join(project, 'node_modules'),
    path.parse(target).root,
    os.homedir(),
  ];
  if (forbidden.includes(target)) return `refusing to write the site into ${outDir}: it holds other files`;
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

/** What the previous build left: the key of each file, read from the marker file. */
export type Manifest = Map<string, string>;

/**
 * The keys of the files in an output folder that are still there as geul wrote them, for
 * `BuildOptions.previous`. Empty when the folder has no manifest or is not geul's.
 */
export function readManifest(outDir: string): Manifest {
  const manifest: Manifest = new Map();
  try {
    const parsed = JSON.parse(readFileSync(path.join(outDir, OUTPUT_MARKER), 'utf8')) as { format?: number; files?: Record<string, string> };
    if (parsed.format !== MANIFEST_FORMAT || !parsed.files) return manifest;
    for (const [file, key] of Object.entries(parsed.files)) {
      // A file deleted or replaced by hand since is not trusted: it is written again.
      if (typeof key === 'string' && existsSync(path.join(outDir, file))) manifest.set(file, key);
    }
  } catch {
    // no manifest, or a broken one: every file is written
  }
  return manifest;
}

const MANIFEST_FORMAT = 1;

/**
 * Write a whole site into `outDir`, atomically from the reader's point of view: everything is
 * written into a fresh sibling folder first, and only when that succeeded is it swapped in
 * for the old one. A failure leaves the previous output exactly as it was.
 *
 * A file whose key matches the previous build's is not written again: the previous file is
 * hard-linked into the new folder, bytes and mtime untouched (so rsync and CDNs see no change).
 * `record`, when given, is kept in the marker for the next build.
 */
export async function write(outputs: Output[], outDir: string, record?: unknown): Promise<void> {
  const staging = await openStaging(outDir);
  await staging.commit(outputs, record);
}

/**
 * A site being written: files go into the staging folder as they are put, so a build need not
 * hold every page in memory until the end. `commit` puts the rest and swaps the folder in;
 * `discard` (or a failed commit) removes it and leaves the previous output as it was.
 */
export interface Staging {
  /** Write one file now; resolves once few enough writes are in flight to put another. */
  put(output: Output): Promise<void>;
  commit(outputs: Output[], record?: unknown): Promise<void>;
  discard(): Promise<void>;
}

export async function openStaging(outDir: string): Promise<Staging> {
  const target = path.resolve(outDir);
  const parent = path.dirname(target);
  const stamp = `${process.pid}-${Date.now().toString(36)}`;
  const staging = path.join(parent, `.${path.basename(target)}.new-${stamp}`);
  const retired = path.join(parent, `.${path.basename(target)}.old-${stamp}`);
  const previous = readManifest(target);
  await removeAbandoned(parent, path.basename(target));
  await mkdir(staging, { recursive: true });
  const keys = new Map<string, string>();
  const folders = new Set<string>([staging]);
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;

  const writeOne = async (output: Output) => {
    // Output paths are built from slugs and file names; check once more that none climbs out.
    const file = path.resolve(staging, output.path);
    if (!file.startsWith(staging + path.sep)) throw new Error(`output path escapes the output folder: ${output.path}`);
    const key = keyOf(output);
    keys.set(output.path, key);
    const folder = path.dirname(file);
    if (!folders.has(folder)) {
      await mkdir(folder, { recursive: true });
      folders.add(folder);
    }
    if (previous.get(output.path) === key && (await linkOrCopy(path.join(target, output.path), file))) return;
    if ('unchanged' in output) throw new Error(`${output.path} was not rendered, and the previous file is gone`);
    if ('copyFrom' in output) await copyFile(output.copyFrom, file);
    else await writeFile(file, output.content);
  };
  const put = async (given: Output) => {
    if (failure !== undefined) throw failure;
    // Encoded now rather than by writeFile later: the page's string (two bytes a character for
    // Hangul) dies young instead of waiting in the old generation with the writes in flight.
    const output = 'content' in given && typeof given.content === 'string' ? { ...given, key: keyOf(given), content: Buffer.from(given.content) } : given;
    const written = writeOne(output).then(
      () => void inFlight.delete(written),
      (error: unknown) => {
        inFlight.delete(written);
        failure ??= error;
      },
    );
    inFlight.add(written);
    // A few writes in flight keep the disk busy without opening thousands of files at once.
    while (inFlight.size >= WRITES_IN_FLIGHT) await Promise.race(inFlight);
  };
  const discard = async () => {
    await Promise.allSettled([...inFlight]);
    await rm(staging, { recursive: true, force: true });
  };

  return {
    put,
    discard,
    async commit(outputs, record) {
      try {
        for (const output of outputs) await put(output);
        await Promise.all([...inFlight]);
        if (failure !== undefined) throw failure;
        await writeFile(
          path.join(staging, OUTPUT_MARKER),
          JSON.stringify({
            format: MANIFEST_FORMAT,
            note: 'Written by geul and replaced on every build.',
            files: Object.fromEntries(keys),
            // What the next build needs to tell whether it can leave the folder as it is (up-to-date.ts).
            ...(record === undefined ? {} : { build: record }),
          }),
        );
      } catch (error) {
        await discard();
        throw error;
      }
      const hadPrevious = existsSync(target);
      if (hadPrevious) await rename(target, retired);
      try {
        await rename(staging, target);
      } catch (error) {
        if (hadPrevious) await rename(retired, target);
        await rm(staging, { recursive: true, force: true });
        throw error;
      }
      if (hadPrevious) await rm(retired, { recursive: true, force: true });
    },
  };
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

function keyOf(output: Output): string {
  if (output.key !== undefined) return output.key;
  if ('copyFrom' in output) {
    const stat = statSync(output.copyFrom);
    return `file:${stat.size}:${stat.mtimeMs}`;
  }
  if ('content' in output) return createHash('sha256').update(output.content).digest('base64url');
  throw new Error(`no key for ${output.path}`);
}

/** Hard-link the previous file into place (copy it where links are not possible). */
async function linkOrCopy(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch {
    try {
      await copyFile(from, to);
      return true;
    } catch {
      return false;
    }
  }
}
