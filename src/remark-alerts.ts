import type { Blockquote, Paragraph, Root } from 'mdast';
import { visit } from 'unist-util-visit';
import type { Messages } from './i18n.js';

/** The alert kinds GitHub has, and the message naming each. */
const TITLES = { note: 'alertNote', tip: 'alertTip', important: 'alertImportant', warning: 'alertWarning', caution: 'alertCaution' } as const;

/**
 * Before remark-github-blockquote-alert: a block quote opening with `[!TIP] 텍스트` on one
 * line is no alert on GitHub, and the plugin would drop its text; its first text is split at
 * the `[`, so the plugin does not see the marker and the quote stays a quote, text and all.
 */
export function remarkAlertGuard() {
  return function (tree: Root) {
    visit(tree, 'blockquote', (node: Blockquote) => {
      const first = node.children[0];
      if (first?.type !== 'paragraph') return;
      const text = first.children[0];
      if (text?.type !== 'text' || !/^\[!(?:note|tip|important|warning|caution)\][^\S\n]*[^\s]/i.test(text.value)) return;
      first.children.splice(0, 1, { ...text, value: '[' }, { type: 'text', value: text.value.slice(1) });
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
