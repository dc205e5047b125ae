import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { imageSize } from 'image-size';
import type { Definition, Image, ImageReference, Root } from 'mdast';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import { addError, addWarning } from './report.js';
import type { FileStamp } from './compile.js';
import type { AssetRef } from './types.js';
import { hrefPath } from './urls.js';

/** Settings of remarkImages, the same for every file of a site. */
export interface RemarkImagesOptions {
  /** Project root, absolute. */
  root: string;
  /** Path part of baseURL, with leading and trailing slash: `/` or `/blog/`. */
  basePath: string;
}

const IMAGES_DIR = 'images/';
const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/|#)/i;

/**
 * Resolve local image references of a post: `images/x.png` (top-level folder) or a file next
 * to the post (Hugo page bundles). Rewrites the URL to a site-absolute one, adds the
 * intrinsic width and height so the page does not jump while loading, marks images lazy,
 * and lists the files to copy in `file.data.assets`. A missing file is an error at the image.
 */
export function remarkImages(options: RemarkImagesOptions) {
  return function (tree: Root, file: VFile) {
    const post = file.data.post;
    if (!post) return;
    const assets: AssetRef[] = [];
    const dependencies: FileStamp[] = [];
    const definitions = new Map<string, Definition>();
    const referenced = new Set<string>();
    visit(tree, (node) => {
      if (node.type === 'definition') definitions.set(node.identifier, node);
      if (node.type === 'imageReference') referenced.add(node.identifier);
    });

    /** Resolve one URL; gives the properties its `<img>` gets, or undefined. */
    const resolveNode = (node: Image | Definition): Record<string, unknown> | undefined => {
      const resolved = resolveImage(node.url, post.sourcePath, post.outputDir, options.root);
      // The result depends on every place looked at: an image that appears later must count.
      for (const candidate of resolved.looked) dependencies.push({ path: candidate, stamp: stampOf(path.join(options.root, candidate)) });
      const place = node.position?.start;
      if ('error' in resolved) {
        addError(file, resolved.error, place, 'missing-image');
        return undefined;
      }
      if (!resolved.asset) return undefined;
      assets.push(resolved.asset);
      node.url = options.basePath + hrefPath(resolved.asset.output) + resolved.suffix;
      const size = measure(path.join(options.root, resolved.asset.source));
      if (!size) {
        addWarning(file, `cannot read the size of image "${resolved.asset.source}"`, place, 'image-size');
      }
      return { ...(size ?? {}), loading: 'lazy', decoding: 'async' };
    };
    const withProperties = (node: Image | ImageReference, properties: Record<string, unknown> | undefined) => {
      if (!properties) return;
      const data = (node.data ?? {}) as { hProperties?: Record<string, unknown> };
      node.data = { ...data, hProperties: { ...data.hProperties, ...properties } } as typeof node.data;
    };

    visit(tree, 'image', (node) => withProperties(node, resolveNode(node)));
    // A reference image takes its URL from the definition, its attributes from itself.
    const byDefinition = new Map<string, Record<string, unknown> | undefined>();
    for (const identifier of referenced) {
      const definition = definitions.get(identifier);
      if (definition) byDefinition.set(identifier, resolveNode(definition));
    }
    visit(tree, 'imageReference', (node) => withProperties(node, byDefinition.get(node.identifier)));
    file.data.assets = assets;
    file.data.dependencies = dependencies;
  };
}

type Resolution = ({ asset?: AssetRef; suffix: string } | { error: string }) & { looked: string[] };

/**
 * Where a post's image reference points. Looked up next to the post first, then from the
 * project root; only files under `images/` or in the post's own folder may be referenced,
 * so a post cannot publish arbitrary project files (`![](../../.env)`).
 */
export function resolveImage(url: string, sourcePath: string, outputDir: string, root: string): Resolution {
  if (url === '' || EXTERNAL.test(url)) return { suffix: '', looked: [] };
  const cut = url.search(/[?#]/);
  const suffix = cut === -1 ? '' : url.slice(cut);
  const target = safeDecode(cut === -1 ? url : url.slice(0, cut)).normalize('NFC');
  const postDir = path.posix.dirname(sourcePath);

  const candidates = target.startsWith('/')
    ? [path.posix.normalize(target.slice(1))]
    : [path.posix.join(postDir, target), path.posix.normalize(target)];
  const tried: string[] = [];
  for (const candidate of candidates) {
    if (candidate.startsWith('../') || candidate === '..' || path.posix.isAbsolute(candidate)) {
      return { error: `image path "${url}" escapes the project`, looked: tried };
    }
    if (tried.includes(candidate)) continue;
    tried.push(candidate);
    if (!isFile(path.join(root, candidate))) continue;
    if (candidate.startsWith(IMAGES_DIR)) return { asset: { source: candidate, output: candidate }, suffix, looked: tried };
    const inPostDir = path.posix.relative(postDir, candidate);
    if (!inPostDir.startsWith('../') && postDir.startsWith('content/')) {
      return { asset: { source: candidate, output: `${outputDir}/${inPostDir}` }, suffix, looked: tried };
    }
    return { error: `image "${url}" must be in images/ or next to the post`, looked: tried };
  }
  return { error: `image not found: "${url}" (looked for ${tried.join(', ')})`, looked: tried };
}

const sizes = new Map<string, { width: number; height: number } | undefined>();

function measure(file: string): { width: number; height: number } | undefined {
  const stat = statSync(file);
  const key = `${file}\0${stat.mtimeMs}\0${stat.size}`;
  if (sizes.has(key)) return sizes.get(key);
  let size: { width: number; height: number } | undefined;
  try {
    const result = imageSize(readFileSync(file));
    const rotated = (result.orientation ?? 1) >= 5;
    if (result.width && result.height) {
      size = rotated ? { width: result.height, height: result.width } : { width: result.width, height: result.height };
    }
  } catch {
    size = undefined;
  }
  sizes.set(key, size);
  return size;
}

/** `size:mtime` of a file, or `missing`: what a cached result checks before it is reused. */
export function stampOf(file: string): string {
  try {
    const stat = statSync(file);
    return stat.isFile() ? `${stat.size}:${stat.mtimeMs}` : 'missing';
  } catch {
    return 'missing';
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
