import { createHash } from 'node:crypto';
import type { ParsedPost } from './types.js';

/**
 * The search index of a big site is split into parts of neighbouring posts (in index order),
 * each its own Pagefind index, merged again in the reader's browser (`mergeIndex`). Editing a
 * post then re-indexes only its part, and Pagefind holds one part in memory at a time: one
 * index of 7,000 posts took it 2 GB.
 *
 * Where a part ends is decided by each post's own path (content-defined chunking, as in rsync
 * or restic), not by counting: adding or removing a post moves no boundary but its own.
 */

/** A site with at most this many post files has one index, as a plain Pagefind site does. */
export const SINGLE_INDEX_POSTS = 256;

/** Parts are never much smaller: every part is two more requests when a reader first searches. */
const SMALLEST_PART = 64;

/** About how many parts a site gets, whatever its size (between 11 and 23). */
const PARTS = 16;

/**
 * The expected number of posts in a part, for a site of `postFiles` post files: a power of
 * two, so that as a site grows past a size the boundaries of the next size are a subset of
 * the current ones. Infinity: one part.
 */
export function partSize(postFiles: number): number {
  if (postFiles <= SINGLE_INDEX_POSTS) return Infinity;
  return Math.max(SMALLEST_PART, 2 ** Math.round(Math.log2(postFiles / PARTS)));
}

/** One part of the index: where it lands under the bundle folder, and its posts in index order. */
export interface SearchPart {
  /** `''` for the first part, which is the bundle itself (scripts and WebAssembly); else `part-<hash>/`. */
  dir: string;
  posts: ParsedPost[];
  /**
   * On a site of several parts, the value of every one of its posts' `PART_FILTER` filter:
   * the search page searches part by part with it (`templates/assets/search.js`), since
   * Pagefind puts another word in place of one a part does not have, in that part alone.
   * Undefined on a site of one index.
   */
  filter?: string;
}

/** The Pagefind filter that names a post's part of the index. */
export const PART_FILTER = 'geul-part';

/** Posts in index order go in, one by one; each is told its part, and whether it is the part's last. */
export type PartChunker = (post: ParsedPost) => { part: SearchPart; last: boolean };

export function createPartChunker(size: number): PartChunker {
  let current: SearchPart | undefined;
  let first = true;
  return (post) => {
    if (!current) {
      const dir = first ? '' : `part-${pathHash(post.sourcePath).toString(16).padStart(8, '0')}/`;
      current = { dir, posts: [], ...(Number.isFinite(size) ? { filter: dir.replace(/\/$/u, '') || 'part-first' } : {}) };
      first = false;
    }
    const part = current;
    part.posts.push(post);
    const last = endsPart(post, part.posts.length, size);
    if (last) current = undefined;
    return { part, last };
  };
}

/** The parts of `posts`, given in index order. */
export function searchParts(posts: readonly ParsedPost[], size: number): SearchPart[] {
  const next = createPartChunker(size);
  const parts: SearchPart[] = [];
  for (const post of posts) {
    const { part } = next(post);
    if (parts.at(-1) !== part) parts.push(part);
  }
  return parts;
}

/**
 * A post ends its part when its path's hash is a multiple of `size` (one post in `size`),
 * unless the part is still under a quarter of `size`; a part at twice `size` ends anyway,
 * which bounds what Pagefind holds at once (about 300 KB a post) and what an edit re-indexes.
 * An edited post is more likely in a long part than in a short one: with parts up to three
 * times `size`, the part of the first post of the 10,000-post bench corpus held 1,319 posts
 * (13 s of Pagefind), and an edit re-indexed 1.6 × `size` posts on average; up to twice
 * `size`, 1.25 ×, and never more than 2 ×.
 */
function endsPart(post: ParsedPost, count: number, size: number): boolean {
  if (!Number.isFinite(size)) return false;
  if (count >= size * 2) return true;
  return count >= size / 4 && pathHash(post.sourcePath) % size === 0;
}

function pathHash(sourcePath: string): number {
  return createHash('sha256').update(sourcePath).digest().readUInt32BE(0);
}
