import { fromHtml } from 'hast-util-from-html';
import { selectAll } from 'hast-util-select';
import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { createMarkdownProcessor, renderMarkdown } from '../src/markdown.ts';
import { nfcPath } from '../src/rehype-internal-links.ts';
import { FIXTURES } from './helpers/site.ts';

const nfd = (text: string) => text.normalize('NFD');
const encoded = (text: string) => encodeURI(text);

describe('nfcPath', () => {
  test('a decomposed path, percent-encoded or not, becomes NFC; the fragment stays as written', () => {
    expect(nfcPath(encoded(nfd('/tags/한글/')))).toBe(encoded('/tags/한글/'));
    expect(nfcPath(nfd('/tags/한글/'))).toBe('/tags/한글/');
    expect(nfcPath(`${encoded(nfd('../한글/'))}#${nfd('서론')}`)).toBe(`${encoded('../한글/')}#${nfd('서론')}`);
  });

  test('anything else is left as it is, escapes included', () => {
    for (const url of ['/posts/a/', '/a%20b/?q=%2F%3F#x', encoded('/tags/한글/'), '%E0%A4%A', 'x.png']) expect(nfcPath(url)).toBe(url);
  });
});

describe('in the markdown chain', () => {
  const processor = createMarkdownProcessor({ root: `${FIXTURES}/markdown`, basePath: '/blog/', language: 'ko' });

  test('internal links typed decomposed point at the NFC paths geul writes; other sites are left alone', async () => {
    const file = new VFile({
      path: 'content/posts/n.md',
      value: `[태그](/tags/${nfd('한글')}/) [상대](../${nfd('글')}/) [밖](https://example.org/${nfd('한글')}) <a href="/tags/${nfd('한글')}/">원시</a>\n`,
    });
    file.data.post = { sourcePath: 'content/posts/n.md', outputDir: 'posts/n' };
    const rendered = await renderMarkdown(processor, file);
    const hrefs = selectAll('a', fromHtml(rendered.html, { fragment: true })).map((node) => String(node.properties.href));
    expect(hrefs.slice(0, 3).map((href) => decodeURIComponent(href))).toEqual(['/blog/tags/한글/', '../글/', `https://example.org/${nfd('한글')}`]);
    // Raw HTML is the author's own: kept as written, but under the base path.
    expect(hrefs[3]).toBe(`/blog/tags/${nfd('한글')}/`);
  });

  test("raw HTML's site-absolute links and sources go under the base path once; others, and code showing HTML, stay as written", async () => {
    const file = new VFile({
      path: 'content/posts/n.md',
      value: [
        '<p><A HREF="/about/">저자</A>, <a href=\'/blog/posts/a/\'>이미</a>, <a href=/posts/b/>따옴표 없이</a>, <a href="https://example.org/x">밖</a>, <a href="#fn">각주</a>, <a href="//cdn.example.org/x">프로토콜</a></p>',
        '',
        '<video src="/static/v.mp4" poster="/images/p.png"></video>',
        '',
        '코드는 그대로: `<a href="/about/">`',
      ].join('\n'),
    });
    file.data.post = { sourcePath: 'content/posts/n.md', outputDir: 'posts/n' };
    const rendered = await renderMarkdown(processor, file);
    const tree = fromHtml(rendered.html, { fragment: true });
    expect(selectAll('a', tree).map((node) => String(node.properties.href))).toEqual(['/blog/about/', '/blog/posts/a/', '/blog/posts/b/', 'https://example.org/x', '#fn', '//cdn.example.org/x']);
    const video = selectAll('video', tree)[0]!;
    expect([video.properties.src, video.properties.poster]).toEqual(['/blog/static/v.mp4', '/blog/images/p.png']);
    expect(rendered.html).toContain('<code>&#x3C;a href="/about/"></code>');
  });
});

describe('under a base path that is not ASCII', () => {
  const processor = createMarkdownProcessor({ root: `${FIXTURES}/markdown`, basePath: '/블로그/', language: 'ko' });

  test('an SVG and a link that already hold the base path get it once, written as characters or percent-encoded', async () => {
    const file = new VFile({ path: 'content/posts/n.md', value: '![도식](images/diagram.svg) [이미](/블로그/posts/a/) [인코딩](/%EB%B8%94%EB%A1%9C%EA%B7%B8/posts/b/) [없이](/posts/c/)\n' });
    file.data.post = { sourcePath: 'content/posts/n.md', outputDir: 'posts/n' };
    const rendered = await renderMarkdown(processor, file);
    const tree = fromHtml(rendered.html, { fragment: true });
    const urls = [...selectAll('img', tree).map((node) => String(node.properties.src)), ...selectAll('a', tree).map((node) => String(node.properties.href))];
    expect(urls.map((url) => decodeURI(url))).toEqual(['/블로그/images/diagram.svg', '/블로그/posts/a/', '/블로그/posts/b/', '/블로그/posts/c/']);
  });
});

describe('under a base path holding a space', () => {
  test('image URLs and srcsets hold it escaped, and links written with it get it once', async () => {
    const processor = createMarkdownProcessor({ root: `${FIXTURES}/markdown`, basePath: '/a%20b/', language: 'ko' });
    const file = new VFile({ path: 'content/posts/n.md', value: '![넓은](images/wide.png)\n\n[이미](</a b/posts/a/>) [없이](/posts/c/)\n' });
    file.data.post = { sourcePath: 'content/posts/n.md', outputDir: 'posts/n' };
    const rendered = await renderMarkdown(processor, file);
    const tree = fromHtml(rendered.html, { fragment: true });
    const srcsets = selectAll('img, source', tree).map((node) => String(node.properties.srcSet ?? ''));
    expect(srcsets.join(' ')).toMatch(/\/a%20b\/images\//);
    expect(srcsets.join(', ').split(', ').every((candidate) => candidate === '' || /^\S+ \d+w$/.test(candidate))).toBe(true);
    expect(selectAll('a', tree).map((node) => String(node.properties.href))).toEqual(['/a%20b/posts/a/', '/a%20b/posts/c/']);
  });
});
