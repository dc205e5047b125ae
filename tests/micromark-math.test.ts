import type { Element, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { toText } from 'hast-util-to-text';
import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { createMarkdownProcessor, renderMarkdown } from '../src/markdown.ts';
import { FIXTURES } from './helpers/site.ts';

const processor = createMarkdownProcessor({ root: `${FIXTURES}/markdown`, basePath: '/', language: 'ko' });

/** Render markdown through the real chain: the HTML, its tree, the messages as `line:col: kind: reason`. */
async function render(markdown: string) {
  const file = new VFile({ path: 'content/posts/m.md', value: markdown });
  file.data.post = { sourcePath: 'content/posts/m.md', outputDir: 'posts/m' };
  const rendered = await renderMarkdown(processor, file);
  const messages = file.messages.map((m) => `${m.line}:${m.column}: ${m.fatal ? 'error' : 'warning'}: ${m.reason}`);
  return { html: rendered.html, tree: fromHtml(rendered.html, { fragment: true }) as Root, messages, excerpt: rendered.excerpt };
}

/** Each formula KaTeX rendered, in order: `display` or `inline`, and its TeX. */
const formulas = (tree: Root) =>
  selectAll('.katex', tree).map((node: Element) => {
    const annotation = select('annotation', node);
    return `${select('.katex-display > .katex', tree) && selectAll('.katex-display > .katex', tree).includes(node) ? 'display' : 'inline'} ${annotation ? toText(annotation) : ''}`;
  });

describe('$$ blocks', () => {
  test('TeX after the opening $$ is taken as written: markdown escapes are not undone in it', async () => {
    const [opening, own] = await Promise.all([
      render('$$ \\{ x \\mid x > 0 \\} \\\\ \\,\\#\ny\n$$'),
      render('$$\n\\{ x \\mid x > 0 \\} \\\\ \\,\\#\ny\n$$'),
    ]);
    expect(opening.html).toBe(own.html);
    expect(formulas(opening.tree)).toEqual(['display \\{ x \\mid x > 0 \\} \\\\ \\,\\# y']);
  });
});

describe('$$ blocks, an escaped dollar', () => {
  test('an escaped dollar after the opening $$ (`$$ \\$5 + x`) is TeX\'s: the block is one, and the text after it stays text', async () => {
    const { tree, messages } = await render('$$ \\$5 + x\ny\n$$\n\n끝.');
    expect(formulas(tree)).toEqual(['display \\$5 + x\ny'.replace('\n', ' ')]);
    expect(selectAll('p', tree).map((node) => toText(node))).toEqual(['끝.']);
    expect(messages).toEqual([]);
  });
});

describe('\\(…\\) and \\[…\\], as LaTeX, KaTeX\'s auto-render and Hugo\'s passthrough write math', () => {
  test('\\(…\\) is inline math and \\[…\\] display math, rendered exactly as $…$ and $$…$$ are', async () => {
    const pairs = [
      ['식 \\(x^2 + \\frac{1}{2}\\) 과 \\( a \\\\ b \\) 끝.', '식 $x^2 + \\frac{1}{2}$ 과 $a \\\\ b$ 끝.'],
      ['앞 문단\n\\[\n\\sum_{i=1}^n i\n\\]\n뒤 문단.', '앞 문단\n$$\n\\sum_{i=1}^n i\n$$\n뒤 문단.'],
      ['\\[\\begin{aligned}\na &= b \\\\\nc &= d\n\\end{aligned}\\]', '$$\\begin{aligned}\na &= b \\\\\nc &= d\n\\end{aligned}$$'],
      ['\\[ E = mc^2 \\]', '$$\nE = mc^2 \n$$'],
    ];
    for (const [written, dollars] of pairs) {
      const [mine, theirs] = await Promise.all([render(written!), render(dollars!)]);
      expect(mine.html, written).toBe(theirs.html);
      expect(mine.messages, written).toEqual([]);
      expect(selectAll('.katex', mine.tree).length, written).toBeGreaterThan(0);
    }
    expect(formulas((await render('\\(x\\) 와\n\n\\[\ny\n\\]')).tree)).toEqual(['inline x', 'display y']);
  });

  test('in quotes and lists, numbered with \\label, referenced, and summarised as its TeX', async () => {
    const { tree, messages, excerpt } = await render(
      ['요약 \\(p\\) 이다.', '', '> 인용 \\(q\\)', '> \\[', '> a = b \\label{eq:a}', '> \\]', '', '- 항목', '  \\[ c = d \\label{eq:c} \\]', '', '식 \\eqref{eq:a}, \\eqref{eq:c}.'].join('\n'),
    );
    expect(messages).toEqual([]);
    expect(formulas(tree)).toEqual(['inline p', 'inline q', 'display a = b \\tag{1}', 'display c = d \\tag{2}']);
    expect(selectAll('a.eqref', tree).map((link) => toText(link))).toEqual(['(1)', '(2)']);
    expect(excerpt).toBe('요약 p 이다.');
  });

  test('right after a list item or a quote, not indented for it, \\[…\\] ends it and is display math, as $$…$$ is', async () => {
    for (const before of ['- 항목', '> 인용', '1. 번호\n   - 중첩']) {
      const [mine, theirs] = await Promise.all([
        render(`${before}\n\\[\na = b \\label{eq:a}\n\\]\n식 \\eqref{eq:a}.`),
        render(`${before}\n$$\na = b \\label{eq:a}\n$$\n식 \\eqref{eq:a}.`),
      ]);
      expect(mine.html, before).toBe(theirs.html);
      expect(formulas(mine.tree), before).toEqual(['display a = b \\tag{1}']);
      expect(mine.messages, before).toEqual([]);
    }
  });

  test('not in code, nor where markdown writers escape brackets: \\[1\\] in a line, a reference list, a \\[ no \\] closes before a blank line', async () => {
    const { tree, messages } = await render(
      [
        '`\\(x\\)` 와 `\\[y\\]` 는 코드다.',
        '',
        '```',
        '\\[',
        'x',
        '\\]',
        '```',
        '',
        '논문 \\[1\\] 에서, 빈 \\(\\) 와 \\[\\] 와 닫히지 않은 \\(a 끝.',
        '',
        '\\[1\\] Vaswani et al., 2017.',
        '\\[2\\] Devlin et al., \\[link\\]',
        '',
        '\\[',
        '빈 줄이 끼면',
        '',
        '수식이 아니다 \\]',
      ].join('\n'),
    );
    expect(selectAll('.katex', tree)).toEqual([]);
    expect(messages).toEqual([]);
    expect(selectAll('p', tree).map((node) => toText(node))).toEqual([
      '\\(x\\) 와 \\[y\\] 는 코드다.',
      '논문 [1] 에서, 빈 () 와 [] 와 닫히지 않은 (a 끝.',
      '[1] Vaswani et al., 2017. [2] Devlin et al., [link]',
      '[ 빈 줄이 끼면',
      '수식이 아니다 ]',
    ]);
  });

  test('invalid math between \\( \\) is a warning at its place, the page showing KaTeX\'s error', async () => {
    const { tree, messages } = await render('첫 줄.\n둘째 \\(\\frac{1}{\\) 줄.');
    expect(messages).toEqual([expect.stringMatching(/^2:4: warning: .*KaTeX/)]);
    expect(selectAll('.katex-error', tree)).toHaveLength(1);
  });

  test('a dollar amount in \\(…\\) is the writer\'s formula, not money read as math', async () => {
    expect((await render('값은 \\(10 + x \\) 이다.')).messages).toEqual([]);
  });
});
