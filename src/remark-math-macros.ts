import katex from 'katex';
import { slug } from 'github-slugger';
import type { Heading, Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { visit } from 'unist-util-visit';
import { setTex, writtenTexOf, type InlineMath, type Math } from './math-nodes.js';

/** One macro a formula defines: its name (`\norm`) and the TeX that defines it. */
interface Definition {
  name: string;
  tex: string;
  /** Written `\renewcommand`: the name was defined before. */
  renews?: boolean;
}

/**
 * Macros defined in one formula work in the formulas after it, as writers know them from
 * Typora, Obsidian and MathJax (and KaTeX's own `\gdef` with a shared `macros` object): a
 * review defines `\newcommand{\norm}[1]{\lVert #1 \rVert}` or `\def\E{\mathbb{E}}` once and
 * uses it all through the post. KaTeX renders each formula alone (and geul renders each
 * distinct formula once, ever), so a later formula gets the definitions it uses, in the order
 * they were made, written in front of its TeX: the formula stays a pure function of its TeX.
 * A definition KaTeX refuses is not carried on.
 */
export function remarkMathMacros() {
  return function (tree: Root) {
    const defined = new Map<string, Definition>(COMPATIBLE);
    visit(tree, (node) => {
      if (node.type !== 'math' && node.type !== 'inlineMath') return;
      const own = definitionsIn(declaredOperators(writtenTexOf(node)));
      // `\newcommand{\R}{\mathbb{R}}`, a MathJax habit: KaTeX has `\R` and refused the whole
      // formula ("attempting to redefine"), where MathJax, Typora and Obsidian take it. A name
      // KaTeX itself has is given by `\renewcommand`, as they read it.
      let tex = declaredOperators(node.value);
      for (const definition of own) {
        // `\newcommand*`, whose star (arguments hold no paragraph) means nothing in a formula
        // and which KaTeX reads as defining `*`.
        const starred = /^\\(new|renew|provide)command\s*\*/.exec(definition.tex);
        if (starred) {
          const plain = definition.tex.replace(starred[0], `\\${starred[1]}command`);
          tex = tex.replace(definition.tex, plain);
          definition.tex = plain;
        }
        if (definition.renews || defined.has(definition.name) || !/^\\newcommand/.test(definition.tex) || !katexHas(definition.name)) continue;
        const renewed = definition.tex.replace(/^\\newcommand/, '\\renewcommand');
        tex = tex.replace(definition.tex, renewed);
        definition.tex = renewed;
        definition.renews = true;
      }
      // A name the formula defines anew is its own; one it redefines (`\renewcommand`) needs
      // the definition before, alone as KaTeX renders the formula.
      const fresh = new Set(own.filter((definition) => !definition.renews).map((definition) => definition.name));
      const preamble = preambleFor(tex, defined, fresh);
      for (const definition of own) {
        const before = definition.renews ? (defined.get(definition.name)?.tex ?? '') : '';
        if (!accepted(definition, before, defined)) continue;
        // Latest definition last; a redefinition carries the one it replaces, whose name
        // `\renewcommand` requires to exist.
        defined.delete(definition.name);
        defined.set(definition.name, { ...definition, tex: before + definition.tex });
      }
      if (preamble || tex !== node.value) setTex(node, `${preamble}${tex}`);
    });
    // A heading's id comes from its formulas' TeX (rehype-slug): from the TeX as written, not
    // with the definitions put in front of it.
    visit(tree, 'heading', (heading: Heading) => {
      let prefixed = false;
      visit(heading, 'inlineMath', (math: InlineMath) => {
        if (math.value !== writtenTexOf(math)) prefixed = true;
      });
      if (!prefixed || heading.data?.hProperties?.id) return;
      heading.data = { ...heading.data, hProperties: { ...heading.data?.hProperties, id: slug(toString(withWrittenTex(heading))) } };
    });
  };
}

/**
 * LaTeX commands that papers' formulas hold and KaTeX lacks, given as the macros they come
 * closest to, in front of a formula that uses them as a post's own macros are: `\mbox{…}`
 * (text in math, older papers) and `\mathbbm{1}` (the indicator function of ML papers).
 */
const COMPATIBLE: [string, Definition][] = [
  ['\\mbox', { name: '\\mbox', tex: '\\newcommand{\\mbox}[1]{\\text{#1}}' }],
  ['\\mathbbm', { name: '\\mathbbm', tex: '\\newcommand{\\mathbbm}[1]{\\mathbb{#1}}' }],
];

/** The definitions a formula's TeX uses, and those they use, in the order they were made. */
function preambleFor(tex: string, defined: ReadonlyMap<string, Definition>, own: ReadonlySet<string>): string {
  const needed = new Set<string>();
  const pending = [tex];
  while (pending.length > 0) {
    const text = pending.pop()!;
    for (const definition of defined.values()) {
      if (needed.has(definition.name) || own.has(definition.name) || !uses(text, definition.name)) continue;
      needed.add(definition.name);
      pending.push(definition.tex);
    }
  }
  return [...defined.values()].filter((definition) => needed.has(definition.name)).map((definition) => definition.tex).join('');
}

/** Whether TeX holds the control sequence `name` (`\E` in `\E[X]`, not in `\Equal`). */
function uses(tex: string, name: string): boolean {
  for (let at = tex.indexOf(name); at !== -1; at = tex.indexOf(name, at + 1)) {
    if (tex[at - 1] === '\\' && !isEscaped(tex, at - 1)) continue;
    const next = tex[at + name.length] ?? '';
    if (!/[a-zA-Z]/.test(name.slice(1)) || !/[a-zA-Z]/.test(next)) return true;
  }
  return false;
}

/** Whether the character at `at` is escaped by an odd run of backslashes before it. */
function isEscaped(tex: string, at: number): boolean {
  let count = 0;
  for (let index = at - 1; index >= 0 && tex[index] === '\\'; index--) count++;
  return count % 2 === 1;
}

const DECLARE = /\\DeclareMathOperator(?![a-zA-Z])\s*(\*?)\s*\{\s*(\\[a-zA-Z]+)\s*\}\s*\{/g;

/**
 * `\DeclareMathOperator{\tr}{tr}` (and the starred form, limits under it), copied from a
 * paper's preamble: KaTeX has no such command and refused the formula. Written as the
 * `\newcommand{\tr}{\operatorname{tr}}` it means, which then works after it as any macro does.
 */
export function declaredOperators(tex: string): string {
  if (!tex.includes('\\DeclareMathOperator')) return tex;
  let out = '';
  let last = 0;
  for (const match of tex.matchAll(DECLARE)) {
    if (match.index < last || isEscaped(tex, match.index)) continue;
    const open = match.index + match[0].length - 1;
    const close = groupEnd(tex, open);
    if (close === undefined) continue;
    out += `${tex.slice(last, match.index)}\\newcommand{${match[2]}}{\\operatorname${match[1]}{${tex.slice(open + 1, close)}}}`;
    last = close + 1;
  }
  return out + tex.slice(last);
}

/** Whether KaTeX itself defines a control sequence (`\R`, `\vec`), so that `\newcommand` of it fails. */
function katexHas(name: string): boolean {
  let known = builtIn.get(name);
  if (known === undefined) {
    try {
      katex.renderToString(`\\newcommand{${name}}{}`, { throwOnError: true, strict: 'ignore' });
      known = false;
    } catch (error) {
      known = error instanceof Error && error.message.includes('attempting to redefine');
    }
    builtIn.set(name, known);
  }
  return known;
}

const builtIn = new Map<string, boolean>();

/** Whether KaTeX takes a definition (after the one it replaces) where it stands. */
function accepted(definition: Definition, before: string, defined: ReadonlyMap<string, Definition>): boolean {
  // `\newcommand` of a name made before is refused, as in LaTeX: the first stays.
  if (defined.has(definition.name) && /^\\(?:newcommand|providecommand)/.test(definition.tex)) return false;
  try {
    katex.renderToString(before + definition.tex, { throwOnError: true, strict: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const DEFINER = /(?:\\global\s*)?\\(newcommand|renewcommand|providecommand|def|gdef|edef|xdef|let)(?![a-zA-Z])\*?/g;
const NAME = /^\s*(\\(?:[a-zA-Z]+|.))/;

/**
 * The macros a formula defines, each with the TeX that defines it: `\newcommand{\name}[n][default]{body}`
 * (and `\renewcommand`, `\providecommand`, `\name` unbraced), `\def\name#1{body}` (and
 * `\gdef`, `\edef`, `\xdef`, `\global\def`), `\let\name\other`. A `%` comment is no definition.
 */
export function definitionsIn(tex: string): Definition[] {
  const clean = tex.replace(/(?<!\\)((?:\\\\)*)%[^\n]*/g, (_, slashes: string) => slashes + ' '.repeat(_.length - slashes.length));
  const found: Definition[] = [];
  for (const match of clean.matchAll(DEFINER)) {
    if (isEscaped(clean, match.index)) continue;
    const end = definitionEnd(clean, match.index + match[0].length, match[1]!);
    if (end === undefined) continue;
    found.push({ name: end.name, tex: clean.slice(match.index, end.at), ...(match[1] === 'renewcommand' ? { renews: true } : {}) });
  }
  return found;
}

/** Where a definition whose command ends at `at` ends, and the name it defines. */
function definitionEnd(tex: string, at: number, command: string): { name: string; at: number } | undefined {
  let rest = tex.slice(at);
  let offset = at;
  let name: string | undefined;
  if (command.endsWith('command')) {
    const braced = /^\s*\{\s*(\\(?:[a-zA-Z]+|.))\s*\}/.exec(rest) ?? NAME.exec(rest);
    if (!braced) return undefined;
    name = braced[1]!;
    offset += braced[0].length;
    rest = tex.slice(offset);
    // `[n]` arguments and a `[default]` for the first.
    for (let options = 0; options < 2; options++) {
      const option = /^\s*\[[^\]]*\]/.exec(rest);
      if (!option) break;
      offset += option[0].length;
      rest = tex.slice(offset);
    }
  } else {
    const named = NAME.exec(rest);
    if (!named) return undefined;
    name = named[1]!;
    offset += named[0].length;
    rest = tex.slice(offset);
    if (command === 'let') {
      const target = /^\s*=?\s*(\\(?:[a-zA-Z]+|.)|[^\s\\])/.exec(rest);
      return target ? { name, at: offset + target[0].length } : undefined;
    }
    // Parameter text (`#1#2`, or delimiters) up to the body's brace.
    const parameters = /^[^{}]*/.exec(rest)!;
    offset += parameters[0].length;
  }
  const body = /^\s*\{/.exec(tex.slice(offset));
  if (!body) return undefined;
  const close = groupEnd(tex, offset + body[0].length - 1);
  return close === undefined ? undefined : { name, at: close + 1 };
}

/** The index of the `}` closing the group that opens at `open`; escaped braces skipped. */
function groupEnd(tex: string, open: number): number | undefined {
  let depth = 0;
  for (let index = open; index < tex.length; index++) {
    const char = tex[index];
    if (char === '\\') index++;
    else if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return index;
  }
  return undefined;
}

/** A copy of a heading whose formulas read as written, for its id. */
function withWrittenTex(heading: Heading): Heading {
  const copy = structuredClone(heading);
  visit(copy, 'inlineMath', (math: InlineMath | Math) => {
    math.value = writtenTexOf(math);
  });
  return copy;
}
