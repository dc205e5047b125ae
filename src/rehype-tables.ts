import type { Root } from 'hast';
import { visit } from 'unist-util-visit';

/**
 * A markdown table in the tab order (`tabindex="0"`). The theme lets a table wider than the
 * column scroll sideways in its own box (style.css), and a box that scrolls must be reachable
 * by keyboard to be read to its last column (WCAG 2.1.1; axe's `scrollable-region-focusable`):
 * Safari does not focus a scroller by itself, and a table of text has nothing else to focus.
 * Which tables will scroll depends on the reader's screen, so every one is reachable, as
 * Shiki does for every code block.
 */
export function rehypeTables() {
  return function (tree: Root) {
    visit(tree, 'element', (node) => {
      if (node.tagName === 'table') node.properties.tabIndex = 0;
    });
  };
}
