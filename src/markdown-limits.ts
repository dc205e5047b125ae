/**
 * Shapes of markdown on which micromark's time grows with the square of their size, found
 * before it is given the text. On this machine 20 KB of `- - - … a` (lists nested
 * on one line) took it 65 s, 40,000 nested `>` 14 s, and 10,000 `*` either side of a word
 * 19 s. Nesting that deep never built anyway: the syntax-tree utilities recurse per level
 * and overflow the stack near 1,500 levels, after the parser's minutes. So past these limits,
 * which no writing comes near and which posts nested 1,000 deep stay within (see
 * tests/robustness.test.ts), the post is an error at the line, found by one linear pass over
 * its lines.
 */
import { frontMatterLineCount } from './frontmatter.js';

/** Block quotes and list items open on one line, counting a list item's indentation; brackets open in one paragraph. */
export const MAX_NESTING = 1000;

/** One run of `*`, `_` or `~` in text (a thematic break is not text). */
export const MAX_DELIMITER_RUN = 1000;

export interface LimitProblem {
  line: number;
  column: number;
  reason: string;
}

/** Whitespace, `>` and list markers at the start of a line: the containers it opens or continues. */
const CONTAINERS = /^(?:[ \t]*(?:>|(?:[-+*]|\d{1,9}[.)])(?=[ \t]|$)))*[ \t]*/;
const CONTAINER_TOKEN = /[ \t]+|>|[-+*]|\d{1,9}[.)]/g;
const FENCE = /^(`{3,}|~{3,})/;
const LONG_RUN = new RegExp(`(?<!\\\\)([*_~])\\1{${MAX_DELIMITER_RUN}}`);
const THEMATIC_BREAK = /^(?:[*_-][ \t]*){3,}$/;
const BRACKET = /(?<!\\)[[\]]/g;
/** A GFM table's delimiter row (`| --- | :-: |`): the rows after it are cells, each its own text. */
const DELIMITER_ROW = /^\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;

/** The first limit `markdown` (a whole file, front matter included) goes past, if any. */
export function markdownLimit(markdown: string): LimitProblem | undefined {
  const lines = markdown.split('\n');
  // TOML front matter is not markdown.
  let index = frontMatterLineCount(markdown);
  let fence: { char: string; length: number } | undefined;
  let mathBlock = false;
  let brackets = 0;
  let blankBefore = true;
  let inList = false;
  let inTable = false;
  for (; index < lines.length; index++) {
    const line = lines[index]!.replace(/\r$/, '');
    const prefix = CONTAINERS.exec(line)![0];
    const rest = line.slice(prefix.length);
    if (fence) {
      const close = FENCE.exec(rest);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length && rest.slice(close[1]!.length).trim() === '') fence = undefined;
      continue;
    }
    if (mathBlock) {
      if (rest.trimEnd().endsWith('$$')) mathBlock = false;
      continue;
    }

    const { depth, listItem } = nesting(prefix);
    if (depth > MAX_NESTING) {
      return {
        line: index + 1,
        column: 1,
        reason: `block quotes and lists nested ${depth.toLocaleString('en')} deep: geul allows ${MAX_NESTING.toLocaleString('en')} (the markdown parser's time grows with the square of the depth)`,
      };
    }

    const open = FENCE.exec(rest);
    const blank = rest.trim() === '';
    if ((open && !(open[1]![0] === '`' && rest.slice(open[1]!.length).includes('`'))) || (rest.startsWith('$$') && !rest.slice(2).includes('$$'))) {
      if (open) fence = { char: open[1]![0]!, length: open[1]!.length };
      else mathBlock = true;
      brackets = 0;
      inTable = false;
      continue;
    }
    if (blank) inTable = false;
    else if (blankBefore && prefix === '') inList = false;
    // Where micromark starts a new run of inline text: a blank line, a heading, a table row,
    // a list item (other than one numbered past 1 after a paragraph's line, which continues it).
    const heading = /^#{1,6}(?:[ \t]|$)/.test(rest);
    if (!inTable && rest.includes('|') && DELIMITER_ROW.test(rest)) inTable = true;
    const newItem = listItem && (blankBefore || inList || /^[ \t>]*(?:[-+*]|1[.)])/.test(prefix));
    if (blank || heading || inTable || newItem) brackets = 0;
    if (newItem) inList = true;
    blankBefore = blank;
    const text = withoutCodeAndMath(rest);
    const run = THEMATIC_BREAK.test(rest) ? null : LONG_RUN.exec(text);
    if (run) {
      return {
        line: index + 1,
        column: 1,
        reason: `a run of more than ${MAX_DELIMITER_RUN.toLocaleString('en')} "${run[1]}": geul allows ${MAX_DELIMITER_RUN.toLocaleString('en')} (the markdown parser's time grows with the square of its length); escape them (\\${run[1]}) or put them in a code block`,
      };
    }
    for (const [bracket] of text.matchAll(BRACKET)) {
      brackets = bracket === '[' ? brackets + 1 : Math.max(0, brackets - 1);
      if (brackets > MAX_NESTING) {
        return {
          line: index + 1,
          column: 1,
          reason: `brackets nested more than ${MAX_NESTING.toLocaleString('en')} deep: geul allows ${MAX_NESTING.toLocaleString('en')} (the markdown parser's time grows with the square of the depth); escape them (\\[)`,
        };
      }
    }
    if (heading) brackets = 0;
  }
  return undefined;
}

/** How deep a line's container prefix nests, and whether it starts a list item. */
function nesting(prefix: string): { depth: number; listItem: boolean } {
  let depth = 0;
  let indent = 0;
  let listItem = false;
  for (const [token] of prefix.matchAll(CONTAINER_TOKEN)) {
    if (/^[ \t]/.test(token)) {
      // Columns before the first marker: a nested list item is indented past its parent's.
      if (depth === 0) for (const char of token) indent += char === '\t' ? 4 - (indent % 4) : 1;
    } else {
      depth++;
      if (token !== '>') listItem = true;
    }
  }
  return { depth: listItem ? depth + Math.floor(indent / 2) : depth, listItem };
}

/** A line with its code spans and inline formulas taken out (roughly: only for counting). */
function withoutCodeAndMath(text: string): string {
  return text.replace(/`[^`]*`/g, '').replace(/\$[^$]*\$/g, '');
}
