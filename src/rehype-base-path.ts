import type { Root } from 'hast';
import { visit } from 'unist-util-visit';

/**
 * Prefix site-absolute links in a post (`[Adam](/posts/adam/)`) with the path part of
 * baseURL, so a site published under `https://example.com/blog/` keeps its internal links
 * working without the writer spelling out `/blog/` in every post.
 */
export function rehypeBasePath(options: { basePath: string }) {
  const { basePath } = options;
  return function (tree: Root) {
    if (basePath === '/') return;
    visit(tree, 'element', (node) => {
      for (const key of ['href', 'src'] as const) {
        const value = node.properties[key];
        if (typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !value.startsWith(basePath)) {
          node.properties[key] = basePath + value.slice(1);
        }
      }
    });
  };
}
