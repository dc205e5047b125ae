/**
 * The figures fixture (a 2400 px PNG, a 600 px PNG, an SVG, a JPEG in a page bundle, under
 * baseURL /blog/) built by the CLI: the markup of figures and pictures, the variant files at
 * the widths and in the formats their srcset promises, and the image cache across builds.
 */
import { readFileSync, truncateSync, utimesSync } from 'node:fs';
import path from 'node:path';
import type { Element, Root } from 'hast';
import { select, selectAll } from 'hast-util-select';
import { toText } from 'hast-util-to-text';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FIGURE_SIZES } from '../src/images.ts';
import { brokenLinks, cleanup, copySite, hashTree, listFiles, readHtml, runCli, type CliResult } from './helpers/site.ts';

const BASE_URL = 'https://example.com/blog/';

let root: string;
let dist: string;
let first: CliResult;
let firstTree: Record<string, string>;

beforeAll(async () => {
  root = await copySite('figures');
  dist = path.join(root, 'dist');
  first = await runCli(['build', '--root', root]);
  firstTree = hashTree(dist);
});

afterAll(() => cleanup(root));

const page = (file: string): Root => readHtml(path.join(dist, file));
/** `a 400w, b 800w` → [['a', 400], ['b', 800]]. */
const candidates = (srcset: unknown): [string, number][] =>
  String(srcset)
    .split(', ')
    .map((candidate) => {
      const [url, width] = candidate.split(' ');
      return [url!, Number.parseInt(width!, 10)];
    });
/** The dist file a site URL names. */
const fileOf = (url: string) => path.join(dist, decodeURIComponent(url.replace(/^\/blog\//, '')));
const widths = (node: Element | undefined) => candidates(node?.properties.srcSet).map(([, width]) => width);

describe('the first build', () => {
  test('exits 0 and resizes each distinct image once', () => {
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    // wide.png (used by both posts), small.png and the bundle's photo.jpg; the SVG is not resized.
    expect(first.stdout).toMatch(/ 4 images \(3 resized, 0 from cache\),/);
  });

  test('a lone image with alt text is a figure: WebP source, PNG img, intrinsic size, caption, not lazy', () => {
    const figures = selectAll('.prose figure', page('posts/figures/index.html'));
    expect(figures).toHaveLength(3);
    const wide = figures[0]!;
    const source = select('picture > source', wide);
    const img = select('picture > img', wide);
    expect(source?.properties.type).toBe('image/webp');
    expect(widths(source)).toEqual([400, 800, 1200, 1600]);
    expect(widths(img)).toEqual([400, 800, 1200, 1600]);
    for (const [url] of candidates(source?.properties.srcSet)) expect(url).toMatch(/^\/blog\/images\/wide-\d+w\.[0-9a-f]{8}\.webp$/);
    for (const [url] of candidates(img?.properties.srcSet)) expect(url).toMatch(/^\/blog\/images\/wide-\d+w\.[0-9a-f]{8}\.png$/);
    expect(img?.properties).toMatchObject({ alt: '넓은 그림', width: 2400, height: 1200, sizes: FIGURE_SIZES, decoding: 'async' });
    expect(source?.properties.sizes).toBe(FIGURE_SIZES);
    expect(img?.properties.src).toBe('/blog/images/wide.png');
    // The first figure may be the largest paint: loaded at once.
    expect(img?.properties.loading).toBeUndefined();
    expect(toText(select('figcaption', wide)!)).toBe('넓은 그림');
  });

  test('a 600 px image is never enlarged, its title is the caption, and it is lazy', () => {
    const small = selectAll('.prose figure', page('posts/figures/index.html'))[1]!;
    const img = select('picture > img', small);
    expect(widths(select('picture > source', small))).toEqual([400, 600]);
    expect(candidates(img?.properties.srcSet)).toEqual([
      [expect.stringMatching(/^\/blog\/images\/small-400w\.[0-9a-f]{8}\.png$/), 400],
      ['/blog/images/small.png', 600],
    ]);
    expect(img?.properties).toMatchObject({ alt: '작은 그림', width: 600, height: 400, loading: 'lazy', src: '/blog/images/small.png' });
    expect(img?.properties.title).toBeUndefined();
    expect(toText(select('figcaption', small)!)).toBe('600px 원본');
  });

  test('an image among words stays inline in its paragraph', () => {
    const inline = select('.prose p > picture > img', page('posts/figures/index.html'));
    expect(inline?.properties).toMatchObject({ alt: '작은 그림', loading: 'lazy' });
  });

  test('SVG passes through: copied, sized, captioned, no variants', () => {
    const svg = selectAll('.prose figure', page('posts/figures/index.html'))[2]!;
    expect(select('picture', svg)).toBeUndefined();
    expect(select('img', svg)?.properties).toMatchObject({ src: '/blog/images/diagram.svg', width: 300, height: 100 });
    expect(select('img', svg)?.properties.srcSet).toBeUndefined();
    expect(toText(select('figcaption', svg)!)).toBe('SVG는 그대로');
    expect(listFiles(dist).filter((file) => file.startsWith('images/diagram'))).toEqual(['images/diagram.svg']);
  });

  test('a page bundle image gets its variants beside the post; its first figure is eager', () => {
    const tree = page('posts/bundle/index.html');
    const [photo, wide] = selectAll('.prose figure picture > img', tree);
    expect(photo?.properties.loading).toBeUndefined();
    expect(wide?.properties.loading).toBe('lazy');
    expect(candidates(photo?.properties.srcSet).map(([url]) => url)).toEqual([
      expect.stringMatching(/^\/blog\/posts\/bundle\/photo-400w\.[0-9a-f]{8}\.jpg$/),
      expect.stringMatching(/^\/blog\/posts\/bundle\/photo-800w\.[0-9a-f]{8}\.jpg$/),
      '/blog/posts/bundle/photo.jpg',
    ]);
  });

  test('every srcset candidate is a file of the promised width and format', async () => {
    const formats: Record<string, string> = { webp: 'webp', png: 'png', jpg: 'jpeg' };
    let checked = 0;
    for (const file of ['posts/figures/index.html', 'posts/bundle/index.html']) {
      for (const node of selectAll('.prose img[srcset], .prose source[srcset]', page(file))) {
        for (const [url, width] of candidates(node.properties.srcSet)) {
          const metadata = await sharp(readFileSync(fileOf(url))).metadata();
          expect(metadata.width, url).toBe(width);
          expect(metadata.format, url).toBe(formats[path.extname(url).slice(1)]);
          if (node.tagName === 'source') expect(metadata.format).toBe('webp');
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(20);
  });

  test('no link or image of the site leads nowhere', () => {
    expect(brokenLinks(dist, BASE_URL)).toEqual([]);
  });
});

describe('later builds', () => {
  // Each later build follows a touched template: with nothing changed a build would not run
  // at all (a touched post would move its date in the sitemap).
  const touchTemplate = () => utimesSync(path.join(root, 'templates/base.liquid'), new Date(), new Date());

  test('a second build runs no sharp and writes the same files', async () => {
    touchTemplate();
    const second = await runCli(['build', '--root', root]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/ 4 images \(0 resized, 3 from cache\),/);
    const images = (tree: Record<string, string>) => Object.entries(tree).filter(([file]) => !file.endsWith('.html') && !file.startsWith('pagefind/') && file !== '.geul');
    expect(images(hashTree(dist))).toEqual(images(firstTree));
  });

  test('a damaged cache entry is made again, with the same result', async () => {
    const cached = listFiles(path.join(root, '.cache/geul/images')).filter((file) => file.endsWith('/800.webp'));
    expect(cached).toHaveLength(2);
    truncateSync(path.join(root, '.cache/geul/images', cached[0]!), 100);
    touchTemplate();
    const third = await runCli(['build', '--root', root]);
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(/ 4 images \(1 resized, 2 from cache\),/);
    const wide = selectAll('.prose figure', page('posts/figures/index.html'))[0]!;
    for (const [url, width] of candidates(select('source', wide)?.properties.srcSet)) {
      expect((await sharp(readFileSync(fileOf(url))).metadata()).width).toBe(width);
    }
  });

  test('--no-cache resizes everything again', async () => {
    const fresh = await runCli(['build', '--root', root, '--no-cache']);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/ 4 images \(3 resized, 0 from cache\),/);
  });
});
