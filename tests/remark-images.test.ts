import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { createMarkdownProcessor, renderMarkdown } from '../src/markdown.ts';
import { resolveImage } from '../src/remark-images.ts';
import { cleanup, FIXTURES, tempDir } from './helpers/site.ts';

let root: string;

beforeAll(async () => {
  root = await tempDir('geul-images-');
  const png = path.join(FIXTURES, 'markdown', 'images', 'dot.png');
  for (const file of ['images/dot.png', 'images/그림 1.png', 'images/a#1.png', 'images/sub/deep.png', 'content/posts/bundle/diagram.png', 'content/posts/bundle/figs/a.png']) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    copyFileSync(png, path.join(root, file));
  }
  writeFileSync(path.join(root, 'site.toml'), 'title = "x"\n');
  writeFileSync(path.join(root, '.env'), 'SECRET=1\n');
  writeFileSync(path.join(root, 'images', 'broken.png'), 'not a png');
});

afterAll(() => cleanup(root));

/** The outcome of a resolution (asset and suffix, or error), without bookkeeping fields. */
function outcome(resolution: ReturnType<typeof resolveImage>) {
  if ('error' in resolution) return { error: resolution.error };
  return resolution.asset ? { asset: resolution.asset, suffix: resolution.suffix } : { suffix: resolution.suffix };
}

describe('resolveImage', () => {
  const post = (url: string) => outcome(resolveImage(url, 'content/posts/a.md', 'posts/a', root));
  const bundle = (url: string) => outcome(resolveImage(url, 'content/posts/bundle/index.md', 'posts/bundle', root));

  test('images/ at the project root', () => {
    expect(post('images/dot.png')).toEqual({ asset: { source: 'images/dot.png', output: 'images/dot.png' }, suffix: '' });
    expect(post('/images/dot.png')).toEqual({ asset: { source: 'images/dot.png', output: 'images/dot.png' }, suffix: '' });
    expect(post('images/sub/deep.png')).toEqual({ asset: { source: 'images/sub/deep.png', output: 'images/sub/deep.png' }, suffix: '' });
  });

  test('a query or fragment is kept as a suffix', () => {
    expect(post('images/dot.png?v=2#x')).toEqual({ asset: { source: 'images/dot.png', output: 'images/dot.png' }, suffix: '?v=2#x' });
  });

  test('a percent-encoded Hangul name with a space', () => {
    const encoded = `images/${encodeURIComponent('그림 1.png')}`;
    expect(post(encoded)).toEqual({ asset: { source: 'images/그림 1.png', output: 'images/그림 1.png' }, suffix: '' });
  });

  test('an NFD-written reference finds the NFC file', () => {
    expect(post('images/그림 1.png'.normalize('NFD'))).toMatchObject({ asset: { source: 'images/그림 1.png' } });
  });

  test('next to a page bundle first, copied beside its page', () => {
    expect(bundle('diagram.png')).toEqual({
      asset: { source: 'content/posts/bundle/diagram.png', output: 'posts/bundle/diagram.png' },
      suffix: '',
    });
    expect(bundle('./figs/a.png')).toEqual({
      asset: { source: 'content/posts/bundle/figs/a.png', output: 'posts/bundle/figs/a.png' },
      suffix: '',
    });
    // From a bundle, images/ is still the top-level folder when nothing is next to the post.
    expect(bundle('images/dot.png')).toEqual({ asset: { source: 'images/dot.png', output: 'images/dot.png' }, suffix: '' });
  });

  test('external and empty URLs are left alone', () => {
    for (const url of ['https://example.com/a.png', '//cdn.example.com/a.png', 'data:image/png;base64,AAAA', '#top', '', 'mailto:a@b.c']) {
      expect(post(url)).toEqual({ suffix: '' });
    }
  });

  test('a path escaping the project is an error', () => {
    expect(post('../../../etc/passwd')).toEqual({ error: 'image path "../../../etc/passwd" escapes the project' });
    expect(post('/../outside.png')).toMatchObject({ error: expect.stringMatching(/escapes the project/) });
  });

  test('a project file outside images/ and the post folder is refused', () => {
    expect(post('../../site.toml')).toEqual({ error: 'image "../../site.toml" must be in images/ or next to the post' });
    expect(post('../../.env')).toMatchObject({ error: expect.stringMatching(/must be in images\/ or next to the post/) });
  });

  test('a missing image is an error naming every place looked at', () => {
    expect(post('images/nope.png')).toEqual({
      error: 'image not found: "images/nope.png" (looked for content/posts/images/nope.png, images/nope.png)',
    });
    expect(bundle('nope.png')).toEqual({
      error: 'image not found: "nope.png" (looked for content/posts/bundle/nope.png, nope.png)',
    });
  });
});

describe('remarkImages in the markdown chain', () => {
  async function render(markdown: string, sourcePath = 'content/posts/a.md', outputDir = 'posts/a') {
    const processor = createMarkdownProcessor({ root, basePath: '/', language: 'ko' });
    const file = new VFile({ path: sourcePath, value: markdown });
    file.data.post = { sourcePath, outputDir };
    const rendered = await renderMarkdown(processor, file);
    return { rendered, messages: file.messages.map((m) => `${m.line}:${m.column}: ${m.fatal ? 'error' : 'warning'}: ${m.reason}`) };
  }

  test('a missing image is an error at the image', async () => {
    const { messages } = await render('첫 줄.\n\n글 ![그림](images/nope.png) 뒤.');
    expect(messages).toEqual(['3:3: error: image not found: "images/nope.png" (looked for content/posts/images/nope.png, images/nope.png)']);
  });

  test('reference-style images are resolved through their definition', async () => {
    const { rendered, messages } = await render('![점][d]\n\n[d]: images/dot.png');
    expect(messages).toEqual([]);
    expect(rendered.html).toContain('src="/images/dot.png"');
    expect(rendered.html).toContain('width="4"');
    expect(rendered.assets).toEqual([{ source: 'images/dot.png', output: 'images/dot.png' }]);
  });

  test('a bundle image is listed with its output beside the post', async () => {
    const { rendered } = await render('![](diagram.png)', 'content/posts/bundle/index.md', 'posts/bundle');
    expect(rendered.html).toContain('src="/posts/bundle/diagram.png"');
    expect(rendered.assets).toEqual([{ source: 'content/posts/bundle/diagram.png', output: 'posts/bundle/diagram.png' }]);
  });

  test('a Hangul file name is percent-encoded in src', async () => {
    const { rendered } = await render('![](<images/그림 1.png>)');
    expect(rendered.html).toContain(`src="/images/${encodeURIComponent('그림')}%201.png"`);
  });

  test('a "#" or "?" in a file name is escaped, so the src still names the file', async () => {
    const { rendered, messages } = await render('![](images/a%231.png)');
    expect(messages).toEqual([]);
    const src = /src="([^"]*)"/.exec(rendered.html)?.[1] ?? '';
    const url = new URL(src, 'https://example.com/');
    expect(url.hash).toBe('');
    expect(decodeURIComponent(url.pathname)).toBe('/images/a#1.png');
  });

  test('an unreadable image is a warning, not an error', async () => {
    const { rendered, messages } = await render('![](images/broken.png)');
    expect(messages).toEqual(['1:1: warning: cannot read the size of image "images/broken.png"']);
    expect(rendered.html).not.toContain('width=');
  });
});
