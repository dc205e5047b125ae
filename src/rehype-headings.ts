import { headingRank } from 'hast-util-heading-rank';
import type { Element, ElementContent, Root } from 'hast';
import { toHtml } from 'hast-util-to-html';
import { visit } from 'unist-util-visit';
import { cachedFormulaTex } from './rehype-katex-cache.js';
import type { VFile } from 'vfile';
import type { Heading } from './types.js';

/** Deepest heading level listed in a table of contents. */
const TOC_MAX_DEPTH = 4;

/**
 * Ids the page around a post already has (templates/base.liquid's `<main id="main">`, the
 * skip link's target): `## Main` must not take one, or its TOC link lands on the page's start.
 */
export const PAGE_IDS: readonly string[] = ['main'];

/**
 * Collect headings of depth 2–4 with their ids (given by rehype-slug) into
 * `file.data.toc`, for the table of contents: plain text (a formula as its TeX source) and
 * the inner HTML (a formula as rendered). Runs before the anchor links are added, so
 * neither ends in "#".
 */
export function rehypeHeadings() {
  return function (tree: Root, file: VFile) {
    const headings: { node: Element; depth: number }[] = [];
    const taken = new Set<string>(PAGE_IDS);
    visit(tree, 'element', (node) => {
      const depth = headingRank(node);
      if (!depth) {
        if (typeof node.properties.id === 'string') taken.add(node.properties.id);
      } else if (isFootnoteHeading(String(node.properties.id ?? '')) && (node.properties.className as string[] | undefined)?.includes('sr-only')) {
        // The footnotes' own heading keeps its id, which their references point at (aria-describedby).
        taken.add(String(node.properties.id));
      } else headings.push({ node, depth });
    });
    // The page's title is its one <h1>: a post that writes `# 서론` has every heading set a
    // level down, so its sections are <h2> and listed in the table of contents.
    if (headings.some(({ depth }) => depth === 1)) {
      for (const heading of headings) {
        heading.depth = Math.min(heading.depth + 1, 6);
        heading.node.tagName = `h${heading.depth}`;
      }
    }
    const toc: Heading[] = [];
    for (const { node, depth } of headings) {
      const id = unusedId(node, taken);
      if (depth >= 2 && depth <= TOC_MAX_DEPTH && id !== undefined && !isFootnoteHeading(id) && !onlyFootnoteReferences(node)) {
        const text = plainText(node).replace(/\s+/g, ' ').trim();
        // The TOC entry is itself a link: links inside the heading are unwrapped.
        toc.push({ depth, id, text, html: toHtml(node.children.flatMap(unwrapLinks), { allowDangerousHtml: true }) });
      }
    }
    file.data.toc = toc;
  };
}

/**
 * The heading's id, made unlike every other id of the post. Heading ids come from their text
 * (rehype-slug, which keeps them apart from each other only), equation ids from their labels:
 * `## Eq Loss` and `\label{eq:loss}` both make `eq-loss`. The equation keeps it (its `\eqref`
 * links point there); the heading takes the first free `-1`, `-2`, … as a repeated heading does.
 * The page's own ids (PAGE_IDS) are taken from the start. A heading with nothing to make an
 * id of (`## ❓`, `## …`) gets `heading`, as in Hugo: rehype-slug gave it `""` (an invalid id,
 * no anchor, a TOC link to `#`, the page's top) and its repeats `-1`, `-2`.
 */
function unusedId(heading: Element, taken: Set<string>): string | undefined {
  const written = heading.properties.id;
  if (typeof written !== 'string') return undefined;
  const id = written.replace(/^(?=(?:-\d+)?$)/, 'heading');
  let unique = id;
  for (let n = 1; taken.has(unique); n++) unique = `${id}-${n}`;
  heading.properties.id = unique;
  taken.add(unique);
  return unique;
}

/**
 * Text of an element, taking a KaTeX formula as its TeX source rather than its glyphs. A
 * footnote reference is no text of it: `## 서론[^1]` is listed and named "서론", not "서론1".
 */
export function plainText(node: Element | ElementContent): string {
  if (node.type === 'text') return node.value;
  // `## 제목<br>부제`: a line break parts words, in the list as on the page ("제목부제" before).
  if ((node.type === 'element' && node.tagName === 'br') || (node.type === 'raw' && /^<br\b/i.test(node.value))) return ' ';
  const cached = cachedFormulaTex(node);
  if (cached !== undefined) return cached;
  if (node.type !== 'element' || isFootnoteReference(node)) return '';
  const classes = node.properties.className;
  if (Array.isArray(classes) && classes.includes('katex')) {
    return texOf(node) ?? '';
  }
  return node.children.map(plainText).join('');
}

function texOf(node: Element): string | undefined {
  for (const child of node.children) {
    if (child.type !== 'element') continue;
    if (child.tagName === 'annotation') {
      const text = child.children[0];
      return text?.type === 'text' ? text.value : undefined;
    }
    const found = texOf(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The visually hidden "각주" heading that remark-rehype puts above footnotes is for screen
 * readers; it has no place in the table of contents and gets no anchor link.
 */
export function isFootnoteHeading(id: string): boolean {
  return /(?:^|-)footnote-label$/.test(id);
}

function unwrapLinks(node: ElementContent): ElementContent[] {
  // A formula's KaTeX HTML, kept as a string: `\eqref` inside it is KaTeX's own `<a>`.
  if (cachedFormulaTex(node) !== undefined) {
    const raw = node as unknown as { value: string };
    return [{ ...node, value: raw.value.replace(/<a\b[^>]*>|<\/a>/g, '') } as ElementContent];
  }
  // Raw HTML in the heading (`## <a id="old"></a>제목`, an anchor kept from an older site): an
  // `<a>` inside the TOC's link ends that link, leaving the entry unlinked, and an id would be
  // on the page twice, the TOC's copy first, so `#old` landed on the TOC. Both are left out.
  if (node.type === 'raw') return [{ ...node, value: node.value.replace(/<a\b[^>]*>|<\/a\s*>/gi, '').replace(RAW_ID, '') }];
  if (node.type !== 'element') return [node];
  // The TOC entry shows no footnote number (and could not link to the note).
  if (isFootnoteReference(node)) return [];
  const children = node.children.flatMap(unwrapLinks);
  return node.tagName === 'a' ? children : [{ ...node, children }];
}

/** An `id` attribute in a raw HTML tag. */
const RAW_ID = /\s+id\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+)/gi;

/** A heading of nothing but footnote references (`## [^1]`): its TOC entry would be an empty link. */
function onlyFootnoteReferences(heading: Element): boolean {
  const content = heading.children.filter((child) => child.type !== 'text' || child.value.trim() !== '');
  return content.length > 0 && content.every((child) => child.type === 'element' && isFootnoteReference(child));
}

/** remark-rehype's footnote reference: `<sup><a data-footnote-ref …>1</a></sup>`. */
function isFootnoteReference(node: Element): boolean {
  return node.tagName === 'sup' && node.children.some((child) => child.type === 'element' && child.tagName === 'a' && child.properties.dataFootnoteRef !== undefined);
}
