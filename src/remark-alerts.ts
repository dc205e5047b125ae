import type { Blockquote, Paragraph, Root } from 'mdast';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import type { Messages } from './i18n.js';
import { placeAt } from './place.js';

/** The alert kinds GitHub has, and the message naming each. */
const TITLES = { note: 'alertNote', tip: 'alertTip', important: 'alertImportant', warning: 'alertWarning', caution: 'alertCaution' } as const;

/**
 * Before remark-github-blockquote-alert: a block quote opening with `[!TIP] 텍스트` on one
 * line is no alert on GitHub, and the plugin would drop its text; its first text is split at
 * the `[`, so the plugin does not see the marker and the quote stays a quote, text and all.
 * An alert's marker alone on its line is split from the text after it here: the plugin would
 * put that text in a new node without a position, and a bad `\eqref` or a `__강조__` in the
 * alert's first lines was then reported at 1:1 or not at all.
 */
export function remarkAlertGuard() {
  return function (tree: Root, file: VFile) {
    visit(tree, 'blockquote', (node: Blockquote) => {
      const first = node.children[0];
      if (first?.type !== 'paragraph') return;
      const text = first.children[0];
      if (text?.type !== 'text') return;
      if (/^\[!(?:note|tip|important|warning|caution)\][^\S\n]*[^\s]/i.test(text.value)) {
        first.children.splice(0, 1, { ...text, value: '[' }, { type: 'text', value: text.value.slice(1) });
        return;
      }
      const marker = /^\[!(?:note|tip|important|warning|caution)\]\n+/i.exec(text.value);
      const start = text.position?.start.offset;
      if (!marker || start === undefined || !text.position) return;
      const rest = text.value.slice(marker[0].length);
      // The rest's first line, found in the source after the marker (past the quote's `>`).
      const at = String(file.value ?? '').indexOf(rest.split('\n')[0]!, start + marker[0].trimEnd().length);
      const position = at === -1 ? text.position : { start: { ...placeAt(file, at), offset: at }, end: text.position.end };
      // The plugin drops a marker that is its paragraph's whole first text, and keeps what follows.
      first.children.splice(0, 1, { type: 'text', value: marker[0].trimEnd() }, { type: 'text', value: rest, position });
    });
  };
}

/**
 * The titles remark-github-blockquote-alert gives GitHub's alerts (`> [!NOTE]`), upper-case
 * English (`NOTE`), in the site's language instead: 참고, 팁, 중요, 경고, 주의.
 */
export function remarkAlertTitles(options: { text: Messages }) {
  return function (tree: Root) {
    visit(tree, 'paragraph', (node: Paragraph) => {
      const className = (node.data?.hProperties as { className?: unknown } | undefined)?.className;
      if (className !== 'markdown-alert-title') return;
      const title = node.children.find((child) => child.type === 'text');
      const kind = title?.value.toLowerCase();
      if (title && kind !== undefined && kind in TITLES) title.value = options.text[TITLES[kind as keyof typeof TITLES]];
    });
  };
}
