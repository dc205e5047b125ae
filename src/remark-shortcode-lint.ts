import type { Root } from 'mdast';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import { placeAt } from './place.js';
import { addWarning } from './report.js';

/** What to write instead of Hugo's built-in shortcodes a migrated post is most likely to hold. */
const INSTEAD: Record<string, string> = {
  figure: 'an image with a title: ![alt](images/x.png "caption")',
  ref: "a link to the post's file: [text](other-post.md)",
  relref: "a link to the post's file: [text](other-post.md)",
  highlight: 'a fenced code block: ```python {hl_lines=[2]}',
  youtube: 'raw HTML: <iframe src="https://www.youtube-nocookie.com/embed/<id>" …></iframe>',
  katex: 'math: $…$ or $$…$$',
  math: 'math: $…$ or $$…$$',
  details: 'raw HTML: <details><summary>…</summary>…</details>',
};

/** An opening shortcode, `{{< name …` or `{{% name …`; a closing one (`{{< /name >}}`) is not counted. */
const SHORTCODE = /\{\{([<%])\s*([A-Za-z][\w.-]*)/g;

/**
 * Hugo shortcodes (`{{< figure src="x.png" >}}`, `{{< ref "a.md" >}}`) are Hugo's template
 * calls inside markdown; geul has none, so a migrated post shows them as literal text. A
 * warning at each one, with what to write instead. Code is not text and is never looked at,
 * so a post that shows a shortcode in code (as Hugo's own docs do) passes.
 */
export function remarkShortcodeLint() {
  return function (tree: Root, file: VFile) {
    // Most posts hold none: not worth a walk of the tree.
    if (!/\{\{[<%]/.test(String(file.value ?? ''))) return;
    const text = String(file.value);
    visit(tree, 'text', (node) => {
      const start = node.position?.start.offset;
      const end = node.position?.end.offset;
      if (start === undefined || end === undefined) return;
      // `{{<figure src="x">}}` parses as the text `{{`, then raw HTML `<figure src="x">`: a
      // call is found by where it starts, in this node, reading on past its end.
      const source = text.slice(start, end + 64);
      for (const match of source.matchAll(SHORTCODE)) {
        if (match.index >= end - start) break;
        const [, delimiter, name] = match as unknown as [string, string, string];
        const close = delimiter === '<' ? '>' : '%';
        const instead = INSTEAD[name.toLowerCase()];
        addWarning(
          file,
          `Hugo shortcode {{${delimiter} ${name} ${close}}} is not supported and shows as text${instead ? `: write ${instead}` : ': write markdown or raw HTML instead'}`,
          placeAt(file, start + match.index),
          'shortcode',
        );
      }
    });
    // `{{<details summary="더보기">}}`, written without a space, parses as the text `{{`, raw
    // HTML `<details summary="더보기">` and the text `}}`: published, that tag opened an element
    // (a closed <details>, a <figure>) holding the rest of the post. Text, as the warning says.
    visit(tree, 'html', (node, index, parent) => {
      if (!parent || index === undefined) return;
      const before = parent.children[index - 1];
      const after = parent.children[index + 1];
      if (before?.type !== 'text' || !before.value.endsWith('{{') || after?.type !== 'text' || !after.value.startsWith('}}')) return;
      parent.children[index] = { type: 'text', value: node.value, ...(node.position ? { position: node.position } : {}) };
    });
    // `{{</* figure */>}}` is how a Hugo post shows a shortcode without calling it, mostly in
    // code blocks, where Hugo calls shortcodes too: Hugo drops the comment marks, and so do we.
    visit(tree, (node) => {
      if (node.type !== 'text' && node.type !== 'inlineCode' && node.type !== 'code') return;
      node.value = node.value.replace(ESCAPED, (_, angle?: string, percent?: string) =>
        angle === undefined ? `{{%${percent}%}}` : `{{<${angle}>}}`,
      );
    });
  };
}

// An escaped shortcode, `{{</* name … */>}}` or `{{%/* name … */%}}`: kept as `{{< name … >}}`.
const ESCAPED = /\{\{(?:<\/\*([\s\S]*?)\*\/>|%\/\*([\s\S]*?)\*\/%)\}\}/g;
