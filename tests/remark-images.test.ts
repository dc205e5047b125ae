import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Element } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { toText } from 'hast-util-to-text';
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
  for (const name of ['wide.png', 'photo.jpg', 'diagram.svg']) {
    copyFileSync(path.join(FIXTURES, 'markdown', 'images', name), path.join(root, 'images', name === 'wide.png' ? '넓은 그림.png' : name));
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

  test('a markdown file is no image: another post\'s source (a draft\'s) is not copied into the site', () => {
    writeFileSync(path.join(root, 'content', 'posts', 'draft.md'), '+++\ntitle = "초고"\ndraft = true\n+++\n');
    for (const url of ['draft.md', 'content/posts/draft.md']) {
      expect(post(url)).toEqual({ error: `image "${url}" is a markdown file (a post's source), not an image: it is not published` });
    }
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

  test('a bare file name found neither next to the post nor at the root is looked up in images/, as CONTRACT.md says', () => {
    expect(bundle('dot.png')).toEqual({ asset: { source: 'images/dot.png', output: 'images/dot.png' }, suffix: '' });
    expect(post('sub/deep.png')).toEqual({ asset: { source: 'images/sub/deep.png', output: 'images/sub/deep.png' }, suffix: '' });
    // Next to the bundle still comes first.
    expect(bundle('diagram.png')).toMatchObject({ asset: { source: 'content/posts/bundle/diagram.png' } });
    expect(bundle('nothing.png')).toEqual({ error: 'image not found: "nothing.png" (looked for content/posts/bundle/nothing.png, nothing.png, images/nothing.png)' });
    // A path under images/ is not looked for in images/images/.
    expect(post('images/nothing.png')).toEqual({ error: 'image not found: "images/nothing.png" (looked for content/posts/images/nothing.png, images/nothing.png)' });
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

  test('a path relative to the post that stays in the project but finds nothing is "not found", not "escapes the project"', () => {
    // From content/posts/a.md, ../../images/x.png is images/x.png: the writer's path is fine,
    // the file is missing. Read from the project root the same text would leave the project.
    expect(post('../../images/nothing.png')).toEqual({ error: 'image not found: "../../images/nothing.png" (looked for images/nothing.png)' });
    expect(post('../../images/dot.png')).toEqual({ asset: { source: 'images/dot.png', output: 'images/dot.png' }, suffix: '' });
  });

  test('a path escaping the project is an error', () => {
    expect(post('../../../etc/passwd')).toEqual({ error: 'image path "../../../etc/passwd" escapes the project' });
    expect(post('/../outside.png')).toMatchObject({ error: expect.stringMatching(/escapes the project/) });
  });

  test('a file of the writer\'s machine (a Windows path, a file: URL) is refused', () => {
    for (const url of ['C:\\Users\\me\\fig.png', 'd:/fig.png', 'file:///home/me/fig.png', 'FILE://C:/fig.png']) {
      expect(post(url)).toEqual({ error: `image path "${url}" is a file on this computer, outside the project: put it in images/` });
    }
  });

  test('a project file outside images/ and the post folder is refused', () => {
    expect(post('../../site.toml')).toEqual({ error: 'image "../../site.toml" must be in images/ or next to the post' });
    expect(post('../../.env')).toMatchObject({ error: expect.stringMatching(/must be in images\/ or next to the post/) });
  });

  test('a link to a file outside the project is refused; a link inside it is followed', async () => {
    const outside = await tempDir('geul-outside-');
    try {
      writeFileSync(path.join(outside, 'secret.png'), 'SECRET=1\n');
      symlinkSync(path.join(outside, 'secret.png'), path.join(root, 'images', 'secret.png'));
      symlinkSync(outside, path.join(root, 'images', 'elsewhere'));
      symlinkSync('dot.png', path.join(root, 'images', 'linked.png'));
      expect(post('images/secret.png')).toEqual({ error: 'image "images/secret.png" is a link to a file outside the project' });
      expect(post('images/elsewhere/secret.png')).toEqual({ error: 'image "images/elsewhere/secret.png" is a link to a file outside the project' });
      expect(post('images/linked.png')).toEqual({ asset: { source: 'images/linked.png', output: 'images/linked.png' }, suffix: '' });
    } finally {
      await cleanup(outside);
    }
  });

  test('a top-level images/ that is itself a link (to a shared folder) is followed, as it is copied whole', async () => {
    const project = await tempDir('geul-linked-images-');
    const shared = await tempDir('geul-shared-images-');
    try {
      copyFileSync(path.join(FIXTURES, 'markdown', 'images', 'dot.png'), path.join(shared, 'dot.png'));
      symlinkSync(shared, path.join(project, 'images'));
      expect(outcome(resolveImage('images/dot.png', 'content/posts/a.md', 'posts/a', project))).toEqual({ asset: { source: 'images/dot.png', output: 'images/dot.png' }, suffix: '' });
    } finally {
      await cleanup(project, shared);
    }
  });

  test('a missing image is an error naming every place looked at', () => {
    expect(post('images/nope.png')).toEqual({
      error: 'image not found: "images/nope.png" (looked for content/posts/images/nope.png, images/nope.png)',
    });
    expect(bundle('nope.png')).toEqual({
      error: 'image not found: "nope.png" (looked for content/posts/bundle/nope.png, nope.png, images/nope.png)',
    });
  });
});

describe('remarkImages in the markdown chain', () => {
  async function render(markdown: string, sourcePath = 'content/posts/a.md', outputDir = 'posts/a', basePath = '/') {
    const processor = createMarkdownProcessor({ root, basePath, language: 'ko' });
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
    expect(rendered.assets).toEqual([
      {
        source: 'images/dot.png',
        output: 'images/dot.png',
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        // 4 px wide: its own width is the only one, and as PNG that is the original itself.
        variants: [{ output: expect.stringMatching(/^images\/dot-4w\.[0-9a-f]{8}\.webp$/), width: 4, format: 'webp' }],
      },
    ]);
  });

  test('a bundle image is listed with its output beside the post', async () => {
    const { rendered } = await render('![](diagram.png)', 'content/posts/bundle/index.md', 'posts/bundle');
    expect(rendered.html).toContain('src="/posts/bundle/diagram.png"');
    expect(rendered.assets).toMatchObject([{ source: 'content/posts/bundle/diagram.png', output: 'posts/bundle/diagram.png' }]);
    // Variants land beside the copied original.
    expect(rendered.assets[0]?.variants?.map((variant) => variant.output)).toEqual([expect.stringMatching(/^posts\/bundle\/diagram-4w\.[0-9a-f]{8}\.webp$/)]);
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

  test('a raw HTML <img> with a local src is published as a markdown image is, its src site-absolute under the base path; the rest as written', async () => {
    const markdown = [
      '<figure>',
      '  <img class="wide" src=\'images/그림 1.png\' width="60%" alt="크기 지정">',
      '  <figcaption>그림 1</figcaption>',
      '</figure>',
      '',
      '글 <img src=diagram.png alt=묶음> 중간, <img src="https://example.org/x.png" alt="밖"> 그리고 <img src="data:image/png;base64,AA==" alt="">.',
    ].join('\n');
    const { rendered, messages } = await render(markdown, 'content/posts/bundle/index.md', 'posts/bundle', '/blog/');
    expect(messages).toEqual([]);
    const images = selectAll('img', fromHtml(rendered.html, { fragment: true }));
    expect(images.map((image) => image.properties.src)).toEqual([
      `/blog/images/${encodeURIComponent('그림')}%201.png`,
      '/blog/posts/bundle/diagram.png',
      'https://example.org/x.png',
      'data:image/png;base64,AA==',
    ]);
    expect(images[0]!.properties).toMatchObject({ className: ['wide'], width: '60%', alt: '크기 지정' });
    expect(rendered.assets.map((asset) => [asset.source, asset.output])).toEqual([
      ['images/그림 1.png', 'images/그림 1.png'],
      ['content/posts/bundle/diagram.png', 'posts/bundle/diagram.png'],
    ]);
  });

  test('a raw HTML <img> whose file is missing, or outside the project, is an error at its line and column', async () => {
    const { messages } = await render('첫 줄.\n\n<div>\n  <img alt="x" src="images/nope.png">\n</div>\n\n글 <img src="../../../etc/passwd"> 끝.');
    expect(messages).toEqual([
      '4:3: error: image not found: "images/nope.png" (looked for content/posts/images/nope.png, images/nope.png)',
      '7:3: error: image path "../../../etc/passwd" escapes the project',
    ]);
  });

  test('an unreadable image is a warning, not an error', async () => {
    const { rendered, messages } = await render('![](images/broken.png)');
    expect(messages).toEqual(['1:1: warning: cannot read the size of image "images/broken.png"']);
    expect(rendered.html).not.toContain('width=');
  });

  /** `url 400w, url 800w` → [[url, 400], ...]. */
  const candidates = (srcset: unknown) =>
    String(srcset).split(', ').map((candidate) => {
      const [url, width] = candidate.split(' ');
      return [url, Number.parseInt(width!, 10)] as const;
    });

  test('a lone image with alt text becomes a figure: WebP source, PNG img, caption, first image eager', async () => {
    const { rendered, messages } = await render('![넓은 그림](<images/넓은 그림.png>)\n\n![사진](images/photo.jpg "사진 제목")');
    expect(messages).toEqual([]);
    const tree = fromHtml(rendered.html, { fragment: true });
    const figures = selectAll('figure', tree);
    expect(figures).toHaveLength(2);
    const [wide, photo] = figures as [Element, Element];
    expect(wide.children.map((child) => (child as Element).tagName)).toEqual(['picture', 'figcaption']);
    const source = select('picture > source', wide)!;
    const img = select('picture > img', wide)!;
    expect(source.properties.type).toBe('image/webp');
    // Never enlarged: the 2400 px original stops at 1600, in both formats.
    expect(candidates(source.properties.srcSet).map(([, width]) => width)).toEqual([400, 800, 1200, 1600]);
    expect(candidates(img.properties.srcSet).map(([, width]) => width)).toEqual([400, 800, 1200, 1600]);
    for (const [url] of candidates(source.properties.srcSet)) expect(url).toMatch(/^\/images\/%EB%84%93%EC%9D%80%20%EA%B7%B8%EB%A6%BC-\d+w\.[0-9a-f]{8}\.webp$/);
    for (const [url] of candidates(img.properties.srcSet)) expect(url).toMatch(/-\d+w\.[0-9a-f]{8}\.png$/);
    expect(img.properties).toMatchObject({ alt: '넓은 그림', width: 2400, height: 1200, decoding: 'async' });
    expect(img.properties.src).toBe('/images/%EB%84%93%EC%9D%80%20%EA%B7%B8%EB%A6%BC.png');
    expect(img.properties.sizes).toBe(source.properties.sizes);
    expect(img.properties.loading).toBeUndefined();
    expect(toText(select('figcaption', wide)!)).toBe('넓은 그림');
    // The caption repeats the alt: shown, and read once (as the image's alt), not twice.
    expect(select('figcaption', wide)!.properties.ariaHidden).toBe('true');

    // The title is the caption, not a tooltip as well; the alt stays; 1000 px gets no 1200 or 1600.
    const photoImg = select('img', photo)!;
    expect(photoImg.properties).toMatchObject({ alt: '사진', loading: 'lazy', width: 1000, height: 750 });
    expect(photoImg.properties.title).toBeUndefined();
    expect(toText(select('figcaption', photo)!)).toBe('사진 제목');
    // A caption that says more than the alt is read.
    expect(select('figcaption', photo)!.properties.ariaHidden).toBeUndefined();
    expect(candidates(photoImg.properties.srcSet)).toEqual([
      [expect.stringMatching(/^\/images\/photo-400w\.[0-9a-f]{8}\.jpg$/), 400],
      [expect.stringMatching(/^\/images\/photo-800w\.[0-9a-f]{8}\.jpg$/), 800],
      ['/images/photo.jpg', 1000],
    ]);
  });

  test('an image among words stays inline; one without alt or title is no figure', async () => {
    const { rendered } = await render('글 사이의 ![사진](images/photo.jpg) 그림.\n\n![](images/photo.jpg)');
    const tree = fromHtml(rendered.html, { fragment: true });
    expect(selectAll('figure', tree)).toEqual([]);
    expect(selectAll('p > picture > img', tree)).toHaveLength(2);
    expect(select('p > picture > img', tree)?.properties.alt).toBe('사진');
  });

  test('SVG passes through: sized, captioned, no variants', async () => {
    const { rendered } = await render('![도식](images/diagram.svg)');
    const tree = fromHtml(rendered.html, { fragment: true });
    expect(select('picture', tree)).toBeUndefined();
    expect(select('figure > img', tree)?.properties).toMatchObject({ src: '/images/diagram.svg', width: 300, height: 100 });
    expect(select('img', tree)?.properties.srcSet).toBeUndefined();
    expect(rendered.assets).toEqual([{ source: 'images/diagram.svg', output: 'images/diagram.svg' }]);
    expect(rendered.figure).toEqual({ output: 'images/diagram.svg', type: 'image/svg+xml', width: 300, height: 100, alt: '도식' });
  });

  test('after a leading SVG, the first raster image is the sharing card, at sharing size; the SVG is still the eager one', async () => {
    const { rendered } = await render('![도식](images/diagram.svg)\n\n![넓은 그림](<images/넓은 그림.png>)\n\n![사진](images/photo.jpg)');
    expect(rendered.figure).toEqual({
      output: expect.stringMatching(/^images\/넓은 그림-1200w\.[0-9a-f]{8}\.png$/),
      type: 'image/png',
      width: 1200,
      height: 600,
      alt: '넓은 그림',
    });
    const tree = fromHtml(rendered.html, { fragment: true });
    expect(selectAll('img', tree).map((img) => img.properties.loading ?? 'eager')).toEqual(['eager', 'lazy', 'lazy']);
  });

  test('every variant URL carries the base path', async () => {
    const { rendered } = await render('![사진](images/photo.jpg)', 'content/posts/a.md', 'posts/a', '/blog/');
    const tree = fromHtml(rendered.html, { fragment: true });
    const urls = [
      String(select('img', tree)?.properties.src),
      ...selectAll('img, source', tree).flatMap((node) => candidates(node.properties.srcSet).map(([url]) => url)),
    ];
    expect(urls).toHaveLength(7);
    for (const url of urls) expect(url).toMatch(/^\/blog\/images\/photo/);
  });

  test('the first local image is the post figure, in its own format at most 1200 px wide', async () => {
    const { rendered } = await render('![바깥](https://example.com/a.png)\n\n![넓은 그림](<images/넓은 그림.png>)\n\n![도식](images/diagram.svg)');
    expect(rendered.figure).toEqual({
      output: expect.stringMatching(/^images\/넓은 그림-1200w\.[0-9a-f]{8}\.png$/),
      type: 'image/png',
      width: 1200,
      height: 600,
      alt: '넓은 그림',
    });
    const tree = fromHtml(rendered.html, { fragment: true });
    // Only the first image of all, the other site's here, is not lazy: it is what a reader sees first.
    expect(selectAll('img', tree).map((img) => img.properties.loading ?? 'eager')).toEqual(['eager', 'lazy', 'lazy']);
  });
});
