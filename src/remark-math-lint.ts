import type { Nodes, Root, TableRow } from 'mdast';
import { SKIP, visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import type { InlineMath, Math } from './math-nodes.js';
import { placeAt, sourceOf } from './place.js';
import { renderFormula, type FormulaOptions } from './rehype-katex-cache.js';
import { trustEquationLinks } from './remark-equations.js';
import { addWarning } from './report.js';

const HANGUL = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]+/u;
/**
 * Commands whose (first) argument is text, not math: Hangul is at home there. `htmlId` is the
 * anchor remark-equations gives each labelled row of an `align` (`\htmlId{eq-첫째}{}`): an id,
 * never typeset, so `\label{eq:첫째}` on two rows is no Hangul in math.
 */
const TEXT_COMMANDS = new Set(['text', 'textrm', 'textbf', 'textit', 'textsf', 'texttt', 'textnormal', 'textup', 'textmd', 'emph', 'mbox', 'hbox', 'fbox', 'tag', 'href', 'url', 'label', 'eqref', 'ref', 'htmlId']);
/** Commands whose text argument comes after others (a colour, a length): how many come before it. */
const LATER_TEXT_ARGUMENT = new Map([['colorbox', 1], ['raisebox', 1], ['fcolorbox', 2]]);

/**
 * Warnings about formulas that render, but not as the writer meant, each with the fix:
 * Hangul set as math symbols (KaTeX's `unicodeTextInMathMode`), two amounts of money read as
 * one formula (`$10 … $20`), a `|` inside `$…$` that split a table cell, and whatever else
 * KaTeX's strict mode notices, reported once per formula (KaTeX itself is told to keep
 * quiet: `strict: 'ignore'`). Runs after equations are numbered, on the TeX KaTeX will see.
 * Give it the KaTeX settings the chain renders with: the strict check is that rendering
 * (renderFormula), done once for both.
 */
export function remarkMathLint(options: FormulaOptions = { output: 'htmlAndMathml', trust: trustEquationLinks }) {
  return function (tree: Root, file: VFile) {
    visit(tree, (node: Nodes, index, parent) => {
      if (node.type === 'code' || node.type === 'inlineCode' || node.type === 'html') return SKIP;
      if (node.type === 'tableRow') {
        checkTableRow(node, file);
        return undefined;
      }
      if (node.type !== 'math' && node.type !== 'inlineMath') return undefined;
      const place = node.position?.start;
      if (node.type === 'math' && unclosed(node, file)) {
        // Like an unclosed code fence, it takes every line after it: the writer is told
        // where it starts, not (as the Hangul or KaTeX found in the swallowed prose) further down.
        addWarning(file, `$$ is never closed: every line after it, to line ${(place?.line ?? 1) + sourceOf(file, node).trimEnd().split('\n').length - 1}, is one formula; close it with a line of $$`, place, 'math-unclosed');
        return SKIP;
      }
      const next = parent && index !== undefined ? parent.children[index + 1] : undefined;
      // `\(…\)` is math by its writer's choice: no dollar sign was taken for a delimiter.
      const dollars = node.type === 'inlineMath' && !sourceOf(file, node).startsWith('\\');
      if (dollars && looksLikeMoney(node, next?.type === 'text' ? next.value : '')) {
        addWarning(
          file,
          `"$${node.value}$" looks like amounts of money, not a formula: write the dollar signs as "\\$" (e.g. \\$10)`,
          place,
          'math-currency',
        );
        return SKIP;
      }
      if (dollars && looksLikeShellVariables(node, next?.type === 'text' ? next.value : '')) {
        addWarning(
          file,
          `"$${node.value}$" looks like shell variables, not a formula: write the dollar signs as "\\$" (e.g. \\$HOME), or put the command in backticks`,
          place,
          'math-shell-variable',
        );
        return SKIP;
      }
      const hangul = hangulOutsideText(node.value);
      if (hangul) {
        // In a display formula of many lines, the line holding the Hangul, not the opening `$$`.
        const at = node.type === 'math' ? hangulOffset(file, node, hangul) : undefined;
        addWarning(file, `Hangul "${hangul}" in math outside \\text{}: KaTeX sets it as math symbols, without spaces; write \\text{${hangul}}`, at === undefined ? place : placeAt(file, at), 'math-hangul');
      }
      const strict = strictReports(node, Boolean(hangul), options, closedOnOwnLine(node, file));
      if (strict.length > 0) {
        addWarning(file, `KaTeX: ${strict[0]}${strict.length > 1 ? ` (and ${strict.length - 1} more)` : ''}`, place, 'math-strict');
      }
      return SKIP;
    });
  };
}

/**
 * `가격은 $10이고 할인가는 $8이다`: remark-math takes `10이고 할인가는 ` for a formula. The tell:
 * it starts with a digit and then holds Hangul or ends in a space, or a digit follows the
 * closing `$`.
 */
function looksLikeMoney(node: InlineMath, after: string): boolean {
  if (!/^\s*\d/.test(node.value)) return false;
  return HANGUL.test(stripTextArguments(node.value)) || /\s$/.test(node.value) || /^\d/.test(after);
}

/**
 * `$HOME 과 $PATH 를 설정한다`, `$HOME/bin:$PATH`: remark-math takes `HOME 과 ` for a formula,
 * and the Hangul warning would suggest `\text{과}`, a wrong fix. The tell: an upper-case name
 * (`HOME`, `CUDA_HOME`; not a symbol like `W_Q` or `KL`) opens it, and it ends in a space
 * (Pandoc refuses such a closing `$`) or a name follows the closing `$`.
 */
function looksLikeShellVariables(node: InlineMath, after: string): boolean {
  // Three capitals or more, words of two or more joined by `_`: `HOME`, `CUDA_HOME`; not `W_Q`, `KL`.
  if (!/^[A-Z][A-Z0-9]{2,}(?:_[A-Z0-9]{2,})*(?![A-Za-z0-9_{^])/.test(node.value)) return false;
  return /\s$/.test(node.value) || /^[A-Za-z_]/.test(after);
}

/** The first run of Hangul in math mode: outside `\text{}` and the like, and outside comments. */
export function hangulOutsideText(tex: string): string | undefined {
  return HANGUL.exec(stripTextArguments(tex))?.[0];
}

/** Where in the file the formula's first Hangul in math mode (`hangul`) is, from its source text. */
function hangulOffset(file: VFile, node: Math, hangul: string): number | undefined {
  const start = node.position?.start.offset;
  const found = HANGUL.exec(stripTextArguments(sourceOf(file, node)));
  return start === undefined || found?.[0] !== hangul ? undefined : start + found.index;
}

/** TeX with the arguments of text commands and comments blanked out, each by as many spaces (offsets are kept). */
function stripTextArguments(tex: string): string {
  let out = '';
  for (let index = 0; index < tex.length; ) {
    const char = tex[index]!;
    if (char === '%') {
      const end = tex.indexOf('\n', index);
      const to = end === -1 ? tex.length : end;
      out += ' '.repeat(to - index);
      index = to;
      continue;
    }
    if (char !== '\\') {
      out += char;
      index++;
      continue;
    }
    const command = /^\\([A-Za-z]+)\*?\s*/.exec(tex.slice(index));
    if (!command) {
      out += tex.slice(index, index + 2);
      index += 2;
      continue;
    }
    index += command[0].length;
    let to = index;
    const before = TEXT_COMMANDS.has(command[1]!) ? 0 : LATER_TEXT_ARGUMENT.get(command[1]!);
    // KaTeX sets these arguments in text mode, as `\text{}`: `\colorbox{yellow}{중요}`; the
    // arguments before (a colour, a length) are blanked with it.
    for (let argument = 0; before !== undefined && argument <= before && tex[to] === '{'; argument++) {
      to = groupEnd(tex, to);
      if (argument < before) to += /^\s*/.exec(tex.slice(to))![0].length;
    }
    // `\verb|…|` (KaTeX's too): text up to the delimiter's next appearance.
    if (command[1] === 'verb' && index < tex.length) to = tex.indexOf(tex[index]!, index + 1) + 1 || tex.length;
    // Newlines kept, so a blanked `\text{…}` across lines leaves the lines where they were.
    out += ' '.repeat(command[0].length) + tex.slice(index, to).replace(/[^\n]/g, ' ');
    index = to;
  }
  return out;
}

/** The index just after the `{...}` group that starts at `open`. */
function groupEnd(tex: string, open: number): number {
  let depth = 0;
  for (let index = open; index < tex.length; index++) {
    const char = tex[index];
    if (char === '\\') index++;
    else if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return index + 1;
  }
  return tex.length;
}

/**
 * KaTeX's strict-mode findings for one formula, one line each. Hangul in math mode is left
 * out when it was reported with its fix already, and a `%` comment "with no terminating
 * newline" when the TeX `endsLine`. A formula KaTeX rejects has none: rehype-katex reports
 * it, with KaTeX's error shown in the page.
 */
function strictReports(node: Math | InlineMath, hangulReported: boolean, options: FormulaOptions, endsLine: boolean): string[] {
  const { strict } = renderFormula(node.value, node.type === 'math', options);
  const reports = strict.filter(
    // `htmlExtension`: the row anchors remark-equations makes (`\htmlId{eq-…}{}`); what trust
    // refuses of the writer's own is told apart (quiet-katex).
    ({ code, message }) => !(hangulReported && code === 'unicodeTextInMathMode' && HANGUL.test(message)) && !(endsLine && code === 'commentAtEnd') && code !== 'htmlExtension',
  );
  return [...new Set(reports.map(({ message }) => withFix(message)))];
}

/** What to write for characters a Korean keyboard or a PDF puts into math that KaTeX does not know. */
const CHARACTER_FIXES: Record<string, string> = { '‖': '\\|', '–': '-', '—': '-', '〈': '\\langle', '〉': '\\rangle', '∣': '\\mid' };

/**
 * A KaTeX notice about one character, with what to write instead: full-width forms (`（`, `：`,
 * `，`, typed with a Korean input method) by their ASCII twins, `‖` by `\|`, a dash by `-`.
 */
function withFix(message: string): string {
  const char = /character "(.)"/u.exec(message)?.[1];
  if (char === undefined) return message;
  const code = char.codePointAt(0)!;
  const fix = code >= 0xff01 && code <= 0xff5e ? String.fromCodePoint(code - 0xfee0) : CHARACTER_FIXES[char];
  return fix === undefined ? message : `${message}: write ${fix} instead`;
}

/**
 * A `$$` (or `\[`) block whose closing `$$` (`\]`) stands on a line of its own (in a quote or a list too): its
 * TeX ends at a line end, which remark-math leaves out of the value, so a `%` comment on its
 * last line is ended there, as in LaTeX. KaTeX, given the value, would say it is not. A
 * one-line `$$…$$` or an inline `$…$` has no such line end.
 */
function closedOnOwnLine(node: Math | InlineMath, file: VFile): boolean {
  return node.type === 'math' && /\n[ \t>]*(?:\$\$+|\\\])[ \t]*$/.test(sourceOf(file, node));
}

/**
 * A `$$` block that runs to the end of its document, list item or quote, its closing `$$`
 * never written. (An unclosed `\\[` is no formula at all, and a ```math fence is a code fence.)
 */
function unclosed(node: Math, file: VFile): boolean {
  const source = sourceOf(file, node);
  return source.startsWith('$$') && !/\$\$[ \t]*$/.test(source.trimEnd());
}

/**
 * GFM splits a table row at every `|` that is not escaped, also inside `$…$`: `$|x|$` leaves
 * a lone `$` in one cell and its partner in a later one. Found here as a cell whose text
 * holds an odd number of unescaped `$` followed by another such cell in the same row
 * (best effort: a `$` followed by a digit counts as money, not math); and as much for `\(…\)`
 * and for inline code.
 */
function checkTableRow(row: TableRow, file: VFile): void {
  const dollars = row.children.map((cell) => {
    const spots: number[] = [];
    visit(cell, 'text', (text) => {
      const source = sourceOf(file, text);
      const start = text.position?.start.offset;
      if (start === undefined) return;
      for (const match of source.matchAll(/(?<!\\)\$/g)) {
        if (!/^\$\d/.test(source.slice(match.index, match.index + 2))) spots.push(start + match.index);
      }
    });
    return spots;
  });
  // The same split happens inside code (`cat x | wc`): a cell left with a lone backtick, its
  // partner in a later cell. GFM reads `\|` there as the pipe, in code too.
  const ticks = row.children.map((cell) => {
    const spots: number[] = [];
    visit(cell, 'text', (text) => {
      const start = text.position?.start.offset;
      if (start === undefined) return;
      for (const match of sourceOf(file, text).matchAll(/(?<!\\)`+/g)) spots.push(start + match.index);
    });
    return spots;
  });
  const lone = ticks.findIndex((spots) => spots.length % 2 === 1);
  if (lone !== -1 && ticks.slice(lone + 1).some((spots) => spots.length % 2 === 1)) {
    addWarning(
      file,
      'a "|" inside `…` split this table cell (GFM splits rows at every "|", even in code): write \\| for it, which shows as |',
      placeAt(file, ticks[lone]!.at(-1)!),
      'code-table-pipe',
    );
  }
  const open = dollars.findIndex((spots) => spots.length % 2 === 1);
  if (open !== -1 && dollars.slice(open + 1).some((spots) => spots.length % 2 === 1)) {
    addWarning(
      file,
      'a "|" inside "$…$" split this table cell (GFM splits rows at every "|", even in math): write \\vert for |, \\Vert or \\| for ‖, \\mid for a divider',
      placeAt(file, dollars[open]![dollars[open]!.length - 1]!),
      'math-table-pipe',
    );
    return;
  }
  // The same with `\(…\)`: a cell left with a `\(` that no `\)` closes, a later one with a `\)` that closes none.
  const parentheses = row.children.map((cell) => {
    const opened: number[] = [];
    let closing = false;
    visit(cell, 'text', (text) => {
      const start = text.position?.start.offset;
      if (start === undefined) return;
      for (const match of sourceOf(file, text).matchAll(/(?<!\\)(?:\\\\)*\\([()])/g)) {
        if (match[1] === '(') opened.push(start + match.index + match[0].length - 2);
        else if (opened.length > 0) opened.pop();
        else closing = true;
      }
    });
    return { opened, closing };
  });
  const parenthesis = parentheses.findIndex(({ opened }) => opened.length > 0);
  if (parenthesis === -1 || !parentheses.slice(parenthesis + 1).some(({ closing }) => closing)) return;
  addWarning(
    file,
    'a "|" inside "\\(…\\)" split this table cell (GFM splits rows at every "|", even in math): write \\vert for |, \\Vert or \\| for ‖, \\mid for a divider',
    placeAt(file, parentheses[parenthesis]!.opened.at(-1)!),
    'math-table-pipe',
  );
}
