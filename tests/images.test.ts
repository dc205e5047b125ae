import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { imageSize } from 'image-size';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeVariants, planImage, variantWidths } from '../src/images.ts';
import type { AssetRef } from '../src/types.ts';
import { cleanup, FIXTURES, tempDir } from './helpers/site.ts';

const HASH = 'ab'.repeat(32);

describe('variantWidths', () => {
  test('steps up to 1600 px, never above the image', () => {
    expect(variantWidths(2400)).toEqual([400, 800, 1200, 1600]);
    expect(variantWidths(1600)).toEqual([400, 800, 1200, 1600]);
    expect(variantWidths(1000)).toEqual([400, 800, 1000]);
    expect(variantWidths(800)).toEqual([400, 800]);
    expect(variantWidths(300)).toEqual([300]);
    expect(variantWidths(1)).toEqual([1]);
  });

  test('a step just under the image width is left out', () => {
    // 800 is within 10 % of 850: twice the files for no visible difference.
    expect(variantWidths(850)).toEqual([400, 850]);
    expect(variantWidths(1300)).toEqual([400, 800, 1300]);
    expect(variantWidths(1400)).toEqual([400, 800, 1200, 1400]);
  });
});

describe('planImage', () => {
  test('an 800 px PNG: WebP at 400 and 800, PNG at 400 and the original; nothing at 1200', () => {
    const plan = planImage('images/a.png', { width: 800, height: 600 }, 'png', HASH)!;
    expect(plan.variants).toEqual([
      { output: 'images/a-400w.abababab.webp', width: 400, format: 'webp' },
      { output: 'images/a-800w.abababab.webp', width: 800, format: 'webp' },
      { output: 'images/a-400w.abababab.png', width: 400, format: 'png' },
    ]);
    expect(plan.sources).toEqual([
      { type: 'image/webp', srcset: [{ output: 'images/a-400w.abababab.webp', width: 400 }, { output: 'images/a-800w.abababab.webp', width: 800 }] },
    ]);
    expect(plan.srcset).toEqual([{ output: 'images/a-400w.abababab.png', width: 400 }, { output: 'images/a.png', width: 800 }]);
    expect(plan.src).toEqual({ output: 'images/a.png', width: 800 });
  });

  test('a 3000 px JPEG: the original is too large to offer, the fallback is the 800 px JPEG', () => {
    const plan = planImage('posts/x/사진.jpeg', { width: 3000, height: 2000 }, 'jpg', HASH)!;
    expect(plan.srcset.map((candidate) => candidate.output)).toEqual([
      'posts/x/사진-400w.abababab.jpeg',
      'posts/x/사진-800w.abababab.jpeg',
      'posts/x/사진-1200w.abababab.jpeg',
      'posts/x/사진-1600w.abababab.jpeg',
    ]);
    expect(plan.variants.filter((variant) => variant.format === 'jpeg').map((variant) => variant.width)).toEqual([400, 800, 1200, 1600]);
    expect(plan.variants.filter((variant) => variant.format === 'webp').map((variant) => variant.width)).toEqual([400, 800, 1200, 1600]);
    expect(plan.src.output).toBe('posts/x/사진-800w.abababab.jpeg');
  });

  test('WebP needs no other source; AVIF gets WebP for browsers without AVIF', () => {
    const webp = planImage('images/a.webp', { width: 900, height: 600 }, 'webp', HASH)!;
    expect(webp.sources).toEqual([]);
    expect(webp.srcset.map((candidate) => candidate.output)).toEqual(['images/a-400w.abababab.webp', 'images/a-800w.abababab.webp', 'images/a.webp']);
    const avif = planImage('images/a.avif', { width: 500, height: 500 }, 'avif', HASH)!;
    expect(avif.sources.map((source) => source.type)).toEqual(['image/avif']);
    expect(avif.sources[0]!.srcset.map((candidate) => candidate.output)).toEqual(['images/a-400w.abababab.avif', 'images/a.avif']);
    expect(avif.srcset.map((candidate) => candidate.output)).toEqual(['images/a-400w.abababab.webp', 'images/a-500w.abababab.webp']);
  });

  test('copies keep the original extension as written; a file without one gets the format\'s', () => {
    expect(planImage('images/A.JPG', { width: 900, height: 600 }, 'jpg', HASH)!.variants.map((variant) => variant.output)).toEqual([
      'images/A-400w.abababab.webp',
      'images/A-800w.abababab.webp',
      'images/A-900w.abababab.webp',
      'images/A-400w.abababab.JPG',
      'images/A-800w.abababab.JPG',
    ]);
    expect(planImage('images/scan', { width: 500, height: 600 }, 'png', HASH)!.srcset.map((candidate) => candidate.output)).toEqual([
      'images/scan-400w.abababab.png',
      'images/scan',
    ]);
  });

  test('a copy of an image with a name near 255 bytes gets a name that fits, cut at a character', () => {
    const name = '그'.repeat(82); // 246 bytes, a fine file name
    const plan = planImage(`posts/긴-글/${name}.png`, { width: 1600, height: 900 }, 'png', HASH)!;
    for (const variant of plan.variants) {
      const file = variant.output.slice('posts/긴-글/'.length);
      expect(Buffer.byteLength(file), file).toBeLessThanOrEqual(255);
      expect(file).toMatch(new RegExp(`^그{70,82}-${variant.width}w\\.abababab\\.(png|webp)$`));
    }
    expect(plan.variants.find((variant) => variant.width === 1200 && variant.format === 'webp')!.output).toBe(`posts/긴-글/${'그'.repeat(78)}-1200w.abababab.webp`);
    // A name with room to spare is kept whole.
    expect(planImage('images/a.png', { width: 800, height: 600 }, 'png', HASH)!.variants[0]!.output).toBe('images/a-400w.abababab.webp');
  });

  test('SVG, GIF and unknown types pass through', () => {
    expect(planImage('images/a.svg', { width: 800, height: 600 }, 'svg', HASH)).toBeUndefined();
    expect(planImage('images/a.gif', { width: 800, height: 600 }, 'gif', HASH)).toBeUndefined();
    expect(planImage('images/a.bmp', { width: 800, height: 600 }, 'bmp', HASH)).toBeUndefined();
    expect(planImage('images/a.png', { width: 0, height: 600 }, 'png', HASH)).toBeUndefined();
  });
});

describe('makeVariants', () => {
  let root: string;
  const assetOf = (source: string, output = source): AssetRef => {
    const bytes = readFileSync(path.join(root, source));
    const hash = createHash('sha256').update(bytes).digest('hex');
    // A broken file is planned as if it were whole: the failure is sharp's to find.
    const size = bytes.length > 1000 ? imageSize(bytes) : { width: 2400, height: 1200 };
    const plan = planImage(output, { width: size.width!, height: size.height! }, path.extname(source).slice(1), hash)!;
    return { source, output, hash, variants: plan.variants };
  };
  const noSharp = async (): Promise<never> => {
    throw new Error('sharp was called');
  };
  const entries = () => readdirSync(path.join(root, '.cache/geul/images'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('entry.json'));

  beforeAll(async () => {
    root = await tempDir('geul-variants-');
    mkdirSync(path.join(root, 'images'));
    mkdirSync(path.join(root, 'content/posts/b'), { recursive: true });
    copyFileSync(path.join(FIXTURES, 'markdown/images/wide.png'), path.join(root, 'images/wide.png'));
    copyFileSync(path.join(FIXTURES, 'markdown/images/photo.jpg'), path.join(root, 'images/photo.jpg'));
    copyFileSync(path.join(FIXTURES, 'markdown/images/photo.jpg'), path.join(root, 'content/posts/b/photo.jpg'));
  });
  afterAll(() => cleanup(root));

  test('makes every variant once, at its width and in its format, and copies it from the cache', async () => {
    // The same photo in images/ and in a bundle, and the wide one used by two posts.
    const assets = [assetOf('images/wide.png'), assetOf('images/photo.jpg'), assetOf('content/posts/b/photo.jpg', 'posts/b/photo.jpg'), assetOf('images/wide.png')];
    const result = await makeVariants(assets, { root });
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ made: 2, reused: 0 });
    expect(entries()).toHaveLength(2);
    const paths = result.outputs.map((output) => output.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths).toHaveLength(8 + 5 + 5);
    for (const output of result.outputs) {
      if (!('copyFrom' in output)) throw new Error(`${output.path} is not copied`);
      expect(output.copyFrom.startsWith(path.join(root, '.cache', 'geul', 'images') + path.sep)).toBe(true);
      const metadata = await sharp(output.copyFrom).metadata();
      const [, width, extension] = /-(\d+)w\.[0-9a-f]{8}\.(\w+)$/.exec(output.path)!;
      expect(metadata.width).toBe(Number(width));
      expect(metadata.format).toBe({ webp: 'webp', png: 'png', jpg: 'jpeg' }[extension!]);
      // The aspect ratio is kept.
      const ratio = output.path.includes('wide') ? 2 : 4 / 3;
      expect(Math.abs(metadata.width / metadata.height - ratio)).toBeLessThan(0.01);
    }
  });

  test('WebP and AVIF originals: WebP copies, and AVIF copies with WebP beside them', async () => {
    for (const name of ['pic.webp', 'pic.avif']) copyFileSync(path.join(FIXTURES, 'markdown/images', name), path.join(root, 'images', name));
    const result = await makeVariants([assetOf('images/pic.webp'), assetOf('images/pic.avif')], { root });
    expect(result).toMatchObject({ made: 2, problems: [] });
    const made: string[] = [];
    for (const output of result.outputs) {
      if (!('copyFrom' in output)) throw new Error(`${output.path} is not copied`);
      const metadata = await sharp(output.copyFrom).metadata();
      made.push(`${output.path.replace(/\.[0-9a-f]{8}\./, '.')} ${metadata.width} ${metadata.format === 'heif' ? metadata.compression : metadata.format}`);
    }
    expect(made.sort()).toEqual([
      'images/pic-400w.avif 400 av1',
      'images/pic-400w.webp 400 webp',
      'images/pic-400w.webp 400 webp',
      'images/pic-500w.webp 500 webp',
      'images/pic-800w.webp 800 webp',
    ]);
  });

  test('a second run reads the cache and never loads sharp', async () => {
    const assets = [assetOf('images/wide.png'), assetOf('images/photo.jpg')];
    const first = await makeVariants(assets, { root, loadSharp: noSharp });
    expect(first).toMatchObject({ made: 0, reused: 2, problems: [] });
    expect(first.outputs.map((output) => output.path)).toHaveLength(13);
  });

  test('a corrupt entry is made again: a truncated file, a broken manifest', async () => {
    const assets = [assetOf('images/photo.jpg')];
    const [output] = (await makeVariants(assets, { root, loadSharp: noSharp })).outputs;
    if (!output || !('copyFrom' in output)) throw new Error('no output');
    const bytes = readFileSync(output.copyFrom);
    writeFileSync(output.copyFrom, bytes.subarray(0, bytes.length - 10));
    const again = await makeVariants(assets, { root });
    expect(again).toMatchObject({ made: 1, reused: 0, problems: [] });
    expect(readFileSync(output.copyFrom)).toEqual(bytes);

    // Same size, other bytes: the checksum catches it.
    writeFileSync(output.copyFrom, Buffer.alloc(bytes.length, 7));
    expect(await makeVariants(assets, { root })).toMatchObject({ made: 1, reused: 0 });
    writeFileSync(path.join(path.dirname(output.copyFrom), 'entry.json'), '{"format":1,');
    expect(await makeVariants(assets, { root })).toMatchObject({ made: 1, reused: 0 });
    expect(await makeVariants(assets, { root, loadSharp: noSharp })).toMatchObject({ made: 0, reused: 1 });
  });

  test('entries unused for 30 days are removed when a build makes new ones; used ones are kept', async () => {
    const photo = assetOf('images/photo.jpg');
    const [photoOutput] = (await makeVariants([photo], { root, loadSharp: noSharp })).outputs;
    if (!photoOutput || !('copyFrom' in photoOutput)) throw new Error('no output');
    const wideEntry = (await makeVariants([assetOf('images/wide.png')], { root, loadSharp: noSharp })).outputs[0];
    if (!wideEntry || !('copyFrom' in wideEntry)) throw new Error('no output');
    const longAgo = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000);
    for (const output of [photoOutput, wideEntry]) utimesSync(path.join(path.dirname(output.copyFrom), 'entry.json'), longAgo, longAgo);
    const leftover = path.join(root, '.cache/geul/images/00/leftover.123-abcd.tmp');
    mkdirSync(leftover, { recursive: true });
    utimesSync(leftover, longAgo, longAgo);

    // A warm build cleans nothing, but marks what it used.
    await makeVariants([photo], { root, loadSharp: noSharp });
    expect(existsSync(wideEntry.copyFrom)).toBe(true);
    // A build that makes something removes what nobody used for 30 days.
    writeFileSync(path.join(root, 'images/new.png'), await sharp({ create: { width: 500, height: 200, channels: 3, background: '#808080' } }).png().toBuffer());
    expect(await makeVariants([photo, assetOf('images/new.png')], { root })).toMatchObject({ made: 1, reused: 1, problems: [] });
    expect(existsSync(wideEntry.copyFrom)).toBe(false);
    expect(existsSync(leftover)).toBe(false);
    expect(existsSync(photoOutput.copyFrom)).toBe(true);
  });

  test('`fresh` (--no-cache) makes the variants again', async () => {
    const result = await makeVariants([assetOf('images/photo.jpg')], { root, fresh: true });
    expect(result).toMatchObject({ made: 1, reused: 0 });
  });

  test('an image sharp cannot decode is an error naming it, and the others are still made', async () => {
    writeFileSync(path.join(root, 'images/broken.png'), Buffer.concat([readFileSync(path.join(root, 'images/wide.png')).subarray(0, 200)]));
    const broken = assetOf('images/broken.png');
    const result = await makeVariants([broken, assetOf('images/photo.jpg')], { root });
    expect(result.problems).toEqual([
      { path: 'images/broken.png', line: 1, column: 1, message: expect.stringMatching(/^cannot make resized copies of this image: /), severity: 'error' },
    ]);
    expect(result.outputs.every((output) => output.path.includes('photo'))).toBe(true);
    expect(statSync(path.join(root, '.cache/geul/images')).isDirectory()).toBe(true);
    // Nothing half-made is left beside the entries.
    expect(readdirSync(path.join(root, '.cache/geul/images'), { recursive: true, encoding: 'utf8' }).filter((file) => file.includes('.tmp'))).toEqual([]);
  });
});

describe('makeVariants with a cache folder that cannot hold entries', () => {
  test('.cache/geul a file, or a shard of the image cache a file: the copies are made all the same, with or without --no-cache', async () => {
    const root = await tempDir('geul-variants-blocked-');
    try {
      mkdirSync(path.join(root, 'images'));
      copyFileSync(path.join(FIXTURES, 'markdown/images/photo.jpg'), path.join(root, 'images/photo.jpg'));
      const bytes = readFileSync(path.join(root, 'images/photo.jpg'));
      const hash = createHash('sha256').update(bytes).digest('hex');
      const size = imageSize(bytes);
      const plan = planImage('images/photo.jpg', { width: size.width!, height: size.height! }, 'jpg', hash)!;
      const assets: AssetRef[] = [{ source: 'images/photo.jpg', output: 'images/photo.jpg', hash, variants: plan.variants }];
      const check = async (fresh: boolean) => {
        const result = await makeVariants(assets, { root, fresh });
        expect(result.problems).toEqual([]);
        expect(result).toMatchObject({ made: 1, reused: 0 });
        expect(result.outputs).toHaveLength(plan.variants.length);
        for (const output of result.outputs) {
          if (!('copyFrom' in output)) throw new Error(`${output.path} is not copied`);
          expect((await sharp(output.copyFrom).metadata()).format).toMatch(/^(jpeg|webp)$/);
        }
      };
      mkdirSync(path.join(root, '.cache'));
      writeFileSync(path.join(root, '.cache', 'geul'), 'not a folder');
      await check(false);
      await check(true);
      // A shard of the image cache replaced by a file.
      rmSync(path.join(root, '.cache', 'geul'));
      mkdirSync(path.join(root, '.cache', 'geul', 'images'), { recursive: true });
      for (let shard = 0; shard < 256; shard++) writeFileSync(path.join(root, '.cache', 'geul', 'images', shard.toString(16).padStart(2, '0')), '');
      await check(false);
    } finally {
      await cleanup(root);
    }
  }, 60_000);
});
