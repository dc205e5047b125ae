import type { Element, ElementContent, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { toText } from 'hast-util-to-text';
import katex, { type KatexOptions } from 'katex';
import type { Point } from 'unist';
import { visit } from 'unist-util-visit';
import { SKIP, visitParents } from 'unist-util-visit-parents';
import type { VFile } from 'vfile';
import { fragmentStore } from './fragments.js';
import { placeAt, sourceOf } from './place.js';

/** KaTeX settings as the chain gives them. `strict` is not used: findings are collected, and KaTeX told to ignore them. */
export type FormulaOptions = Omit<KatexOptions, 'displayMode' | 'throwOnError'>;

/** What KaTeX made of one formula: its HTML (undefined when KaTeX rejects it) and what strict mode noticed. */
export interface Formula {
  html: string | undefined;
  strict: { code: string; message: string }[];
  /** Where in the TeX KaTeX's parse error is, when it rejects the formula and says. */
  errorAt?: number;
}

/**
 * Formulas rendered in this process, by settings, display mode and TeX, least recently used
 * first. Bounded: a site of 10,000 posts holds tens of thousands of distinct formulas of some
 * kilobytes each, and only the repeated ones are worth keeping.
 */
const formulas = new Map<string, Formula>();
const FORMULA_LIMIT = 4096;
const settingsKeys = new WeakMap<FormulaOptions, string>();

function settingsKey(options: FormulaOptions): string {
  let key = settingsKeys.get(options);
  if (key === undefined) settingsKeys.set(options, (key = JSON.stringify({ ...options, strict: undefined })));
  return key;
}

/**
 * One formula through KaTeX, once ever whatever the number of posts that repeat it: from this
 * process's memory, else from the fragment store of earlier builds (src/fragments.ts), else
 * laid out and added to both. Strict-mode findings are collected in the same pass (KaTeX itself is told to ignore them,
 * so the HTML is what `strict: 'ignore'` gives), for remarkMathLint to report: every formula
 * is parsed and laid out once, not parsed again for diagnostics.
 */
export function renderFormula(tex: string, displayMode: boolean, options: FormulaOptions): Formula {
  const key = `${settingsKey(options)}\0${displayMode ? 'D' : 'I'}\0${tex}`;
  let formula = formulas.get(key);
  if (formula) {
    // Most recently used last.
    formulas.delete(key);
  } else {
    const store = fragmentStore();
    const stored = store?.get(`formula\0${key}`);
    if (isFormula(stored)) formula = stored;
    else {
      formula = layOut(tex, displayMode, options);
      // A formula KaTeX rejects is not kept: rehype-katex reports it on every build.
      if (formula.html !== undefined) store?.put(`formula\0${key}`, formula);
    }
    if (formulas.size >= FORMULA_LIMIT) formulas.delete(formulas.keys().next().value!);
  }
  formulas.set(key, formula);
  return formula;
}

/** One formula through KaTeX, with strict mode's findings collected. */
function layOut(tex: string, displayMode: boolean, options: FormulaOptions): Formula {
  const strict: Formula['strict'] = [];
  let html: string | undefined;
  let errorAt: number | undefined;
  const { trust } = options;
  try {
    html = katex.renderToString(tex, {
      ...options,
      displayMode,
      throwOnError: true,
      strict: (code: string, message: string) => {
        strict.push({ code, message });
        return 'ignore';
      },
      // A command refused by `trust` is drawn as red text without an error: said here, so
      // the writer hears of it as of any other finding.
      trust:
        typeof trust === 'function'
          ? (context) => {
              const trusted = trust(context);
              if (!trusted && !strict.some((finding) => finding.code === 'untrusted' && finding.message.startsWith(`${context.command} `))) {
                strict.push({ code: 'untrusted', message: `${context.command} is not allowed in a formula (no links or files from math; \\eqref makes equation links): it shows as red text` });
              }
              return trusted;
            }
          : trust,
    });
  } catch (error) {
    // rehype-katex reports it and renders KaTeX's visible error.
    if (error instanceof katex.ParseError && typeof error.position === 'number') errorAt = error.position;
  }
  // KaTeX builds its HTML by concatenation: a rope of thousands of pieces, ten times the
  // size of the text. Kept as it is, the remembered formulas held 150 MB per worker.
  return { html: html === undefined ? undefined : flat(html), strict, ...(errorAt === undefined ? {} : { errorAt }) };
}

/** Whether rehype-katex, which draws what it can of a formula KaTeX rejects, shows only KaTeX's error in its place. */
function shownAsError(tex: string, displayMode: boolean, options: FormulaOptions): boolean {
  try {
    return katex.renderToString(tex, { ...options, displayMode, strict: 'ignore', throwOnError: false }).startsWith('<span class="katex-error"');
  } catch {
    return true;
  }
}

/** Whether a stored value has the shape of a rendered formula. */
function isFormula(value: unknown): value is Formula {
  if (typeof value !== 'object' || value === null) return false;
  const { html, strict } = value as Partial<Formula>;
  return typeof html === 'string' && Array.isArray(strict) && strict.every((finding) => typeof finding?.code === 'string' && typeof finding.message === 'string');
}

/** The same text as one contiguous string (decoding always makes a new, flat one). */
function flat(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/**
 * Render each formula with KaTeX once per process (renderFormula), whatever the number of
 * posts that repeat it, and put KaTeX's HTML in the tree as it is instead of parsing it back into elements (half
 * of rehype-katex's cost). Formulas KaTeX rejects are left in place for rehype-katex, which
 * runs next and reports them with their position and renders its visible error: invalid math
 * is handled exactly as without this step. Output is byte-for-byte the same whichever
 * formulas were cached.
 *
 * Finds math the way rehype-katex does: `math-inline` and `math-display` from remark-math,
 * and fenced ```math code blocks.
 */
export function rehypeKatexCache(options: FormulaOptions) {
  return function (tree: Root, file: VFile) {
    visitParents(tree, 'element', (element, parents) => {
      const classes = Array.isArray(element.properties.className) ? element.properties.className : [];
      const languageMath = classes.includes('language-math');
      const mathDisplay = classes.includes('math-display');
      if (!languageMath && !mathDisplay && !classes.includes('math-inline')) return undefined;
      let parent = parents.at(-1);
      let scope: Element = element;
      let displayMode = mathDisplay;
      if (element.tagName === 'code' && languageMath && parent?.type === 'element' && parent.tagName === 'pre') {
        scope = parent;
        parent = parents.at(-2);
        displayMode = true;
      }
      if (!parent) return undefined;
      const tex = toText(scope, { whitespace: 'pre' });
      const { html, errorAt } = renderFormula(tex, displayMode, options);
      if (html === undefined) {
        // Left for rehype-katex, which reports it at the formula's own position and renders
        // KaTeX's visible error. remark-math makes a `$$` block's <code> without one (only its
        // <pre> has it), and the message would point at the top of the file.
        if (!element.position && scope.position) element.position = structuredClone(scope.position);
        // In a display formula of many lines, at the line (and column) of the TeX KaTeX
        // stopped at rather than at the opening `$$`.
        const place = displayMode && errorAt !== undefined ? placeInSource(file, scope, tex, errorAt) : undefined;
        if (place) element.position = { start: place, end: place };
        // The rows' anchors of a formula with several labels (`\htmlId{eq-…}{}`, drawn by KaTeX)
        // are kept beside its error, so the text's references to them still lead to the formula.
        // Not when rehype-katex draws it all the same (an unknown command shown in red).
        const anchors = [...tex.matchAll(/\\htmlId\{(eq-[^{}]+)\}\{\}/g)].map(([, id]): Element => ({ type: 'element', tagName: 'span', properties: { id }, children: [] }));
        if (anchors.length > 0 && shownAsError(tex, displayMode, options)) parent.children.splice(parent.children.indexOf(scope) + 1, 0, ...anchors);
        return SKIP;
      }
      const written = element.properties.dataWrittenTex;
      const raw = { type: 'raw', value: focusableDisplay(unfocusableLinks(numberedMathml(html))), data: { tex: typeof written === 'string' ? written : tex } } as unknown as ElementContent;
      if (!displayMode && longestPiece(html) >= WIDE_PIECE) focusableScroller(parents);
      parent.children.splice(parent.children.indexOf(scope), 1, raw);
      return SKIP;
    });
  };
}

/**
 * Where in the file the character at `at` of a formula's TeX was written. The TeX KaTeX was
 * given is not quite the written one (macros defined earlier put in front, `\label` made a
 * `\tag` at the end, `multline` renamed, a quote's `>` taken off each line): the text from
 * `at` to the end of its line (else the text before it on the line) is looked for in the
 * formula's source, first whole, then shorter, and taken where it is there as often before
 * it as in the TeX. Undefined where it cannot be found for certain.
 */
function placeInSource(file: VFile, formula: Element, tex: string, at: number): Point | undefined {
  const start = formula.position?.start.offset;
  if (start === undefined) return undefined;
  const source = sourceOf(file, formula);
  const lineStart = tex.lastIndexOf('\n', at - 1) + 1;
  const lineEnd = tex.indexOf('\n', at) === -1 ? tex.length : tex.indexOf('\n', at);
  const line = tex.slice(lineStart, lineEnd);
  const indent = line.length - line.trimStart().length;
  const after = tex.slice(at, lineEnd).trimEnd();
  const before = tex.slice(lineStart + indent, at);
  // Each a piece of the TeX and where in it the error is: the whole line, then less of it.
  const pieces: [string, number][] = [[line.trim(), Math.max(0, at - lineStart - indent)]];
  for (const length of [24, 12, 6, 3]) {
    if (length < after.length && after.slice(0, length).trim().length >= 2) pieces.push([after.slice(0, length), 0]);
  }
  if (after.trim().length >= 2) pieces.push([after, 0]);
  for (const length of [before.length, 24, 12, 6, 3]) {
    if (length <= before.length && before.slice(before.length - length).trim().length >= 2) pieces.push([before.slice(before.length - length), length]);
  }
  for (const [piece, offset] of pieces) {
    if (piece.trim().length < 2 || offset > piece.length) continue;
    // Taken where the source has it as often before it as the TeX: the definitions put in
    // front of the TeX may hold it more often. More often in the source (in a `\label`, a
    // fence's `math`) is no telling which.
    const extra = occurrences(tex, piece) - occurrences(source, piece);
    if (extra < 0) continue;
    const found = occurrence(source, piece, occurrences(tex.slice(0, at - offset), piece) - extra);
    if (found !== undefined) return { ...placeAt(file, start + found + offset), offset: start + found + offset };
  }
  return undefined;
}

/** How many times `needle` is in `text`, not overlapping. */
function occurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
}

/** Where the `index`-th (0-based) `needle` in `text` starts, if there is one. */
function occurrence(text: string, needle: string, index: number): number | undefined {
  if (index < 0) return undefined;
  let at = text.indexOf(needle);
  for (let n = 0; n < index && at !== -1; n++) at = text.indexOf(needle, at + needle.length);
  return at === -1 ? undefined : at;
}

/**
 * A formula's links (`\eqref` inside it, KaTeX's `\href`) taken out of the tab order. They lie
 * in KaTeX's glyph layout, which is `aria-hidden`: the keyboard's focus landed on something
 * screen readers are told is not there (the `aria-hidden-focus` audit of axe and Lighthouse).
 * They stay links for a pointer; the MathML beside them reads the number. Done as the formula
 * goes into the page, so formulas stored by an earlier build get it too.
 */
function unfocusableLinks(html: string): string {
  return html.includes('<a href=') ? html.replaceAll('<a href=', '<a tabindex="-1" href=') : html;
}

/**
 * A display formula in the tab order (`tabindex="0"`): wider than a phone's column it scrolls
 * sideways in its own box, and a box that scrolls must be reachable by keyboard to be read
 * (WCAG 2.1.1; axe's `scrollable-region-focusable`). Its own links are taken out of the tab
 * order (unfocusableLinks), and Safari does not focus a scroller by itself. The MathML inside
 * is what a screen reader reads on focus. Done as the formula goes into the page, like
 * unfocusableLinks, so formulas stored by an earlier build get it too.
 */
function focusableDisplay(html: string): string {
  return html.startsWith('<span class="katex-display">') ? `<span class="katex-display" tabindex="0">${html.slice('<span class="katex-display">'.length)}` : html;
}

/**
 * A numbered environment's MathML with its rows' numbers written in. KaTeX leaves each
 * numbered row's MathML cell empty (`<mtd class="mml-eqn-num">`), `\tag{2}` or not, for its
 * page-wide CSS counter to fill: a screen reader heard KaTeX's count, not geul's (2) of the
 * text, and the feed, MathML without KaTeX's CSS, showed an `align` without any number while
 * its text said "식 (2)". The number of each row is taken from the HTML KaTeX drew beside it
 * (its `tag` column, a cell per row: empty for a `\nonumber` row, which has no MathML cell).
 * Done as the formula goes into the page, so formulas stored by an earlier build get it too.
 */
function numberedMathml(html: string): string {
  if (!html.includes('<mtd class ="mml-eqn-num"></mtd>')) return html;
  const numbers: (string | undefined)[] = [];
  visit(fromHtml(html, { fragment: true }), 'element', (element) => {
    if (!hasClass(element, 'tag')) return undefined;
    let rows: Element | undefined;
    visit(element, 'element', (inner) => {
      if (rows || !hasClass(inner, 'vlist')) return undefined;
      rows = inner;
      return SKIP;
    });
    for (const row of rows?.children ?? []) {
      // A row: a strut, then its number (empty for a row without one).
      const cell = row.type === 'element' ? row.children.at(-1) : undefined;
      if (cell?.type !== 'element' || cell.children.length === 0) continue;
      numbers.push(hasClass(cell, 'eqn-num') ? undefined : toText(cell));
    }
    return SKIP;
  });
  let row = 0;
  return html.replaceAll('<mtd class ="mml-eqn-num"></mtd>', (cell) => {
    const number = numbers[row++];
    return number === undefined ? cell : `<mtd><mtext>${number.replace(/[&<>]/g, (char) => `&#${char.charCodeAt(0)};`)}</mtext></mtd>`;
  });
}

function hasClass(element: Element, name: string): boolean {
  return Array.isArray(element.properties.className) && element.properties.className.includes(name);
}

/**
 * Glyphs in an inline formula's piece that KaTeX lets no line break into, from which on it may
 * be wider than a phone's column. KaTeX breaks inline math only after a relation or an
 * operator, at the end of a `.base`. A glyph is at most about 1em wide (1.1 × 17 px in the
 * theme), so 12 of them fit the narrowest column (a list at 320 px, about 240 px); in the
 * sample posts no piece under 12 glyphs is wider than 116 px.
 */
const WIDE_PIECE = 12;

/** The glyph count of the longest piece of a formula's HTML that cannot break across lines. */
function longestPiece(html: string): number {
  const layout = html.slice(html.indexOf('<span class="katex-html"'));
  let longest = 0;
  for (const piece of layout.split('<span class="base">').slice(1)) {
    // Tags and KaTeX's zero-width spaces (in stacked layouts) are not glyphs.
    const glyphs = piece.replace(/<[^>]*>/g, '').replace(/&[^;]+;/g, 'x').replace(/\u200b/g, '');
    longest = Math.max(longest, [...glyphs].length);
  }
  return longest;
}

/**
 * The block around an inline formula too long to break put in the tab order (`tabindex="0"`).
 * The theme lets that block scroll sideways on a narrow screen (style.css: a paragraph, cell,
 * definition or quote; for a list item, its list, whose markers the item's own box would
 * clip), and a box that scrolls must be reachable by keyboard to be read to its end (WCAG
 * 2.1.1; axe's `scrollable-region-focusable`). A heading holds its anchor link, which is
 * reached already. Only for long formulas: every paragraph with a short one would be one more
 * stop for the keyboard.
 */
function focusableScroller(parents: (Root | Element)[]): void {
  for (let at = parents.length - 1; at >= 0; at--) {
    const node = parents[at]!;
    if (node.type !== 'element') return;
    if (INLINE_WRAPPERS.has(node.tagName)) continue;
    const list = parents[at - 1];
    const box = node.tagName === 'li' ? list : node;
    if (box?.type === 'element' && SCROLLERS.has(box.tagName)) box.properties.tabIndex = 0;
    return;
  }
}

/** Elements the theme looks through for a formula (style.css, "Inline math breaks only…"). */
const INLINE_WRAPPERS = new Set(['a', 'strong', 'em', 'del', 'b', 'i', 's', 'mark', 'span', 'sub', 'sup']);

/** Blocks the theme makes scroll sideways when an inline formula in them is too long. */
const SCROLLERS = new Set(['p', 'td', 'th', 'dd', 'blockquote', 'ul', 'ol']);

/** The TeX of a node that rehypeKatexCache put in place of a formula, as the writer wrote it (before `\label`, `\eqref` and macros were worked in), if it is one. */
export function cachedFormulaTex(node: { type: string; data?: unknown }): string | undefined {
  if (node.type !== 'raw') return undefined;
  const tex = (node.data as { tex?: unknown } | undefined)?.tex;
  return typeof tex === 'string' ? tex : undefined;
}
