/**
 * Responsive figures in the dev server: variants are served from memory's output map (copied
 * from the image cache, never from dist/), and replacing an image serves new variants.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDevServer, type DevServer } from '../src/dev.ts';
import { cleanup, copySite } from './helpers/site.ts';

let root: string;
let server: DevServer;

beforeAll(async () => {
  root = await copySite('figures');
  server = await startDevServer({ root, port: 0, host: '127.0.0.1', log: () => {} });
});

afterAll(async () => {
  await server?.close();
  await cleanup(root);
});

async function fetchBytes(url: string) {
  const response = await fetch(new URL(url, server.url));
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

async function postTree(): Promise<Root> {
  const response = await fetch(new URL('posts/figures/', server.url));
  expect(response.status).toBe(200);
  return fromHtml(await response.text());
}

/** The widths and URLs of a srcset. */
const candidates = (srcset: unknown) => String(srcset).split(', ').map((candidate) => candidate.split(' ') as [string, string]);

describe('geul dev', () => {
  test('serves every variant a page names, at its width, with its type', async () => {
    const tree = await postTree();
    const urls = selectAll('.prose source, .prose img[srcset]', tree).flatMap((node) => candidates(node.properties.srcSet));
    expect(urls.length).toBeGreaterThanOrEqual(12);
    for (const [url, width] of urls) {
      const { response, bytes } = await fetchBytes(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-type'), url).toBe(url.endsWith('.webp') ? 'image/webp' : 'image/png');
      expect((await sharp(bytes).metadata()).width, url).toBe(Number.parseInt(width, 10));
    }
  });

  test('an image replaced while serving gets new variants', async () => {
    const before = select('.prose figure:nth-of-type(2) source', await postTree());
    expect(candidates(before?.properties.srcSet).map(([, width]) => width)).toEqual(['400w', '600w']);
    const rebuilt = server.rebuilt();
    // small.png becomes 1000 px wide: now 400, 800 and 1000.
    writeFileSync(
      path.join(root, 'images/small.png'),
      await sharp({ create: { width: 1000, height: 500, channels: 3, background: '#3366cc' } }).png().toBuffer(),
    );
    expect((await rebuilt).ok).toBe(true);
    const after = select('.prose figure:nth-of-type(2)', await postTree());
    const img = select('img', after);
    expect(img?.properties).toMatchObject({ width: 1000, height: 500 });
    const webp = candidates(select('source', after)?.properties.srcSet);
    expect(webp.map(([, width]) => width)).toEqual(['400w', '800w', '1000w']);
    const { response, bytes } = await fetchBytes(webp[2]![0]);
    expect(response.status).toBe(200);
    expect(await sharp(bytes).metadata()).toMatchObject({ width: 1000, height: 500, format: 'webp' });
    // The old variants are gone from the site.
    const old = candidates(before?.properties.srcSet)[0]![0];
    expect((await fetch(new URL(old, server.url))).status).toBe(404);
  });
});
