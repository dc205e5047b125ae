/**
 * Files named with decomposed Hangul (NFD), as macOS writes them and as a zip or an old git
 * checkout brings them to Linux: geul names every source NFC, and must still find, read,
 * date and watch the file under its name on disk.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fromHtml } from 'hast-util-from-html';
import { selectAll } from 'hast-util-select';
import { afterEach, describe, expect, test } from 'vitest';
import { build } from '../src/build.ts';
import { openCache } from '../src/cache.ts';
import { createSiteBuilder } from '../src/incremental.ts';
import { onDisk } from '../src/on-disk.ts';
import type { Output } from '../src/types.ts';
import { cleanup, copySite, FIXTURES, runCli, tempDir } from './helpers/site.ts';

const nfd = (text: string) => text.normalize('NFD');
const PNG = path.join(FIXTURES, 'sites', 'basic', 'images', 'dot.png');

let roots: string[] = [];
afterEach(async () => {
  await cleanup(...roots);
  roots = [];
});

function post(title: string, body: string): string {
  return `+++\ntitle = "${title}"\ndate = 2024-05-01\ntags = ["NLP"]\n+++\n\n${body}\n`;
}

describe('onDisk', () => {
  test('an NFC path finds the file under its NFD name, folder by folder; an existing path is itself; a missing one is the NFC path', async () => {
    const root = await tempDir('geul-nfd-');
    roots.push(root);
    mkdirSync(path.join(root, 'content/posts', nfd('묶음')), { recursive: true });
    writeFileSync(path.join(root, 'content/posts', nfd('묶음'), nfd('그림.png')), 'x');
    writeFileSync(path.join(root, 'content/posts/plain.md'), 'x');
    expect(onDisk(root, 'content/posts/묶음/그림.png')).toBe(path.join(root, 'content/posts', nfd('묶음'), nfd('그림.png')));
    expect(onDisk(root, 'content/posts/plain.md')).toBe(path.join(root, 'content/posts/plain.md'));
    expect(onDisk(root, 'content/posts/없음.md')).toBe(path.join(root, 'content/posts/없음.md'));
    expect(onDisk(root, 'content/posts/묶음/없음.png')).toBe(path.join(root, 'content/posts/묶음/없음.png'));
  });
});

describe('sources named NFD on disk', () => {
  /** The basic fixture with an NFD-named post, an NFD page bundle with an NFD image, and an NFD image in images/. */
  async function makeSite(): Promise<string> {
    const root = await copySite('basic');
    roots.push(root);
    writeFileSync(path.join(root, 'content/posts', nfd('맥에서-쓴-글.md')), post('맥에서 쓴 글', '본문이다.'));
    const bundle = path.join(root, 'content/posts', nfd('그림-묶음'));
    mkdirSync(bundle, { recursive: true });
    copyFileSync(PNG, path.join(bundle, nfd('사진.png')));
    copyFileSync(PNG, path.join(root, 'images', nfd('도표.png')));
    // References typed NFC, as every editor on every system types them.
    writeFileSync(path.join(bundle, 'index.md'), post('그림 묶음', '![사진](사진.png)\n\n![도표](images/도표.png)'));
    return root;
  }

  test('a build finds images named NFD and dates posts named NFD by their file (no git)', async () => {
    const root = await makeSite();
    const when = new Date('2024-06-01T00:00:00Z');
    utimesSync(path.join(root, 'content/posts', nfd('맥에서-쓴-글.md')), when, when);
    const result = await build({ root, drafts: false });
    expect(result.problems).toEqual([]);
    const outputs = new Map(result.outputs.map((output) => [output.path, output]));
    // Written NFC, copied from the NFD files.
    for (const file of ['posts/그림-묶음/사진.png', 'images/도표.png']) {
      const output = outputs.get(file);
      expect(output && 'copyFrom' in output ? readFileSync(output.copyFrom) : undefined, file).toEqual(readFileSync(PNG));
    }
    const page = outputs.get('posts/그림-묶음/index.html') as { content: string | Uint8Array };
    const html = typeof page.content === 'string' ? page.content : Buffer.from(page.content).toString('utf8');
    const sources = selectAll('article img', fromHtml(html)).map((image) => decodeURI(String(image.properties.src)));
    expect(sources).toEqual(['/posts/그림-묶음/사진.png', '/images/도표.png']);
    const sitemap = String((outputs.get('sitemap.xml') as { content: string }).content);
    const lastmod = sitemap.match(/<loc>[^<]*\/posts\/%EB%A7%A5[^<]*<\/loc><lastmod>([^<]*)<\/lastmod>/)?.[1];
    expect(lastmod).toBe('2024-06-01T09:00:00+09:00');
  }, 60_000);

  test('an NFD-named image replaced or removed is seen by the next build: the cached page is made again', async () => {
    const root = await makeSite();
    const first = await runCli(['build', '--root', root]);
    expect(first.code, first.stderr).toBe(0);
    const widths = () =>
      selectAll('article img', fromHtml(readFileSync(path.join(root, 'dist/posts/그림-묶음/index.html'), 'utf8'))).map((image) => image.properties.width);
    expect(widths()).toEqual([4, 4]);
    copyFileSync(path.join(FIXTURES, 'sites', 'figures', 'images', 'small.png'), path.join(root, 'images', nfd('도표.png')));
    const second = await runCli(['build', '--root', root]);
    expect(second.code, second.stderr).toBe(0);
    expect(widths()).toEqual([4, 600]);
    rmSync(path.join(root, 'images', nfd('도표.png')));
    const third = await runCli(['build', '--root', root]);
    expect(third.code).toBe(1);
    expect(third.stderr).toMatch(/^content\/posts\/그림-묶음\/index\.md:9:1: image not found: "images\/도표\.png"/m);
  }, 60_000);

  test('the dev server rebuilds an NFD-named post that was saved, and keeps it', async () => {
    const root = await makeSite();
    const builder = createSiteBuilder(root, openCache(root, true));
    const pages = async (changed: string[]) => {
      const result = (await builder.update(changed, new Map<string, Output>()))!;
      expect(result.problems).toEqual([]);
      return new Map(result.outputs.map((output) => [output.path, output]));
    };
    expect((await pages([])).has('posts/맥에서-쓴-글/index.html')).toBe(true);
    writeFileSync(path.join(root, 'content/posts', nfd('맥에서-쓴-글.md')), post('맥에서 쓴 글', '고친 본문이다.'));
    // The watcher reports paths NFC (src/watch.ts).
    const after = await pages(['content/posts/맥에서-쓴-글.md']);
    const page = after.get('posts/맥에서-쓴-글/index.html');
    expect(page && 'content' in page ? Buffer.from(page.content).toString('utf8') : '').toContain('고친 본문이다.');
    expect(builder.changedSinceRead()).toEqual([]);
  }, 60_000);
});
