import type { Definition, Image, ImageReference, Link, LinkReference, Parent, Root } from 'mdast';
import { SKIP, visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import { addWarning } from './report.js';

/**
 * A markdown link that would run script where a reader clicks it — `[x](javascript:…)`,
 * `<vbscript:…>`, `[x](data:text/html,…)`, or a reference to such a definition — is
 * published as its text, with a warning at the link: GitHub and Hugo (goldmark, by default)
 * publish no such link either. Raw HTML is the writer's own and is left as written.
 */
export function remarkUnsafeLinks() {
  return function (tree: Root, file: VFile) {
    const unsafeDefinitions = new Set<string>();
    visit(tree, 'definition', (node: Definition) => {
      if (scriptScheme(node.url)) unsafeDefinitions.add(node.identifier);
    });
    visit(tree, (node, index, parent: Parent | undefined) => {
      if (node.type === 'image' || node.type === 'imageReference') {
        if (!parent || index === undefined || !droppedImage(node as Image | ImageReference, index, parent, unsafeDefinitions, file)) return;
        return [SKIP, index];
      }
      if (node.type !== 'link' && node.type !== 'linkReference') return;
      const link = node as Link | LinkReference;
      const scheme = link.type === 'link' ? scriptScheme(link.url) : unsafeDefinitions.has(link.identifier) ? 'definition' : undefined;
      if (!scheme || !parent || index === undefined) return;
      const what = scheme === 'definition' ? `the link "${link.type === 'linkReference' ? link.label ?? link.identifier : ''}" leads to a script URL` : `a "${scheme}:" link runs script where it is clicked`;
      addWarning(file, `${what}: its text is published without the link`, link.position?.start, 'unsafe-link');
      parent.children.splice(index, 1, ...link.children);
      // The text taken up in its place is visited next.
      return [SKIP, index];
    });
  };
}

/**
 * `![x](javascript:…)` is no picture: published as its alt text, with a warning, as Hugo
 * (goldmark) publishes such an image with an empty `src`. A `data:image/…` URL is a picture,
 * an SVG one included (an `<img>` runs no script of an SVG).
 */
function droppedImage(image: Image | ImageReference, index: number, parent: Parent, unsafeDefinitions: ReadonlySet<string>, file: VFile): boolean {
  const scheme = image.type === 'image' ? (/^data:image\//i.test(image.url.trim()) ? undefined : scriptScheme(image.url)) : unsafeDefinitions.has(image.identifier) ? 'definition' : undefined;
  if (!scheme) return false;
  const what = scheme === 'definition' ? `the image "${image.type === 'imageReference' ? image.label ?? image.identifier : ''}" leads to a script URL` : `an image of a "${scheme}:" URL is a script, not a picture`;
  addWarning(file, `${what}: its alt text is published without the image`, image.position?.start, 'unsafe-link');
  parent.children.splice(index, 1, ...(image.alt ? [{ type: 'text' as const, value: image.alt }] : []));
  return true;
}

/**
 * The scheme of a URL a browser would run as script, as browsers read it: tabs and line
 * breaks inside it ignored (`java\tscript:`), letter case too. `data:` images are pictures.
 */
function scriptScheme(url: string): string | undefined {
  const bare = url.replace(/[\p{Cc} ]/gu, '').toLowerCase();
  const scheme = /^(javascript|vbscript|data):/.exec(bare)?.[1];
  if (scheme === 'data' && /^data:image\/(?:png|gif|jpeg|webp|avif);/.test(bare)) return undefined;
  return scheme;
}
