import type { Nodes, Root, Text } from 'mdast';
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

/** A marker left as text: its node, and where it is in the node's source and in the file. */
interface Marker {
  marker: string;
  node: Text;
  /** The node's source text. */
  source: string;
  /** Offset in `source`. */
  at: number;
}

/**
 * `**`, `__` or `~~` that parsing left as text is emphasis that did not happen: a warning at
 * the marker, with the fix. Code, math and raw HTML are not text and are never looked at;
 * neither is the text of an autolink (`https://example.com/__init__`). A marker escaped in
 * the source (`\*\*`) is the writer's choice and passes, and so does a `__` inside a Latin
 * identifier (`my__var__name`, `CONSTANT__NAME`), which names a thing and was never emphasis.
 * Nor was, alone of its kind in its paragraph, a `~~` (`약 ~~ 정도`: strikethrough takes two),
 * a marker with spaces on both sides (`a ** b`), or Python's `**kwargs` and `2**10`.
 */
export function remarkEmphasisLint() {
  return function (tree: Root, file: VFile) {
    const text = String(file.value ?? '');
    const blocks = new Map<Nodes, Marker[]>();
    visitParents(tree, 'text', (node, ancestors) => {
      if (!/\*\*|__|~~/.test(node.value)) return;
      const link = ancestors.findLast((ancestor) => ancestor.type === 'link');
      if (link?.type === 'link' && link.url.includes(node.value.trim())) return;
      const block = ancestors.findLast((ancestor) => BLOCKS.has(ancestor.type)) ?? ancestors.at(-1)!;
      const source = sourceOf(file, node);
      const markers = blocks.get(block) ?? [];
      for (const match of source.matchAll(/(?<!\\)(\*\*|__|~~)/g)) {
        if (match[1] === '__' && inIdentifier(source, match.index)) continue;
        markers.push({ marker: match[1]!, node, source, at: match.index });
      }
      blocks.set(block, markers);
    });
    for (const markers of blocks.values()) {
      const around = (found: Marker) => surroundings(text, found);
      const counted = markers.filter((found) => !(found.marker === '**' && (unpacking(around(found)) || power(around(found)))));
      const count = new Map<string, number>();
      for (const found of counted) count.set(found.marker, (count.get(found.marker) ?? 0) + 1);
      const reported = new Set<string>();
      for (const found of counted) {
        if (count.get(found.marker) === 1 && (found.marker === '~~' || freeStanding(around(found)))) continue;
        // Once per marker and text node: the first place is enough to find the rest.
        const key = `${found.marker}:${found.node.position?.start.offset ?? ''}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const start = found.node.position?.start.offset;
        const place = start === undefined ? found.node.position?.start : placeAt(file, start + found.at);
        addWarning(file, `"${found.marker}" ${FIXES[found.marker]}`, place, 'emphasis');
      }
    }
  };
}

/** Where markers that could pair up are looked for together: text across these is not emphasis. */
const BLOCKS = new Set(['paragraph', 'heading', 'tableCell']);

/** The text just before a marker and just after it, from the file where the node has a place. */
function surroundings(text: string, found: Marker): { before: string; after: string } {
  const start = found.node.position?.start.offset;
  const [whole, at] = start === undefined ? [found.source, found.at] : [text, start + found.at];
  return { before: whole.slice(Math.max(0, at - 1), at), after: whole.slice(at + 2) };
}

/** Space (or nothing) on both sides: `a ** b`, `약 ~~ 정도`; no side of it could be emphasis. */
function freeStanding({ before, after }: { before: string; after: string }): boolean {
  return /^\s?$/.test(before) && /^(?:\s|$)/.test(after);
}

/** `2**10`, `x**2`, `(n+1)**2`: Python's power, written without spaces, between a name or number and another. */
function power({ before, after }: { before: string; after: string }): boolean {
  return /[A-Za-z0-9_)]$/.test(before) && /^[A-Za-z0-9_(]/.test(after);
}

/** `**kwargs`, `f(**opts)`: Python's (and Ruby's) keyword unpacking, a lower-case name after it. */
function unpacking({ before, after }: { before: string; after: string }): boolean {
  return /^[\s(,[]?$/.test(before) && /^[a-z_][A-Za-z0-9_]*(?![A-Za-z0-9_*])/.test(after);
}

/** A `__` at `at` with an ASCII letter, digit or `_` on both sides: part of a name like `a__b`. */
function inIdentifier(source: string, at: number): boolean {
  return /[A-Za-z0-9_]/.test(source[at - 1] ?? '') && /[A-Za-z0-9_]/.test(source[at + 2] ?? '');
}
