/**
 * A bare URL in a Korean sentence ends where the sentence's Hangul starts (a particle, an
 * ending), as Hugo's linkify ends it; Hangul that is a part of the URL stays in it.
 */
import { fromHtml } from 'hast-util-from-html';
import { selectAll } from 'hast-util-select';
import { toText } from 'hast-util-to-text';
import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { createMarkdownProcessor, renderMarkdown } from '../src/markdown.ts';
import { FIXTURES } from './helpers/site.ts';

const processor = createMarkdownProcessor({ root: `${FIXTURES}/markdown`, basePath: '/', language: 'ko' });

/** Each link of the rendered paragraph as [href, text], and the paragraph's whole text. */
async function links(markdown: string) {
  const file = new VFile({ path: 'content/posts/a.md', value: markdown });
  file.data.post = { sourcePath: 'content/posts/a.md', outputDir: 'posts/a' };
  const tree = fromHtml((await renderMarkdown(processor, file)).html, { fragment: true });
  return {
    links: selectAll('a', tree).map((a) => [decodeURI(String(a.properties.href)), toText(a)]),
    text: toText(tree).trim(),
  };
}

describe('a bare URL followed by Hangul', () => {
  test.each([
    ['논문은 https://arxiv.org/abs/1706.03762에서 읽을 수 있다.', 'https://arxiv.org/abs/1706.03762', 'https://arxiv.org/abs/1706.03762'],
    ['코드는 https://github.com/openai/gpt-2를 보라.', 'https://github.com/openai/gpt-2', 'https://github.com/openai/gpt-2'],
    ['www.example.com에 있다.', 'http://www.example.com', 'www.example.com'],
    ['메일은 me@example.com으로 보낸다.', 'mailto:me@example.com', 'me@example.com'],
    // GFM leaves out a `)` with no `(` and a trailing period, had the URL ended there.
    ['(https://example.com/a)를 보라.', 'https://example.com/a', 'https://example.com/a'],
    ['끝은 https://example.com/a.이다.', 'https://example.com/a', 'https://example.com/a'],
    // The Hangul after a Hangul path segment: the first run is the URL's, the second the sentence's.
    ['(https://ko.wikipedia.org/wiki/트랜스포머)를 보라.', 'https://ko.wikipedia.org/wiki/트랜스포머', 'https://ko.wikipedia.org/wiki/트랜스포머'],
    ['https://namu.wiki/w/트랜스포머(기계학습)에서 보라.', 'https://namu.wiki/w/트랜스포머(기계학습)', 'https://namu.wiki/w/트랜스포머(기계학습)'],
    // Particles alone after the URL's last `/` are the sentence's: no page is named `에서`.
    ['설치는 https://pytorch.org/에서 한다.', 'https://pytorch.org/', 'https://pytorch.org/'],
    ['모델은 https://huggingface.co/models/에서는 받을 수 있다.', 'https://huggingface.co/models/', 'https://huggingface.co/models/'],
  ])('%s: the link ends before the Hangul, which stays text', async (markdown, href, shown) => {
    const result = await links(markdown);
    expect(result.links).toEqual([[href, shown]]);
    expect(result.text).toBe(markdown);
  });

  test.each([
    ['https://ko.wikipedia.org/wiki/트랜스포머 문서', 'https://ko.wikipedia.org/wiki/트랜스포머'],
    ['https://search.naver.com/search?query=검색 결과', 'https://search.naver.com/search?query=검색'],
    ['https://example.com/posts/#서론 참고', 'https://example.com/posts/#서론'],
    ['https://blog.example.com/my-트랜스포머 글', 'https://blog.example.com/my-트랜스포머'],
    ['https://ko.wikipedia.org/wiki/트랜스포머_(기계_학습) 문서', 'https://ko.wikipedia.org/wiki/트랜스포머_(기계_학습)'],
    ['https://ko.wikipedia.org/wiki/에서울 문서', 'https://ko.wikipedia.org/wiki/에서울'],
    [`https://example.com/${'가'.repeat(5000)} 끝`, `https://example.com/${'가'.repeat(5000)}`],
  ])('%s: Hangul that starts a path segment, a query value or a fragment is part of the URL', async (markdown, href) => {
    expect((await links(markdown)).links).toEqual([[href, href]]);
  });

  test('a bare URL ends at full-width and CJK punctuation and curly quotes, as Hugo ends it, Hangul after them or not', async () => {
    const result = await links('「https://example.com/a」에서, （https://example.com/b）를, “https://example.com/c”는, https://example.com/d。 『https://ko.wikipedia.org/wiki/서울』 끝');
    expect(result.links.map(([href]) => href)).toEqual([
      'https://example.com/a',
      'https://example.com/b',
      'https://example.com/c',
      'https://example.com/d',
      'https://ko.wikipedia.org/wiki/서울',
    ]);
    expect(result.text).toBe('「https://example.com/a」에서, （https://example.com/b）를, “https://example.com/c”는, https://example.com/d。 『https://ko.wikipedia.org/wiki/서울』 끝');
  });

  test('links written as [text](url) or <url> end where they say', async () => {
    const result = await links('[https://a.com/x가](https://a.com/x가) <https://a.com/y나>');
    expect(result.links).toEqual([
      ['https://a.com/x가', 'https://a.com/x가'],
      ['https://a.com/y나', 'https://a.com/y나'],
    ]);
  });

  test('a cut link is followed by its text in the same run, then by what came after it', async () => {
    const result = await links('https://arxiv.org/abs/2108.07258을 **꼭** 보라.');
    expect(result.links).toEqual([['https://arxiv.org/abs/2108.07258', 'https://arxiv.org/abs/2108.07258']]);
    expect(result.text).toBe('https://arxiv.org/abs/2108.07258을 꼭 보라.');
  });
});
