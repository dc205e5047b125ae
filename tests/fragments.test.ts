/**
 * The fragment store (src/fragments.ts): formulas and code blocks made once, ever. Unit tests
 * of the store itself, then whole builds through the CLI (a new process each, so nothing is
 * remembered in memory) that show a recompiled post takes its formulas and code blocks from
 * the store, and that a damaged store is never trusted.
 */
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import fc from 'fast-check';
import { fromHtml } from 'hast-util-from-html';
import { selectAll } from 'hast-util-select';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeCorpus } from '../bench/corpus.js';
import { fragmentStoreDir, openFragmentStore, pruneFragmentStores } from '../src/fragments.js';
import { termSlug } from '../src/slug.js';
import { cleanup, hashTree, REPO_ROOT, runCli, tempDir } from './helpers/site.js';

describe('openFragmentStore', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('geul-fragments-');
  });
  afterAll(() => cleanup(dir));

  test('what one store puts and flushes, another finds; a different salt finds nothing', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.string({ unit: 'grapheme', minLength: 1 }), fc.jsonValue()), { selector: ([key]) => key, maxLength: 30 }), fc.nat(), (entries, run) => {
        const location = { dir, salt: `salt-${run}-${Math.random()}` };
        const writer = openFragmentStore(location);
        for (const [key, value] of entries) writer.put(key, value);
        // Nothing reaches the disk before the flush.
        expect(entries.every(([key]) => openFragmentStore(location).get(key) === undefined)).toBe(true);
        writer.flush();
        const reader = openFragmentStore(location);
        for (const [key, value] of entries) expect(reader.get(key)).toEqual(JSON.parse(JSON.stringify(value)));
        const other = openFragmentStore({ dir, salt: `${location.salt}-other` });
        for (const [key] of entries) expect(other.get(key)).toBeUndefined();
      }),
      { numRuns: 30 },
    );
  });

  test('a line cut short, altered or damaged is ignored; the lines around it still count', () => {
    const location = { dir, salt: 'damage' };
    const writer = openFragmentStore(location);
    const keys = Array.from({ length: 600 }, (_, index) => `formula ${index}`);
    for (const key of keys) writer.put(key, { html: `<b>${key}</b>`, strict: [] });
    writer.flush();
    const folder = path.join(dir, readdirSync(dir).find((name) => readdirSync(path.join(dir, name)).length > 0 && isStoreOf(path.join(dir, name), 'formula 0'))!);
    const shards = readdirSync(folder);
    // Damage: flip a byte of the value in one shard, break the checksum in another, and
    // leave a half-written line at the end of a third.
    const [first, second, third] = shards.map((name) => path.join(folder, name));
    const flipped = readFileSync(first!, 'utf8').replace('</b>', '</i>');
    writeFileSync(first!, flipped);
    const broken = readFileSync(second!, 'utf8').replace(/^(\w{64}) \w/, '$1 z');
    writeFileSync(second!, broken);
    appendFileSync(third!, `${'f'.repeat(64)} 0123456789abcdef {"html":"<b>cut`);

    const reader = openFragmentStore(location);
    const found = keys.filter((key) => reader.get(key) !== undefined);
    // Exactly the two damaged lines are lost; every value found is the one put.
    expect(found.length).toBe(keys.length - 2);
    for (const key of found) expect(reader.get(key)).toEqual({ html: `<b>${key}</b>`, strict: [] });
  });

  test('pruning removes the folders of other salts only', () => {
    const keep = { dir, salt: 'keep' };
    const writer = openFragmentStore(keep);
    writer.put('a', 1);
    writer.flush();
    pruneFragmentStores(keep);
    expect(readdirSync(dir)).toHaveLength(1);
    expect(openFragmentStore(keep).get('a')).toBe(1);
  });
});

/** Whether a store folder holds the line of `key`. */
function isStoreOf(folder: string, key: string): boolean {
  const hash = createHash('sha256').update(key).digest('hex');
  const shard = path.join(folder, `${hash.slice(0, 2)}.log`);
  try {
    return readFileSync(shard, 'utf8').includes(hash);
  } catch {
    return false;
  }
}

describe('builds with the fragment store', () => {
  let site: string;
  beforeAll(async () => {
    site = await tempDir('geul-fragments-site-');
    await writeCorpus(site, 8, path.join(REPO_ROOT, 'templates'));
  }, 60_000);
  afterAll(() => cleanup(site));

  const rewriteStore = (change: (value: Record<string, unknown>) => void, damage = false) =>
    rewriteStoreLines(fragmentStoreDir(site), (value) => {
      change(value as Record<string, unknown>);
      return value;
    }, damage);
  const setBaseUrl = (url: string) => {
    const config = path.join(site, 'site.toml');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/^baseURL = .*$/m, `baseURL = "${url}"`));
  };
  /** Every post page's formulas and code blocks, and how many of each carry the store's mark. */
  const marks = (out: string) => {
    let formulas = 0;
    let blocks = 0;
    let markedFormulas = 0;
    let markedBlocks = 0;
    const posts = path.join(site, out, 'posts');
    // Each post's folder; not the list of all posts (index.html, page/).
    for (const slug of readdirSync(posts, { withFileTypes: true }).filter((entry) => entry.isDirectory() && entry.name !== 'page').map((entry) => entry.name)) {
      const tree = fromHtml(readFileSync(path.join(posts, slug, 'index.html'), 'utf8'));
      formulas += selectAll('.prose .katex', tree).length;
      markedFormulas += selectAll('.prose i[data-from-store]', tree).length;
      blocks += selectAll('.prose .code-block pre', tree).length;
      markedBlocks += selectAll('.prose .code-block pre[data-from-store]', tree).length;
    }
    return { formulas, blocks, markedFormulas, markedBlocks };
  };

  test('a recompiled post takes every formula and code block from the store; a damaged store is not used', async () => {
    const first = await runCli(['build', '--root', site, '--workers', '2']);
    expect(first.code, first.stderr).toBe(0);

    // Mark what the store holds; a build that uses it shows the marks.
    rewriteStore((value) => {
      if (typeof value.html === 'string') value.html = `${value.html}<i data-from-store></i>`;
      else (value.properties as Record<string, unknown>).dataFromStore = '';
    });
    // A new base URL changes every post's cache key, not its formulas or code.
    setBaseUrl('https://example.org/other/');
    const marked = await runCli(['build', '--root', site, '--out', 'marked', '--workers', '2']);
    expect(marked.code, marked.stderr).toBe(0);
    const counts = marks('marked');
    expect(counts.formulas).toBeGreaterThan(10);
    expect(counts.blocks).toBeGreaterThan(0);
    expect(counts).toEqual({ ...counts, markedFormulas: counts.formulas, markedBlocks: counts.blocks });

    // Lines whose checksums do not fit are ignored: the fragments are made again, as a build
    // without cache makes them.
    rewriteStore(() => {}, true);
    setBaseUrl('https://example.org/third/');
    const damaged = await runCli(['build', '--root', site, '--out', 'damaged', '--workers', '2']);
    expect(damaged.code, damaged.stderr).toBe(0);
    expect(marks('damaged')).toMatchObject({ markedFormulas: 0, markedBlocks: 0 });
    const plain = await runCli(['build', '--root', site, '--out', 'plain', '--no-cache']);
    expect(plain.code, plain.stderr).toBe(0);
    const damagedFiles = withoutMarker(hashTree(path.join(site, 'damaged')));
    expect(Object.keys(damagedFiles).length).toBeGreaterThan(8);
    expect(damagedFiles).toEqual(withoutMarker(hashTree(path.join(site, 'plain'))));
  }, 180_000);
});

describe('list items kept between builds', () => {
  let site: string;
  beforeAll(async () => {
    site = await tempDir('geul-partials-site-');
    await writeCorpus(site, 12, path.join(REPO_ROOT, 'templates'));
  }, 60_000);
  afterAll(() => cleanup(site));

  test('a term page rendered again after one post changed takes the other posts\' items from the store', async () => {
    const first = await runCli(['build', '--root', site]);
    expect(first.code, first.stderr).toBe(0);
    // Mark every stored item: a page whose items come from the store shows the marks.
    const root = path.join(site, '.cache', 'geul', 'partials');
    const folders = readdirSync(root);
    expect(folders).toHaveLength(1);
    rewriteStoreLines(root, (item) => (item as string).replace('</article>', '<i data-from-store></i></article>'));
    // One post gets a new title: every list it is in is rendered again.
    const posts = path.join(site, 'content', 'posts');
    const edited = readdirSync(posts).sort()[0]!;
    const text = readFileSync(path.join(posts, edited), 'utf8');
    writeFileSync(path.join(posts, edited), text.replace(/^title = ".*"$/m, 'title = "새 제목"'));
    const category = /^categories = \["([^"]+)"/m.exec(text)![1]!;
    const again = await runCli(['build', '--root', site]);
    expect(again.code, again.stderr).toBe(0);

    const page = fromHtml(readFileSync(path.join(site, 'dist', 'categories', termSlug(category), 'index.html'), 'utf8'));
    const items = selectAll('.post-item', page);
    expect(items.length).toBeGreaterThan(1);
    for (const item of items) {
      const isEdited = selectAll('.post-item-title', item).some((title) => JSON.stringify(title).includes('새 제목'));
      expect(selectAll('i[data-from-store]', item).length, isEdited ? 'the edited post' : 'another post').toBe(isEdited ? 0 : 1);
    }
    expect(items.filter((item) => JSON.stringify(item).includes('새 제목'))).toHaveLength(1);
  }, 120_000);

  test('templates edited: the items of the old templates are gone from the store', async () => {
    const before = readdirSync(path.join(site, '.cache', 'geul', 'partials'));
    const item = path.join(site, 'templates', 'partials', 'post-item.liquid');
    writeFileSync(item, `${readFileSync(item, 'utf8')}\n`);
    const again = await runCli(['build', '--root', site]);
    expect(again.code, again.stderr).toBe(0);
    const after = readdirSync(path.join(site, '.cache', 'geul', 'partials'));
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
  }, 120_000);
});

function withoutMarker(tree: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).filter(([file]) => file !== '.geul'));
}

describe('related posts kept between builds', () => {
  let site: string;
  beforeAll(async () => {
    site = await tempDir('geul-related-site-');
    await writeCorpus(site, 12, path.join(REPO_ROOT, 'templates'));
  }, 60_000);
  afterAll(() => cleanup(site));

  const note = () => path.join(site, '.cache', 'geul', 'related.json');
  /** The related links of a post's page, as URLs. */
  const relatedOf = (slug: string) =>
    selectAll('.related-list a', fromHtml(readFileSync(path.join(site, 'dist', 'posts', slug, 'index.html'), 'utf8'))).map((link) => String(link.properties.href));
  /** Rewrite the note's choice for `source` (its checksum fitting, or not with `damage`). */
  const rewriteChoice = (source: string, choice: string[], damage = false) => {
    const [header, json] = readFileSync(note(), 'utf8').split('\n', 2) as [string, string];
    const data = JSON.parse(json) as { shape: string; choices: [string, string[]][] };
    for (const entry of data.choices) if (entry[0] === source) entry[1] = choice;
    const rewritten = JSON.stringify(data);
    const parsed = JSON.parse(header) as Record<string, unknown>;
    parsed.checksum = damage ? 'x' : createHash('sha256').update(rewritten).digest('hex');
    writeFileSync(note(), `${JSON.stringify(parsed)}\n${rewritten}`);
  };

  test('a new build of a site of the same shape takes the choices kept; a damaged note is ignored', async () => {
    expect((await runCli(['build', '--root', site])).code).toBe(0);
    const posts = readdirSync(path.join(site, 'content', 'posts')).sort();
    const [first, second] = posts.map((file) => `content/posts/${file}`);
    const original = relatedOf('post-00000');
    expect(original.length).toBeGreaterThan(0);
    // Say post 0's only related post is post 1, then edit post 0's body: its page renders again.
    rewriteChoice(first!, [second!]);
    appendFileSync(path.join(site, first!), '\n\n한 문단 더.\n');
    expect((await runCli(['build', '--root', site])).code).toBe(0);
    expect(relatedOf('post-00000')).toEqual(['/posts/post-00001/']);

    rewriteChoice(first!, [second!], true);
    appendFileSync(path.join(site, first!), '\n\n또 한 문단.\n');
    expect((await runCli(['build', '--root', site])).code).toBe(0);
    expect(relatedOf('post-00000')).toEqual(original);
  }, 120_000);
});

/**
 * Rewrite every line of every store under `root` (one folder per salt) through `change`, with
 * a checksum that fits, or with `damage` one that does not.
 */
function rewriteStoreLines(root: string, change: (value: unknown) => unknown, damage = false): void {
  for (const salt of readdirSync(root)) {
    for (const shard of readdirSync(path.join(root, salt))) {
      const file = path.join(root, salt, shard);
      const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
      const rewritten = lines.map((line) => {
        // `<64 hex hash> <16 hex checksum> <json>`
        const json = JSON.stringify(change(JSON.parse(line.slice(82))));
        const sum = damage ? '0'.repeat(16) : createHash('sha256').update(json).digest('hex').slice(0, 16);
        return `${line.slice(0, 64)} ${sum} ${json}\n`;
      });
      writeFileSync(file, rewritten.join(''));
    }
  }
}
