import type { Root } from 'mdast';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import { placeAt } from './place.js';
import { addWarning } from './report.js';

/**
 * Control characters HTML has no place for: C0 ones but tab, line feed, form feed and carriage
 * return, DEL, and the C1 ones. (NUL is already U+FFFD, as CommonMark says.)
 */
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const CONTROL = /[\u0001-\u0008\u000B\u000E-\u001F\u007F-\u009F]/gu;

/**
 * Text pasted from a PDF (a paper's abstract, a formula) brings control characters along
 * (U+0002 for a ligature, U+0008, C1 characters from a misread encoding). Published, each is
 * an HTML parse error that browsers show as a box or not at all, and the search index and
 * feed held them. They are taken out of the post's text, code and math, with a warning at the
 * first on each line, so the writer can see what the paste brought.
 */
export function remarkControlChars() {
  return function (tree: Root, file: VFile) {
    const source = String(file.value ?? '');
    // Almost every post holds none: not worth a walk of the tree.
    if (!new RegExp(CONTROL.source, 'u').test(source)) return;
    // The front matter is read by frontmatter.ts, whose TOML parser reports its own.
    const first = tree.children[0];
    const body = first && (first.type as string) === 'toml' ? (first.position?.end.offset ?? 0) : 0;
    const lines = new Map<number, { column: number; found: Set<string> }>();
    for (const match of source.slice(body).matchAll(CONTROL)) {
      const place = placeAt(file, body + match.index);
      const line = lines.get(place.line) ?? { column: place.column, found: new Set<string>() };
      line.found.add(`U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
      lines.set(place.line, line);
    }
    for (const [line, { column, found }] of lines) {
      addWarning(file, `control character${found.size > 1 ? 's' : ''} ${[...found].join(', ')} (pasted from a PDF?) left out: HTML has no place for them`, { line, column }, 'control-character');
    }
    visit(tree, (node) => {
      if ((node.type as string) === 'toml' || !('value' in node) || typeof node.value !== 'string') return;
      node.value = node.value.replace(CONTROL, '');
      // A formula's TeX is copied into the HTML it becomes (mdast-util-math's hChildren).
      for (const child of (node.data as { hChildren?: { value?: unknown }[] } | undefined)?.hChildren ?? []) {
        if (typeof child.value === 'string') child.value = child.value.replace(CONTROL, '');
      }
    });
  };
}
