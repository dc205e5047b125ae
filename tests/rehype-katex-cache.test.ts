import type { Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { selectAll } from 'hast-util-select';
import katex from 'katex';
import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { createMarkdownProcessor, renderMarkdown } from '../src/markdown.ts';
import { renderFormula } from '../src/rehype-katex-cache.ts';
import { trustEquationLinks } from '../src/remark-equations.ts';
import { FIXTURES } from './helpers/site.ts';

const options = { output: 'htmlAndMathml', trust: trustEquationLinks } as const;

describe('renderFormula', () => {
  test('gives the HTML KaTeX gives with strict: "ignore", and collects what strict mode noticed', () => {
    // An accented letter in math mode: rendered, and noticed by strict mode.
    const tex = 'x + é';
    const formula = renderFormula(tex, false, options);
    expect(formula.html).toBe(katex.renderToString(tex, { ...options, strict: 'ignore', throwOnError: true }));
    expect(formula.strict.map(({ code }) => code)).toContain('unicodeTextInMathMode');
  });

  test('a formula KaTeX rejects has no HTML, so rehype-katex reports it; where KaTeX stopped is kept', () => {
    expect(renderFormula('\\frac{1}{', true, options)).toEqual({ html: undefined, strict: [], errorAt: 9 });
    expect(renderFormula('a + \\foo{b}', true, options)).toMatchObject({ html: undefined, errorAt: 4 });
  });

  test('display and inline forms of one TeX are different formulas', () => {
    const inline = renderFormula('\\sum_{i=1}^n i', false, options).html;
    const display = renderFormula('\\sum_{i=1}^n i', true, options).html;
    expect(inline).not.toBe(display);
    expect(display).toContain('katex-display');
  });
});

describe('the formula cache in the chain', () => {
  const processor = createMarkdownProcessor({ root: `${FIXTURES}/markdown`, basePath: '/', language: 'ko' });
  const render = async (markdown: string) => {
    const file = new VFile({ path: 'content/posts/m.md', value: markdown });
    file.data.post = { sourcePath: 'content/posts/m.md', outputDir: 'posts/m' };
    const rendered = await renderMarkdown(processor, file);
    return { tree: fromHtml(rendered.html, { fragment: true }) as Root, html: rendered.html, messages: file.messages.map((m) => `${m.line}:${m.column}: ${m.reason}`) };
  };

  test('a display formula is in the tab order: wider than a phone it scrolls in its own box, which the keyboard must reach (axe: scrollable-region-focusable)', async () => {
    const { tree } = await render('본문 $x$ 그리고\n\n$$\n\\sum_{i=1}^{N} \\log p(x_i \\mid \\theta) + \\lambda \\lVert \\theta \\rVert^2\n$$\n\n```math\na = b\n```\n');
    const displays = selectAll('.katex-display', tree);
    expect(displays).toHaveLength(2);
    for (const display of displays) expect(display.properties.tabIndex).toBe(0);
    // Inline formulas stay out of it: they break with the line.
    expect(selectAll('.katex', tree).filter((katex) => katex.properties.tabIndex !== undefined)).toEqual([]);
  });

  test('the block around an inline formula too long to break is in the tab order: the theme scrolls it sideways on a phone (axe: scrollable-region-focusable on the reference post at 375 px)', async () => {
    const long = '$p(\\text{future observations}, \\text{actions, past observations})$';
    const { tree } = await render([
      `문단 ${long}이다.`,
      '',
      `- 목록 ${long}`,
      '- 짧은 $x$',
      '',
      `> 인용 **${long}**`,
      '',
      `| 표 |\n|---|\n| ${long} |`,
      '',
      '짧은 수식 $a + b = c$와 $\\mathbf{x}^\\top W \\mathbf{y}$만 있는 문단.',
      '',
      `긴 합도 연산자에서 끊긴다: $${Array.from({ length: 12 }, (_, i) => `a_{${i}}`).join(' + ')}$`,
    ].join('\n'));
    const focusable = selectAll('[tabindex="0"]', tree).map((node) => node.tagName);
    expect(focusable).toEqual(['p', 'ul', 'p', 'table', 'td']);
  });

  test('a repeated formula is warned about at every place and in every post, though rendered once', async () => {
    const text = '첫째 $x = 가$ 그리고 둘째 $x = 가$.';
    const first = await render(text);
    const second = await render(text);
    expect(first.messages).toHaveLength(2);
    expect(first.messages[0]).toMatch(/^1:4: Hangul "가" in math/);
    expect(first.messages[1]).toMatch(/^1:19: Hangul "가" in math/);
    expect(second.messages).toEqual(first.messages);
    expect(second.html).toBe(first.html);
    expect(selectAll('.katex', first.tree)).toHaveLength(2);
  });

  test('KaTeX\'s parse error in a display formula of many lines is told at the line and column of the TeX, not at the opening $$', async () => {
    const at = async (markdown: string) => (await render(markdown)).messages.filter((message) => message.includes('Could not render math')).map((message) => message.split(': ')[0]);
    const aligned = ['첫 문단.', '', '$$', '\\begin{aligned}', 'a &= b \\\\', 'c &= \\foo{d}', '\\end{aligned}', '$$'];
    expect(await at(aligned.join('\n'))).toEqual(['6:6']);
    // In a quote, with a \label made a \tag, after a macro put in front: the same line.
    expect(
      await at(['$$', '\\newcommand{\\RR}{\\mathbb{R}}', '$$', '', '> $$', '> x \\in \\RR \\label{eq:x}', '> y &= 1', '> $$', '', '\\eqref{eq:x}'].join('\n')),
    ).toEqual(['7:5']);
    // A fragment written twice: the one KaTeX stopped at; \[…\] and ```math alike.
    expect(await at(['\\[', 'x^2 + 1 }', 'x^2 + 1 }', '\\]'].join('\n'))).toEqual(['2:9']);
    expect(await at(['\\[', 'x^2 + 1', 'x^2 + x^^2', '\\]'].join('\n'))).toEqual(['3:8']);
    expect(await at(['```math', 'a', 'b }', '```'].join('\n'))).toEqual(['3:3']);
    // Missing braces at the end of the TeX: at the end of its last line.
    expect(await at(['$$', '\\frac{1}', '{2', '$$'].join('\n'))).toEqual(['3:3']);
    // Inline math keeps the place of its opening `$`.
    expect(await at('앞 $a \\foo$ 뒤')).toEqual(['1:3']);
  });

  test('a strict-mode finding other than Hangul is reported once per formula, from the same render', async () => {
    const { messages, tree } = await render('$x + ①$');
    expect(messages).toEqual(['1:1: KaTeX: Unrecognized Unicode character "①" (9312)']);
    expect(selectAll('.katex .katex-mathml', tree)).toHaveLength(1);
  });
});
