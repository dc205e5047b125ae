import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { fromHtml } from 'hast-util-from-html';
import { imageSize } from 'image-size';
import type { Definition, Image, Root } from 'mdast';
import { lookup as mimeLookup } from 'mrmime';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import { FIGURE_SIZES, planImage, PREVIEW_IMAGE, type Candidate, type ImagePlan } from './images.js';
import { addError, addWarning } from './report.js';
import type { FileStamp } from './compile.js';
import type { AssetRef, PostFigure } from './types.js';
import { onDisk } from './on-disk.js';
import { isMarkdown } from './content-files.js';

declare module 'vfile' {
  interface DataMap {
    /** Set by remarkImages: the `<source>`s of each planned image, by the `src` of its `<img>`. */
    pictures: Record<string, PictureSource[]>;
    /** Set by remarkImages: the post's first local image. */
    figure: PostFigure;
  }
}

/** Settings of remarkImages, the same for every file of a site. */
export interface RemarkImagesOptions {
  /** Project root, absolute. */
  root: string;
  /** Path part of baseURL, with leading and trailing slash: `/` or `/blog/`. */
  basePath: string;
}

/** A `<source>` of a `<picture>`, as rehypeFigures adds it around an `<img>`. */
export interface PictureSource {
  type: string;
  srcSet: string;
  sizes: string;
}

const IMAGES_DIR = 'images/';
const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/|#)/i;
const LOCAL_FILE = /^(?:[a-z]:[\\/]|file:)/i;
/** A sharing card wants about this width; larger variants are more bytes for no gain. */
const CARD_WIDTH = 1200;

/**
 * Resolve local image references of a post: `images/x.png` (top-level folder) or a file next
 * to the post (Hugo page bundles). Rewrites the URL to a site-absolute one, adds the
 * intrinsic width and height so the page does not jump while loading, marks every image but
 * the first lazy, and lists the files to copy in `file.data.assets`. PNG, JPEG, WebP and AVIF
 * images also get a plan of resized variants (`planImage`): `srcset` and `sizes` on the
 * `<img>`, and the WebP (or AVIF) set in `file.data.pictures` for rehypeFigures' `<source>`.
 * Pixels are not touched here; `makeVariants` makes the files. A missing file is an error at
 * the image.
 */
export function remarkImages(options: RemarkImagesOptions) {
  return function (tree: Root, file: VFile) {
    const post = file.data.post;
    if (!post) return;
    const assets: AssetRef[] = [];
    const dependencies: FileStamp[] = [];
    const pictures: Record<string, PictureSource[]> = {};
    let figure: PostFigure | undefined;
    let seenImage = false;
    const definitions = new Map<string, Definition>();
    visit(tree, 'definition', (node) => {
      if (!definitions.has(node.identifier)) definitions.set(node.identifier, node);
    });
    const url = (output: string) => options.basePath + output.split('/').map(encodeURIComponent).join('/');
    const srcset = (candidates: Candidate[]) => candidates.map((candidate) => `${url(candidate.output)} ${candidate.width}w`).join(', ');

    /** Resolve one URL: the asset, its size and plan, or undefined (external or missing). */
    const resolveNode = (node: Image | Definition): Resolved | undefined => {
      const resolved = resolveImage(node.url, post.sourcePath, post.outputDir, options.root);
      // The result depends on every place looked at: an image that appears later must count.
      for (const candidate of resolved.looked) dependencies.push({ path: candidate, stamp: stampAt(options.root, candidate) });
      const place = node.position?.start;
      if ('error' in resolved) {
        addError(file, resolved.error, place, 'missing-image');
        return undefined;
      }
      if (!resolved.asset) return undefined;
      const measured = measure(path.join(options.root, resolved.asset.source));
      if (!measured) {
        addWarning(file, `cannot read the size of image "${resolved.asset.source}"`, place, 'image-size');
      }
      const plan = measured && planImage(resolved.asset.output, measured, measured.type, measured.hash);
      const asset: AssetRef = plan ? { ...resolved.asset, hash: measured.hash, variants: plan.variants } : resolved.asset;
      assets.push(asset);
      // CONTRACT: the `src` is always the original's site-absolute URL (`/images/x.png`); the
      // resized copies are offered through `srcset` and the WebP `<source>`.
      const src = url(asset.output) + resolved.suffix;
      node.url = src;
      if (plan) pictures[src] = plan.sources.map((source) => ({ type: source.type, srcSet: srcset(source.srcset), sizes: FIGURE_SIZES }));
      return { asset, src, measured, plan };
    };

    // A reference image takes its URL from the definition (resolved once), its attributes from itself.
    const byDefinition = new Map<string, Resolved | undefined>();
    visit(tree, (node) => {
      if (node.type !== 'image' && node.type !== 'imageReference') return;
      let resolved: Resolved | undefined;
      if (node.type === 'image') {
        resolved = resolveNode(node);
      } else {
        const definition = definitions.get(node.identifier);
        if (!definition) return;
        if (!byDefinition.has(node.identifier)) byDefinition.set(node.identifier, resolveNode(definition));
        resolved = byDefinition.get(node.identifier);
      }
      // An image of another site (or a missing one, an error) has no size or copies here,
      // but is lazy all the same, and counts as the post's first image if it is.
      const { measured, plan } = resolved ?? {};
      const properties: Record<string, unknown> = measured ? { width: measured.width, height: measured.height } : {};
      if (resolved && plan) {
        // Exactly the key of `pictures`, whatever remark-rehype would make of the URL.
        properties.src = resolved.src;
        // One candidate that is the src itself (an image of 400 px or less) needs no srcset.
        if (plan.srcset.length > 1 || plan.srcset[0] !== plan.src) Object.assign(properties, { srcSet: srcset(plan.srcset), sizes: FIGURE_SIZES });
      }
      // The first image may be what the reader sees first (the largest paint): never lazy.
      if (seenImage) properties.loading = 'lazy';
      seenImage = true;
      properties.decoding = 'async';
      // The sharing card: the first image a link preview can show (not an SVG), else the first.
      const candidate = !resolved || (figure && PREVIEW_IMAGE.test(figure.output)) ? undefined : figureOf(resolved, node.alt ?? '');
      if (candidate && (!figure || PREVIEW_IMAGE.test(candidate.output))) figure = candidate;
      const data = (node.data ?? {}) as { hProperties?: Record<string, unknown> };
      node.data = { ...data, hProperties: { ...data.hProperties, ...properties } } as typeof node.data;
    });
    // Raw HTML images (`<img src="images/x.png" width="60%">`, as writers size a figure in
    // markdown): a local `src` is found and published as a markdown image's is, and written
    // site-absolute, where it pointed under the post's own URL; a missing file is an error at
    // its line. Only the `src` changes: the rest of the HTML stays as written.
    visit(tree, 'html', (node) => {
      if (!/<img[\s/>]/i.test(node.value)) return;
      const edits: { from: number; to: number; text: string }[] = [];
      visit(fromHtml(node.value, { fragment: true }), 'element', (element) => {
        const src = element.properties.src;
        const at = element.position;
        if (element.tagName !== 'img' || typeof src !== 'string' || at?.start.offset === undefined || at.end.offset === undefined) return;
        const tag = node.value.slice(at.start.offset, at.end.offset);
        const attribute = SRC_ATTRIBUTE.exec(tag);
        if (!attribute) return;
        const resolved = resolveImage(src, post.sourcePath, post.outputDir, options.root);
        for (const candidate of resolved.looked) dependencies.push({ path: candidate, stamp: stampAt(options.root, candidate) });
        if ('error' in resolved) {
          const start = node.position?.start;
          const place = start && (at.start.line === 1 ? { line: start.line, column: start.column + at.start.column - 1 } : { line: start.line + at.start.line - 1, column: at.start.column });
          addError(file, resolved.error, place, 'missing-image');
          return;
        }
        if (!resolved.asset) return;
        assets.push(resolved.asset);
        const from = at.start.offset + attribute.index + attribute[1]!.length;
        edits.push({ from, to: at.start.offset + attribute.index + attribute[0].length, text: `"${escapeAttribute(url(resolved.asset.output) + resolved.suffix)}"` });
      });
      for (const edit of edits.reverse()) node.value = node.value.slice(0, edit.from) + edit.text + node.value.slice(edit.to);
    });
    file.data.assets = assets;
    file.data.dependencies = dependencies;
    file.data.pictures = pictures;
    if (figure) file.data.figure = figure;
  };
}

/** The `src` attribute of an `<img>` tag, and its value as written: quoted either way or bare. */
const SRC_ATTRIBUTE = /(\ssrc\s*=\s*)(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+)/i;

function escapeAttribute(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('"', '&quot;');
}

interface Resolved {
  asset: AssetRef;
  /** The `src` written: the original, or the plan's fallback variant. */
  src: string;
  measured: Measured | undefined;
  plan: ImagePlan | undefined;
}

/** The first image as a sharing card wants it: its own format, at most CARD_WIDTH wide when there is a choice. */
function figureOf({ asset, measured, plan }: Resolved, alt: string): PostFigure {
  if (!plan || !measured) {
    const type = mimeLookup(asset.output) ?? 'application/octet-stream';
    return { output: asset.output, type, ...(measured ? { width: measured.width, height: measured.height } : {}), alt };
  }
  const fitting = plan.srcset.filter((candidate) => candidate.width <= CARD_WIDTH);
  const card = fitting[fitting.length - 1] ?? plan.srcset[0]!;
  const height = Math.round((measured.height * card.width) / measured.width);
  return { output: card.output, type: mimeLookup(card.output) ?? 'application/octet-stream', width: card.width, height, alt };
}

type Resolution = ({ asset?: AssetRef; suffix: string } | { error: string }) & { looked: string[] };

/**
 * Where a post's image reference points. Looked up next to the post first, then from the
 * project root; only files under `images/` or in the post's own folder may be referenced,
 * so a post cannot publish arbitrary project files (`![](../../.env)`).
 */
export function resolveImage(url: string, sourcePath: string, outputDir: string, root: string): Resolution {
  // `C:\fig.png` or `file:///home/me/fig.png` looks like a URL of scheme `c:` or `file:` but
  // names a file of the writer's machine: a broken image for every reader.
  if (LOCAL_FILE.test(url)) return { error: `image path "${url}" is a file on this computer, outside the project: put it in images/`, looked: [] };
  if (url === '' || EXTERNAL.test(url)) return { suffix: '', looked: [] };
  const cut = url.search(/[?#]/);
  const suffix = cut === -1 ? '' : url.slice(cut);
  const target = safeDecode(cut === -1 ? url : url.slice(0, cut)).normalize('NFC');
  const postDir = path.posix.dirname(sourcePath);

  // Next to the post, then from the project root, then (CONTRACT.md) in the top-level
  // images/: `![](figure1.png)` in a page bundle finds `images/figure1.png`.
  const inImages = path.posix.join(IMAGES_DIR, target);
  const candidates = target.startsWith('/')
    ? [path.posix.normalize(target.slice(1))]
    : [path.posix.join(postDir, target), path.posix.normalize(target), ...(inImages.startsWith(IMAGES_DIR) && !path.posix.normalize(target).startsWith(IMAGES_DIR) ? [inImages] : [])];
  const tried: string[] = [];
  for (const candidate of candidates) {
    if (candidate.startsWith('../') || candidate === '..' || path.posix.isAbsolute(candidate)) {
      // Only the path next to the post says where the writer meant: `../../images/x.png` in
      // content/posts/a.md is images/x.png, and when that is missing the image is not found;
      // that the same text read from the project root would leave it is no fault of the post.
      if (candidate === candidates[0]) return { error: `image path "${url}" escapes the project`, looked: tried };
      continue;
    }
    if (tried.includes(candidate)) continue;
    tried.push(candidate);
    // The name written is NFC; a file from macOS may be named NFD on disk, and is read by that name.
    const full = onDisk(root, candidate);
    if (!isFile(full)) continue;
    // A link is followed only within the project: `images/x.png -> /proc/self/environ` (or a
    // linked folder, `images/root -> /`) would publish whatever file of the machine it names.
    // The top-level images/ may itself be a link (to a shared folder): it is published whole.
    if (!inside(full, root) && !inside(full, path.join(root, 'images'))) return { error: `image "${url}" is a link to a file outside the project`, looked: tried };
    const source = path.relative(root, full).split(path.sep).join('/');
    // `![](other-post.md)` beside a post copied that post's source, a draft's too, into the site.
    if (isMarkdown(candidate)) return { error: `image "${url}" is a markdown file (a post's source), not an image: it is not published`, looked: tried };
    if (candidate.startsWith(IMAGES_DIR)) return { asset: { source, output: candidate }, suffix, looked: tried };
    const inPostDir = path.posix.relative(postDir, candidate);
    if (!inPostDir.startsWith('../') && postDir.startsWith('content/')) {
      return { asset: { source, output: `${outputDir}/${inPostDir}` }, suffix, looked: tried };
    }
    return { error: `image "${url}" must be in images/ or next to the post`, looked: tried };
  }
  return { error: `image not found: "${url}" (looked for ${tried.join(', ')})`, looked: tried };
}

/** What is known of an image file without decoding it: pixel size (upright), type and content hash. */
interface Measured {
  width: number;
  height: number;
  /** As image-size names it: `png`, `jpg`, `webp`, `avif`, `gif`, `svg`, ... */
  type: string | undefined;
  /** sha256 of the bytes, hex: names the variants and keys their cache. */
  hash: string;
}

const measured = new Map<string, Measured | undefined>();

function measure(file: string): Measured | undefined {
  const stat = statSync(file);
  const key = `${file}\0${stampFrom(stat)}`;
  if (measured.has(key)) return measured.get(key);
  let result: Measured | undefined;
  try {
    const bytes = readFileSync(file);
    const size = imageSize(bytes);
    const rotated = (size.orientation ?? 1) >= 5;
    if (size.width && size.height) {
      result = {
        ...(rotated ? { width: size.height, height: size.width } : { width: size.width, height: size.height }),
        type: size.type,
        hash: createHash('sha256').update(bytes).digest('hex'),
      };
    }
  } catch {
    result = undefined;
  }
  measured.set(key, result);
  return result;
}

/**
 * The stamp of a file named by its NFC path relative to `root`, found on disk as `onDisk`
 * finds it: an image named on macOS (NFD) has no file under its NFC name, and was "missing"
 * to every cache check, however it changed.
 */
export function stampAt(root: string, relative: string): string {
  const stamp = stampOf(path.join(root, relative));
  // eslint-disable-next-line no-control-regex -- any character past ASCII may be spelled otherwise on disk
  return stamp === 'missing' && /[^\u0000-\u007f]/.test(relative) ? stampOf(onDisk(root, relative)) : stamp;
}

/** What tells an image file apart from itself changed, or `missing`: what a cached result checks before it is reused. */
export function stampOf(file: string): string {
  try {
    const stat = statSync(file);
    return stat.isFile() ? stampFrom(stat) : 'missing';
  } catch {
    return 'missing';
  }
}

/**
 * Inode, size, modification and change times. The change time too: an image replaced by one
 * of the same size with its modification time put back (`cp -p`, `rsync -t`, `touch -r`)
 * still gets a new one, which no program can set.
 */
function stampFrom(stat: Stats): string {
  return `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
}

/** Whether `file`, its links resolved, lies inside `folder` (itself resolved too). */
function inside(file: string, folder: string): boolean {
  try {
    const relative = path.relative(realpathSync(folder), realpathSync(file));
    return relative !== '' && !relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative);
  } catch {
    return false;
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
