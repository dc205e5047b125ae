/**
 * A post's HTML held as UTF-8 bytes (src/compact-html.ts) reads back as the same string,
 * through every way the build reads it.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { readdirSync } from 'node:fs';
import { compactHtml, htmlBytes, htmlDigest, openHtmlSpool } from '../src/compact-html.js';
import { cleanup, tempDir } from './helpers/site.ts';
import type { RenderedMarkdown } from '../src/types.js';

const rendered = (html: string): RenderedMarkdown => ({ html, toc: [], excerpt: '요약', readingMinutes: 1, wordCount: 2, math: false, assets: [] });

describe('compactHtml', () => {
  test('any text, Hangul and astral characters among it, reads back as written', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (html) => {
        const compact = compactHtml(rendered(html));
        expect(compact.html).toBe(html);
        expect(Buffer.from(htmlBytes(compact)).toString('utf8')).toBe(html);
        expect(htmlDigest(compact)).toBe(htmlDigest(rendered(html)));
      }),
    );
  });

  test('spread, JSON and structured cloning see the string; the other fields are as they were', () => {
    const html = '<p>모델은 $x^2$를 쓴다 😀</p>';
    const compact = compactHtml(rendered(html));
    expect({ ...compact }).toEqual(rendered(html));
    expect(JSON.parse(JSON.stringify(compact))).toEqual(rendered(html));
    expect(structuredClone(compact)).toEqual(rendered(html));
    expect(compact.excerpt).toBe('요약');
  });

  test('kept from given bytes (a cache entry), without copying them', () => {
    const bytes = Buffer.from('앞부분\n<p>본문이다</p>', 'utf8');
    const body = bytes.subarray(bytes.indexOf(0x0a) + 1);
    const compact = compactHtml(rendered(''), body);
    expect(compact.html).toBe('<p>본문이다</p>');
    expect(htmlBytes(compact)).toBe(body);
    // Compacting it again keeps it as it is, bytes and all.
    expect(compactHtml(compact)).toBe(compact);
  });
});

describe('openHtmlSpool', () => {
  test('posts kept in the spool (in memory up to its budget, then in its file) read back as written, in any order; the file is gone from the folder at once', async () => {
    const dir = await tempDir('geul-spool-');
    // A small budget: most bodies go to the file, the first few stay in memory.
    const spool = openHtmlSpool(dir, 4096);
    try {
      expect(readdirSync(dir)).toEqual([]);
      fc.assert(
        fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 3000 }), { maxLength: 20 }), fc.nat(), (bodies, turn) => {
          const kept = bodies.map((html) => spool.keep(compactHtml(rendered(html))));
          for (let i = 0; i < kept.length; i++) {
            const at = (i + turn) % kept.length;
            expect(kept[at]!.html).toBe(bodies[at]);
            expect(htmlDigest(kept[at]!)).toBe(htmlDigest(rendered(bodies[at]!)));
          }
          for (const post of kept) expect(JSON.parse(JSON.stringify(post)).html).toBe(bodies[kept.indexOf(post)]);
        }),
      );
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      spool.close();
      await cleanup(dir);
    }
  });
});
