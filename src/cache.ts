import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompiledPost, CompileInput } from './compile.js';
import { stampOf } from './remark-images.js';

const require = createRequire(import.meta.url);

/** Bump when the shape of a cached entry or the meaning of a key changes. */
const CACHE_FORMAT = 3;

/** The packages whose versions can change what a post compiles to. */
const PACKAGES = [
  'unified', 'remark-parse', 'remark-frontmatter', 'remark-gfm', 'remark-math', 'remark-cjk-friendly',
  'remark-cjk-friendly-gfm-strikethrough', 'remark-rehype', 'rehype-katex', 'katex', 'rehype-slug',
  'rehype-autolink-headings', 'rehype-stringify', 'smol-toml', 'zod', 'image-size', 'shiki',
];

/**
 * Compiled posts kept between builds in `.cache/geul/posts/`, one file per entry, keyed by a
 * hash of everything that can change the result: the source text and path, the settings,
 * and the versions of geul and of every package in the chain. An entry also lists the image
 * files it looked at with their size and mtime, and is reused only while those are
 * unchanged. An entry that does not parse, fails its checksum or names another key is
 * ignored, never trusted.
 */
export interface PostCache {
  /** False for `--no-cache`: nothing is read or kept. */
  readonly enabled: boolean;
  /** The key of an input under the given settings. */
  keyOf(input: CompileInput, settings: unknown): string;
  /** A valid entry for the key, if any. */
  get(key: string): CompiledPost | undefined;
  /** Remember a result; written by `flush`. */
  set(key: string, value: CompiledPost): void;
  /**
   * Write new entries and, when `prune`, remove entries this build did not use from disk.
   * Ends the build: memory keeps only the entries it used, so a long dev session does not
   * grow with every save.
   */
  flush(options: { prune: boolean }): Promise<void>;
}

/** Open the cache of a project; `enabled: false` gives a cache that holds nothing. */
export function openCache(root: string, enabled: boolean): PostCache {
  const dir = path.join(root, '.cache', 'geul', 'posts');
  const salt = enabled ? JSON.stringify({ format: CACHE_FORMAT, versions: versions() }) : '';
  const used = new Set<string>();
  const fresh = new Map<string, CompiledPost>();
  // Entries read or made by this process: a dev server's rebuilds find them without disk.
  const memory = new Map<string, CompiledPost>();
  const fileOf = (key: string) => path.join(dir, key.slice(0, 2), `${key}.json`);

  return {
    enabled,
    keyOf(input, settings) {
      return createHash('sha256').update(salt).update('\0').update(JSON.stringify(settings)).update('\0').update(input.kind).update('\0').update(input.sourcePath).update('\0').update(input.text).digest('hex');
    },
    get(key) {
      if (!enabled) return undefined;
      let entry = memory.get(key);
      if (!entry) {
        let text: string;
        try {
          text = readFileSync(fileOf(key), 'utf8');
        } catch {
          return undefined;
        }
        entry = parseEntry(text, key);
        if (!entry) return undefined;
        memory.set(key, entry);
      }
      if (!entry.dependencies.every((dependency) => stampOf(path.join(root, dependency.path)) === dependency.stamp)) return undefined;
      used.add(key);
      return entry;
    },
    set(key, value) {
      if (!enabled) return;
      used.add(key);
      fresh.set(key, value);
      memory.set(key, value);
    },
    async flush({ prune }) {
      if (!enabled) return;
      const entries = [...fresh];
      fresh.clear();
      const folders = new Set(entries.map(([key]) => path.dirname(fileOf(key))));
      for (const folder of folders) await mkdir(folder, { recursive: true });
      await inBatches(entries, 32, async ([key, value]) => {
        const payload = JSON.stringify(value);
        const body = JSON.stringify({ format: CACHE_FORMAT, key, checksum: checksum(payload) }) + '\n' + payload;
        // Write then rename: a reader never sees half an entry.
        const target = fileOf(key);
        const temporary = `${target}.${process.pid}.tmp`;
        await writeFile(temporary, body);
        await rename(temporary, target);
      });
      if (prune) await pruneUnused(dir, used);
      for (const key of memory.keys()) if (!used.has(key)) memory.delete(key);
      used.clear();
    },
  };
}

function parseEntry(text: string, key: string): CompiledPost | undefined {
  const newline = text.indexOf('\n');
  if (newline === -1) return undefined;
  try {
    const header = JSON.parse(text.slice(0, newline)) as { format?: unknown; key?: unknown; checksum?: unknown };
    const payload = text.slice(newline + 1);
    if (header.format !== CACHE_FORMAT || header.key !== key || header.checksum !== checksum(payload)) return undefined;
    const value = JSON.parse(payload) as CompiledPost;
    if (!Array.isArray(value.messages) || !Array.isArray(value.dependencies)) return undefined;
    return value;
  } catch {
    return undefined;
  }
}

function checksum(payload: string): string {
  return createHash('sha256').update(payload).digest('hex');
}

async function pruneUnused(dir: string, used: Set<string>): Promise<void> {
  let folders: string[];
  try {
    folders = await readdir(dir);
  } catch {
    return;
  }
  for (const folder of folders) {
    const files = await readdir(path.join(dir, folder)).catch(() => [] as string[]);
    await inBatches(files, 32, async (file) => {
      if (!used.has(file.replace(/\.json$/, ''))) await rm(path.join(dir, folder, file), { force: true });
    });
  }
}

let cachedVersions: Record<string, string> | undefined;

/** geul's version and those of the chain's packages, read once. */
export function versions(): Record<string, string> {
  if (cachedVersions) return cachedVersions;
  const here = path.dirname(fileURLToPath(import.meta.url));
  // geul's own code counts too, so an edited plugin never meets results of the old one: the
  // sources, or the bundle bin/geul.js made of them (source maps left out, they follow).
  const sources = createHash('sha256');
  for (const file of readdirSync(here).sort()) if (/\.[jt]s$/.test(file)) sources.update(file).update(readFileSync(path.join(here, file)));
  cachedVersions = { geul: ownVersion(here), sources: sources.digest('hex') };
  for (const name of PACKAGES) cachedVersions[name] = packageVersion(name);
  return cachedVersions;
}

async function inBatches<T>(items: T[], width: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}


/** geul's version, from the nearest package.json above its code (src/, or the bundle in node_modules/.cache). */
function ownVersion(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'geul') return manifest.version ?? '?';
    } catch {
      // no package.json at this level
    }
    if (path.dirname(dir) === dir) return '?';
  }
}

/** The installed version of a package, found by walking up from its entry point (many export maps hide package.json). */
export function packageVersion(name: string): string {
  let dir: string;
  try {
    dir = path.dirname(require.resolve(name));
  } catch {
    return 'unresolvable';
  }
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === name) return manifest.version ?? '?';
    } catch {
      // no package.json at this level
    }
    const parent = path.dirname(dir);
    if (parent === dir) return 'unresolvable';
    dir = parent;
  }
}
