/**
 * Control characters pasted from a PDF are left out of the text, code and math, with a
 * warning at the first on each line: published, each was an HTML parse error.
 */
import { fromHtml } from 'hast-util-from-html';
import { select } from 'hast-util-select';
import { toText } from 'hast-util-to-text';
import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { createMarkdownProcessor, renderMarkdown } from '../src/markdown.ts';
import { FIXTURES } from './helpers/site.ts';

const processor = createMarkdownProcessor({ root: `${FIXTURES}/markdown`, basePath: '/', language: 'ko' });
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const CONTROL = /[\u0001-\u0008\u000B\u000E-\u001F\u007F-\u009F]/u;

async function render(markdown: string) {
  const file = new VFile({ path: 'content/posts/c.md', value: markdown });
  file.data.post = { sourcePath: 'content/posts/c.md', outputDir: 'posts/c' };
  const { html } = await renderMarkdown(processor, file);
  return { html, page: fromHtml(`<main>${html}</main>`), messages: file.messages.map((m) => `${m.line}:${m.column}: ${m.fatal ? 'error' : 'warning'}: ${m.reason}`) };
}

describe('control characters in a post', () => {
  test('are left out of text, code and math, with a warning at the first on each line', async () => {
    const { html, page, messages } = await render(
      ['+++', 'title = "붙여 넣기"', '+++', '', '논문에서 붙여 넣은 \u0002글과 \u0008문단\u0085.', '', '`코드\u0001`와 $x\u0002+y$.', '', '```', 'print("a\u007f")', '```', ''].join('\n'),
    );
    expect(CONTROL.test(html)).toBe(false);
    expect(toText(select('main p', page)!)).toBe('논문에서 붙여 넣은 글과 문단.');
    expect(toText(select('main p code', page)!)).toBe('코드');
    expect(select('main .katex annotation', page) && toText(select('main .katex annotation', page)!)).toBe('x+y');
    expect(toText(select('main pre', page)!).trim()).toBe('print("a")');
    expect(messages).toEqual([
      '5:12: warning: control characters U+0002, U+0008, U+0085 (pasted from a PDF?) left out: HTML has no place for them',
      '7:4: warning: control characters U+0001, U+0002 (pasted from a PDF?) left out: HTML has no place for them',
      '10:9: warning: control character U+007F (pasted from a PDF?) left out: HTML has no place for them',
    ]);
  });

  test('a post without any gets no warning, and tabs, form feeds and line ends stay', async () => {
    const { messages } = await render('탭\t과 줄\r\n바꿈\f.\n');
    expect(messages).toEqual([]);
  });
});
