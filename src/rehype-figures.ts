import type { Element, ElementContent, Root } from 'hast';
import { SKIP, visit } from 'unist-util-visit';
import type { VFile } from 'vfile';

/**
 * Shape images for the page, after remarkImages planned them:
 * - an `<img>` with responsive variants goes into a `<picture>` whose `<source>` offers WebP
 *   (or AVIF) first, so a browser without WebP still gets the `<img>`'s own format;
 * - an image alone in its paragraph with a title or alt text becomes a `<figure>` with a
 *   `<figcaption>` (the title, else the alt text); the `<img>` keeps its alt, and its title
 *   moves into the caption rather than also showing as a tooltip. A caption that repeats the
 *   alt text is hidden from screen readers, which read the alt.
 * An image among words stays inline in its paragraph; raw HTML images are the author's own.
 */
export function rehypeFigures() {
  return function (tree: Root, file: VFile) {
    const pictures = file.data.pictures ?? {};
    visit(tree, 'element', (node, index, parent) => {
      if (node.tagName !== 'img' || !parent || index === undefined) return;
      const src = node.properties.src;
      const sources = typeof src === 'string' ? pictures[src] : undefined;
      let image: Element = node;
      if (sources && sources.length > 0) {
        image = {
          type: 'element',
          tagName: 'picture',
          properties: {},
          children: [
            ...sources.map((source): ElementContent => ({ type: 'element', tagName: 'source', properties: { ...source }, children: [] })),
            node,
          ],
        };
        parent.children[index] = image;
      }
      if (parent.type === 'element' && parent.tagName === 'p' && aloneIn(parent, image)) {
        const title = typeof node.properties.title === 'string' ? node.properties.title.trim() : '';
        const alt = typeof node.properties.alt === 'string' ? node.properties.alt.trim() : '';
        const caption = title || alt;
        if (caption) {
          delete node.properties.title;
          parent.tagName = 'figure';
          // A caption that is the alt text again is shown, not read a second time: a screen
          // reader said "SVD 그림" for the image and once more for its caption.
          const repeated = !title || title === alt;
          parent.children = [image, { type: 'element', tagName: 'figcaption', properties: repeated ? { ariaHidden: 'true' } : {}, children: [{ type: 'text', value: caption }] }];
        }
      }
      // The `<img>` now sits inside the `<picture>`: do not visit it a second time.
      return [SKIP, index + 1];
    });
  };
}

/** Whether `child` is the only thing in `parent` but white space. */
function aloneIn(parent: Element, child: Element): boolean {
  return parent.children.every((node) => node === child || (node.type === 'text' && node.value.trim() === ''));
}
