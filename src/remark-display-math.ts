import type { Root } from 'mdast';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import { displayMathFrom } from './math-nodes.js';
import { sourceOf } from './place.js';
import { addWarning } from './report.js';

/**
 * A paragraph that is nothing but `$$…$$` on one line is display math, as GitHub shows it;
 * remark-math alone would set it inline. Promoted here, before equations are numbered, and
 * said so with a warning, since the same text renders inline elsewhere.
 */
export function remarkDisplayMath() {
  return function (tree: Root, file: VFile) {
    visit(tree, 'paragraph', (node, index, parent) => {
      if (!parent || index === undefined || node.children.length !== 1) return;
      const [only] = node.children;
      if (only?.type !== 'inlineMath') return;
      const source = sourceOf(file, node).trim();
      if (!/^\$\$[^\n]*\$\$$/.test(source)) return;
      parent.children[index] = displayMathFrom(node, only.value);
      addWarning(
        file,
        'one-line "$$…$$" is shown as display math (as on GitHub); put each "$$" on a line of its own to say so, or use "$…$" for inline math',
        node.position?.start,
        'display-math',
      );
    });
  };
}
