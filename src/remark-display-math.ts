import type { Root } from 'mdast';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import { displayMathFrom, setTex, type Math } from './math-nodes.js';
import { sourceOf } from './place.js';
import { addWarning } from './report.js';

/**
 * Display math written otherwise than as `$$` lines, made the same `math` node, before
 * equations are numbered and formulas checked:
 * - a ```` ```math ```` fence (GitHub's other way to write a formula; any letter case), which
 *   remark-math leaves a code block that rehype-katex would render with no `\label`, and no check;
 * - a paragraph that is nothing but `$$…$$` on one line, display math as GitHub shows it,
 *   where remark-math alone would set it inline; said so with a warning, since the same text
 *   renders inline elsewhere.
 */
export function remarkDisplayMath() {
  return function (tree: Root, file: VFile) {
    visit(tree, 'math', (node) => {
      // `$$ f(x) = x^2` and `$$\begin{aligned}`: remark-math takes the rest of the opening
      // line for a code fence's info string and drops it; GitHub renders it as the formula's start.
      if (node.meta) {
        const tex = node.value ? `${node.meta}\n${node.value}` : node.meta;
        node.meta = null;
        node.value = tex;
        if (node.data) delete node.data.writtenTex;
        setTex(node, tex);
      }
      // `$$이다.`: a "$$" with text after it on its line closes nothing (a `$$` ending a line
      // does, src/micromark-math.ts), so markdown reads on over the paragraphs after it, to
      // the end of the post when no `$$` line follows. TeX has no "$$" inside a display
      // formula: any on an inner line was meant to close it. Said there. Lines split at CRLF too.
      const lines = sourceOf(file, node).split(/\r?\n/);
      for (let at = 1; at < lines.length && node.position; at++) {
        const closer = /(?<!\\)\$\$+/.exec(lines[at]!);
        if (!closer || lines[at]!.slice(closer.index + closer[0].length).trim() === '') continue;
        addWarning(
          file,
          `"$$" with text after it on its line does not close a formula: put the text on a line of its own (the formula runs on to line ${node.position.end.line})`,
          { line: node.position.start.line + at, column: closer.index + 1 },
          'display-math',
        );
        break;
      }
    });
    visit(tree, 'code', (node, index, parent) => {
      if (!parent || index === undefined || node.lang?.toLowerCase() !== 'math') return;
      const math: Math = { type: 'math', value: node.value, meta: null, position: node.position };
      setTex(math, node.value);
      parent.children[index] = math;
    });
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
