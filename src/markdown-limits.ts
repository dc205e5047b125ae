/**
 * Shapes of markdown on which micromark's time grows with the square of their size, found
 * before it is given the text. On this machine 20 KB of `- - - … a` (lists nested
 * on one line) took it 65 s, 40,000 nested `>` 14 s, 10,000 `*` either side of a word
 * 19 s, and in one paragraph 40,000 `a* ` 32 s (cmark's pathological cases, below). Nesting
 * that deep never built anyway: the syntax-tree utilities recurse per level and overflow the
 * stack near 1,500 levels, after the parser's minutes. So past these limits, which no writing
 * comes near and which posts nested 1,000 deep or a 1 MB paragraph stay within (see
 * tests/robustness.test.ts), the post is an error at the line, found by one linear pass over
 * its lines.
 */
import { frontMatterLineCount } from './frontmatter.js';

/** Block quotes and list items open on one line, counting a list item's indentation; brackets open in one paragraph. */
export const MAX_NESTING = 1000;

/**
 * List items open on one line, counting a list item's indentation: lists nested 600 deep took
 * micromark 9 s, and some 700 deep overflowed the stack (after 35 s) where quotes go past 1,000.
 */
export const MAX_LIST_NESTING = 600;

/**
 * Setext headings (a line of `=` or `-` under a paragraph) in one post: micromark splices each
 * into the events of the whole document, 5,000 of them took it 6 s, 10,000 31 s.
 */
export const MAX_SETEXT_HEADINGS = 1000;

/**
 * Cells of one table, as many in every row as its delimiter row has columns: turning markdown
 * into HTML fills short rows up, so a header of 10,000 cells over 10,000 rows of one each
 * (70 KB) ran out of memory, and 1,000 by 5,000 took a minute and 1.8 GB.
 */
export const MAX_TABLE_CELLS = 200_000;

/**
 * In one paragraph: emphasis (`*`, `_`) and strikethrough (`~`) opened and not yet closed, or
 * closing nothing; code spans and inline formulas opened by a run of backticks or dollars that
 * no run of the same length has closed; raw HTML comments, processing instructions,
 * declarations and CDATA opened with no end after them. micromark looks back over every
 * unmatched one at each new one, or on to the paragraph's end from each: 40,000 `a* ` took it
 * 32 s, `*a **a ` nested 4,000 deep 93 s (and overflowed the stack after that), runs of 1 to
 * 2,000 backticks 44 s, 20,000 `<!--` 28 s, 30,000 `a~ ` 2.8 s and growing with the square.
 */
export const MAX_UNMATCHED = 1000;

/**
 * In one paragraph: runs of `*` or `_`, matched or not. micromark's time grows faster than
 * their number even when they pair up (10,000 `a*` took it 1.2 s, 30,000 `a***` 21 s); a
 * 1 MB paragraph with a bold word in every sentence (tests/robustness.test.ts) has 32,000.
 */
export const MAX_EMPHASIS_MARKS = 50_000;

/**
 * In one paragraph: runs of `*`, `_` or `~` with nothing but punctuation between them and the
 * run before (`*_*_…a…_*_*`). Each can both open and close, and micromark walks back over the
 * whole cluster for each: 16,000 took it 6 s though every run found its partner. Bold italic
 * (`**_굵은 기울임_**`) makes two.
 */
export const MAX_CLUSTERED_MARKS = 5000;

/** In one paragraph: link resources `](` left without their `)`, and `]` closing no bracket (10,000 `[ (](` took micromark 5 s). */
export const MAX_LINK_MARKS = 5000;

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
const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+)[ \t]*$/;
const BRACKET = /(?<!\\)[[\]]/g;
/** A GFM table's delimiter row (`| --- | :-: |`): the rows after it are cells, each its own text. */
const DELIMITER_ROW = /^\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;

/** The first limit `markdown` (a whole file, front matter included) goes past, if any. */
export function markdownLimit(markdown: string): LimitProblem | undefined {
  return markdownLimits(markdown, 1)[0];
}

/**
 * Every place `markdown` (a whole file, front matter included) goes past a limit, in order,
 * at most `most` of them: a writer fixes them all in one go. A paragraph past a limit is told
 * once; the scan goes on after it.
 */
export function markdownLimits(markdown: string, most = 100): LimitProblem[] {
  const problems: LimitProblem[] = [];
  const lines = markdown.split('\n');
  // TOML front matter is not markdown.
  let index = frontMatterLineCount(markdown);
  let fence: { char: string; length: number } | undefined;
  /** The display formula the line is in: `$$ … $$`, or `\[ … \]`, which no blank line continues. */
  let mathBlock: '$$' | '\\[' | undefined;
  /** The line a `\[` block opened at; and one found to be text (no `\]` before a blank line), read again as text. */
  let bracketOpenedAt = -1;
  let bracketNotMathAt = -1;
  const counts = new InlineCounts();
  let blankBefore = true;
  let inList = false;
  let inTable = false;
  /** The current table's columns, rows so far, and whether it was told. */
  let table = { columns: 0, rows: 0, told: false };
  let paragraphBefore = false;
  let setextHeadings = 0;
  let told = false;
  for (; index < lines.length && problems.length < most; index++) {
    const line = lines[index]!.replace(/\r$/, '');
    const prefix = CONTAINERS.exec(line)![0];
    const rest = line.slice(prefix.length);
    if (fence) {
      const close = FENCE.exec(rest);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length && rest.slice(close[1]!.length).trim() === '') fence = undefined;
      continue;
    }
    if (mathBlock === '$$') {
      if (rest.trimEnd().endsWith('$$')) mathBlock = undefined;
      continue;
    }
    if (mathBlock === '\\[') {
      if (rest.trim() !== '') {
        if (rest.trimEnd().endsWith('\\]')) mathBlock = undefined;
        continue;
      }
      // A blank line before any `\]`: the `\[` was an escaped bracket, and its lines are text
      // after all, read again from the `\[` line on (so each line is read at most twice).
      mathBlock = undefined;
      bracketNotMathAt = bracketOpenedAt;
      index = bracketOpenedAt - 1;
      continue;
    }

    const { depth, listItem } = nesting(prefix);
    const deepest = listItem ? MAX_LIST_NESTING : MAX_NESTING;
    if (depth > deepest) {
      problems.push({
        line: index + 1,
        column: 1,
        reason: `${listItem ? 'lists' : 'block quotes'} nested ${depth.toLocaleString('en')} deep: geul allows ${deepest.toLocaleString('en')} (the markdown parser's time grows with the square of the depth)`,
      });
      counts.reset();
      blankBefore = false;
      paragraphBefore = false;
      continue;
    }
    const underline: boolean = paragraphBefore && SETEXT_UNDERLINE.test(rest);
    if (underline && ++setextHeadings === MAX_SETEXT_HEADINGS + 1) {
      problems.push({
        line: index + 1,
        column: 1,
        reason: `more than ${MAX_SETEXT_HEADINGS.toLocaleString('en')} setext headings (a line of "=" or "-" under text): geul allows ${MAX_SETEXT_HEADINGS.toLocaleString('en')} in a post (the markdown parser's time grows with the square of their number); write headings with "#", or leave a blank line before a "---" rule`,
      });
    }

    const open = FENCE.exec(rest);
    const blank = rest.trim() === '';
    const displayOpen = rest.startsWith('$$') && !rest.slice(2).includes('$$') ? '$$' : rest.startsWith('\\[') && !rest.trimEnd().endsWith('\\]') && index !== bracketNotMathAt ? '\\[' : undefined;
    if ((open && !(open[1]![0] === '`' && rest.slice(open[1]!.length).includes('`'))) || displayOpen) {
      if (open) fence = { char: open[1]![0]!, length: open[1]!.length };
      else {
        mathBlock = displayOpen;
        bracketOpenedAt = index;
      }
      counts.reset();
      inTable = false;
      paragraphBefore = false;
      continue;
    }
    if (blank) inTable = false;
    else if (blankBefore && prefix === '') inList = false;
    if (inTable && !table.told && table.columns * ++table.rows > MAX_TABLE_CELLS) {
      problems.push({
        line: index + 1,
        column: 1,
        reason: `a table of more than ${MAX_TABLE_CELLS.toLocaleString('en')} cells (${table.columns.toLocaleString('en')} columns, each row filled up to them): geul allows ${MAX_TABLE_CELLS.toLocaleString('en')}; split the table or link the data as a file`,
      });
      table.told = true;
    }
    // Where micromark starts a new run of inline text: a blank line, a heading, a table row,
    // a list item (other than one numbered past 1 after a paragraph's line, which continues it).
    const heading = /^#{1,6}(?:[ \t]|$)/.test(rest);
    if (!inTable && rest.includes('|') && DELIMITER_ROW.test(rest)) {
      inTable = true;
      table = { columns: rest.trim().replace(/^\||\|$/g, '').split('|').length, rows: 0, told: false };
    }
    const newItem = listItem && (blankBefore || inList || /^[ \t>]*(?:[-+*]|1[.)])/.test(prefix));
    if (blank || heading || inTable || newItem) {
      counts.reset();
      told = false;
    }
    if (newItem) inList = true;
    blankBefore = blank;
    paragraphBefore = !underline && !blank && !heading && !inTable && !THEMATIC_BREAK.test(rest);
    // A paragraph past a limit is told once.
    if (told) continue;
    const text = withoutCodeAndMath(rest);
    const run = THEMATIC_BREAK.test(rest) ? null : LONG_RUN.exec(text);
    if (run) {
      problems.push({
        line: index + 1,
        column: 1,
        reason: `a run of more than ${MAX_DELIMITER_RUN.toLocaleString('en')} "${run[1]}": geul allows ${MAX_DELIMITER_RUN.toLocaleString('en')} (the markdown parser's time grows with the square of its length); escape them (\\${run[1]}) or put them in a code block`,
      });
      told = true;
      continue;
    }
    const reason = counts.add(text, rest);
    if (reason) {
      problems.push({ line: index + 1, column: 1, reason });
      told = true;
      continue;
    }
    if (heading) counts.reset();
  }
  return problems;
}

const DELIMITER = /(?<!\\)([*_~])\1*/g;
const BACKTICKS = /(?<!\\)`+/g;
const DOLLARS = /(?<!\\)\$+/g;
/** Raw HTML that runs on to its end, wherever that is: the end it waits for, by what opens it. */
const HTML_OPENERS = [
  { name: 'HTML comments (`<!--`)', open: /<!--/g, end: '-->' },
  { name: 'processing instructions (`<?`)', open: /<\?/g, end: '?>' },
  { name: 'CDATA sections (`<![CDATA[`)', open: /<!\[CDATA\[/g, end: ']]>' },
  { name: 'declarations (`<!` and a letter)', open: /<![A-Za-z]/g, end: '>' },
] as const;
const LINK_DESTINATION = /\]\((?:<[^>\n]*>|[^\s)]*(?:\([^\s)]*\)[^\s)]*)*)/g;
const NOT_PROSE = /<[^<>\n]*>|\b(?:https?|ftp):\/\/[^\s<>]*|\bwww\.[^\s<>]*/g;
const WHITESPACE = /\s/u;
const PUNCTUATION = /[\p{P}\p{S}]/u;
const PUNCTUATION_ONLY = /^[\p{P}\p{S}]*$/u;
/** Hangul, kana, Han and their punctuation: remark-cjk-friendly lets emphasis open and close beside them. */
const CJK = /[\u1100-\u11FF\u3000-\u30FF\u3130-\u318F\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFF00-\uFFEF]/u;

const enum Kind {
  Space,
  Punctuation,
  Cjk,
  Other,
}

/** What kind of character is beside a delimiter run, as the flanking rules see it. */
function kindOf(char: string): Kind {
  const code = char.charCodeAt(0);
  if (code < 0x80) {
    if (code <= 0x20 || code === 0x7f) return Kind.Space;
    return /[0-9A-Za-z]/.test(char) ? Kind.Other : Kind.Punctuation;
  }
  if (WHITESPACE.test(char)) return Kind.Space;
  if (PUNCTUATION.test(char)) return Kind.Punctuation;
  return CJK.test(char) ? Kind.Cjk : Kind.Other;
}

/**
 * What one paragraph (or heading, list item, table row) has open so far, line by line. The
 * emphasis count follows CommonMark's flanking rules, loosened beside CJK as
 * remark-cjk-friendly loosens them (`**"용어"**는` opens and closes): an approximation, for
 * counting only, whose limits no writing comes near.
 */
class InlineCounts {
  private brackets = 0;
  private strayClosers = 0;
  /** Link resources `](` left open. */
  private resources = 0;
  private marks = 0;
  /** Runs of three or more that could open or close (`a***b`) and open, which micromark is slowest on. */
  private ambiguousTriples = 0;
  /** Runs with only punctuation between them and the run before (MAX_CLUSTERED_MARKS). */
  private clustered = 0;
  private open = { '*': 0, _: 0, '~': 0 };
  private unmatched = { '*': 0, _: 0, '~': 0 };
  /** The lengths of backtick runs that wait for a run as long to close their code span. */
  private ticks = new Set<number>();
  /** The same for runs of `$` and their inline formulas. */
  private dollars = new Set<number>();
  /** Raw HTML openers since the last end of their kind, by HTML_OPENERS' order. */
  private htmlOpen = HTML_OPENERS.map(() => 0);

  reset(): void {
    this.brackets = 0;
    this.strayClosers = 0;
    this.resources = 0;
    this.marks = 0;
    this.ambiguousTriples = 0;
    this.clustered = 0;
    this.open = { '*': 0, _: 0, '~': 0 };
    this.unmatched = { '*': 0, _: 0, '~': 0 };
    this.ticks.clear();
    this.dollars.clear();
    this.htmlOpen = HTML_OPENERS.map(() => 0);
  }

  /** Count one line: `text` without its code spans and math, `raw` as written. The reason for refusing it, if a limit is passed. */
  add(text: string, raw: string): string | undefined {
    for (const [bracket] of text.matchAll(BRACKET)) {
      if (bracket === '[') this.brackets++;
      else if (this.brackets > 0) this.brackets--;
      else this.strayClosers++;
      if (this.brackets > MAX_NESTING) {
        return `brackets nested more than ${MAX_NESTING.toLocaleString('en')} deep: geul allows ${MAX_NESTING.toLocaleString('en')} (the markdown parser's time grows with the square of the depth); escape them (\\[)`;
      }
    }
    // A link resource whose `)` does not come before the next `](` (a destination holds no
    // line break, so within the line): micromark tries it again at each one after it.
    for (let at = text.indexOf(']('); at !== -1; ) {
      const next = text.indexOf('](', at + 2);
      const close = text.indexOf(')', at + 2);
      if (close === -1 || (next !== -1 && next < close)) this.resources++;
      at = next;
    }
    if (this.strayClosers > MAX_LINK_MARKS || this.resources > MAX_LINK_MARKS) {
      const what = this.resources > MAX_LINK_MARKS ? 'links left open (`](` without its `)`)' : '`]` closing no bracket';
      return `more than ${MAX_LINK_MARKS.toLocaleString('en')} ${what} in one paragraph: geul allows ${MAX_LINK_MARKS.toLocaleString('en')} (the markdown parser's time grows with the square of their number); split the paragraph, or escape them (\\])`;
    }
    return this.addEmphasis(text) ?? this.addRuns(raw, '`', this.ticks, 'code span') ?? this.addRuns(raw, '$', this.dollars, 'formula') ?? this.addHtml(text);
  }

  private addEmphasis(text: string): string | undefined {
    if (!text.includes('*') && !text.includes('_') && !text.includes('~')) return undefined;
    // Link destinations, URLs and HTML tags hold `_` and `*` that are not emphasis.
    const prose = text.replace(LINK_DESTINATION, '](').replace(NOT_PROSE, ' ');
    let lastEnd = -1;
    for (const match of prose.matchAll(DELIMITER)) {
      const char = match[1] as '*' | '_' | '~';
      // Strikethrough is `~~` alone (markdown.ts); one `~` (a range, `1~2시간`) or a longer run is text.
      if (char === '~' && match[0].length !== 2) continue;
      if (lastEnd !== -1 && PUNCTUATION_ONLY.test(prose.slice(lastEnd, match.index)) && ++this.clustered > MAX_CLUSTERED_MARKS) {
        return `more than ${MAX_CLUSTERED_MARKS.toLocaleString('en')} runs of "*", "_" or "~" side by side (only punctuation between) in one paragraph: geul allows ${MAX_CLUSTERED_MARKS.toLocaleString('en')} (the markdown parser's time grows with the square of their number); escape them (\\*)`;
      }
      lastEnd = match.index + match[0].length;
      const before = kindOf(prose[match.index - 1] ?? ' ');
      const after = kindOf(prose[match.index + match[0].length] ?? ' ');
      // Beside whitespace, punctuation or CJK, a run may open or close what is on its other side.
      const left = after !== Kind.Space && (after !== Kind.Punctuation || before !== Kind.Other);
      const right = before !== Kind.Space && (before !== Kind.Punctuation || after !== Kind.Other);
      // `_` inside a word (snake_case) neither opens nor closes.
      const opens = left && (char === '*' || !right || before === Kind.Punctuation);
      const closes = right && (char === '*' || !left || after === Kind.Punctuation);
      this.marks++;
      if (opens && closes && match[0].length >= 3 && char !== '~' && this.open[char] === 0) this.ambiguousTriples++;
      if (this.marks > MAX_EMPHASIS_MARKS || this.ambiguousTriples > MAX_UNMATCHED) {
        const what = this.marks > MAX_EMPHASIS_MARKS ? `${MAX_EMPHASIS_MARKS.toLocaleString('en')} runs of "*", "_" or "~"` : `${MAX_UNMATCHED.toLocaleString('en')} runs of three or more "*" or "_" between letters`;
        return `more than ${what} in one paragraph: geul allows that many (the markdown parser's time grows faster than their number); split the paragraph, or escape them (\\*)`;
      }
      if (closes && this.open[char] > 0) this.open[char]--;
      else if (opens) this.open[char]++;
      else if (closes) this.unmatched[char]++;
      // A `~` left open costs nothing (strikethrough does not nest): only one closing nothing does.
      const leftOpen = this.open[char] > MAX_UNMATCHED && char !== '~';
      if (leftOpen || this.unmatched[char] > MAX_UNMATCHED) {
        const what = leftOpen ? 'opened and not closed' : 'closing nothing';
        return `more than ${MAX_UNMATCHED.toLocaleString('en')} "${char}" ${what} in one paragraph: geul allows ${MAX_UNMATCHED.toLocaleString('en')} (the markdown parser's time grows with the square of their number); escape them (\\${char})`;
      }
    }
    return undefined;
  }

  /** Runs of backticks (code spans) or dollars (inline formulas): a run closes the span a run as long opened. */
  private addRuns(raw: string, char: '`' | '$', waiting: Set<number>, span: string): string | undefined {
    if (!raw.includes(char)) return undefined;
    for (const [run] of raw.matchAll(char === '`' ? BACKTICKS : DOLLARS)) {
      // A run as long as a waiting one closes that span, and what it held (other runs
      // among it) was its content. Roughly: an opener never closed is text, and the runs
      // after it open spans of their own.
      if (waiting.has(run.length)) waiting.clear();
      else waiting.add(run.length);
      if (waiting.size > MAX_UNMATCHED) {
        return `more than ${MAX_UNMATCHED.toLocaleString('en')} runs of ${char === '`' ? 'backticks' : '"$"'} closing no ${span} in one paragraph: geul allows ${MAX_UNMATCHED.toLocaleString('en')} (the markdown parser's time grows with the square of their number); escape them (\\${char})`;
      }
    }
    return undefined;
  }

  /** Raw HTML openers (`<!--`, `<?`, …) with no end since: micromark reads on to the paragraph's end from each. */
  private addHtml(text: string): string | undefined {
    if (!text.includes('<')) return undefined;
    for (const [kind, { name, open, end }] of HTML_OPENERS.entries()) {
      const last = text.lastIndexOf(end);
      // Openers after the last end wait on; an end on this line closes the ones before it.
      let count = 0;
      for (const match of text.matchAll(open)) if (match.index >= last || last === -1) count++;
      this.htmlOpen[kind] = (last === -1 ? this.htmlOpen[kind]! : 0) + count;
      if (this.htmlOpen[kind]! > MAX_UNMATCHED) {
        return `more than ${MAX_UNMATCHED.toLocaleString('en')} raw ${name} with no end (\`${end}\`) in one paragraph: geul allows ${MAX_UNMATCHED.toLocaleString('en')} (the markdown parser's time grows with the square of their number); escape them (\\<)`;
      }
    }
    return undefined;
  }
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
  return text.replace(/`[^`]*`/g, '').replace(/\$[^$]*\$/g, '').replace(/\\\(.*?\\\)/g, '').replace(/^\\\[.*\\\]\s*$/, '');
}
