import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Problem } from './report.js';
import { isOwnCacheFolder } from './cache-folder.js';
import { packageVersion, sourcesDigest } from './cache.js';
import type { AssetRef, ImageVariant, Output, VariantFormat } from './types.js';


/** Images a link preview can show (Open Graph has no SVG): what a post's sharing card may be. */
export const PREVIEW_IMAGE = /\.(?:png|jpe?g|gif|webp)$/i;

/**
 * Responsive images in two halves. `planImage` is pure and cheap: from an image's intrinsic
 * size, type and content hash it decides which resized copies exist and what they are called,
 * so the markdown stage can write `srcset` without touching pixels. `makeVariants` produces
 * those copies with sharp after the markdown stage, once per distinct image, and keeps them in
 * `.cache/geul/images/` so that a later build copies them instead of running sharp again.
 */

/** Widths offered to browsers, in pixels; an image is never enlarged to reach one. */
export const VARIANT_WIDTHS = [400, 800, 1200, 1600] as const;
/** Width of the `src` fallback (feed readers and old browsers): about the content column at 1x. */
const FALLBACK_WIDTH = 800;
/** A step this close below the largest width adds bytes to `dist/` but no sharpness: left out. */
const NEAR = 0.9;
/** The `sizes` of every figure: the theme's content column (42rem, gutters below 46rem). */
export const FIGURE_SIZES = '(min-width: 46rem) 42rem, calc(100vw - 2.25rem)';

/**
 * Encoder settings, part of every cache key. WebP at quality 85 keeps the text of diagrams
 * clean at about a quarter of a PNG's bytes (measured on the sample figures); sharp's
 * `smartSubsample` doubled the time of a 1600 px encode for a larger file, so it is off.
 */
const ENCODERS = {
  webp: { quality: 85, effort: 4 },
  png: { compressionLevel: 9 },
  jpeg: { quality: 82, mozjpeg: true },
  avif: { quality: 55, effort: 4 },
} as const satisfies Record<VariantFormat, object>;

/** Bump when the cache entry layout or the meaning of its key changes. */
const CACHE_FORMAT = 1;

/** What `<picture>` gets for one image: sources in order of preference, then the `<img>`'s set. */
export interface ImagePlan {
  /** Files to make with sharp; the original is copied as it is and is never listed. */
  variants: ImageVariant[];
  /** `<source>` elements, best format first; empty when the `<img>` set is the only one. */
  sources: { type: string; srcset: Candidate[] }[];
  /** The `<img>`'s own set, in the original format (WebP for AVIF originals) … */
  srcset: Candidate[];
  /** … and its `src`: the candidate closest to FALLBACK_WIDTH. */
  src: Candidate;
}

/** One file of a `srcset`: its output path and pixel width. */
export interface Candidate {
  output: string;
  width: number;
}

const MIME: Record<VariantFormat, string> = { webp: 'image/webp', png: 'image/png', jpeg: 'image/jpeg', avif: 'image/avif' };

/** The widths to offer for an image `width` pixels wide: steps below it, then min(width, 1600). */
export function variantWidths(width: number): number[] {
  const largest = Math.min(width, VARIANT_WIDTHS[VARIANT_WIDTHS.length - 1]!);
  return [...VARIANT_WIDTHS.filter((step) => step < largest * NEAR), largest];
}

/**
 * The responsive copies of one image, or undefined for an image that is passed through as it
 * is: SVG (it scales by itself), GIF (resizing would drop or bloat its animation) and any type
 * sharp is not asked to handle. PNG and JPEG get WebP plus their own format; WebP gets WebP;
 * AVIF gets AVIF with WebP for browsers without AVIF. Where the original is no wider than
 * 1600 px it is itself the largest candidate of its format, untouched.
 */
export function planImage(
  output: string,
  size: { width: number; height: number },
  type: string | undefined,
  hash: string,
): ImagePlan | undefined {
  const original = formatOf(type);
  if (!original || size.width < 1 || size.height < 1) return undefined;
  const widths = variantWidths(size.width);
  const extension = path.posix.extname(output);
  const stem = output.slice(0, output.length - extension.length);
  const tag = hash.slice(0, 8);
  const variants: ImageVariant[] = [];
  const setOf = (format: VariantFormat, ownFormat: boolean): Candidate[] =>
    widths.map((width) => {
      if (ownFormat && width === size.width) return { output, width };
      // The original's own extension (`.JPG` stays `.JPG`), or the format's when it has none.
      const suffix = `-${width}w.${tag}${ownFormat && extension ? extension : `.${format}`}`;
      const name = `${fitting(stem, suffix)}${suffix}`;
      variants.push({ output: name, width, format });
      return { output: name, width };
    });

  let sources: ImagePlan['sources'];
  let srcset: Candidate[];
  if (original === 'webp') {
    sources = [];
    srcset = setOf('webp', true);
  } else if (original === 'avif') {
    sources = [{ type: MIME.avif, srcset: setOf('avif', true) }];
    srcset = setOf('webp', false);
  } else {
    sources = [{ type: MIME.webp, srcset: setOf('webp', false) }];
    srcset = setOf(original, true);
  }
  const src = srcset.reduce((best, candidate) =>
    Math.abs(candidate.width - FALLBACK_WIDTH) < Math.abs(best.width - FALLBACK_WIDTH) ? candidate : best,
  );
  return { variants, sources, srcset, src };
}

/** The longest file name most file systems allow, in bytes (UTF-8). */
const NAME_BYTES = 255;

/**
 * `stem` with its last segment cut, at a character, so that it and `suffix` make a file name
 * of at most NAME_BYTES: an image named with 82 Hangul syllables (250 bytes) is a fine file,
 * but its copies' names (`-1200w.1a2b3c4d.webp` more) are not, and writing them failed the
 * build with ENAMETOOLONG. The hash in the suffix still tells the copies apart.
 */
function fitting(stem: string, suffix: string): string {
  const slash = stem.lastIndexOf('/') + 1;
  const room = NAME_BYTES - Buffer.byteLength(suffix);
  if (Buffer.byteLength(stem.slice(slash)) <= room) return stem;
  let base = '';
  for (const char of stem.slice(slash)) {
    if (Buffer.byteLength(base + char) > room) break;
    base += char;
  }
  return stem.slice(0, slash) + base;
}

/** The output format for an image type as image-size names it; undefined = pass through. */
function formatOf(type: string | undefined): VariantFormat | undefined {
  switch (type) {
    case 'png':
      return 'png';
    case 'jpg':
      return 'jpeg';
    case 'webp':
      return 'webp';
    case 'avif':
      return 'avif';
    default:
      return undefined;
  }
}

/** What making the variants of a build did. */
export interface VariantResult {
  /** One copy per variant path, from the image cache. */
  outputs: Output[];
  /** Images whose variants could not be made (an image sharp cannot decode), as errors. */
  problems: Problem[];
  /** Distinct images processed with sharp. */
  made: number;
  /** Distinct images whose variants came from the cache. */
  reused: number;
}

/** How `makeVariants` finds the project, its cache and sharp. */
export interface VariantOptions {
  /** Project root, absolute. */
  root: string;
  /** Ignore existing cache entries (`--no-cache`); new ones are still written, as they are the files copied. @default false */
  fresh?: boolean;
  /** How sharp is loaded; tests pass one that fails to prove a warm build never calls it. */
  loadSharp?: () => Promise<SharpFunction>;
}

type SharpFunction = typeof import('sharp').default;

/**
 * An entry no build has used for this long is removed when a build makes new ones: edited
 * images leave their old copies behind, and a warm build should not pay for cleaning.
 */
const STALE_MS = 30 * 24 * 60 * 60 * 1000;

/** Images processed at once; each runs its variants in parallel on sharp's own threads. */
const IMAGES_IN_FLIGHT = 4;

/**
 * Make the variants of every image the posts list, once per distinct image however many posts
 * use it, and give them as outputs copied from `.cache/geul/images/<key>/`. An entry is keyed
 * by a hash of the source bytes, sharp's version, the widths, the encoder settings and this
 * file's code, and
 * is trusted only while every file it lists has the size and checksum it recorded: a
 * truncated or edited entry is made again. sharp is loaded only when something must be made.
 */
export async function makeVariants(assets: readonly AssetRef[], options: VariantOptions): Promise<VariantResult> {
  const cacheDir = path.join(options.root, '.cache', 'geul', 'images');
  // This file's own code counts too (orientation, resizing, what is kept): a change to how
  // copies are made must not meet the copies the old code made, as with the post cache.
  const salt = JSON.stringify({ format: CACHE_FORMAT, sharp: packageVersion('sharp'), widths: VARIANT_WIDTHS, encoders: ENCODERS, code: sourcesDigest((file) => file === 'images.ts') });
  // Distinct images by content: the same file used by ten posts, or copied into two bundles,
  // is made once.
  const jobs = new Map<string, Job>();
  for (const asset of assets) {
    if (!asset.hash || !asset.variants?.length) continue;
    const job: Job = jobs.get(asset.hash) ?? { source: asset.source, hash: asset.hash, files: new Map(), outputs: new Map() };
    jobs.set(asset.hash, job);
    for (const variant of asset.variants) {
      job.files.set(fileNameOf(variant), variant);
      job.outputs.set(variant.output, variant);
    }
  }

  const result: VariantResult = { outputs: [], problems: [], made: 0, reused: 0 };
  let sharp: Promise<SharpFunction> | undefined;
  const load = () => (sharp ??= (options.loadSharp ?? (async () => (await import('sharp')).default))());
  const queue = [...jobs.values()];
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const job = queue[next++]!;
      const key = createHash('sha256').update(salt).update('\0').update(job.hash).digest('hex');
      let dir = path.join(cacheDir, key.slice(0, 2), key);
      let entry = options.fresh ? undefined : await readEntry(dir, key, [...job.files.keys()]);
      if (entry) {
        result.reused++;
        // Marks the entry as in use, for pruneStale.
        const now = new Date();
        await utimes(path.join(dir, 'entry.json'), now, now).catch(() => undefined);
      } else {
        try {
          entry = await makeEntry(dir, key, job.source, job.files, options.root, job.hash, load).catch((error: unknown) => {
            // The cache folder cannot hold it (`.cache/geul` a file, a shard replaced by one, a
            // read-only disk): the copies are made in a folder of this process instead, as a
            // damaged cache must cost time, never the build. sharp's own failures have no syscall.
            if (typeof (error as NodeJS.ErrnoException).syscall !== 'string') throw error;
            dir = path.join(uncachedDir(), key);
            return makeEntry(dir, key, job.source, job.files, options.root, job.hash, load);
          });
          result.made++;
        } catch (error) {
          const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
          result.problems.push({ path: job.source, line: 1, column: 1, message: `cannot make resized copies of this image: ${reason}`, severity: 'error' });
          continue;
        }
      }
      for (const variant of job.outputs.values()) {
        const name = fileNameOf(variant);
        // The key lets write.ts hard-link an unchanged file from the previous dist/.
        result.outputs.push({ path: variant.output, copyFrom: path.join(dir, name), key: `image:${key}:${entry.get(name)!.sha256}` });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IMAGES_IN_FLIGHT, queue.length) }, worker));
  if (result.made > 0) await pruneStale(cacheDir, Date.now() - STALE_MS);
  result.outputs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return result;
}

let uncached: string | undefined;

/**
 * A folder of this process for copies the cache folder could not take, removed when the
 * process ends: a build copies from it before then, the dev server serves from it meanwhile.
 */
function uncachedDir(): string {
  if (uncached === undefined) {
    const made = mkdtempSync(path.join(os.tmpdir(), 'geul-images-'));
    uncached = made;
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
  }
  return uncached;
}

/** One distinct image: its files in the cache entry, and the output paths that copy them. */
interface Job {
  source: string;
  hash: string;
  /** `800.webp` → the variant. */
  files: Map<string, ImageVariant>;
  /** Output path → the variant; several when bundles hold copies of the same bytes. */
  outputs: Map<string, ImageVariant>;
}

/** A cache entry: file name → what it must be. */
type Entry = Map<string, { size: number; sha256: string }>;

/** `800.webp`: a variant's file name inside its cache entry. */
function fileNameOf(variant: ImageVariant): string {
  return `${variant.width}.${variant.format}`;
}

/** The entry in `dir` when it holds every wanted file intact, else undefined. */
async function readEntry(dir: string, key: string, wanted: string[]): Promise<Entry | undefined> {
  try {
    const manifest = JSON.parse(await readFile(path.join(dir, 'entry.json'), 'utf8')) as {
      format?: unknown;
      key?: unknown;
      files?: Record<string, { size: number; sha256: string }>;
    };
    if (manifest.format !== CACHE_FORMAT || manifest.key !== key || !manifest.files) return undefined;
    const entry: Entry = new Map(Object.entries(manifest.files));
    for (const name of wanted) {
      const expected = entry.get(name);
      if (!expected || (await stat(path.join(dir, name))).size !== expected.size) return undefined;
      if (sha256(await readFile(path.join(dir, name))) !== expected.sha256) return undefined;
    }
    return entry;
  } catch {
    return undefined;
  }
}

/**
 * Make every variant of one image into a fresh folder, then rename it into place: a reader
 * (another build, the dev server) never sees half an entry.
 */
async function makeEntry(
  dir: string,
  key: string,
  source: string,
  files: Map<string, ImageVariant>,
  root: string,
  hash: string,
  load: () => Promise<SharpFunction>,
): Promise<Entry> {
  const sharp = await load();
  const input = await readFile(path.join(root, source));
  // The plan (names, widths) was made from the bytes with this hash; other bytes would be
  // cached under the wrong key. Only an edit during the build does this; the next build is right.
  if (sha256(input) !== hash) throw new Error('the file changed during the build; build again');
  const temporary = `${dir}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  await mkdir(temporary, { recursive: true });
  try {
    // Orientation from EXIF is applied, as the markdown stage measured the image upright;
    // metadata is dropped and colours converted to sRGB, sharp's defaults.
    const image = sharp(input, { failOn: 'error' }).autoOrient();
    const entry: Entry = new Map();
    await Promise.all(
      [...files].map(async ([name, variant]) => {
        const bytes = await image.clone().resize({ width: variant.width, withoutEnlargement: true }).toFormat(variant.format, ENCODERS[variant.format]).toBuffer();
        await writeFile(path.join(temporary, name), bytes);
        entry.set(name, { size: bytes.byteLength, sha256: sha256(bytes) });
      }),
    );
    await writeFile(path.join(temporary, 'entry.json'), JSON.stringify({ format: CACHE_FORMAT, key, source, files: Object.fromEntries(entry) }));
    try {
      await rename(temporary, dir);
    } catch {
      // Another build (a dev server beside `geul build`) may have put the same entry in place
      // first, and may be copying from it: a good entry stays, only a broken one makes way.
      const theirs = await readEntry(dir, key, [...files.keys()]);
      if (theirs) {
        await rm(temporary, { recursive: true, force: true });
        return theirs;
      }
      await rm(dir, { recursive: true, force: true });
      await rename(temporary, dir);
    }
    return entry;
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Remove entries last used before `cutoff` (ms since the epoch), and folders left by a build
 * that died while making one. Used entries were touched by this build, so they stay.
 */
async function pruneStale(cacheDir: string, cutoff: number): Promise<void> {
  if (!isOwnCacheFolder(cacheDir)) return;
  const entries = await readdir(cacheDir, { withFileTypes: true }).catch(() => []);
  // Only real folders are looked into: a link among the shards leads out of the cache.
  for (const shard of entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name)) {
    const names = await readdir(path.join(cacheDir, shard)).catch(() => [] as string[]);
    for (const name of names) {
      const dir = path.join(cacheDir, shard, name);
      const marker = name.endsWith('.tmp') ? dir : path.join(dir, 'entry.json');
      const stamp = await stat(marker).catch(() => undefined);
      if (!stamp || stamp.mtimeMs < cutoff) await rm(dir, { recursive: true, force: true });
    }
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
