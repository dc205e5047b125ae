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
  const target = path.resolve(outDir);
  const parent = path.dirname(target);
  const stamp = `${process.pid}-${Date.now().toString(36)}`;
  const staging = path.join(parent, `.${path.basename(target)}.new-${stamp}`);
  const retired = path.join(parent, `.${path.basename(target)}.old-${stamp}`);
  const previous = readManifest(target);
  await mkdir(staging, { recursive: true });
  try {
    const keys = await writeAll(outputs, staging, target, previous);
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
    await rm(staging, { recursive: true, force: true });
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
}

/** Write or link every output into `dir`; gives the key of each file for the manifest. */
async function writeAll(outputs: Output[], dir: string, old: string, previous: Manifest): Promise<Map<string, string>> {
  // Output paths are built from slugs and file names; check once more that none climbs out.
  for (const output of outputs) {
    const file = path.resolve(dir, output.path);
    if (!file.startsWith(dir + path.sep)) throw new Error(`output path escapes the output folder: ${output.path}`);
  }
  const folders = [...new Set(outputs.map((output) => path.dirname(path.resolve(dir, output.path))))].sort();
  for (const folder of folders) await mkdir(folder, { recursive: true });
  const keys = new Map<string, string>();
  // A few writes in flight keep the disk busy without opening thousands of files at once.
  const inFlight = 32;
  let next = 0;
  const worker = async () => {
    while (next < outputs.length) {
      const output = outputs[next++]!;
      const file = path.resolve(dir, output.path);
      const key = keyOf(output);
      keys.set(output.path, key);
      if (previous.get(output.path) === key && (await linkOrCopy(path.join(old, output.path), file))) continue;
      if ('unchanged' in output) throw new Error(`${output.path} was not rendered, and the previous file is gone`);
      if ('copyFrom' in output) await copyFile(output.copyFrom, file);
      else await writeFile(file, output.content);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, outputs.length) }, worker));
  return keys;
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
