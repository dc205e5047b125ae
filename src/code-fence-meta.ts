/** What the rest of a fence's info string (after the language) asks of its code block. */
export interface FenceOptions {
  /** Number each line (drawn by CSS, so never copied with the code). */
  lineNumbers: boolean;
  /** The number shown on the first line. @default 1 */
  lineStart: number;
  /** Lines to emphasise, counted from the block's first line whatever `lineStart` is (as Hugo does). */
  highlight: number[];
  /** What could not be understood, one sentence each, for warnings. */
  problems: string[];
}

/**
 * Read a fence's meta the way Hugo writes it, plus the flags other tools use:
 * - Hugo: `{linenos=true}`, `{linenos=table}`, `{linenos=inline}`, `{linenos=false}`,
 *   `{hl_lines=[2,"4-6"]}`, `{linenostart=10}`; options separated by commas or spaces, keys
 *   in any case; other Hugo options (`style=...`, `anchorlinenos`) are ignored.
 * - Bare flags: `linenos`, `showLineNumbers`, `showLineNumbers{10}` (first line 10).
 * - Bare ranges: `{2,4-6}` emphasises lines 2 and 4 to 6.
 */
export function parseFenceMeta(meta: string): FenceOptions {
  const options: FenceOptions = { lineNumbers: false, lineStart: 1, highlight: [], problems: [] };
  let rest = meta.replace(/\bshowLineNumbers\{(\d+)\}/gi, (_, start: string) => {
    options.lineNumbers = true;
    options.lineStart = Number(start);
    return ' ';
  });
  rest = rest.replace(/\{([^}]*)\}/g, (_, inside: string) => {
    if (/^[\d\s,-]+$/.test(inside)) addLines(options, inside, inside);
    else for (const option of splitOptions(inside)) applyOption(options, option);
    return ' ';
  });
  for (const word of rest.split(/\s+/)) {
    if (/^(showLineNumbers|linenos(=.*)?)$/i.test(word)) applyOption(options, word);
  }
  options.highlight = [...new Set(options.highlight)].sort((a, b) => a - b);
  return options;
}

function applyOption(options: FenceOptions, option: string): void {
  const equals = option.indexOf('=');
  const key = (equals === -1 ? option : option.slice(0, equals)).toLowerCase();
  const value = equals === -1 ? undefined : unquote(option.slice(equals + 1));
  if (key === 'linenos' || key === 'showlinenumbers') {
    if (value === undefined || /^(true|table|inline)$/i.test(value)) options.lineNumbers = true;
    else if (/^false$/i.test(value)) options.lineNumbers = false;
    else options.problems.push(`linenos=${value}: expected true, table, inline or false`);
  } else if (key === 'linenostart') {
    if (value !== undefined && /^\d+$/.test(value)) options.lineStart = Number(value);
    else options.problems.push(`linenostart=${value ?? ''}: expected a whole number`);
  } else if (key === 'hl_lines') {
    addLines(options, value ?? '', option);
  }
}

/** `[2,"4-6"]`, `"2 4-6"`, `2,4-6`: every listed line, ranges expanded. */
function addLines(options: FenceOptions, value: string, written: string): void {
  const items = value.replace(/^\[|\]$/g, '').split(/[\s,]+/).map(unquote).filter(Boolean);
  for (const item of items) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(item);
    const from = Number(range?.[1]);
    const to = Number(range?.[2] ?? range?.[1]);
    // A range beyond any real code block is a typo, and expanding it would cost memory.
    if (!range || from < 1 || to < from || to - from > 10_000) {
      options.problems.push(`${written}: "${item}" is not a line number or a range like 4-6`);
      continue;
    }
    for (let line = from; line <= to; line++) options.highlight.push(line);
  }
}

/** Split at commas and spaces outside brackets and quotes; `key = value` counts as one option. */
function splitOptions(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let depth = 0;
  let quote = '';
  for (const char of text.replace(/\s*=\s*/g, '=')) {
    if (quote) {
      if (char === quote) quote = '';
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '[') {
      depth++;
    } else if (char === ']') {
      depth--;
    } else if (depth <= 0 && (char === ',' || /\s/.test(char))) {
      if (current) parts.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  if (current) parts.push(current);
  return parts;
}

function unquote(text: string): string {
  return text.replace(/^(["'])(.*)\1$/, '$2');
}
