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

  test('a formula KaTeX rejects has no HTML, so rehype-katex reports it', () => {
    expect(renderFormula('\\frac{1}{', true, options)).toEqual({ html: undefined, strict: [] });
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

  test('a strict-mode finding other than Hangul is reported once per formula, from the same render', async () => {
    const { messages, tree } = await render('$x + ①$');
    expect(messages).toEqual(['1:1: KaTeX: Unrecognized Unicode character "①" (9312)']);
    expect(selectAll('.katex .katex-mathml', tree)).toHaveLength(1);
  });
});
