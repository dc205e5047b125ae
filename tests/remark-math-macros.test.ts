import type { Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { toText } from 'hast-util-to-text';
import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { createMarkdownProcessor, renderMarkdown } from '../src/markdown.ts';
import { definitionsIn } from '../src/remark-math-macros.ts';
import { FIXTURES } from './helpers/site.ts';

const processor = createMarkdownProcessor({ root: `${FIXTURES}/markdown`, basePath: '/', language: 'ko' });

/** Render through the real chain: the parsed HTML, the messages as `line:col: reason`, the summary. */
async function render(markdown: string) {
  const file = new VFile({ path: 'content/posts/macros.md', value: markdown });
  file.data.post = { sourcePath: 'content/posts/macros.md', outputDir: 'posts/macros' };
  const rendered = await renderMarkdown(processor, file);
  const tree = fromHtml(rendered.html, { fragment: true }) as Root;
  return { tree, rendered, messages: file.messages.map((m) => `${m.line}:${m.column}: ${m.reason}`) };
}

/** The MathML KaTeX made of each formula, as text: what a macro expanded to. */
const mathml = (tree: Root) => selectAll('.katex-mathml math', tree).map((math) => toText(select('semantics > :first-child', math) ?? math).replace(/\s+/g, ''));

describe('macros defined in one formula', () => {
  test('\\newcommand, \\def and \\gdef work in the formulas after it, inline and display, as in MathJax', async () => {
    const { tree, messages } = await render(
      [
        '$$',
        '\\newcommand{\\norm}[1]{\\left\\lVert #1 \\right\\rVert}',
        '\\def\\E{\\mathbb{E}}',
        '\\gdef\\loss{\\mathcal{L}}',
        '\\norm{x} = 1',
        '$$',
        '',
        '손실 $\\loss = \\E[\\norm{y}]$ 이다.',
        '',
        '$$',
        '\\begin{align}',
        '\\loss &= \\E[x] \\label{eq:l}',
        '\\end{align}',
        '$$',
      ].join('\n'),
    );
    expect(messages).toEqual([]);
    expect(selectAll('.katex-error', tree)).toEqual([]);
    expect(mathml(tree)[1]).toBe('L=E[∥y∥]');
    expect(mathml(tree)[2]).toContain('L=E[x]');
  });

  test('a formula before the definition does not have it, and \\renewcommand changes the meaning from there on', async () => {
    const { tree, messages } = await render(
      ['앞 $\\abs{a}$.', '', '$\\newcommand{\\abs}[1]{|#1|}\\abs{b}$ 와 $\\abs{c}$.', '', '$\\renewcommand{\\abs}[1]{\\lVert #1\\rVert}\\abs{d}$ 와 $\\abs{e}$.', ''].join('\n'),
    );
    expect(messages).toEqual(['1:3: Could not render math with KaTeX']);
    expect(mathml(tree).slice(1)).toEqual(['∣b∣', '∣c∣', '∥d∥', '∥e∥']);
  });

  test('a definition KaTeX refuses is not carried on: \\newcommand{\\bad}[x] fails where written, and \\bad stays undefined', async () => {
    const { tree, messages } = await render('$\\newcommand{\\bad}[x]{y}\\def\\V{\\mathbb{V}}$ 다음 $\\V[X]$, $x \\in \\bad$.\n');
    // The defining formula is KaTeX's error; `\\bad` after it is an unknown command, shown red.
    expect(messages).toEqual(['1:1: Could not render math with KaTeX', '1:57: Could not render math with KaTeX']);
    expect(selectAll('.katex-error', tree)).toHaveLength(1);
    expect(mathml(tree)).toEqual(['V[X]', 'x∈\\bad']);
  });

  test('\\newcommand of a name KaTeX has (\\R, \\vec) redefines it, as MathJax, Typora and Obsidian read it, in its formula and after', async () => {
    const { tree, messages } = await render('$\\newcommand{\\R}{X}\\newcommand{\\vec}[1]{\\mathbf{#1}} a \\in \\R$ 다음 $x \\in \\R$, $\\vec{v}$.\n');
    expect(messages).toEqual([]);
    expect(selectAll('.katex-error', tree)).toEqual([]);
    expect(mathml(tree)).toEqual(['a∈X', 'x∈X', 'v']);
  });

  test('\\newcommand* (the starred form LaTeX preambles use) defines the macro as \\newcommand does', async () => {
    const { tree, messages } = await render('$\\newcommand*{\\argmax}{\\operatorname*{arg\\,max}}\\newcommand*{\\st}[1]{#1!}\\st{a}$ 다음 $\\argmax_x f$, $\\st{b}$.\n');
    expect(messages).toEqual([]);
    expect(selectAll('.katex-error', tree)).toEqual([]);
    expect(mathml(tree)).toEqual(['a!', 'argmax\u2061xf', 'b!']);
  });

  test('\\DeclareMathOperator from a paper\'s preamble defines an operator, starred with limits below, in its formula and after', async () => {
    const { tree, messages } = await render('$$\n\\DeclareMathOperator{\\Tr}{Tr}\n\\DeclareMathOperator*{\\argmin}{arg\\,min}\n\\Tr(A)\n$$\n\n다음 $\\argmin_x \\Tr(X)$.\n');
    expect(messages).toEqual([]);
    expect(selectAll('.katex-error', tree)).toEqual([]);
    expect(mathml(tree)).toEqual(['Tr\u2061(A)', 'argmin\u2061xTr\u2061(X)']);
  });

  test('\\mbox and \\mathbbm, which papers\' formulas hold and KaTeX lacks, render as \\text and \\mathbb', async () => {
    const { tree, messages } = await render('지시 함수 $\\mathbbm{1}[y = k]$ 와 $f(x) = 0 \\mbox{ if } x < 0$.\n');
    expect(messages).toEqual([]);
    expect(selectAll('.katex-error', tree)).toEqual([]);
    expect(mathml(tree)).toEqual(['1[y=k]', 'f(x)=0ifx<0']);
  });

  test('the summary, and a heading\'s id, TOC text and link label, keep the TeX as written', async () => {
    const { tree, rendered } = await render(['$$', '\\def\\loss{\\mathcal{L}}', '\\loss', '$$', '', '## $\\loss$의 정의', '', '본문 $\\loss$ 이다.', ''].join('\n'));
    expect(select('h2', tree)?.properties.id).toBe('loss의-정의');
    expect(rendered.toc.map((entry) => entry.id)).toEqual(['loss의-정의']);
    // Its table-of-contents text and its link's label read the formula as written too.
    expect(rendered.toc.map((entry) => entry.text)).toEqual(['\\loss의 정의']);
    expect(select('h2 a.heading-anchor', tree)?.properties.ariaLabel).toBe('이 제목으로 링크: \\loss의 정의');
    expect(rendered.html).not.toContain('data-written-tex');
    expect(rendered.excerpt).toContain('본문 \\loss 이다');
  });

  test('definitions are found with their bodies; a % comment is none', () => {
    expect(definitionsIn('\\newcommand\\a[2][x]{#1 {#2}} \\global\\def\\b#1{\\{#1\\}} \\let\\c=\\alpha % \\def\\d{1}')).toEqual([
      { name: '\\a', tex: '\\newcommand\\a[2][x]{#1 {#2}}' },
      { name: '\\b', tex: '\\global\\def\\b#1{\\{#1\\}}' },
      { name: '\\c', tex: '\\let\\c=\\alpha' },
    ]);
  });
});
