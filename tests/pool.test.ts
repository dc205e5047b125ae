/**
 * The compile pool (src/pool.ts): workers run under a heap limit, and a worker that dies of
 * it hands its posts to a worker without the limit, so a build never fails for the limit.
 */
import { describe, expect, test } from 'vitest';
import { compile } from '../src/compile.js';
import { createMarkdownProcessor, type MarkdownSettings } from '../src/markdown.js';
import { createPool } from '../src/pool.js';
import { REPO_ROOT } from './helpers/site.ts';

const settings: MarkdownSettings = { root: REPO_ROOT, basePath: '/', language: 'ko' };
const inputs = Array.from({ length: 3 }, (_, n) => ({
  sourcePath: `content/posts/p${n}.md`,
  text: `+++\ntitle = "글 ${n}"\ndate = 2024-01-0${n + 1}\n+++\n\n모델은 $x^${n}$를 쓴다.\n\n$$\n\\\\sum_{i=1}^{${n + 2}} i\n$$\n`,
  kind: 'post' as const,
}));

describe('createPool', { timeout: 60_000 }, () => {
  test('workers too small to hold the markdown chain: every post is compiled anyway, as in the main thread', async () => {
    // 4 MB of old generation cannot even load the chain: each first worker runs out of memory.
    const pool = createPool(2, settings, false, undefined, 4);
    try {
      const results = await Promise.all(inputs.map((input) => pool.compile(input)));
      const processor = createMarkdownProcessor(settings);
      for (const [at, input] of inputs.entries()) expect(results[at]).toEqual(await compile(input, processor, false));
      expect(results[2]!.post!.rendered.html).toContain('class="katex');
    } finally {
      await pool.close();
    }
  });

  test('under the usual limit, the same results', async () => {
    const pool = createPool(2, settings, false);
    try {
      const processor = createMarkdownProcessor(settings);
      for (const input of inputs) expect(await pool.compile(input)).toEqual(await compile(input, processor, false));
    } finally {
      await pool.close();
    }
  });
});
