/**
 * How the search index of a big site is split into parts (src/search-parts.ts), and that a
 * changed post re-indexes only its own part.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { buildSearchIndex, createSearchFeed, indexOrder, openIndexAhead } from '../src/search.js';
import { partSize, searchParts, SINGLE_INDEX_POSTS, type SearchPart } from '../src/search-parts.js';
import type { Output, ParsedPost } from '../src/types.js';
import { collectPosts, postFrom } from './helpers/posts.ts';

const post = (sourcePath: string) => ({ sourcePath }) as ParsedPost;
const names = (parts: SearchPart[]) => parts.map((part) => [part.dir, part.posts.map((p) => p.sourcePath)] as const);

/** Distinct sorted file names, as a site's posts come in index order. */
const sortedPaths = (min: number, max: number) =>
  fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: min, maxLength: max }).map((list) => list.map((name) => `content/posts/${name}.md`).sort());

describe('partSize', () => {
  test('a small site has one index; a bigger one parts of a power of two, at least 64, 11 to 23 of them', () => {
    expect(partSize(0)).toBe(Infinity);
    expect(partSize(SINGLE_INDEX_POSTS)).toBe(Infinity);
    expect(partSize(SINGLE_INDEX_POSTS + 1)).toBe(64);
    expect(partSize(1000)).toBe(64);
    expect(partSize(1400)).toBe(64);
    expect(partSize(1500)).toBe(128);
    expect(partSize(4000)).toBe(256);
    expect(partSize(10_000)).toBe(512);
  });
});

describe('searchParts', () => {
  test('the parts hold every post once, in order; only the first is the bundle, the others are named apart', () => {
    fc.assert(
      fc.property(sortedPaths(0, 600), fc.constantFrom(8, 16, 64, Infinity), (paths, size) => {
        const parts = searchParts(paths.map(post), size);
        expect(parts.flatMap((part) => part.posts.map((p) => p.sourcePath))).toEqual(paths);
        expect(parts.map((part) => part.dir).filter((dir) => dir === '')).toHaveLength(paths.length === 0 ? 0 : 1);
        if (parts.length > 0) expect(parts[0]!.dir).toBe('');
        expect(new Set(parts.map((part) => part.dir)).size).toBe(parts.length);
        for (const part of parts.slice(1)) expect(part.dir).toMatch(/^part-[0-9a-f]{8}\/$/u);
        for (const part of parts) expect(part.posts.length).toBeLessThanOrEqual(size * 2);
        if (size === Infinity) expect(parts.length).toBe(paths.length === 0 ? 0 : 1);
      }),
      { endOnFailure: true },
    );
  });

  test('a post added or removed changes the parts before it not at all, and only a few after it', () => {
    fc.assert(
      fc.property(sortedPaths(200, 600), fc.nat(), (paths, at) => {
        const removed = at % paths.length;
        const before = names(searchParts(paths.map(post), 16));
        const after = names(searchParts(paths.filter((_, i) => i !== removed).map(post), 16));
        const changed = (list: typeof before, other: typeof before) => list.filter((part) => !other.some((o) => JSON.stringify(o) === JSON.stringify(part)));
        // Parts that end before the removed post are as they were.
        const gone = paths[removed]!;
        for (const part of before.filter(([, posts]) => posts.at(-1)! < gone)) expect(after).toContainEqual(part);
        // Usually one part; a boundary that a part's smallest or largest size moved can move the
        // next (in 3,000 random trials: one part 81 %, two 18 %, three 1.4 %, more 0.2 %).
        expect(changed(before, after).length).toBeLessThanOrEqual(6);
        expect(changed(after, before).length).toBeLessThanOrEqual(6);
      }),
      // A fixed seed: the bound is not a law, and shrinking a failure of 600 paths takes minutes.
      { numRuns: 200, seed: 20261128, endOnFailure: true },
    );
  });
});

describe('an index in parts', { timeout: 60_000 }, () => {
  const made = Array.from({ length: SINGLE_INDEX_POSTS + 64 }, (_, n) =>
    postFrom(`content/posts/글-${String(n).padStart(3, '0')}.md`, [`title = "글 ${n}"`, `date = 2024-01-${String((n % 28) + 1).padStart(2, '0')}`]),
  );
  const manifest = (outputs: Output[]) => new Map(outputs.map((output) => [output.path, output.key!]));

  test('an edited post re-indexes its own part; every other part keeps its files', async () => {
    const { site } = collectPosts(made);
    const first = await buildSearchIndex(site);
    const parts = searchParts(indexOrder(site.posts), partSize(site.postFiles));
    expect(parts.length).toBeGreaterThan(2);
    const edited = parts[1]!.posts[0]!;
    const { site: changed } = collectPosts(made.map((m) => (m.post === edited ? { ...m, post: { ...m.post, rendered: { ...m.post.rendered, html: '<p>고친 본문.</p>' } } } : m)));
    const again = await buildSearchIndex(changed, manifest(first.outputs));
    expect(again.reused).toBe(false);
    // What the writer writes again: a file whose key differs from the last build's.
    const previous = manifest(first.outputs);
    const rewritten = again.outputs.filter((output) => previous.get(output.path) !== output.key).map((output) => output.path);
    expect(rewritten.length).toBeGreaterThan(0);
    expect(rewritten.every((file) => file.startsWith(`pagefind/${parts[1]!.dir}`))).toBe(true);
    // The same files in the same places, the edited part's data aside.
    const others = (outputs: Output[]) => outputs.map((output) => output.path).filter((file) => !file.startsWith(`pagefind/${parts[1]!.dir}`));
    expect(others(again.outputs)).toEqual(others(first.outputs));
    const unchanged = await buildSearchIndex(changed, manifest(again.outputs));
    expect(unchanged.reused).toBe(true);
  });

  test('an index opened before the site was collected makes the same files; unneeded, it is let go', async () => {
    const { site } = collectPosts(made);
    const first = await buildSearchIndex(site);
    const edited = indexOrder(site.posts)[0]!;
    const { site: changed } = collectPosts(made.map((m) => (m.post === edited ? { ...m, post: { ...m.post, rendered: { ...m.post.rendered, html: '<p>고친 본문.</p>' } } } : m)));
    const bytes = (index: { outputs: Output[] }) => index.outputs.map((output) => [output.path, output.key, 'content' in output ? Buffer.from(output.content as Uint8Array).toString('base64') : '']);
    const ahead = await buildSearchIndex(changed, manifest(first.outputs), { ahead: openIndexAhead(changed.config.language) });
    expect(ahead.reused).toBe(false);
    expect(bytes(ahead)).toEqual(bytes(await buildSearchIndex(changed, manifest(first.outputs))));
    const unneeded = await buildSearchIndex(changed, manifest(ahead.outputs), { ahead: openIndexAhead(changed.config.language) });
    expect(unneeded.reused).toBe(true);
    // Pagefind's process was stopped with the index it was never given posts for: the next
    // index starts a new one, and the part it makes again is the one made at first.
    const back = await buildSearchIndex(site, manifest(ahead.outputs));
    const remade = bytes(back).filter(([, , content]) => content !== '');
    expect(remade.length).toBeGreaterThan(0);
    expect(remade).toEqual(bytes(first).filter(([file]) => remade.some(([again]) => again === file)));
  });

  test('fed post by post, it is the same index, part for part', async () => {
    const { site } = collectPosts(made);
    const feed = createSearchFeed();
    for (const p of indexOrder(site.posts)) feed.add(p, site.config, site.postFiles);
    const bytes = (index: { outputs: Output[] }) => index.outputs.map((output) => [output.path, output.key, 'content' in output ? Buffer.from(output.content as Uint8Array).toString('base64') : '']);
    expect(bytes(await feed.finish(site))).toEqual(bytes(await buildSearchIndex(site)));
  });
});
