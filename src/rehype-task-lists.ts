import type { Element, ElementContent, Root } from 'hast';
import { visit } from 'unist-util-visit';
import { plainText } from './rehype-headings.js';

/** Elements that end a task item's own text: what follows them (a nested list) is not its name. */
const BLOCKS = new Set(['ul', 'ol', 'p', 'div', 'pre', 'blockquote', 'table', 'figure', 'details', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);

/**
 * A task list's checkbox named by its item's text (`- [x] 실험 재현` → `aria-label="실험 재현"`).
 * remark-gfm writes a bare `<input type="checkbox" disabled>`: a form field with no label,
 * announced as an unnamed checkbox, which fails the `label` audit of axe and Lighthouse (an
 * accessibility score below 100 for any post with a task list). An attribute, not a `<label>`
 * around the text, so the item's markup, and the theme's CSS for it, stay as they were.
 */
export function rehypeTaskLists() {
  return function (tree: Root) {
    visit(tree, 'element', (node) => {
      if (node.tagName !== 'li' || !classes(node).includes('task-list-item')) return;
      // A loose list puts the checkbox in the item's first paragraph.
      const first = node.children.find((child): child is Element => child.type === 'element');
      const holder = first?.tagName === 'p' ? first : node;
      const at = holder.children.findIndex((child) => child.type === 'element' && child.tagName === 'input' && child.properties.type === 'checkbox');
      if (at === -1) return;
      const checkbox = holder.children[at] as Element;
      const after = holder.children.slice(at + 1);
      const end = after.findIndex((child) => child.type === 'element' && BLOCKS.has(child.tagName));
      const name = (end === -1 ? after : after.slice(0, end))
        .map((child: ElementContent) => plainText(child))
        .join('')
        .replace(/\s+/g, ' ')
        .trim();
      if (name) checkbox.properties.ariaLabel = name;
    });
  };
}

function classes(node: Element): unknown[] {
  const value = node.properties.className;
  return Array.isArray(value) ? value : [];
}
