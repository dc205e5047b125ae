/**
 * The numbered lines of LaTeX's numbering environments in a display formula: `equation` and
 * `multline` are one numbered equation, each row of `align`, `gather`, `alignat` and `flalign`
 * one (their starred forms number nothing). KaTeX numbers them with a page-wide CSS counter,
 * apart from geul's `\label` numbers; found here, geul numbers them in the post's one sequence
 * with an explicit `\tag` per row (KaTeX takes a `\tag` per row of `align` since 0.15).
 */

/** One numbered equation of a formula: where its TeX is, as offsets into the formula's TeX. */
export interface EquationRow {
  start: number;
  end: number;
}

const NUMBERED = /\\begin\s*\{(equation|multline|align|gather|alignat|flalign)\}/g;

/**
 * The numbered equations of `tex` (comments blanked out, so offsets match the TeX as written),
 * in order; empty when it has no numbering environment.
 */
export function numberedRows(tex: string): EquationRow[] {
  const rows: EquationRow[] = [];
  for (let match = nextBegin(tex, 0); match; match = nextBegin(tex, match.bodyEnd)) {
    const { name, bodyStart, bodyEnd } = match;
    if (name === 'equation' || name === 'multline') {
      rows.push({ start: bodyStart, end: bodyEnd });
      continue;
    }
    let start = bodyStart;
    for (const breakAt of rowBreaks(tex, bodyStart, bodyEnd)) {
      rows.push({ start, end: breakAt.at });
      start = breakAt.after;
    }
    rows.push({ start, end: bodyEnd });
  }
  // A row of nothing (after a closing `\\`) is no equation.
  return rows.filter((row) => tex.slice(row.start, row.end).trim() !== '');
}

/** The next numbering environment from `from`: its name and body; undefined when there is none. */
function nextBegin(tex: string, from: number): { name: string; bodyStart: number; bodyEnd: number } | undefined {
  NUMBERED.lastIndex = from;
  const begin = NUMBERED.exec(tex);
  if (!begin) return undefined;
  const name = begin[1]!;
  let bodyStart = begin.index + begin[0].length;
  // `alignat` takes the number of column pairs: `\begin{alignat}{2}`.
  if (name === 'alignat') bodyStart += /^\s*\{[^{}]*\}/.exec(tex.slice(bodyStart))?.[0].length ?? 0;
  const end = new RegExp(`\\\\(begin|end)\\s*\\{${name}\\}`, 'g');
  end.lastIndex = bodyStart;
  let depth = 1;
  for (let found = end.exec(tex); found; found = end.exec(tex)) {
    depth += found[1] === 'begin' ? 1 : -1;
    if (depth === 0) return { name, bodyStart, bodyEnd: found.index };
  }
  return undefined;
}

/** Where the rows of a body break: each top-level `\\` (and its `[2pt]` spacing), not one inside braces (when they balance) or a nested environment. */
export function rowBreaks(tex: string, from: number, to: number, braceAware = true): { at: number; after: number }[] {
  const breaks: { at: number; after: number }[] = [];
  let braces = 0;
  let environments = 0;
  for (let index = from; index < to; index++) {
    const char = tex[index];
    if (char === '{') braces++;
    else if (char === '}') braces--;
    else if (char === '\\') {
      const rest = tex.slice(index, index + 12);
      if (/^\\begin\s*\{/.test(rest)) environments++;
      else if (/^\\end\s*\{/.test(rest)) environments--;
      else if (tex[index + 1] === '\\' && (braces === 0 || !braceAware) && environments === 0) {
        const spacing = /^\\\\\s*(?:\[[^\]]*\])?/.exec(tex.slice(index, to))!;
        breaks.push({ at: index, after: index + spacing[0].length });
        index += spacing[0].length - 1;
        continue;
      }
      index++;
    }
  }
  // A brace left open (or closed once too often) by a typo, `\frac{1}{2 \\`: the rows are
  // where the writer broke them, not one row holding the rest with every later `\label`.
  // KaTeX reports the formula as invalid math (a warning); its labels still name their rows.
  if (braceAware && braces !== 0) return rowBreaks(tex, from, to, false);
  return breaks;
}
