import type { Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { toText } from 'hast-util-to-text';
import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { createMarkdownProcessor, renderMarkdown } from '../src/markdown.ts';
import { withKatexEnvironments } from '../src/remark-katex-environments.ts';
import { FIXTURES } from './helpers/site.ts';

const processor = createMarkdownProcessor({ root: `${FIXTURES}/markdown`, basePath: '/', language: 'ko' });

async function render(markdown: string) {
  const file = new VFile({ path: 'content/posts/env.md', value: markdown });
  file.data.post = { sourcePath: 'content/posts/env.md', outputDir: 'posts/env' };
  const { html } = await renderMarkdown(processor, file);
  return { tree: fromHtml(html, { fragment: true }) as Root, messages: file.messages.map((m) => `${m.line}:${m.column}: ${m.reason}`) };
}

/** The equation numbers KaTeX drew, formula by formula. */
const tags = (tree: Root) => selectAll('.katex-display', tree).map((box) => selectAll('.tag', box).map((tag) => toText(tag).replace(/\u200b/g, '')).join(' '));

describe('environments KaTeX lacks', () => {
  test('multline is one equation with one number in the post\'s sequence, its other lines unnumbered; multline* has none', async () => {
    const { tree, messages } = await render(
      ['$$', 'a = 1 \\label{eq:a}', '$$', '', '$$', '\\begin{multline}', 'p + q + r \\\\', '+ s + t \\\\[2pt]', '= u \\label{eq:m}', '\\end{multline}', '$$', '', '$$', '\\begin{multline*}', 'x \\\\', '= y', '\\end{multline*}', '$$', '', '식 \\eqref{eq:m}.', ''].join('\n'),
    );
    expect(messages).toEqual([]);
    expect(selectAll('.katex-error', tree)).toEqual([]);
    expect(tags(tree)).toEqual(['(1)', '(2)', '']);
    expect(toText(select('a.eqref', tree)!)).toBe('(2)');
  });

  test('flalign is numbered row by row as align is', async () => {
    const { tree, messages } = await render(['$$', '\\begin{flalign}', 'x &= y & z &= w \\\\', 'u &= v & s &= t', '\\end{flalign}', '$$', ''].join('\n'));
    expect(messages).toEqual([]);
    expect(tags(tree)).toEqual(['(1)(2)']);
  });

  test('a multline with its own \\tag on a line keeps it, the other lines left unnumbered; comments are no rows', () => {
    expect(withKatexEnvironments('\\begin{multline}\nu \\tag{M} \\\\\n= w % 주석 \\\\\n\\end{multline}')).toBe('\\begin{gather}\nu \\tag{M} \\\\\n= w % 주석 \\\\\n \\notag \\end{gather}');
  });
});
