import type { Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { selectAll } from 'hast-util-select';
import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { createMarkdownProcessor, renderMarkdown } from '../src/markdown.ts';
import { hangulOutsideText } from '../src/remark-math-lint.ts';
import { FIXTURES, textOf } from './helpers/site.ts';

const processor = createMarkdownProcessor({ root: `${FIXTURES}/markdown`, basePath: '/', language: 'ko' });

async function render(markdown: string) {
  const file = new VFile({ path: 'content/posts/m.md', value: markdown });
  file.data.post = { sourcePath: 'content/posts/m.md', outputDir: 'posts/m' };
  const rendered = await renderMarkdown(processor, file);
  const messages = file.messages.map((m) => `${m.line}:${m.column}: ${m.fatal ? 'error' : 'warning'}: ${m.reason}`);
  return { html: rendered.html, tree: fromHtml(rendered.html, { fragment: true }) as Root, messages };
}

describe('Hangul in math', () => {
  test('found outside \\text{} and its kin, not inside them or in comments', () => {
    expect(hangulOutsideText('손실 = x')).toBe('손실');
    expect(hangulOutsideText('x_{\\text{손실}} + \\mathrm{d}y')).toBeUndefined();
    expect(hangulOutsideText('\\textbf{굵게} + \\mbox{상자} % 주석')).toBeUndefined();
    expect(hangulOutsideText('\\frac{\\text{분자}}{분모}')).toBe('분모');
    expect(hangulOutsideText('\\href{#eq-손실}{\\text{(1)}}')).toBeUndefined();
  });

  test('not in the arguments KaTeX sets as text: \\emph, \\fbox, \\verb, a \\colorbox\'s text after its colour', async () => {
    expect(hangulOutsideText('\\emph{강조} + \\fbox{상자} + \\verb|한글|')).toBeUndefined();
    expect(hangulOutsideText('\\colorbox{yellow}{노랑} \\fcolorbox{red}{yellow}{테두리} \\raisebox{2pt}{올림}')).toBeUndefined();
    // \\textcolor's argument is math: Hangul there is.
    expect(hangulOutsideText('\\colorbox{yellow}{노랑} + \\textcolor{red}{빨강}')).toBe('빨강');
    const { messages } = await render('$\\colorbox{yellow}{중요}$한 식과 $\\fbox{상자} = x$.');
    expect(messages).toEqual([]);
  });

  test('is a warning at the formula naming the fix, and KaTeX says nothing more about it', async () => {
    const { messages, tree } = await render('정확도는 $정확도 = \\frac{TP}{N}$로 정의한다.');
    expect(messages).toEqual(['1:6: warning: Hangul "정확도" in math outside \\text{}: KaTeX sets it as math symbols, without spaces; write \\text{정확도}']);
    expect(selectAll('.katex', tree)).toHaveLength(1);
  });

  test('in a display formula of several lines, is placed at the Hangul, not the opening $$', async () => {
    const markdown = ['본문.', '', '$$', '\\begin{aligned}', '\\text{손실} &= \\eqref{eq:a} + x % 주석', '  &= 정확도 \\cdot y \\label{eq:b}', '\\end{aligned}', '$$', '', '$$', 'y = 1 \\label{eq:a}', '$$'].join('\n');
    expect((await render(markdown)).messages).toEqual([
      '6:6: warning: Hangul "정확도" in math outside \\text{}: KaTeX sets it as math symbols, without spaces; write \\text{정확도}',
    ]);
  });

  test('is no warning in the labels of an align\'s rows, whose anchors carry them (\\htmlId{eq-첫째}{})', async () => {
    const markdown = ['$$', '\\begin{align}', 'a &= b \\label{eq:첫째} \\\\', 'c &= d \\label{eq:둘째}', '\\end{align}', '$$', '', '\\eqref{eq:첫째}와 $\\ref{eq:둘째}$.'].join('\n');
    const { messages, tree } = await render(markdown);
    expect(messages).toEqual([]);
    expect(selectAll('.katex-html [id]', tree).map((node) => node.properties.id)).toEqual(['eq-첫째', 'eq-둘째']);
  });

  test('is fine inside \\text{}', async () => {
    expect((await render('$\\text{정확도} = \\frac{TP}{N}$')).messages).toEqual([]);
  });
});

describe('shell variables read as math', () => {
  test('"$HOME 과 $PATH" is a warning about dollar signs, not a wrong \\text{과} fix', async () => {
    const { messages } = await render('환경 변수 $HOME 과 $PATH 를 설정한다.');
    expect(messages).toEqual([
      '1:7: warning: "$HOME 과 $" looks like shell variables, not a formula: write the dollar signs as "\\$" (e.g. \\$HOME), or put the command in backticks',
    ]);
  });

  test('"$CUDA_HOME/bin:$PATH": a name right after the closing $ gives it away', async () => {
    const { messages } = await render('경로에 $CUDA_HOME/bin:$PATH 를 넣는다.');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^1:5: warning: "\$CUDA_HOME\/bin:\$" looks like shell variables/);
  });

  test('formulas that open with capitals pass, and Hangul in them keeps its own warning', async () => {
    expect((await render('$TP/N$과 $KL(p \\| q)$, $AB$, $X_t$, $ABC^{-1}$')).messages).toEqual([]);
    expect((await render('$KL 발산$')).messages[0]).toMatch(/Hangul "발산" in math/);
    // A space written before the closing $ of a real formula is no shell variable.
    expect((await render('행렬 $W_Q $와 $KL $, $QK^T $.')).messages).toEqual([]);
  });
});

describe('characters KaTeX does not know', () => {
  test('full-width forms, ‖ and dashes are reported with what to write instead', async () => {
    const { messages } = await render('$（a）$ 와 $‖x‖$, $1–2$.');
    expect(messages).toEqual([
      '1:1: warning: KaTeX: Unicode text character "（" used in math mode: write ( instead (and 1 more)',
      '1:9: warning: KaTeX: Unrecognized Unicode character "‖" (8214): write \\| instead',
      '1:16: warning: KaTeX: Unrecognized Unicode character "–" (8211): write - instead',
    ]);
  });
});

describe('money read as math', () => {
  test('"$10 … $8" with Hangul between is a warning, once, with the fix', async () => {
    const { messages } = await render('가격은 $10이고 할인가는 $8이다.');
    expect(messages).toEqual(['1:5: warning: "$10이고 할인가는 $" looks like amounts of money, not a formula: write the dollar signs as "\\$" (e.g. \\$10)']);
  });

  test('"$5 and $10" in English: a space before the closing $ gives it away', async () => {
    const { messages } = await render('It costs $5 and $10 later.');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^1:10: warning: "\$5 and \$" looks like amounts of money/);
  });

  test('real formulas that start with a digit pass', async () => {
    expect((await render('$2x + 3y = 1$과 $10^{-9}$, $1/\\sqrt{d_k}$')).messages).toEqual([]);
  });

  test('escaped dollars are text, not math', async () => {
    const { messages, tree } = await render('가격은 \\$10이고 할인가는 \\$8이다.');
    expect(messages).toEqual([]);
    expect(selectAll('.katex', tree)).toEqual([]);
  });
});

describe('a | inside math in a table', () => {
  test('that split the cell is a warning at the stray $, with the fix', async () => {
    const table = ['| 식 | 뜻 |', '|---|---|', '| $|x|$ | 절댓값 |'].join('\n');
    const { messages } = await render(table);
    expect(messages).toEqual([
      '3:3: warning: a "|" inside "$…$" split this table cell (GFM splits rows at every "|", even in math): write \\vert for |, \\Vert or \\| for ‖, \\mid for a divider',
    ]);
  });

  test('so is one inside \\(…\\), at the \\( left open; a lone \\) or ( in a cell passes', async () => {
    const table = ['| 식 | 뜻 |', '|---|---|', '| 값 \\(|x|\\) | 절댓값 |', '| \\(x\\) 와 \\\\(y | ( ) \\) |'].join('\n');
    const { messages } = await render(table);
    expect(messages).toEqual([
      '3:5: warning: a "|" inside "\\(…\\)" split this table cell (GFM splits rows at every "|", even in math): write \\vert for |, \\Vert or \\| for ‖, \\mid for a divider',
    ]);
  });

  test('one inside inline code is a warning at the stray backtick; `\\|` in code and whole code spans pass', async () => {
    const table = ['| 명령 | 뜻 |', '|---|---|', '| `cat x | wc -l` | 줄 수 |', '| `a \\| b` | `ls` |'].join('\n');
    const { messages, tree } = await render(table);
    expect(messages).toEqual([
      '3:3: warning: a "|" inside `…` split this table cell (GFM splits rows at every "|", even in code): write \\| for it, which shows as |',
    ]);
    expect(selectAll('td code', tree).map((node) => textOf(node))).toContain('a | b');
  });

  test('\\vert, \\| and money in cells pass', async () => {
    const table = ['| 식 | 값 |', '|---|---|', '| $\\vert x \\vert$ | $\\|x\\|_2$ |', '| $5 | $10 |'].join('\n');
    const { messages, tree } = await render(table);
    expect(messages).toEqual([]);
    expect(selectAll('td .katex', tree)).toHaveLength(2);
  });
});

describe('one-line $$…$$ paragraphs', () => {
  test('are display math, as on GitHub, with a warning that says so', async () => {
    const { messages, tree } = await render('앞 문단.\n\n$$E = mc^2$$\n\n> $$a^2 + b^2 = c^2$$');
    expect(selectAll('.katex-display', tree)).toHaveLength(2);
    expect(messages).toEqual([
      '3:1: warning: one-line "$$…$$" is shown as display math (as on GitHub); put each "$$" on a line of its own to say so, or use "$…$" for inline math',
      '5:3: warning: one-line "$$…$$" is shown as display math (as on GitHub); put each "$$" on a line of its own to say so, or use "$…$" for inline math',
    ]);
  });

  test('can carry a \\label and be numbered', async () => {
    const { tree } = await render('$$E = mc^2 \\label{eq:e}$$\n\n식 \\eqref{eq:e}');
    expect(selectAll('div.equation#eq-e .katex-display', tree)).toHaveLength(1);
    expect(selectAll('a.eqref', tree).map((a) => a.properties.href)).toEqual(['#eq-e']);
  });

  test('inline $$…$$ inside a sentence stays inline, and the usual display form gives no warning', async () => {
    const { messages, tree } = await render('문장 속 $$x$$ 수식.\n\n$$\nx\n$$');
    expect(messages).toEqual([]);
    expect(selectAll('p .katex', tree)).toHaveLength(1);
    expect(selectAll('.katex-display', tree)).toHaveLength(1);
  });
});

describe("KaTeX's strict mode", () => {
  test('is reported once per formula, not on the console', async () => {
    const warn = console.warn;
    const calls: unknown[] = [];
    console.warn = (...args: unknown[]) => void calls.push(args);
    try {
      const { messages } = await render('$x % 주석$ 그리고 $é + ü$ $①$');
      expect(messages).toEqual([
        '1:1: warning: KaTeX: % comment has no terminating newline; LaTeX would fail because of commenting the end of math mode (e.g. $)',
        '1:14: warning: KaTeX: Accented Unicode text character "é" used in math mode (and 1 more)',
        '1:22: warning: KaTeX: Unrecognized Unicode character "①" (9312)',
      ]);
      // Afterwards console.warn is the test's own again.
      console.warn('not from KaTeX');
    } finally {
      console.warn = warn;
    }
    // KaTeX's "No character metrics for '①'" line is dropped, the rest is left alone.
    expect(calls).toEqual([['not from KaTeX']]);
  });

  test('a % comment on the last line of a $$ block is ended by that line, as in LaTeX; in one-line math it is not', async () => {
    const { messages } = await render(
      ['$$', 'E = mc^2 % 질량-에너지 등가', '$$', '', '> $$', '> a % 인용 속', '> $$', '', '$$F = ma % 힘$$', '', '식 $a % b$.'].join('\n'),
    );
    const noNewline = 'warning: KaTeX: % comment has no terminating newline; LaTeX would fail because of commenting the end of math mode (e.g. $)';
    expect(messages.filter((message) => message.includes('KaTeX'))).toEqual([`9:1: ${noNewline}`, `11:3: ${noNewline}`]);
  });

  test('a command refused by trust (a link or a file from math) is a warning, once per command, and an equation link is not', async () => {
    const { messages } = await render(
      ['링크 $\\href{https://example.org}{x}$ 와 $\\url{https://x.example} + \\url{https://y.example}$ 와 $\\includegraphics{a.png}$', '', '$$', 'L = 0 \\label{eq:l}', '$$', '', '$y = \\eqref{eq:l}$'].join('\n'),
    );
    const refused = 'is not allowed in a formula (no links or files from math; \\eqref makes equation links): it shows as red text';
    expect(messages).toEqual([`1:4: warning: KaTeX: \\href ${refused}`, `1:38: warning: KaTeX: \\url ${refused}`, `1:92: warning: KaTeX: \\includegraphics ${refused}`]);
  });

  test('a formula KaTeX rejects is reported once, by rehype-katex', async () => {
    const { messages } = await render('$\\frac{1}{$');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^1:1: warning: Could not render math with KaTeX/);
  });

  test('a rejected formula is reported where it is written: inline at its `$`, in a $$ or ```math block at the TeX KaTeX stopped at', async () => {
    const { messages } = await render('문단 $x^$ 끝.\n\n$$\n\\frac{1}{\n$$\n\n다음.\n\n```math\ny^\n```\n');
    expect(messages.map((message) => message.replace(/ warning: .*$/s, ''))).toEqual(['1:4:', '4:10:', '10:2:']);
    expect(messages.every((message) => message.includes('Could not render math with KaTeX'))).toBe(true);
  });
});

describe('a display formula never closed', () => {
  test('is a warning at its opening $$ saying how far it runs, not warnings about the prose it swallowed', async () => {
    const markdown = ['본문.', '', '$$', 'x = 1', '', '두번째 문단 **굵게** 입니다.', '', '끝.', ''].join('\n');
    expect((await render(markdown)).messages).toEqual([
      '3:1: warning: $$ is never closed: every line after it, to line 8, is one formula; close it with a line of $$',
    ]);
  });

  test('in a list item it runs to the item’s end', async () => {
    const item = await render(['- 항목', '', '  $$', '  y = 2', '', '다음 문단.'].join('\n'));
    expect(item.messages).toEqual(['3:3: warning: $$ is never closed: every line after it, to line 4, is one formula; close it with a line of $$']);
  });

  test('closed ones, on their own line, at a line end or in one line, are not told', async () => {
    for (const markdown of ['$$\nx = 1\n$$', '$$\nx = 1 $$', '$$x = 1$$', '> $$\n> x = 1\n> $$', '\\[\nx\n\\]', '$$$\nx\n$$$', '```math\nx']) {
      expect((await render(markdown)).messages.filter((message) => message.includes('never closed')), markdown).toEqual([]);
    }
  });
});
