import type { Element, ElementContent, Root } from 'hast';
import { toText } from 'hast-util-to-text';
import katex, { type KatexOptions } from 'katex';
import { SKIP, visitParents } from 'unist-util-visit-parents';

/** KaTeX HTML of formulas rendered in this process, by display mode and TeX source. */
const rendered = new Map<string, string>();

/**
 * Render each formula with KaTeX once per process, whatever the number of posts that repeat
 * it, and put KaTeX's HTML in the tree as it is instead of parsing it back into elements (half
 * of rehype-katex's cost). Formulas KaTeX rejects are left in place for rehype-katex, which
 * runs next and reports them with their position and renders its visible error: invalid math
 * is handled exactly as without this step. Output is byte-for-byte the same whichever
 * formulas were cached.
 *
 * Finds math the way rehype-katex does: `math-inline` and `math-display` from remark-math,
 * and fenced ```math code blocks.
 */
export function rehypeKatexCache(options: Omit<KatexOptions, 'displayMode' | 'throwOnError'>) {
  const settingsKey = JSON.stringify(options);
  return function (tree: Root) {
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
      const key = `${settingsKey}\0${displayMode ? 'D' : 'I'}\0${tex}`;
      let html = rendered.get(key);
      if (html === undefined) {
        try {
          html = katex.renderToString(tex, { ...options, displayMode, throwOnError: true });
        } catch {
          return SKIP; // rehype-katex reports it and renders KaTeX's visible error.
        }
        rendered.set(key, html);
      }
      const raw = { type: 'raw', value: html, data: { tex } } as unknown as ElementContent;
      parent.children.splice(parent.children.indexOf(scope), 1, raw);
      return SKIP;
    });
  };
}

/** The TeX of a node that rehypeKatexCache put in place of a formula, if it is one. */
export function cachedFormulaTex(node: { type: string; data?: unknown }): string | undefined {
  if (node.type !== 'raw') return undefined;
  const tex = (node.data as { tex?: unknown } | undefined)?.tex;
  return typeof tex === 'string' ? tex : undefined;
}
