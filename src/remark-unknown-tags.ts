import { htmlTagNames } from 'html-tag-names';
import { mathmlTagNames } from 'mathml-tag-names';
import type { Html, Nodes, Parent, Root } from 'mdast';
import { svgTagNames } from 'svg-tag-names';
import { visitParents } from 'unist-util-visit-parents';
import type { VFile } from 'vfile';
import { addWarning } from './report.js';

/** Every element a browser knows, in lower case: HTML's (obsolete ones too), SVG's and MathML's. */
const KNOWN = new Set([...htmlTagNames, ...svgTagNames, ...mathmlTagNames].map((name) => name.toLowerCase()));

/** An opening or closing tag as CommonMark reads raw HTML in a sentence: `<String>`, `</T>`, `<u8 x>`. */
const TAG = /^<\/?([A-Za-z][A-Za-z\d]*)(?=[\s/>])/;

/** Where a sentence is: a tag in a paragraph, heading or table cell is words, not a block of HTML. */
const PHRASING = new Set(['paragraph', 'heading', 'tableCell']);

/**
 * `자바의 List<String>은`, `f<T>(x)`, `Vec<u8>`: CommonMark reads `<String>` as a raw HTML tag,
 * and a browser hides a tag it does not know, so the page said `자바의 List은` (Hugo omits it,
 * GitHub strips it). A tag in a sentence whose name no HTML, SVG or MathML element has, and no
 * custom element either (theirs hold a `-`), is a word about code: it is shown as text, with a
 * warning saying how to write it. Tags of real elements (`<kbd>`, `<a href>`) are kept as written.
 */
export function remarkUnknownTags() {
  return function (tree: Root, file: VFile) {
    // Most posts hold no tag in a sentence: not worth a walk of the tree.
    if (!/<\/?[A-Za-z]/.test(String(file.value ?? ''))) return;
    visitParents(tree, 'html', (node: Html, ancestors: Nodes[]) => {
      const parent = ancestors.at(-1) as Parent | undefined;
      if (!parent || !ancestors.some((ancestor) => PHRASING.has(ancestor.type))) return;
      const tag = TAG.exec(node.value);
      if (!tag || KNOWN.has(tag[1]!.toLowerCase())) return;
      const written = node.value.startsWith('</') ? `</${tag[1]}>` : `<${tag[1]}>`;
      addWarning(
        file,
        `${written} is not an HTML element, and a browser would hide it: shown as text; write it in backticks (\`${written}\`) or as \\${written}`,
        node.position?.start,
        'unknown-tag',
      );
      parent.children[parent.children.indexOf(node as never)] = { type: 'text', value: node.value, ...(node.position ? { position: node.position } : {}) };
    });
  };
}
