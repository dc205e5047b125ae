import { slug } from 'github-slugger';
import type { Heading, Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { visit } from 'unist-util-visit';

/**
 * Hugo's heading attributes, `## 서론 {#intro}` and `## 부록 {#appendix .wide}`: at the end of
 * a heading, a `{…}` of nothing but `#id` and `.class` gives the heading that id and those
 * classes, and is no part of its text. Hugo writers link to such ids (`[서론](#intro)`); without
 * this the braces showed in the heading and its TOC entry, and the id was `서론-intro`.
 * Anything else in braces (`## 집합 {1, 2}`) stays text, as Hugo leaves it.
 */
export function remarkHeadingIds() {
  return function (tree: Root) {
    visit(tree, 'heading', (heading: Heading) => {
      writtenAttributes(heading);
      footnotesLeftOut(heading);
    });
  };
}

/**
 * A footnote reference is no part of a heading's id: `## 서론[^1]` is `서론`, as on GitHub and
 * in Hugo, where rehype-slug, reading the reference's number, made it `서론1` (and a link to
 * `#서론` written by hand, or kept from Hugo, led nowhere). The id is made here from the
 * text without the reference, as rehype-slug would make it (an image's alt is no text there);
 * a repeat is told apart later by rehypeHeadings. An id already given (`{#intro}`) stands.
 */
function footnotesLeftOut(heading: Heading): void {
  if (heading.data?.hProperties?.id !== undefined) return;
  let referred = false;
  visit(heading, 'footnoteReference', () => {
    referred = true;
  });
  if (!referred) return;
  // Nothing left to make it of (`## [^1]`): Hugo's `heading`, as rehypeHeadings gives `## ❓`.
  const id = slug(toString(heading, { includeImageAlt: false })) || 'heading';
  heading.data = { ...heading.data, hProperties: { ...heading.data?.hProperties, id } };
}

/** `{#id .class}` ending the heading: its id and classes, the braces dropped. */
function writtenAttributes(heading: Heading): void {
  const last = heading.children.at(-1);
  if (last?.type !== 'text') return;
  const found = ATTRIBUTES.exec(last.value);
  if (!found) return;
  const tokens = found[1]!.trim().split(/\s+/);
  const ids = tokens.filter((token) => token.startsWith('#')).map((token) => token.slice(1));
  const classes = tokens.filter((token) => token.startsWith('.')).map((token) => token.slice(1));
  last.value = last.value.slice(0, found.index).trimEnd();
  if (!last.value) heading.children.pop();
  const properties: Record<string, unknown> = { ...heading.data?.hProperties };
  // The last id wins, as in goldmark.
  if (ids.length > 0) properties.id = ids.at(-1);
  if (classes.length > 0) properties.className = classes;
  heading.data = { ...heading.data, hProperties: properties as never };
}

/** `{#id .class}` at the end of the text, after a space or alone. */
const ATTRIBUTES = /(?:^|[ \t])\{[ \t]*((?:[#.][^\s{}#.]+[ \t]*)+)\}[ \t]*$/u;
