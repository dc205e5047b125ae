import type { Heading, Root } from 'mdast';
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
    });
  };
}

/** `{#id .class}` at the end of the text, after a space or alone. */
const ATTRIBUTES = /(?:^|[ \t])\{[ \t]*((?:[#.][^\s{}#.]+[ \t]*)+)\}[ \t]*$/u;
