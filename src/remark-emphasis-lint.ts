import type { Root } from 'mdast';
import { visitParents } from 'unist-util-visit-parents';
import type { VFile } from 'vfile';
import { placeAt, sourceOf } from './place.js';
import { addWarning } from './report.js';

/** What each marker was meant to do, and how to get it. */
const FIXES: Record<string, string> = {
  '**': 'is shown as is, not as bold: close it and keep no space just inside ("** 강조**" → "**강조**"), or write \\*\\* for asterisks',
  __: 'is shown as is, not as bold: "__" does not work next to Hangul or inside a word; use "**" ("__강조__는" → "**강조**는"), or write \\_\\_ for underscores',
  '~~': 'is shown as is, not struck through: close it and keep no space just inside ("~~ 취소~~" → "~~취소~~"), or write \\~\\~ for tildes',
};

/**
 * `**`, `__` or `~~` that parsing left as text is emphasis that did not happen: a warning at
 * the marker, with the fix. Code, math and raw HTML are not text and are never looked at;
 * neither is the text of an autolink (`https://example.com/__init__`). A marker escaped in
 * the source (`\*\*`) is the writer's choice and passes, and so does a `__` inside a Latin
 * identifier (`my__var__name`, `CONSTANT__NAME`), which names a thing and was never emphasis.
 */
export function remarkEmphasisLint() {
  return function (tree: Root, file: VFile) {
    visitParents(tree, 'text', (node, ancestors) => {
      if (!/\*\*|__|~~/.test(node.value)) return;
      const link = ancestors.findLast((ancestor) => ancestor.type === 'link');
      if (link?.type === 'link' && link.url.includes(node.value.trim())) return;
      const source = sourceOf(file, node);
      const start = node.position?.start.offset;
      const reported = new Set<string>();
      for (const match of source.matchAll(/(?<!\\)(\*\*|__|~~)/g)) {
        const marker = match[1]!;
        if (marker === '__' && inIdentifier(source, match.index)) continue;
        if (reported.has(marker)) continue;
        reported.add(marker);
        const place = start === undefined ? node.position?.start : placeAt(file, start + match.index);
        addWarning(file, `"${marker}" ${FIXES[marker]}`, place, 'emphasis');
      }
    });
  };
}

/** A `__` at `at` with an ASCII letter, digit or `_` on both sides: part of a name like `a__b`. */
function inIdentifier(source: string, at: number): boolean {
  return /[A-Za-z0-9_]/.test(source[at - 1] ?? '') && /[A-Za-z0-9_]/.test(source[at + 2] ?? '');
}
