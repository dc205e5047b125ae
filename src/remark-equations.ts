import { slug } from 'github-slugger';
import type { FootnoteDefinition, Heading, PhrasingContent, Root, RootContent, Text } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { SKIP, visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import { numberedRows, type EquationRow } from './equation-rows.js';
import { definitionsIn } from './remark-math-macros.js';
import { setTex, type InlineMath, type Math } from './math-nodes.js';
import { placeAt, sourceOf } from './place.js';
import { addError, addWarning } from './report.js';

/** A numbered equation: its anchor and the text a reference shows. */
interface Equation {
  id: string;
  /** `3`, or the writer's own `\tag{...}` content. */
  number: string;
  line: number;
}

const LABEL = /\\label\s*\{([^{}]*)\}/g;
const REF = /\\(eqref|ref)\s*\{([^{}]*)\}/g;

/**
 * KaTeX's `trust` setting: nothing from the writer is trusted except what this step makes
 * inside formulas: links to an equation of the same page, `\href{#eq-...}`, and the anchors
 * of the rows of an `align` with several labels, `\htmlId{eq-...}{}`.
 */
export function trustEquationLinks(context: { command: string; url?: string; id?: string }): boolean {
  if (context.command === '\\htmlId') return typeof context.id === 'string' && /^eq-[\p{L}\p{N}-]+$/u.test(context.id);
  return context.command === '\\href' && typeof context.url === 'string' && /^#eq-[\p{L}\p{N}-]+$/u.test(context.url);
}

/**
 * Equation numbers and references, as LaTeX writers expect them. A display formula with
 * `\label{eq:loss}` is numbered in order of appearance (`\tag{3}`, which KaTeX draws at the
 * right; a `\tag` the writer gave is kept and is what references show) and wrapped in an
 * element with the anchor id `eq-loss`. `\eqref{eq:loss}` becomes a link "(3)" and
 * `\ref{eq:loss}` a link "3", in text and inside formulas alike (there as KaTeX's `\href`,
 * allowed for exactly these links by `trustEquationLinks`). Runs on the markdown tree,
 * before KaTeX, which knows no `\label`. An unknown or duplicate label is an error.
 */
export function remarkEquations() {
  return function (tree: Root, file: VFile) {
    const labels = new Map<string, Equation>();
    const ids = new Set<string>();
    let counter = 0;

    /**
     * Number the rows of a formula's numbering environments (`align`, `equation`, …) in the
     * post's sequence, each with a `\tag` (a row's own `\tag` kept, `\nonumber`/`\notag`
     * left unnumbered), a row's `\label` registered with its number. The ids of the labels.
     */
    const numberRows = (node: Math, rows: EquationRow[]): string[] => {
      const place = node.position?.start;
      const clean = withoutComments(node.value);
      const edits: { from: number; to: number; insert: string }[] = [];
      const found: { label: string; number: string; start: number; line: number }[] = [];
      const macros = unnumberingMacros(clean);
      // A `\label` beside the environment, in no row of it, names no number.
      for (const label of clean.matchAll(LABEL)) {
        if (rows.some((row) => label.index >= row.start && label.index < row.end)) continue;
        addError(file, `\\label{${label[1]?.trim() ?? ''}} outside the numbered rows: put it in the row it names`, placeInFormula(file, node, label.index, label[0]), 'equation-label');
        edits.push({ from: label.index, to: label.index + label[0].length, insert: '' });
      }
      for (const row of rows) {
        const text = clean.slice(row.start, row.end);
        const rowLabels = [...text.matchAll(LABEL)];
        // At the label's own line, not the formula's `$$`: an `align` can run over many lines.
        const labelPlace = (label: RegExpExecArray | undefined) => (label ? placeInFormula(file, node, row.start + label.index, label[0]) : place);
        if (rowLabels.length > 1) addError(file, `one \\label per numbered row: this row has ${rowLabels.length}`, labelPlace(rowLabels[1]), 'equation-label');
        for (const label of rowLabels) edits.push({ from: row.start + label.index, to: row.start + label.index + label[0].length, insert: '' });
        const ownTag = tagOf(text);
        let number = ownTag;
        if (number === undefined && !unnumberedBy(text, macros)) {
          number = String(++counter);
          edits.push({ from: row.end, to: row.end, insert: ` \\tag{${number}}` });
        }
        const label = rowLabels[0]?.[1] === undefined ? undefined : labelKey(rowLabels[0][1]);
        if (label === undefined) continue;
        const at = labelPlace(rowLabels[0]);
        const other = found.find((earlier) => earlier.label === label);
        if (!label) addError(file, '\\label{} is empty: name it, e.g. \\label{eq:loss}', at, 'equation-label');
        else if (number === undefined) addError(file, `\\label{${label}} on a row that \\nonumber leaves without a number`, at, 'equation-label');
        else if (labels.has(label)) addError(file, `duplicate equation label "${label}": already used on line ${labels.get(label)!.line}`, at, 'equation-label');
        // Two rows of this formula: not yet in `labels`, which takes the formula's labels at its end.
        else if (other) addError(file, `duplicate equation label "${label}": already used on line ${other.line}`, at, 'equation-label');
        else found.push({ label, number, start: row.start, line: at?.line ?? 1 });
      }
      const anchors = found.map(({ label, number, start, line }) => {
        const id = uniqueId(anchorOf(label), ids);
        labels.set(label, { id, number, line });
        if (found.length > 1) edits.push({ from: start, to: start, insert: `\\htmlId{${id}}{}` });
        return id;
      });
      let tex = node.value;
      for (const edit of edits.sort((a, b) => b.from - a.from || b.to - a.to)) tex = tex.slice(0, edit.from) + edit.insert + tex.slice(edit.to);
      setTex(node, tex);
      return anchors;
    };


    // Formulas are numbered in the order a reader meets them: the text first, then the
    // footnotes, which remark-rehype puts at the end of the page in the order they are first
    // referred to (a note's own references queue further notes), wherever their definitions
    // stand in the markdown. A footnote no text refers to is not published, so its formulas
    // take no number: else the first equation shown could be "(2)".
    const definitions = new Map<string, FootnoteDefinition>();
    visit(tree, 'footnoteDefinition', (definition) => {
      if (!definitions.has(definition.identifier)) definitions.set(definition.identifier, definition);
    });
    const footnotes: FootnoteDefinition[] = [];
    const queueFootnotes = (root: Root | FootnoteDefinition) => {
      visit(root, (node) => {
        if (node.type === 'footnoteDefinition' && node !== root) return SKIP;
        const definition = node.type === 'footnoteReference' ? definitions.get(node.identifier) : undefined;
        if (definition && !footnotes.includes(definition)) footnotes.push(definition);
        return undefined;
      });
    };
    queueFootnotes(tree);
    for (let at = 0; at < footnotes.length; at++) queueFootnotes(footnotes[at]!);

    const number = (root: Root | FootnoteDefinition) => visit(root, (node, index, parent) => {
      if (node.type === 'footnoteDefinition' && node !== root) return SKIP;
      if (node.type === 'inlineMath' && /\\label\s*\{/.test(withoutComments(node.value))) {
        const [label] = withoutComments(node.value).matchAll(LABEL);
        addError(file, '\\label works only in display math: put the formula between "$$" lines', label ? placeInFormula(file, node, label.index, label[0]) : node.position?.start, 'equation-label');
        setTex(node, replaceInTex(node.value, LABEL, () => ''));
        return undefined;
      }
      if (node.type !== 'math' || !parent || index === undefined) return undefined;
      const rows = numberedRows(withoutComments(node.value));
      if (rows.length > 0) {
        const anchors = numberRows(node, rows);
        // One label: the formula is its anchor, as a formula with one `\label` is; several:
        // each row is its own (an `\htmlId` KaTeX draws on the row).
        if (anchors.length > 0) {
          const wrapper = {
            type: 'equation',
            data: { hName: 'div', hProperties: { ...(anchors.length === 1 ? { id: anchors[0] } : {}), className: ['equation'] } },
            children: [node],
            position: node.position,
          };
          parent.children[index] = wrapper as unknown as RootContent as never;
        }
        return SKIP;
      }
      const found = [...withoutComments(node.value).matchAll(LABEL)];
      if (found.length === 0) return SKIP;
      const place = placeInFormula(file, node, found[0]!.index, found[0]![0]);
      if (found.length > 1) {
        addError(file, `one \\label per formula: this one has ${found.length}; split it into several "$$" blocks`, placeInFormula(file, node, found[1]!.index, found[1]![0]), 'equation-label');
      }
      const label = labelKey(found[0]![1] ?? '');
      let tex = replaceInTex(node.value, LABEL, () => '').trimEnd();
      const ownTag = tagOf(withoutComments(tex));
      // `\nonumber` or a starred environment (`align*`) says "no number", as on a numbered row;
      // a `\tag` appended after it would number it all the same.
      const clean = withoutComments(tex);
      const unnumbered = ownTag === undefined ? (unnumberedBy(clean, unnumberingMacros(clean)) ?? /\\begin\s*\{((?:equation|multline|align|gather|alignat|flalign)\*)\}/.exec(clean)?.[1]) : undefined;
      if (!label) {
        addError(file, '\\label{} is empty: name it, e.g. \\label{eq:loss}', place, 'equation-label');
      } else if (unnumbered) {
        addError(file, `\\label{${label}} on a formula that ${unnumbered} leaves without a number`, place, 'equation-label');
      } else if (labels.has(label)) {
        addError(file, `duplicate equation label "${label}": already used on line ${labels.get(label)!.line}`, place, 'equation-label');
      } else {
        const number = ownTag ?? String(++counter);
        const id = uniqueId(anchorOf(label), ids);
        labels.set(label, { id, number, line: place?.line ?? 1 });
        // On a line of its own: a `%` comment at the end of the TeX must not swallow it.
        if (ownTag === undefined) tex = `${tex}\n\\tag{${number}}`;
        const wrapper = {
          type: 'equation',
          data: { hName: 'div', hProperties: { id, className: ['equation'] } },
          children: [node],
          position: node.position,
        };
        parent.children[index] = wrapper as unknown as RootContent as never;
      }
      setTex(node, tex);
      return SKIP;
    });
    number(tree);
    for (const footnote of footnotes) number(footnote);

    const lookup = (name: string, kind: string, place: { line: number; column: number } | undefined) => {
      const equation = labels.get(labelKey(name));
      if (!equation) {
        const known = [...labels.keys()];
        const hint = known.length > 0 ? ` (labels in this post: ${known.slice(0, 8).join(', ')}${known.length > 8 ? ', …' : ''})` : ' (this post has no \\label)';
        addError(file, `unknown equation label "${name.trim()}" in \\${kind}${hint}`, place, 'equation-ref');
      }
      return equation;
    };

    // References, in document order: inside formulas a link KaTeX draws itself; in text a
    // link; inside links (a link in a link is no link) and in an image's alt and title, the
    // number as text; none in code.
    visit(tree, (node, index, parent) => {
      if (node.type === 'code' || node.type === 'inlineCode') return SKIP;
      if (node.type === 'link' || node.type === 'linkReference') {
        visit(node, (inner) => {
          if (inner.type === 'inlineCode') return SKIP;
          if (inner.type === 'text') inner.value = refsAsText(inner, inner.value, file, lookup);
          if (inner.type === 'inlineMath' && /\\(?:eq)?ref\s*\{/.test(withoutComments(inner.value))) {
            setTex(inner, replaceInTex(inner.value, REF, ([whole, kind = 'ref', name = ''], at) => {
              const equation = lookup(name, kind, placeInFormula(file, inner, at, whole));
              return `\\text{${equation ? (kind === 'eqref' ? `(${equation.number})` : equation.number) : whole.replace(/^\\(?:eq)?ref\s*/, '').replace(/[{}]/g, '')}}`;
            }));
          }
          return undefined;
        });
        return SKIP;
      }
      if (node.type === 'image' || node.type === 'imageReference') {
        node.alt &&= refsAsText(node, node.alt, file, lookup);
        if (node.type === 'image') node.title &&= refsAsText(node, node.title, file, lookup);
        return SKIP;
      }
      if (node.type === 'heading') keepHeadingId(node);
      if (node.type === 'math' || node.type === 'inlineMath') {
        const math = node as Math | InlineMath;
        if (!/\\(?:eq)?ref\s*\{/.test(withoutComments(math.value))) return SKIP;
        const tex = replaceInTex(math.value, REF, ([whole, kind = 'ref', name = ''], at) => {
          const equation = lookup(name, kind, placeInFormula(file, math, at, whole));
          if (!equation) return whole.replace(/^\\(?:eq)?ref/, '\\text');
          const text = kind === 'eqref' ? `(${equation.number})` : equation.number;
          return `\\href{#${equation.id}}{\\text{${text}}}`;
        });
        setTex(math, tex);
        return SKIP;
      }
      if (node.type === 'text' && node.value.includes('\\label')) labelsInText(node, file);
      if (node.type !== 'text' || !parent || index === undefined || !/\\(?:eq)?ref\s*\{/.test(node.value)) return undefined;
      const replaced = splitRefs(node, file, lookup);
      parent.children.splice(index, 1, ...(replaced as never[]));
      return index + replaced.length;
    });
  };
}

/**
 * A heading's id from its text as written. rehype-slug makes heading ids from their text,
 * formulas as their TeX; a reference inside a formula is about to become KaTeX's
 * `\href{#eq-loss}{\text{(1)}}`, which would make the id `hrefeq-losstext1`, and one in the
 * text a link "(1)", which would make it from the number. Such a heading
 * gets its id now, from the TeX the writer wrote (rehype-slug keeps an id it finds; a repeat
 * of it is told apart by rehypeHeadings).
 */
function keepHeadingId(heading: Heading): void {
  let refers = false;
  visit(heading, (node) => {
    if (node.type === 'inlineMath' && /\\(?:eq)?ref\s*\{/.test(withoutComments(node.value))) refers = true;
    // `## 식 \eqref{eq:a}의 유도`, the reference in the text: its id from the number (`식-1의-유도`)
    // would change whenever an equation is added before it, breaking links to the section.
    if (node.type === 'text' && /\\(?:eq)?ref\s*\{/.test(node.value)) refers = true;
  });
  // An id written for it (`{#intro}`, remarkHeadingIds) stands.
  if (!refers || heading.data?.hProperties?.id !== undefined) return;
  heading.data = { ...heading.data, hProperties: { ...heading.data?.hProperties, id: slug(toString(heading)) } };
}

/**
 * `\label{eq:x}` written in a sentence, outside any formula, names no equation: it is shown as
 * text and `\eqref{eq:x}` cannot find it. Said where it is written.
 */
function labelsInText(node: Text, file: VFile): void {
  const start = node.position?.start.offset;
  for (const match of node.value.matchAll(/\\label\s*\{([^{}]*)\}/g)) {
    const place = start === undefined ? node.position?.start : placeAt(file, start + match.index);
    addWarning(file, `${match[0]} is outside math, so it names no equation and shows as text: put it inside the formula it labels ($$ … ${match[0]} $$)`, place, 'equation-label');
  }
}

/** A text node with its references made into links. */
function splitRefs(
  node: Text,
  file: VFile,
  lookup: (name: string, kind: string, place: { line: number; column: number } | undefined) => Equation | undefined,
): PhrasingContent[] {
  const out: PhrasingContent[] = [];
  const source = sourceOf(file, node);
  const start = node.position?.start.offset;
  let last = 0;
  let searchFrom = 0;
  // Where the text after the last reference starts in the source, so the pieces of text
  // between references keep their places: later checks (the emphasis lint) need them.
  let sourceLast: number | undefined = 0;
  const piece = (value: string, to: number | undefined): Text => {
    const from = sourceLast;
    if (start === undefined || from === undefined || to === undefined || !node.position) return { type: 'text', value };
    const end = to === source.length ? node.position.end : { ...placeAt(file, start + to), offset: start + to };
    return { type: 'text', value, position: { start: { ...placeAt(file, start + from), offset: start + from }, end } };
  };
  for (const match of node.value.matchAll(REF)) {
    const [whole, kind = 'ref', name = ''] = match;
    // The place of this reference in the file: found in the source from the node's start.
    const at = source.indexOf(whole, searchFrom);
    if (at !== -1) searchFrom = at + whole.length;
    // `\\eqref{...}` in markdown is the text `\eqref{...}`, written so to be shown as it is.
    if (at !== -1 && escaped(source, at)) continue;
    const place = start !== undefined && at !== -1 ? placeAt(file, start + at) : node.position?.start;
    const equation = lookup(name, kind, place);
    if (match.index > last) out.push(piece(node.value.slice(last, match.index), at === -1 ? undefined : at));
    sourceLast = at === -1 ? undefined : at + whole.length;
    if (equation) {
      const text = kind === 'eqref' ? `(${equation.number})` : equation.number;
      out.push({
        type: 'link',
        url: `#${equation.id}`,
        children: numberContent(text),
        // The href as the id is written: mdast would percent-encode Hangul in `url`.
        data: { hProperties: { className: ['eqref'], href: `#${equation.id}` } },
      });
    } else {
      out.push({ type: 'text', value: whole });
    }
    last = match.index + whole.length;
  }
  if (last < node.value.length) out.push(piece(node.value.slice(last), source.length));
  return out;
}

/**
 * A reference's text as the link's content: a writer's `\tag{$\star$}` is text with math in
 * it, as KaTeX draws the tag, so its `$…$` parts are formulas, not dollar signs and TeX.
 */
function numberContent(text: string): PhrasingContent[] {
  return text.split(/(?<!\\)\$([^$]+)\$/).flatMap((part, at): PhrasingContent[] => {
    if (at % 2 === 0) return part ? [{ type: 'text', value: part }] : [];
    const math: InlineMath = { type: 'inlineMath', value: part };
    setTex(math, part);
    return [math];
  });
}

/**
 * Text of `node` (its value, an image's alt or title) with its references written as their
 * numbers, `(1)` or `1`, where a link cannot be. The node's markdown tells escaped references
 * apart and places an unknown label, which stays as written.
 */
function refsAsText(
  node: RootContent,
  text: string,
  file: VFile,
  lookup: (name: string, kind: string, place: { line: number; column: number } | undefined) => Equation | undefined,
): string {
  if (!/\\(?:eq)?ref\s*\{/.test(text)) return text;
  const source = sourceOf(file, node);
  const start = node.position?.start.offset;
  let searchFrom = 0;
  return text.replace(REF, (whole: string, kind: string, name: string) => {
    const at = source.indexOf(whole, searchFrom);
    if (at !== -1) searchFrom = at + whole.length;
    if (at !== -1 && escaped(source, at)) return whole;
    const equation = lookup(name, kind, start !== undefined && at !== -1 ? placeAt(file, start + at) : node.position?.start);
    if (!equation) return whole;
    return kind === 'eqref' ? `(${equation.number})` : equation.number;
  });
}

/** The character at `at` is markdown-escaped: an odd number of backslashes stands before it. */
function escaped(source: string, at: number): boolean {
  let count = 0;
  while (at - count > 0 && source[at - count - 1] === '\\') count++;
  return count % 2 === 1;
}

/**
 * TeX with its comments blanked out: from an unescaped `%` to the end of the line, as LaTeX
 * reads it (`\%` is a percent sign; `\\%` a line break, then a comment). A `\label` or
 * `\eqref` in a comment is no label or reference. As long as `tex`, so places match.
 */
function withoutComments(tex: string): string {
  return tex.replace(/\\[\s\S]|%[^\n]*/g, (match) => (match[0] === '%' ? ' '.repeat(match.length) : match));
}

/**
 * Where `text` (a `\\label{…}` or a reference), found at `at` in a formula's TeX, was written in
 * the file: an `align` runs over many lines, and an error at its opening `$$` leaves the writer
 * looking for the row. The TeX is not quite the source (macros defined earlier put in front, a
 * quote's `>` taken off each line): `text` is taken where the source has it as often before it
 * as the TeX has. The formula's start where it cannot be found.
 */
function placeInFormula(file: VFile, node: Math | InlineMath, at: number, text: string): { line: number; column: number } | undefined {
  const start = node.position?.start.offset;
  const source = sourceOf(file, node);
  if (start === undefined) return node.position?.start;
  // The TeX put in front of the written one holds copies the source has not.
  const extra = count(node.value, text) - count(source, text);
  let found = -1;
  for (let n = count(node.value.slice(0, at), text) - extra; n >= 0; n--) {
    found = source.indexOf(text, found + 1);
    if (found === -1) break;
  }
  return extra < 0 || found === -1 ? node.position?.start : placeAt(file, start + found);
}

/** How many times `needle` is in `text`. */
function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** `tex` with each match of `pattern` (a global one) outside comments replaced. */
function replaceInTex(tex: string, pattern: RegExp, replace: (match: RegExpExecArray, at: number) => string): string {
  let out = '';
  let last = 0;
  for (const match of withoutComments(tex).matchAll(pattern)) {
    out += tex.slice(last, match.index) + replace(match, match.index);
    last = match.index + match[0].length;
  }
  return out + tex.slice(last);
}

/**
 * The macros a formula's TeX (the definitions put in front of it included) defines to leave an
 * equation unnumbered: `\newcommand{\nn}{\nonumber}`, as papers write it, `\let\nn\notag`,
 * and those that use one of them.
 */
function unnumberingMacros(tex: string): string[] {
  const definitions = definitionsIn(tex);
  const names: string[] = [];
  for (let grown = true; grown; ) {
    grown = false;
    for (const definition of definitions) {
      const body = definition.tex.slice(definition.tex.indexOf(definition.name) + definition.name.length);
      if (names.includes(definition.name) || !unnumberedBy(body, names)) continue;
      names.push(definition.name);
      grown = true;
    }
  }
  return names;
}

/**
 * The command that leaves TeX without a number: `\nonumber`, `\notag` or one of `macros`,
 * outside a definition (a formula that defines `\nn` is numbered all the same); undefined for none.
 */
function unnumberedBy(tex: string, macros: readonly string[]): string | undefined {
  let text = tex;
  for (const definition of definitionsIn(tex)) text = text.replace(definition.tex, ' ');
  for (const [command] of text.matchAll(/\\(?:[a-zA-Z]+|.)/g)) {
    if (command === '\\nonumber' || command === '\\notag' || macros.includes(command)) return command;
  }
  return undefined;
}

/** The content of the formula's own `\tag{...}` or `\tag*{...}`, braces balanced; undefined without one. */
function tagOf(tex: string): string | undefined {
  const match = /\\tag\*?\s*\{/.exec(tex);
  if (!match) return undefined;
  let depth = 1;
  const from = match.index + match[0].length;
  for (let index = from; index < tex.length; index++) {
    const char = tex[index];
    if (char === '\\') index++;
    else if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return tex.slice(from, index).trim();
  }
  return undefined;
}

/**
 * The anchor of a label: `eq:loss` → `eq-loss`, `손실` → `eq-손실`. Letters of every script
 * and digits are kept; anything else, TeX's specials included, becomes `-`, so the id is
 * also safe inside KaTeX's `\href{#...}`.
 */
export function anchorOf(label: string): string {
  const name = label
    .normalize('NFC')
    .replace(/^eq:/i, '')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  return `eq-${name || 'equation'}`;
}

/**
 * A label as it is compared: trimmed and NFC, as paths and terms are. Hangul typed or pasted
 * decomposed (NFD, as macOS gives it) looks the same as composed and must name the same equation.
 */
function labelKey(label: string): string {
  return label.trim().normalize('NFC');
}

function uniqueId(base: string, ids: Set<string>): string {
  let id = base;
  for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
  ids.add(id);
  return id;
}
