import { headingRank } from 'hast-util-heading-rank';
import { toString } from 'hast-util-to-string';
import type { Root } from 'hast';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import type { Heading } from './types.js';

/** Deepest heading level listed in a table of contents. */
const TOC_MAX_DEPTH = 4;

/**
 * Collect headings of depth 2–4 with their ids (given by rehype-slug) into
 * `file.data.toc`, for the table of contents. Runs before the anchor links are added,
 * so their text does not end in "#".
 */
export function rehypeHeadings() {
  return function (tree: Root, file: VFile) {
    const toc: Heading[] = [];
    visit(tree, 'element', (node) => {
      const depth = headingRank(node);
      const id = node.properties.id;
      if (depth && depth >= 2 && depth <= TOC_MAX_DEPTH && typeof id === 'string') {
        toc.push({ depth, id, text: toString(node).trim() });
      }
    });
    file.data.toc = toc;
  };
}
