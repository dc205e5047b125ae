/**
 * A raw-text element (`<textarea>`, `<script>`, `<style>`, `<title>`, …) named in a sentence
 * and never closed held the rest of the page: it is shown as text, with a warning. Closed
 * ones are the writer's HTML and are kept.
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
  // Parsed as a browser parses the page: the post, then what the template puts after it.
  const page = fromHtml(`<main>${html}</main><footer>바닥글</footer>`);
  return { page, messages: file.messages.map((m) => `${m.line}:${m.column}: ${m.fatal ? 'error' : 'warning'}: ${m.reason}`) };
}

describe('a raw-text element named in a sentence', () => {
  test('left open, it is shown as text with a warning at it, and the rest of the page stays the page', async () => {
    const { page, messages } = await render(['HTML의 <textarea> 태그와 <script> 태그를 설명한다.', '', '## 다음 절', '', '| 태그 | 뜻 |', '|---|---|', '| <title> | 제목 |'].join('\n'));
    expect(selectAll('main textarea, main script, main title', page)).toEqual([]);
    expect(toText(select('main p', page)!)).toBe('HTML의 <textarea> 태그와 <script> 태그를 설명한다.');
    expect(toText(select('h2', page)!)).toContain('다음 절');
    expect(toText(select('td', page)!)).toBe('<title>');
    expect(toText(select('footer', page)!)).toBe('바닥글');
    expect(messages).toEqual([
      '1:7: warning: <textarea> is not closed in its paragraph and would hold the rest of the page: it is shown as text; write it in backticks (`<textarea>`)',
      '1:22: warning: <script> is not closed in its paragraph and would hold the rest of the page: it is shown as text; write it in backticks (`<script>`)',
      '7:3: warning: <title> is not closed in its paragraph and would hold the rest of the page: it is shown as text; write it in backticks (`<title>`)',
    ]);
  });

  test('closed, in its paragraph or as a block, it is the writer\'s HTML and is kept, without a word', async () => {
    const { page, messages } = await render(['인라인 <style>.x{color:red}</style> 스타일.', '', '<script>', 'console.log(1)', '</script>', '', '<iframe src="https://example.com/embed"></iframe>'].join('\n'));
    expect(selectAll('main style, main script, main iframe', page).map((node) => node.tagName)).toEqual(['style', 'script', 'iframe']);
    expect(messages).toEqual([]);
  });

  test('an HTML block it opens and never closes (`<textarea>` starting a line) is told at its first line', async () => {
    const { messages } = await render(['앞 문단.', '', '<textarea> 태그로 시작하는 문단.', '', '## 절'].join('\n'));
    expect(messages).toEqual(['3:1: warning: <textarea> is not closed: a browser puts the rest of the page inside it; close it with </textarea>, or write the tag in backticks (`<textarea>`)']);
  });

  test('an embed self-closed as JSX writes it (`<iframe … />`) is closed as meant, with a warning: the page after it stays the page', async () => {
    const { page, messages } = await render(['<iframe width="560" src="https://www.youtube-nocookie.com/embed/abc" allowfullscreen />', '', '## 다음 절', '', '영상 <iframe src="https://example.com/e"/> 인라인.'].join('\n'));
    expect(selectAll('main iframe', page).map((node) => [node.properties.src, node.children.length])).toEqual([
      ['https://www.youtube-nocookie.com/embed/abc', 0],
      ['https://example.com/e', 0],
    ]);
    expect(toText(select('h2', page)!)).toContain('다음 절');
    expect(toText(select('footer', page)!)).toBe('바닥글');
    expect(messages).toEqual([
      '1:1: warning: "<iframe … />" does not close in HTML, where "/>" ends no <iframe>: published as <iframe …></iframe>; write the end tag',
      '5:4: warning: "<iframe … />" does not close in HTML, where "/>" ends no <iframe>: published as <iframe …></iframe>; write the end tag',
    ]);
  });
});

describe('an HTML comment left open', () => {
  test('is closed at the end of its HTML block, with a warning, so the page after the post is not a comment', async () => {
    const { page, messages } = await render(['첫 문단', '', '<!-- 나중에 쓸 메모', '', '숨은 문단'].join('\n'));
    expect(toText(select('main p', page)!)).toBe('첫 문단');
    expect(toText(select('footer', page)!)).toBe('바닥글');
    expect(messages).toEqual([
      '3:1: warning: an HTML comment "<!--" is not closed: it is closed at the end of its HTML block, and what the post has after it there is not shown; close it with -->',
    ]);
  });

  test('closed, or `<!--more-->`, `<!-->`, it is kept without a word', async () => {
    const { page, messages } = await render(['요약 <!-- 메모 -->', '', '<!--more-->', '', '<!-->', '', '본문'].join('\n'));
    expect(toText(select('footer', page)!)).toBe('바닥글');
    expect(messages).toEqual([]);
  });
});

describe('a tag whose quote is left open', () => {
  test('is shown as text with a warning, so the page after the post is not read into its attributes', async () => {
    const { page, messages } = await render(['<div class="note>', '메모', '</div>', '', '뒤 문단 <span title="제목">된다</span>', '', '<div class="box">', '상자', '</div>'].join('\n'));
    expect(selectAll('main div', page).map((div) => div.properties.className)).toEqual([['box']]);
    expect(toText(select('main', page)!)).toContain('<div class="note>');
    expect(select('main span[title="제목"]', page)).toBeTruthy();
    expect(toText(select('footer', page)!)).toBe('바닥글');
    expect(messages).toEqual([
      '1:1: warning: a tag in this HTML is not closed (a quote left open?): a browser reads the rest of the page into it; it is shown as text: close the quote and the tag',
    ]);
  });
});

describe('a <template> left open', () => {
  test('named in a sentence it is text; opening a block it is a warning: its content, the page after it too, is never shown', async () => {
    const { page, messages } = await render(['HTML의 <template> 태그를 쓴다.', '', '<template>', '<p>틀</p>'].join('\n'));
    expect(toText(select('main p', page)!)).toBe('HTML의 <template> 태그를 쓴다.');
    expect(messages).toEqual([
      '1:7: warning: <template> is not closed in its paragraph and would hold the rest of the page: it is shown as text; write it in backticks (`<template>`)',
      '3:1: warning: <template> is not closed: a browser puts the rest of the page inside it; close it with </template>, or write the tag in backticks (`<template>`)',
    ]);
  });
});
