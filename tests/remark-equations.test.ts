import { readFileSync } from 'node:fs';
import type { Element, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { createMarkdownProcessor, renderMarkdown } from '../src/markdown.ts';
import { PAGE_IDS } from '../src/rehype-headings.ts';
import { anchorOf, trustEquationLinks } from '../src/remark-equations.ts';
import { FIXTURES, REPO_ROOT } from './helpers/site.ts';

const processor = createMarkdownProcessor({ root: `${FIXTURES}/markdown`, basePath: '/', language: 'ko' });

/** Render markdown through the real chain; give the parsed HTML and the messages as `line:col: kind: reason`. */
async function render(markdown: string) {
  const file = new VFile({ path: 'content/posts/eq.md', value: markdown });
  file.data.post = { sourcePath: 'content/posts/eq.md', outputDir: 'posts/eq' };
  const rendered = await renderMarkdown(processor, file);
  const messages = file.messages.map((m) => `${m.line}:${m.column}: ${m.fatal ? 'error' : 'warning'}: ${m.reason}`);
  return { html: rendered.html, tree: fromHtml(rendered.html, { fragment: true }) as Root, messages };
}

/** The TeX KaTeX rendered for each formula, in order. */
const texOf = (tree: Root | Element) => selectAll('annotation', tree).map((node) => (node.children[0] as { value: string }).value);
const textOf = (node: Element): string =>
  node.children.map((child) => (child.type === 'text' ? child.value : child.type === 'element' ? textOf(child) : '')).join('');

describe('equation ids and heading ids', () => {
  test('a heading whose text makes an equation\'s id takes another: every id of the post is unique, and \\eqref still reaches the equation', async () => {
    const file = new VFile({ path: 'content/posts/eq.md', value: ['## Eq Loss', '', '$$', 'L = 0 \\label{eq:loss}', '$$', '', '위 식 \\eqref{eq:loss}.', '', '## Eq Loss', ''].join('\n') });
    file.data.post = { sourcePath: 'content/posts/eq.md', outputDir: 'posts/eq' };
    const rendered = await renderMarkdown(processor, file);
    const tree = fromHtml(rendered.html, { fragment: true }) as Root;
    const ids = selectAll('[id]', tree).map((node) => String(node.properties.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(select('.equation', tree)?.properties.id).toBe('eq-loss');
    expect(selectAll('h2', tree).map((node) => node.properties.id)).toEqual(['eq-loss-1', 'eq-loss-1-1']);
    expect(selectAll('a[href="#eq-loss"]', tree).length).toBeGreaterThan(0);
    // The table of contents links the headings where they are.
    expect(rendered.toc.map((entry) => entry.id)).toEqual(['eq-loss-1', 'eq-loss-1-1']);
  });

  test('a heading does not take an id of the page around the post: "## Main" is not <main id="main">', async () => {
    const { tree } = await render('## Main\n\n본문.\n');
    expect(select('h2', tree)?.properties.id).toBe('main-1');
  });

  test('PAGE_IDS holds every id the base and post templates write', () => {
    const templates = ['base.liquid', 'post.liquid', 'page.liquid'].map((name) => readFileSync(`${REPO_ROOT}/templates/${name}`, 'utf8')).join('\n');
    const ids = [...templates.matchAll(/\sid="([^"{]+)"/g)].map((match) => match[1]!);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.filter((id) => !PAGE_IDS.includes(id))).toEqual([]);
  });
});

describe('a reference inside a formula in a heading', () => {
  test('the heading id comes from the TeX as written, and its table-of-contents entry holds no link in a link', async () => {
    const file = new VFile({ path: 'content/posts/eq.md', value: ['## 손실 $\\eqref{eq:loss}$ 정의', '', '$$', 'L = 0 \\label{eq:loss}', '$$', '', '## 손실 $\\eqref{eq:loss}$ 정의', ''].join('\n') });
    file.data.post = { sourcePath: 'content/posts/eq.md', outputDir: 'posts/eq' };
    const rendered = await renderMarkdown(processor, file);
    const tree = fromHtml(rendered.html, { fragment: true }) as Root;
    expect(selectAll('h2', tree).map((node) => node.properties.id)).toEqual(['손실-eqrefeqloss-정의', '손실-eqrefeqloss-정의-1']);
    // The formula still links to the equation from the heading.
    expect(selectAll('h2 a[href="#eq-loss"]', tree)).toHaveLength(2);
    for (const entry of rendered.toc) {
      const html = fromHtml(`<a href="#${entry.id}">${entry.html}</a>`, { fragment: true }) as Root;
      expect(selectAll('a', html), entry.html).toHaveLength(1);
    }
  });
});

describe('equation numbers', () => {
  test('labelled display formulas are numbered in order, get an anchor, and lose the \\label', async () => {
    const { tree, messages } = await render(
      ['$$', 'a = b \\label{eq:first}', '$$', '', '$$', 'c = d', '$$', '', '$$', 'e = f', '\\label{eq:second}', '$$'].join('\n'),
    );
    expect(messages).toEqual([]);
    expect(selectAll('.equation', tree).map((node) => node.properties.id)).toEqual(['eq-first', 'eq-second']);
    expect(texOf(tree)).toEqual(['a = b\n\\tag{1}', 'c = d', 'e = f\n\\tag{2}']);
    // KaTeX draws the number: the tag is part of the rendered formula.
    expect(textOf(select('#eq-second', tree)!)).toContain('(2)');
  });

  test('a ```math fence (any letter case, in a list too) is a display formula like $$ lines: numbered by its \\label, referenced, and checked', async () => {
    const { tree, messages } = await render(
      ['```math', 'a = b \\label{eq:fence}', '```', '', '- 목록', '', '  ~~~Math', '  c = d \\label{eq:item}', '  ~~~', '', '```MATH', '정확도 = 1', '```', '', '\\eqref{eq:fence}, \\eqref{eq:item}'].join('\n'),
    );
    // The warning points at the Hangul, on the line after the fence.
    expect(messages).toEqual([expect.stringMatching(/^12:1: warning: Hangul "정확도" in math outside \\text\{\}/)]);
    expect(selectAll('.equation', tree).map((node) => node.properties.id)).toEqual(['eq-fence', 'eq-item']);
    expect(texOf(tree)).toEqual(['a = b\n\\tag{1}', 'c = d\n\\tag{2}', '정확도 = 1']);
    expect(selectAll('a.eqref', tree).map((link) => textOf(link))).toEqual(['(1)', '(2)']);
    expect(selectAll('pre', tree)).toEqual([]);
    expect(selectAll('.katex-display', tree)).toHaveLength(3);
  });

  test('text after the opening $$ is the start of the formula, as on GitHub, not dropped', async () => {
    const { tree, messages } = await render(['$$ f(x) = x^2', '$$', '', '$$\\begin{aligned}', 'a &= b \\label{eq:a}', '\\end{aligned}', '$$', '', '\\eqref{eq:a}'].join('\n'));
    expect(messages).toEqual([]);
    expect(texOf(tree)).toEqual(['f(x) = x^2', '\\begin{aligned}\na &= b \n\\end{aligned}\n\\tag{1}']);
    expect(textOf(select('a.eqref', tree)!)).toBe('(1)');
  });

  test('a "$$" at the end of the last line closes the formula, as Typora and Obsidian write it; the paragraphs after it stay text', async () => {
    const { tree, messages } = await render(
      ['$$\\begin{aligned}', 'a &= b \\label{eq:a} \\\\', 'c &= d', '\\end{aligned}$$', '', '이 문단은 본문이다 \\eqref{eq:a}.', '', '$$', 'g(x) = 1 $$  ', '', '$$', 'h = 2', '$$', '', '끝.'].join('\n'),
    );
    expect(messages).toEqual([]);
    expect(texOf(tree)).toEqual(['\\begin{aligned}\na &= b  \\\\\nc &= d\n\\end{aligned}\n\\tag{1}', 'g(x) = 1 ', 'h = 2']);
    expect(selectAll('p', tree).map(textOf)).toEqual(['이 문단은 본문이다 (1).', '끝.']);
  });

  test('a "$$" with text after it (`$$이다.`), which closes nothing, is told at that line, in CRLF files too and when the formula runs on to the end of the post', async () => {
    const { messages } = await render(['$$', 'x = 1', '$$이다.', '', '이 문단이 수식에 들어간다.', '', '## 절'].join('\n'));
    expect(messages).toContain('3:1: warning: "$$" with text after it on its line does not close a formula: put the text on a line of its own (the formula runs on to line 7)');
    const crlf = await render(['$$', 'x = 1 $$ 이다.', '', '$$'].join('\r\n'));
    expect(crlf.messages).toContain('2:7: warning: "$$" with text after it on its line does not close a formula: put the text on a line of its own (the formula runs on to line 4)');
  });

  test('an escaped "\\$" before the last "$" of a line, and "$$" in the middle of a line, do not close the formula', async () => {
    const { tree } = await render(['$$', 'p = \\$$', 'q = $$ r', '$$', '', '끝.'].join('\n'));
    expect(selectAll('.katex-error', tree).map(textOf)).toEqual(['p = \\$$\nq = $$ r']);
    expect(selectAll('p', tree).map(textOf)).toEqual(['끝.']);
  });

  test('"\\$" inside $…$ is a dollar sign in the formula, as on GitHub; "\\\\" before a "$" still ends it; "$a\\$" with no "$" after it is no formula', async () => {
    const { tree, messages } = await render(['가격 $\\$5 + \\$10 = \\$15$ 과 $\\sqrt{\\$4}$, 줄 $a \\\\$ 뒤 $b$.', '', '글자 \\$5 와 $x$.', '', '닫히지 않는 $a\\$ 끝.'].join('\n'));
    expect(messages).toEqual([]);
    expect(texOf(tree)).toEqual(['\\$5 + \\$10 = \\$15', '\\sqrt{\\$4}', 'a \\\\', 'b', 'x']);
    expect(selectAll('p', tree).map(textOf)[1]).toMatch(/^글자 \$5 와 /);
    expect(selectAll('p', tree).map(textOf)[2]).toBe('닫히지 않는 $a$ 끝.');
  });

  test('a reference to a \\tag with math in it (`\\tag{$\\star$}`) shows the tag as KaTeX draws it, not its dollar signs and TeX', async () => {
    const { tree, messages } = await render(['$$', 'x = y \\tag{$\\star$} \\label{eq:star}', '$$', '', '식 \\eqref{eq:star}와 \\ref{eq:star}.'].join('\n'));
    expect(messages).toEqual([]);
    const links = selectAll('a.eqref', tree);
    expect(links.map((link) => textOf(link))).not.toContain('($\\star$)');
    expect(links.map((link) => texOf(link))).toEqual([['\\star'], ['\\star']]);
    expect(textOf(links[0]!).startsWith('(')).toBe(true);
  });

  test('rows of align, gather and alignat and an equation environment are numbered in the post\'s one sequence, a \\label per row', async () => {
    const { tree, messages } = await render(
      [
        '$$', 'L = 0 \\label{eq:loss}', '$$', '',
        '$$', '\\begin{align}', 'x &= y \\label{eq:x} \\\\[2pt]', 'z &= \\begin{cases} 1 \\\\ 2 \\end{cases} \\\\', 'w &= v \\nonumber \\\\', 'u &= t \\tag{A} \\label{eq:u}', '\\end{align}', '$$', '',
        '$$', '\\begin{equation}', 'E = mc^2 \\label{eq:e}', '\\end{equation}', '$$', '',
        '$$', '\\begin{align*}', 'p &= q \\\\ r &= s', '\\end{align*}', '$$', '',
        '$$', '\\begin{alignat}{2}', 'a &= b & c &= d', '\\end{alignat}', '$$', '',
        '\\eqref{eq:loss} \\eqref{eq:x} \\eqref{eq:u} \\eqref{eq:e}',
      ].join('\n'),
    );
    expect(messages).toEqual([]);
    const tags = texOf(tree).map((tex) => [...tex.matchAll(/\\tag\{([^}]*)\}/g)].map((match) => match[1]));
    expect(tags).toEqual([['1'], ['2', '3', 'A'], ['4'], [], ['5']]);
    // Several labels in one formula: each row its own anchor; one: the formula is it.
    expect(selectAll('[id^="eq-"]', tree).map((node) => `${node.tagName}#${String(node.properties.id)}`)).toEqual(['div#eq-loss', 'span#eq-x', 'span#eq-u', 'div#eq-e']);
    expect(selectAll('a.eqref', tree).map((link) => `${String(link.properties.href)} ${textOf(link)}`)).toEqual(['#eq-loss (1)', '#eq-x (2)', '#eq-u (A)', '#eq-e (4)']);
    expect(selectAll('.katex-error', tree)).toEqual([]);
  });

  test('the MathML of numbered rows carries their numbers, not an empty cell for KaTeX\'s page-wide CSS counter', async () => {
    const { tree, html } = await render(
      [
        '$$', 'L = 0 \\label{eq:loss}', '$$', '',
        '$$', '\\begin{align}', 'x &= y \\label{eq:x} \\\\', 'w &= v \\nonumber \\\\', 'u &= t \\tag{A} \\label{eq:u}', '\\end{align}', '$$', '',
        '$$', '\\begin{gather}', 'E = mc^2', '\\end{gather}', '$$',
      ].join('\n'),
    );
    // What a screen reader reads, and all a feed reader gets (MathML without KaTeX's CSS).
    const numbers = selectAll('math mtd', tree).filter((cell) => select('mtext', cell) && /^\(.*\)$/.test(textOf(cell)));
    expect(numbers.map((cell) => textOf(cell))).toEqual(['(1)', '(2)', '(A)', '(3)']);
    expect(html).not.toContain('mml-eqn-num');
  });

  test('a macro defined as \\nonumber (\\nn, as papers write it) leaves its row unnumbered, and a formula defining it is numbered', async () => {
    const { tree, messages } = await render(
      [
        '$$', '\\newcommand{\\nn}{\\nonumber}\\let\\nt\\notag', 'L = 0 \\label{eq:loss}', '$$', '',
        '$$', '\\begin{align}', 'a &= b \\nn \\\\', '&= c \\label{eq:c} \\\\', '&= d \\nt', '\\end{align}', '$$', '',
        '$$', 'e = f \\nn \\label{eq:e}', '$$', '',
        '\\eqref{eq:loss} \\eqref{eq:c}',
      ].join('\n'),
    );
    expect(messages).toEqual(['15:11: error: \\label{eq:e} on a formula that \\nn leaves without a number']);
    expect(selectAll('a.eqref', tree).map((link) => textOf(link))).toEqual(['(1)', '(2)']);
    expect(selectAll('.equation .tag', tree).map((node) => textOf(node).replace(/\u200b/g, ''))).toEqual(['(1)', '(2)']);
  });

  test('a label beside a numbering environment, in none of its rows, is an error, and KaTeX is not given it', async () => {
    const { tree, messages } = await render(['$$', '\\begin{equation}', 'a = b', '\\end{equation}', '\\label{eq:out}', '$$'].join('\n'));
    expect(messages).toEqual([expect.stringMatching(/^5:1: error: \\label\{eq:out\} outside the numbered rows/)]);
    expect(selectAll('.katex-error', tree)).toEqual([]);
  });

  test('a row with two labels, or a label on a row left unnumbered, is an error at the label', async () => {
    const { messages } = await render(['$$', '\\begin{align}', 'a &= b \\label{eq:a} \\label{eq:b} \\\\', 'c &= d \\nonumber \\label{eq:c}', '\\end{align}', '$$'].join('\n'));
    expect(messages).toEqual([
      expect.stringMatching(/^3:21: error: one \\label per numbered row: this row has 2/),
      expect.stringMatching(/^4:18: error: \\label\{eq:c\} on a row that \\nonumber leaves without a number/),
    ]);
  });

  test("the writer's own \\tag is kept, does not take a number, and is what references show", async () => {
    const { tree, messages } = await render(
      ['$$', 'x \\tag{A} \\label{eq:a}', '$$', '', '$$', 'y \\label{eq:b}', '$$', '', '\\eqref{eq:a}와 \\eqref{eq:b}'].join('\n'),
    );
    expect(messages).toEqual([]);
    expect(texOf(tree)).toEqual(['x \\tag{A}', 'y\n\\tag{1}']);
    expect(selectAll('a.eqref', tree).map(textOf)).toEqual(['(A)', '(1)']);
  });

  test('a % comment at the end of the TeX does not swallow the tag', async () => {
    const { tree } = await render(['$$', 'x = 1 % 주석', '\\label{eq:c}', '$$'].join('\n'));
    expect(texOf(tree)).toEqual(['x = 1 % 주석\n\\tag{1}']);
    expect(selectAll('.katex-error', tree)).toEqual([]);
  });

  test('a \\label or a reference after a % comment sign is part of the comment, as in LaTeX; \\% is a percent sign', async () => {
    const { tree, messages } = await render(
      [
        '$$', 'u = v % \\label{eq:old}', '$$', '',
        '$$', 'c = d % 예전 식 \\eqref{eq:old} 참고', '$$', '',
        '$$', '50\\% \\label{eq:pct}', '$$', '',
        '$$', 'y = \\eqref{eq:pct} % \\eqref{eq:gone}', '$$',
      ].join('\n'),
    );
    expect(messages.filter((message) => message.includes(': error: '))).toEqual([]);
    expect(selectAll('.equation', tree).map((node) => node.properties.id)).toEqual(['eq-pct']);
    expect(texOf(tree)).toEqual([
      'u = v % \\label{eq:old}',
      'c = d % 예전 식 \\eqref{eq:old} 참고',
      '50\\%\n\\tag{1}',
      'y = \\href{#eq-pct}{\\text{(1)}} % \\eqref{eq:gone}',
    ]);
  });

  test('anchors keep Hangul, make TeX specials into "-", and are unique', async () => {
    expect(anchorOf('eq:loss')).toBe('eq-loss');
    expect(anchorOf('손실 함수')).toBe('eq-손실-함수');
    expect(anchorOf('eq:kl_div%#')).toBe('eq-kl-div');
    expect(anchorOf('eq:')).toBe('eq-equation');
    const { tree, messages } = await render(['$$', 'a \\label{eq:a b}', '$$', '', '$$', 'b \\label{eq:a-b}', '$$'].join('\n'));
    expect(messages).toEqual([]);
    expect(selectAll('.equation', tree).map((node) => node.properties.id)).toEqual(['eq-a-b', 'eq-a-b-2']);
  });
});

describe('references', () => {
  test('\\eqref and \\ref in text become links to the anchor, before or after the equation', async () => {
    const { tree, messages } = await render(
      ['앞에서 \\eqref{eq:손실}을 본다.', '', '$$', 'L = -\\log p \\label{eq:손실}', '$$', '', '식 \\ref{eq:손실}번과 \\eqref{eq:손실}.'].join('\n'),
    );
    expect(messages).toEqual([]);
    const links = selectAll('a.eqref', tree).map((a) => [a.properties.href, textOf(a)]);
    expect(links).toEqual([
      ['#eq-손실', '(1)'],
      ['#eq-손실', '1'],
      ['#eq-손실', '(1)'],
    ]);
    expect(select('#eq-손실', tree)).toBeDefined();
  });

  test('inside a formula a reference is a KaTeX link, the only \\href KaTeX is allowed to make', async () => {
    const { tree, messages } = await render(['$$', 'y = x \\label{eq:y}', '$$', '', '$z = \\eqref{eq:y} + \\ref{eq:y}$'].join('\n'));
    expect(messages).toEqual([]);
    expect(texOf(tree)[1]).toBe('z = \\href{#eq-y}{\\text{(1)}} + \\href{#eq-y}{\\text{1}}');
    const inline = selectAll('p .katex-html a', tree);
    expect(inline.map((a) => a.properties.href)).toEqual(['#eq-y', '#eq-y']);
    expect(trustEquationLinks({ command: '\\href', url: '#eq-y' })).toBe(true);
    expect(trustEquationLinks({ command: '\\href', url: 'javascript:alert(1)' })).toBe(false);
    expect(trustEquationLinks({ command: '\\href', url: '#eq-x" onclick="' })).toBe(false);
    expect(trustEquationLinks({ command: '\\includegraphics', url: '#eq-y' })).toBe(false);
  });

  test('a writer\'s own \\href stays refused', async () => {
    const { tree } = await render('$\\href{https://example.com}{x}$');
    expect(selectAll('.katex-html a', tree)).toEqual([]);
  });

  test('a reference whose backslash is escaped in markdown (\\\\eqref) is the text \\eqref: no link, no error', async () => {
    const { tree, messages } = await render(['$$', 'a \\label{eq:a}', '$$', '', '글 \\\\eqref{eq:a}와 \\\\ref{eq:nope}, 그리고 \\eqref{eq:a}. 끝에 \\\\\\eqref{eq:a}.'].join('\n'));
    expect(messages).toEqual([]);
    const paragraph = select('p', tree)!;
    expect(textOf(paragraph)).toBe('글 \\eqref{eq:a}와 \\ref{eq:nope}, 그리고 (1). 끝에 \\(1).');
    expect(selectAll('a.eqref', paragraph)).toHaveLength(2);
  });

  test('references in code are left alone; inside a link, and in an image\'s alt and title, they are their number as text (a link in a link is no link)', async () => {
    const { tree, messages } = await render(
      ['$$', 'a \\label{eq:a}', '$$', '', '`\\eqref{eq:a}` [식 \\eqref{eq:a}와 $x = \\ref{eq:a}$ `\\ref{eq:a}`](/x/) [\\\\eqref{eq:a}](/y/)', '', '![그림 \\eqref{eq:a}](https://example.com/a.png "제목 \\ref{eq:a}")'].join('\n'),
    );
    expect(messages).toEqual([]);
    expect(selectAll('a.eqref', tree)).toEqual([]);
    expect(selectAll('a a', tree)).toEqual([]);
    expect(textOf(select('p > code', tree)!)).toBe('\\eqref{eq:a}');
    const link = select('a[href="/x/"]', tree)!;
    expect(textOf(link)).toMatch(/^식 \(1\)와 /);
    expect(texOf(link)).toEqual(['x = \\text{1}']);
    expect(textOf(select('a[href="/x/"] > code', tree)!)).toBe('\\ref{eq:a}');
    expect(textOf(select('a[href="/y/"]', tree)!)).toBe('\\eqref{eq:a}');
    expect(select('img', tree)?.properties.alt).toBe('그림 (1)');
    expect(textOf(select('figcaption', tree)!)).toBe('제목 1');
  });

  test('an unknown label in link text or an image\'s alt is an error like any other', async () => {
    const { messages } = await render(['$$', 'a \\label{eq:a}', '$$', '', '[\\eqref{eq:nope}](/x/)', '', '![\\ref{eq:gone}](https://example.com/a.png)'].join('\n'));
    expect(messages).toEqual([expect.stringMatching(/^5:2: error: unknown equation label "eq:nope"/), expect.stringMatching(/^7:3: error: unknown equation label "eq:gone"/)]);
  });
});

describe('label errors', () => {
  test('an unknown label is an error at the reference, in text and in math', async () => {
    const { messages, tree } = await render(['$$', 'a \\label{eq:a}', '$$', '', '본문에서 \\eqref{eq:nope}를 쓰고', '$x = \\ref{eq:gone}$'].join('\n'));
    expect(messages).toEqual([
      '5:6: error: unknown equation label "eq:nope" in \\eqref (labels in this post: eq:a)',
      '6:6: error: unknown equation label "eq:gone" in \\ref (labels in this post: eq:a)',
    ]);
    // The page still renders: the reference is shown as written.
    expect(textOf(select('p', tree)!)).toContain('\\eqref{eq:nope}');
  });

  test('a duplicate label is an error at the second label, naming the line of the first', async () => {
    const { messages } = await render(['$$', 'a \\label{eq:a}', '$$', '', '$$', 'b \\label{eq:a}', '$$'].join('\n'));
    expect(messages).toEqual(['6:3: error: duplicate equation label "eq:a": already used on line 2']);
  });

  test('\\label in inline math, two labels in one formula and an empty label are errors', async () => {
    const { messages } = await render(['$a \\label{eq:x}$', '', '$$', 'a \\label{eq:p} \\label{eq:q}', '$$', '', '$$', 'b \\label{}', '$$'].join('\n'));
    expect(messages).toEqual([
      '1:4: error: \\label works only in display math: put the formula between "$$" lines',
      '4:16: error: one \\label per formula: this one has 2; split it into several "$$" blocks',
      '8:3: error: \\label{} is empty: name it, e.g. \\label{eq:loss}',
    ]);
  });

  test('text around a reference keeps its place: a later check still finds a problem beside it', async () => {
    const { messages } = await render(['$$', 'a \\label{eq:a}', '$$', '', '식 \\eqref{eq:a}에서 __강조__는 안 되고', '\\ref{eq:a} 뒤 ** 굵게**도.'].join('\n'));
    expect(messages.map((message) => message.split(' is shown')[0])).toEqual(['5:18: warning: "__"', '6:14: warning: "**"']);
  });

  test('a \\label in a formula that \\notag or a starred environment leaves unnumbered is an error, not a number', async () => {
    const { messages, tree } = await render([
      '$$', '\\begin{align*}', 'x &= 1 \\label{eq:star}', '\\end{align*}', '$$', '',
      '$$', 'z = 3 \\notag \\label{eq:notag}', '$$', '',
      '$$', '\\begin{pmatrix*}[r] -1 & 2 \\end{pmatrix*} \\label{eq:m}', '$$', '',
      '$$', 'y = 2 \\nonumber \\tag{B} \\label{eq:b}', '$$',
    ].join('\n'));
    expect(messages).toEqual([
      '3:8: error: \\label{eq:star} on a formula that align* leaves without a number',
      '8:14: error: \\label{eq:notag} on a formula that \\notag leaves without a number',
    ]);
    expect(selectAll('.equation', tree).map((node) => node.properties.id)).toEqual(['eq-m', 'eq-b']);
    expect(selectAll('.tag', tree).map((node) => textOf(node).replace(/\u200b/g, ''))).toEqual(['(1)', '(B)']);
  });

  test('a label is the same whether its Hangul is composed (NFC) or decomposed (NFD)', async () => {
    const nfd = '손실'.normalize('NFD');
    const { messages, tree } = await render(['$$', `L = 0 \\label{eq:${nfd}}`, '$$', '', '식 \\eqref{eq:손실}과 $\\ref{eq:손실}$.', '', '$$', 'M = 1 \\label{eq:손실}', '$$'].join('\n'));
    expect(messages).toEqual(['8:7: error: duplicate equation label "eq:손실": already used on line 2']);
    expect(select('.equation', tree)?.properties.id).toBe('eq-손실');
    expect(selectAll('a.eqref', tree).map((node) => node.properties.href)).toEqual(['#eq-손실']);
  });

  test('a label error is at the label, in a quote and after macros defined earlier, not at the opening $$', async () => {
    const { messages } = await render([
      '$$', '\\def\\R{\\mathbb{R}} x \\in \\R \\label{eq:a}', '$$', '',
      '> $$', '> \\begin{align}', '> y &\\in \\R \\\\', '> z &= \\eqref{eq:none} \\label{eq:a}', '> \\end{align}', '> $$',
    ].join('\n'));
    expect(messages).toEqual([
      '8:24: error: duplicate equation label "eq:a": already used on line 2',
      '8:8: error: unknown equation label "eq:none" in \\eqref (labels in this post: eq:a)',
    ]);
  });

  test('a brace left open in one row of an align is invalid math, a warning: the labels of the rows after it still name their rows', async () => {
    const { messages } = await render([
      '$$', '\\begin{align}', 'a &= \\frac{1}{2 \\label{eq:r1} \\\\', 'b &= c \\label{eq:r2}', '\\end{align}', '$$', '', '\\eqref{eq:r1}, \\eqref{eq:r2}',
    ].join('\n'));
    // Not "one \label per numbered row: this row has 2", an error that failed the build over a typo.
    expect(messages).toEqual([expect.stringMatching(/^5:\d+: warning: Could not render math with KaTeX/)]);
  });

  test('a formula with several labelled rows that KaTeX rejects keeps its rows\' anchors beside its error: the references still lead to it', async () => {
    const { messages, tree } = await render([
      '$$', '\\begin{align}', 'a &= b \\label{eq:r1} \\\\', 'c &= \\frac{1}{2 \\label{eq:r2}', '\\end{align}', '$$', '', '\\eqref{eq:r1}, \\eqref{eq:r2}',
    ].join('\n'));
    expect(messages).toEqual([expect.stringMatching(/warning: Could not render math with KaTeX/)]);
    expect(select('.katex-error', tree)).toBeTruthy();
    const ids = new Set(selectAll('[id]', tree).map((node) => String(node.properties.id)));
    expect(selectAll('a.eqref', tree).map((link) => String(link.properties.href)).filter((href) => !ids.has(href.slice(1)))).toEqual([]);
    // An unknown command is drawn in red with the rest of the formula, anchors and all: not twice.
    const drawn = await render(['$$', '\\begin{align}', 'a &= \\nosuchcommand \\label{eq:r1} \\\\', 'b &= c \\label{eq:r2}', '\\end{align}', '$$'].join('\n'));
    expect(selectAll('[id^="eq-"]', drawn.tree).map((node) => String(node.properties.id))).toEqual(['eq-r1', 'eq-r2']);
  });

  test('a label used twice in the rows of one align is a duplicate too', async () => {
    const { messages } = await render(['$$', '\\begin{align}', 'a &= b \\label{eq:x} \\\\', 'c &= d \\label{eq:x}', '\\end{align}', '$$', '', '\\eqref{eq:x}'].join('\n'));
    expect(messages).toEqual(['4:8: error: duplicate equation label "eq:x": already used on line 3']);
  });

  test('an equation in a footnote no text refers to (not published) takes no number', async () => {
    const { messages, tree } = await render([
      '본문[^used].', '', '[^unused]: 안 쓰인 각주', '', '    $$', '    x = 1 \\label{eq:hidden}', '    $$', '',
      '[^used]: 쓰인 각주', '', '    $$', '    z = 3 \\label{eq:note}', '    $$', '',
      '$$', 'y = 2 \\label{eq:shown}', '$$', '', '\\eqref{eq:shown} \\eqref{eq:note}',
    ].join('\n'));
    expect(messages).toEqual([]);
    // The footnote is shown at the end of the page, after the equation of the text: numbered after it.
    expect(selectAll('a.eqref', tree).map((node) => textOf(node))).toEqual(['(1)', '(2)']);
  });

  test('equations in footnotes are numbered after the text, in the order the notes are referred to, as the page shows them', async () => {
    const { messages, tree } = await render([
      '첫 식[^b]과 둘째 각주[^a].', '',
      '[^a]: 각주 A', '', '    $$', '    a = 1 \\label{eq:a}', '    $$', '',
      '[^b]: 각주 B, 그 안의 각주[^c]', '', '    $$', '    b = 2 \\label{eq:b}', '    $$', '',
      '$$', 'x = 0 \\label{eq:x}', '$$', '',
      '[^c]: 각주 C', '', '    $$', '    c = 3 \\label{eq:c}', '    $$',
    ].join('\n'));
    expect(messages).toEqual([]);
    // In document order: x in the text, then the notes b, a, c as the footnote list shows them.
    expect(selectAll('.equation .tag', tree).map((node) => textOf(node).trim())).toEqual(['(1)', '(2)', '(3)', '(4)']);
    expect(selectAll('.equation', tree).map((node) => node.properties.id)).toEqual(['eq-x', 'eq-b', 'eq-a', 'eq-c']);
  });

  test('a post without labels has no references', async () => {
    const { messages } = await render('\\ref{eq:a}');
    expect(messages).toEqual(['1:1: error: unknown equation label "eq:a" in \\ref (this post has no \\label)']);
  });
});

describe('a long numbered align', () => {
  test('of 300 labelled rows, each given its number, renders whole: KaTeX\'s default expansion limit refused it', async () => {
    const rows = Array.from({ length: 300 }, (_, row) => `x_{${row}} &= ${row} \\label{eq:r${row}}`).join(' \\\\\n');
    const { tree, messages } = await render(`$$\n\\begin{align}\n${rows}\n\\end{align}\n$$\n`);
    expect(messages).toEqual([]);
    expect(selectAll('.katex-error', tree)).toEqual([]);
    // Every row keeps its anchor, and the tag column reads (1) to (300).
    expect(selectAll('[id^="eq-r"]', tree)).toHaveLength(300);
    expect(textOf(select('.katex-html .tag', tree)!).replace(/\u200b/g, '')).toMatch(/^\(1\)\(2\)[\s\S]*\(300\)$/);
  });
});

describe('a \\label written outside math', () => {
  test('is a warning where it is written: it names no equation', async () => {
    const { messages } = await render(['식은 다음과 같다. \\label{eq:loose}', '', '$$', 'y = x', '$$', '', '코드 `\\label{eq:code}`는 괜찮다.', ''].join('\n'));
    expect(messages).toEqual([
      '1:12: warning: \\label{eq:loose} is outside math, so it names no equation and shows as text: put it inside the formula it labels ($$ … \\label{eq:loose} $$)',
    ]);
  });
});

describe('a heading that refers to an equation in its text', () => {
  test('takes its id from the reference as written, so an equation added before it does not move it', async () => {
    const heading = ['## 식 \\eqref{eq:a}의 유도', ''];
    const { tree } = await render(['$$', 'a = 1 \\label{eq:a}', '$$', '', ...heading].join('\n'));
    const { tree: later } = await render(['$$', 'b = 0 \\label{eq:b}', '$$', '', '$$', 'a = 1 \\label{eq:a}', '$$', '', ...heading].join('\n'));
    expect(select('h2', tree)?.properties.id).toBe('식-eqrefeqa의-유도');
    expect(select('h2', later)?.properties.id).toBe('식-eqrefeqa의-유도');
    // The reference itself still reads the number.
    expect(textOf(select('h2 a.eqref', later)!)).toBe('(2)');
  });
});
