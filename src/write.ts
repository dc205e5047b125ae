import { existsSync, readdirSync, statSync } from 'node:fs';
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
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

/**
 * Write a whole site into `outDir`, atomically from the reader's point of view: everything is
 * written into a fresh sibling folder first, and only when that succeeded is it swapped in
 * for the old one. A failure leaves the previous output exactly as it was.
 */
export async function write(outputs: Output[], outDir: string): Promise<void> {
  const target = path.resolve(outDir);
  const parent = path.dirname(target);
  const stamp = `${process.pid}-${Date.now().toString(36)}`;
  const staging = path.join(parent, `.${path.basename(target)}.new-${stamp}`);
  const retired = path.join(parent, `.${path.basename(target)}.old-${stamp}`);
  await mkdir(staging, { recursive: true });
  try {
    await writeAll(outputs, staging);
    await writeFile(path.join(staging, OUTPUT_MARKER), 'This folder is written by geul and replaced on every build.\n');
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

async function writeAll(outputs: Output[], dir: string): Promise<void> {
  // Output paths are built from slugs and file names; check once more that none climbs out.
  for (const output of outputs) {
    const file = path.resolve(dir, output.path);
    if (!file.startsWith(dir + path.sep)) throw new Error(`output path escapes the output folder: ${output.path}`);
  }
  const folders = [...new Set(outputs.map((output) => path.dirname(path.resolve(dir, output.path))))].sort();
  for (const folder of folders) await mkdir(folder, { recursive: true });
  // A few writes in flight keep the disk busy without opening thousands of files at once.
  const inFlight = 32;
  let next = 0;
  const worker = async () => {
    while (next < outputs.length) {
      const output = outputs[next++]!;
      const file = path.resolve(dir, output.path);
      if ('copyFrom' in output) await copyFile(output.copyFrom, file);
      else await writeFile(file, output.content);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, outputs.length) }, worker));
}
