import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Element, ElementContent, Root } from 'hast';
import { toText } from 'hast-util-to-text';
import type { HighlighterCore, ShikiTransformer } from 'shiki/core';
import { SKIP, visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import { parseFenceMeta, type FenceOptions } from './code-fence-meta.js';
import { fragmentStore } from './fragments.js';
import { addWarning } from './report.js';

const require = createRequire(import.meta.url);

/** Both schemes' themes; the page's CSS picks one by `prefers-color-scheme`. */
export const CODE_THEMES = { light: 'github-light-default', dark: 'github-dark-default' } as const;

/**
 * Token colours changed for AA contrast (4.5:1) on the theme's code background (`--pre-bg`):
 * GitHub's light comment grey #6e7781 gives 4.2:1 there, Primer's newer muted grey 5.6:1.
 * The dark theme passes as it is. tests/highlight.test.ts checks every token colour.
 */
export const COLOR_REPLACEMENTS: Record<string, Record<string, string>> = {
  [CODE_THEMES.light]: { '#6e7781': '#59636E' },
};

/** Fence names that mean "no language": plain text, no label, no warning. */
const PLAIN = new Set(['', 'text', 'txt', 'plain', 'plaintext']);

/**
 * Fence names Hugo's highlighter (Chroma) knows and Shiki does not, by the Shiki language they
 * mean: a post moved from Hugo with ```golang or ```python3 was shown as plain text with an
 * "unknown code language" warning, while Hugo had highlighted it.
 */
const CHROMA_ALIASES: Record<string, string> = {
  golang: 'go',
  python3: 'python',
  py3: 'python',
  'bash-session': 'shellsession',
  'shell-session': 'shellsession',
  udiff: 'diff',
};

/** Longest line of code that is highlighted, in characters (see `highlight`). */
export const MAX_HIGHLIGHTED_LINE = 2000;

interface Language {
  /** Shiki's id, e.g. `python` for `py`. */
  id: string;
  /** The name shown on the block, e.g. `Python`. */
  name: string;
  /** Shiki's loader of the grammar (and the grammars it embeds); none for `ansi`. */
  load?: Parameters<HighlighterCore['loadLanguage']>[0];
}

interface Highlighting {
  core: HighlighterCore;
  /** Grammars loaded or loading in this process, by id. */
  loading: Map<string, Promise<void>>;
}

/**
 * One highlighter per process (and per worker thread), made when the first code block that
 * neither this process nor the fragment store has seen appears: a post edited in a site built
 * before finds its blocks made, and never starts Shiki (a third of a second).
 */
let highlighting: Promise<Highlighting> | undefined;
/** Every bundled language by id and alias, lower case: Shiki's list, without its grammars. */
let languageList: Promise<Map<string, Language>> | undefined;

/**
 * Blocks highlighted in this process, by language, options and code: a dev-server save
 * recompiles the whole post, and its unchanged blocks are copied instead of tokenized again
 * (5 ms each). Oldest first; bounded so a long session does not grow without end.
 */
const highlightedBlocks = new Map<string, Element>();
const MAX_REMEMBERED_BLOCKS = 2000;

/**
 * Fenced code blocks highlighted at build time by Shiki: tokens carry both themes' colours as
 * CSS variables (`--shiki-light`, `--shiki-dark`) and the stylesheet chooses, so the page needs
 * no script. Each block gets a visible language label, optional line numbers and emphasised
 * lines from the fence's meta (Hugo's `{linenos=table,hl_lines=[2]}` and the like, see
 * code-fence-meta.ts). A language Shiki does not know is a warning at the fence and the block
 * is shown as plain text; ```math blocks belong to KaTeX and are left alone.
 *
 * Grammars load on first use, so a site pays only for the languages it writes. Output depends
 * only on the code and its fence: the per-line time limit is off, so a slow machine never cuts
 * tokenizing short and the bytes are the same in any thread.
 */
export function rehypeShiki() {
  return async function (tree: Root, file: VFile) {
    const blocks: { pre: Element; code: Element; parent: Root | Element; language: string; meta: string }[] = [];
    visit(tree, 'element', (pre, _index, parent) => {
      if (pre.tagName !== 'pre' || !parent) return undefined;
      const code = pre.children.length === 1 && pre.children[0]!.type === 'element' ? pre.children[0] : undefined;
      if (code?.tagName !== 'code') return undefined;
      const classes = Array.isArray(code.properties.className) ? code.properties.className.map(String) : [];
      const language = classes.find((name) => name.startsWith('language-'))?.slice('language-'.length) ?? '';
      if (language === 'math') return SKIP;
      // `python{linenos=true}` without a space is still a language and its options.
      const brace = language.indexOf('{');
      const meta = `${brace === -1 ? '' : language.slice(brace)} ${String(code.data?.meta ?? '')}`.trim();
      blocks.push({ pre, code, parent, language: brace === -1 ? language : language.slice(0, brace), meta });
      return SKIP;
    });
    if (blocks.length === 0) return;

    const languages = await (languageList ??= listLanguages());
    for (const block of blocks) {
      const lowered = block.language.toLowerCase();
      const known = PLAIN.has(lowered) ? undefined : languages.get(lowered);
      if (!known && !PLAIN.has(lowered)) {
        const hint = nearest(lowered, languages);
        addWarning(
          file,
          `unknown code language "${block.language}", shown as plain text${hint ? ` (did you mean "${hint}"?)` : ''}`,
          infoPlace(file, block.pre),
          'code-language',
        );
      }
      const options = parseFenceMeta(block.meta);
      for (const problem of options.problems) addWarning(file, `code block options: ${problem}`, infoPlace(file, block.pre), 'code-meta');
      const text = toText(block.code, { whitespace: 'pre' }).replace(/\n$/, '');
      const lineCount = text.split('\n').length;
      const beyond = options.highlight.filter((line) => line > lineCount);
      if (beyond.length > 0) {
        addWarning(file, `code block options: hl_lines ${beyond.join(', ')} past the block's last line (${lineCount})`, infoPlace(file, block.pre), 'code-meta');
      }
      const label = known?.name ?? (PLAIN.has(lowered) ? undefined : block.language);
      const key = JSON.stringify([known?.id ?? 'text', options.lineNumbers, options.lineStart, options.highlight, text]);
      let highlighted = highlightedBlocks.get(key);
      if (!highlighted) {
        const store = fragmentStore();
        const stored = store?.get(`block\0${key}`);
        if (isElement(stored)) highlighted = stored;
        else {
          const { core, loading } = await (highlighting ??= createHighlighting());
          if (known?.load) await loadOnce(core, loading, known);
          highlighted = highlight(core, text, known?.id ?? 'text', options);
          store?.put(`block\0${key}`, highlighted);
        }
        if (highlightedBlocks.size >= MAX_REMEMBERED_BLOCKS) highlightedBlocks.delete(highlightedBlocks.keys().next().value!);
        highlightedBlocks.set(key, highlighted);
      }
      highlighted = structuredClone(highlighted);
      const wrapper: Element = {
        type: 'element',
        tagName: 'div',
        properties: { className: ['code-block'], ...(known ? { dataLanguage: known.id } : {}) },
        children: [
          ...(label ? [{ type: 'element', tagName: 'div', properties: { className: ['code-label'] }, children: [{ type: 'text', value: label }] } as Element] : []),
          highlighted,
        ],
      };
      block.parent.children.splice(block.parent.children.indexOf(block.pre), 1, wrapper as ElementContent);
    }
  };
}

/** Names (ids and aliases) of the grammars this process has loaded: only those its posts used. */
export async function loadedGrammars(): Promise<string[]> {
  return highlighting ? (await highlighting).core.getLoadedLanguages().sort() : [];
}

function highlight(core: HighlighterCore, text: string, language: string, options: FenceOptions): Element {
  const emphasised = new Set(options.highlight);
  const transformer: ShikiTransformer = {
    line(node, line) {
      if (emphasised.has(line)) this.addClassToHast(node, 'highlighted');
    },
    code(node) {
      if (!options.lineNumbers) return;
      this.addClassToHast(node, 'line-numbers');
      const last = options.lineStart + text.split('\n').length - 1;
      // The counter is drawn by CSS (`::before`), so selecting the code never copies numbers.
      const style = [
        options.lineStart !== 1 ? `counter-reset:line ${options.lineStart - 1}` : '',
        String(last).length > 2 ? `--line-number-width:${String(last).length}ch` : '',
      ].filter(Boolean);
      if (style.length > 0) node.properties.style = style.join(';');
    },
    pre(node) {
      if (emphasised.size > 0) this.addClassToHast(node, 'has-highlighted');
    },
  };
  const root = core.codeToHast(text, {
    lang: language,
    themes: CODE_THEMES,
    defaultColor: false,
    // The block's own colours come from the stylesheet (--pre-bg, --code-fg), like every box.
    rootStyle: false,
    colorReplacements: COLOR_REPLACEMENTS,
    tokenizeTimeLimit: 0,
    // No time limit (its cut would differ from machine to machine), so a bound by length: some
    // grammars take time growing with the square of a line (Python's strings of `\"`: 48 KB in
    // one line took 8 s). A longer line is shown as it is, in the block's own colour.
    tokenizeMaxLineLength: MAX_HIGHLIGHTED_LINE,
    transformers: [transformer],
  });
  return root.children[0] as Element;
}

async function listLanguages(): Promise<Map<string, Language>> {
  const { bundledLanguagesInfo } = await import('shiki/langs');
  const languages = new Map<string, Language>([['ansi', { id: 'ansi', name: 'ANSI' }]]);
  for (const info of bundledLanguagesInfo) {
    const language = { id: info.id, name: info.name, load: info.import };
    for (const name of [info.id, ...(info.aliases ?? [])]) languages.set(name.toLowerCase(), language);
  }
  for (const [alias, id] of Object.entries(CHROMA_ALIASES)) {
    const language = languages.get(id);
    if (language && !languages.has(alias)) languages.set(alias, language);
  }
  return languages;
}

/** Whether a stored value has the shape of a highlighted block: a hast element. */
function isElement(value: unknown): value is Element {
  if (typeof value !== 'object' || value === null) return false;
  const { type, tagName, properties, children } = value as Partial<Element>;
  return type === 'element' && typeof tagName === 'string' && typeof properties === 'object' && Array.isArray(children);
}

async function createHighlighting(): Promise<Highlighting> {
  const [{ createHighlighterCore }, { createOnigurumaEngine }, { bundledThemes }] = await Promise.all([
    import('shiki/core'),
    import('shiki/engine/oniguruma'),
    import('shiki/themes'),
  ]);
  // Oniguruma (WebAssembly) rather than the JavaScript regex engine: both start in about
  // 0.35 s of CPU, but a grammar's first use costs far less (TypeScript 0.5 s against 0.9 s,
  // C++ 0.7 s against 3 s), and each worker and dev server pays that again. The JavaScript
  // engine is faster once warm (2.6 ms against 5.7 ms for a 10-line block in two themes),
  // which only wins past about a hundred blocks of one language in one process; cached posts
  // are not highlighted again. The .wasm file is read as bytes: 0.07 s of CPU where decoding
  // shiki/wasm's inlined base64 copy takes 0.17 s.
  const core = await createHighlighterCore({
    engine: createOnigurumaEngine(readFile(require.resolve('shiki/onig.wasm'))),
    themes: [bundledThemes[CODE_THEMES.light](), bundledThemes[CODE_THEMES.dark]()],
    langs: [],
  });
  return { core, loading: new Map() };
}

function loadOnce(core: HighlighterCore, loading: Map<string, Promise<void>>, language: Language): Promise<void> {
  let pending = loading.get(language.id);
  if (!pending) {
    pending = core.loadLanguage(language.load!);
    loading.set(language.id, pending);
  }
  return pending;
}

/** Where the fence's info string starts (its language), else the fence itself. */
function infoPlace(file: VFile, pre: Element): { line: number; column: number } | undefined {
  const start = pre.position?.start;
  if (!start) return undefined;
  const fence = start.offset === undefined ? undefined : /^(`{3,}|~{3,})[ \t]*/.exec(String(file.value ?? '').slice(start.offset));
  return { line: start.line, column: start.column + (fence?.[0].length ?? 0) };
}

/** The known language name closest to a misspelt one, when at most two edits away. */
function nearest(name: string, languages: Map<string, Language>): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of languages.keys()) {
    const distance = editDistance(name, candidate, bestDistance);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/** Levenshtein distance, giving up (returning `limit`) once it is sure to reach `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    if (Math.min(...current) >= limit) return limit;
    previous = current;
  }
  return Math.min(previous[b.length]!, limit);
}
