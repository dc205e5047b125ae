/**
 * `List<String>`, `f<T>(x)`, `Vec<u8>` in a sentence: CommonMark reads a raw HTML tag, which a
 * browser hid. A tag no HTML, SVG or MathML element has is shown as text, with a warning;
 * real elements and custom elements are the writer's HTML and are kept.
 */
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { toText } from 'hast-util-to-text';
import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { createMarkdownProcessor, renderMarkdown } from '../src/markdown.ts';
import { FIXTURES } from './helpers/site.ts';

const processor = createMarkdownProcessor({ root: `${FIXTURES}/markdown`, basePath: '/', language: 'ko' });

async function render(markdown: string) {
  const file = new VFile({ path: 'content/posts/u.md', value: markdown });
  file.data.post = { sourcePath: 'content/posts/u.md', outputDir: 'posts/u' };
  const { html } = await renderMarkdown(processor, file);
  // Parsed as a browser parses the page.
  const page = fromHtml(`<main>${html}</main>`);
  return { page, messages: file.messages.map((m) => `${m.line}:${m.column}: ${m.fatal ? 'error' : 'warning'}: ${m.reason}`) };
}

describe('a tag no browser knows, in a sentence', () => {
  test('is shown as text, with a warning at each', async () => {
    const { page, messages } = await render(
      ['자바의 List<String>은 제네릭이다. 함수 f<T>(x)와 Vec<u8>, 닫는 </Foo>도.', '', '## Option<Box<Node>> 구조', '', '| 타입 | 뜻 |', '|---|---|', '| HashMap<Key> | 사전 |'].join('\n'),
    );
    expect(toText(select('main p', page)!)).toBe('자바의 List<String>은 제네릭이다. 함수 f<T>(x)와 Vec<u8>, 닫는 </Foo>도.');
    expect(toText(select('main h2', page)!)).toContain('Option<Box<Node>> 구조');
    expect(toText(select('main td', page)!)).toBe('HashMap<Key>');
    expect(messages).toEqual([
      '1:9: warning: <String> is not an HTML element, and a browser would hide it: shown as text; write it in backticks (`<String>`) or as \\<String>',
      '1:30: warning: <T> is not an HTML element, and a browser would hide it: shown as text; write it in backticks (`<T>`) or as \\<T>',
      '1:41: warning: <u8> is not an HTML element, and a browser would hide it: shown as text; write it in backticks (`<u8>`) or as \\<u8>',
      '1:50: warning: </Foo> is not an HTML element, and a browser would hide it: shown as text; write it in backticks (`</Foo>`) or as \\</Foo>',
      '3:14: warning: <Node> is not an HTML element, and a browser would hide it: shown as text; write it in backticks (`<Node>`) or as \\<Node>',
      '7:10: warning: <Key> is not an HTML element, and a browser would hide it: shown as text; write it in backticks (`<Key>`) or as \\<Key>',
    ]);
  });

  test('HTML, SVG and custom elements, code and escaped tags are kept, without a word', async () => {
    const { page, messages } = await render(
      [
        '<kbd>Ctrl</kbd>+<kbd>C</kbd>로 복사하고 <mark>강조</mark>, <abbr title="x">약어</abbr>, 그림 <svg width="8" height="8"><circle r="4"/></svg>, <my-chart data-x="1"></my-chart>.',
        '',
        '코드 `List<String>`과 \\<T>는 그대로.',
        '',
        '<Custom>',
        '블록으로 쓴 HTML은 작성자의 것이다.',
        '</Custom>',
      ].join('\n'),
    );
    expect(selectAll('main kbd', page)).toHaveLength(2);
    expect(selectAll('main mark, main abbr, main circle, main my-chart', page)).toHaveLength(4);
    expect(toText(select('main code', page)!)).toBe('List<String>');
    expect(toText(selectAll('main p', page)[1]!)).toBe('코드 List<String>과 <T>는 그대로.');
    expect(messages).toEqual([]);
  });
});
