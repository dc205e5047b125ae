import type { Root } from 'mdast';
import { visit } from 'unist-util-visit';
import { rowBreaks } from './equation-rows.js';
import { setTex } from './math-nodes.js';

/** The environments KaTeX lacks and what each becomes. */
const MISSING = /\\begin\s*\{(multline|flalign)(\*?)\}/g;

/**
 * LaTeX environments KaTeX does not have, rewritten into ones it has, after remarkEquations
 * numbered them: a review copying a paper's TeX meets them, MathJax (Typora, Obsidian) draws
 * them, and KaTeX showed "No such environment" in their place.
 * - `multline`, one long equation over several lines with one number, becomes `gather` with
 *   every line but the numbered one `\notag` (its lines centred, not flush left and right);
 *   `multline*` becomes `gather*`.
 * - `flalign` becomes `align`, the same columns without the stretch to the margins.
 */
export function remarkKatexEnvironments() {
  return function (tree: Root) {
    visit(tree, 'math', (node) => {
      if (!/\\begin\s*\{(?:multline|flalign)\*?\}/.test(node.value)) return;
      setTex(node, withKatexEnvironments(node.value));
    });
  };
}

/** `tex` with its `multline` and `flalign` environments made ones KaTeX has. */
export function withKatexEnvironments(tex: string): string {
  // Comments blanked, as long as the TeX, so offsets found in it apply to the TeX.
  const clean = tex.replace(/\\[\s\S]|%[^\n]*/g, (match) => (match[0] === '%' ? ' '.repeat(match.length) : match));
  const edits: { from: number; to: number; insert: string }[] = [];
  for (const begin of clean.matchAll(MISSING)) {
    const [whole, name = '', star = ''] = begin;
    const bodyStart = begin.index + whole.length;
    const end = new RegExp(String.raw`\\end\s*\{${name}${star ? String.raw`\*` : ''}\}`, 'g');
    end.lastIndex = bodyStart;
    const close = end.exec(clean);
    if (!close) continue;
    const replacement = name === 'multline' ? 'gather' : 'align';
    edits.push({ from: begin.index, to: bodyStart, insert: `\\begin{${replacement}${star}}` });
    if (name === 'multline' && !star) {
      // One number for the whole: every line without its own \tag (or \notag) is left unnumbered.
      let rowStart = bodyStart;
      const rows = rowBreaks(clean, bodyStart, close.index).map((row) => {
        const span = { start: rowStart, end: row.at };
        rowStart = row.after;
        return span;
      });
      rows.push({ start: rowStart, end: close.index });
      for (const row of rows) {
        if (!/\\(?:tag|notag|nonumber)(?![a-zA-Z])/.test(clean.slice(row.start, row.end))) edits.push({ from: row.end, to: row.end, insert: ' \\notag ' });
      }
    }
    edits.push({ from: close.index, to: close.index + close[0].length, insert: `\\end{${replacement}${star}}` });
  }
  let out = tex;
  for (const edit of edits.sort((a, b) => b.from - a.from || b.to - a.to)) out = out.slice(0, edit.from) + edit.insert + out.slice(edit.to);
  return out;
}
