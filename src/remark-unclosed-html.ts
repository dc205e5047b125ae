import { fromHtml } from 'hast-util-from-html';
import type { Html, Nodes, Parent, Root } from 'mdast';
import { visitParents } from 'unist-util-visit-parents';
import type { VFile } from 'vfile';
import { addWarning } from './report.js';

/**
 * Elements whose content a browser reads as text up to their end tag: one left open holds the
 * rest of the page, the footer too (shown inside a text box, or hidden as script or style).
 * `<template>` is no such element, but one left open hides the rest of the page all the same
 * (its content is inert, never shown), so it is told with them.
 */
const RAW_TEXT = /<(?:script|style|textarea|title|xmp|iframe|noembed|noframes|noscript|plaintext|template)\b/i;
const OPENING = /^<(script|style|textarea|title|xmp|iframe|noembed|noframes|noscript|plaintext|template)\b[^>]*>$/i;
const OPENING_ANYWHERE = /<(script|style|textarea|title|xmp|iframe|noembed|noframes|noscript|plaintext|template)\b[^>]*>/gi;
/** `<iframe src="…" />`: in HTML the `/>` of an element that is not void closes nothing. */
const SELF_CLOSED = /<(script|style|textarea|title|xmp|iframe|noembed|noframes|noscript)\b([^>]*?)\s*\/>/gi;

/** Where a sentence ends: the closing tag is looked for up to there. */
const BLOCKS = new Set(['paragraph', 'heading', 'tableCell']);

/**
 * `HTML의 <textarea> 태그는 …`: a raw-text element named in a sentence and not closed in its
 * paragraph is a word about HTML, not HTML. Raw HTML is the writer's own and is kept, but this
 * tag, published, held the rest of the page; it is shown as text, as GitHub shows it, with a
 * warning at it. A closed one (`<kbd>`, `<style>…</style>` in one paragraph) is kept as written.
 * An HTML block that opens such an element and never closes it (`<script>` starting a line,
 * which CommonMark reads on to the end of the post) is kept, and said at its first line.
 */
export function remarkUnclosedHtml() {
  return function (tree: Root, file: VFile) {
    const text = String(file.value ?? '');
    // Most posts name none of these: not worth a walk of the tree.
    if (!RAW_TEXT.test(text) && !text.includes('<!--') && !/<[A-Za-z][^<>]*["']/.test(text)) return;
    visitParents(tree, 'html', (node: Html, ancestors: Nodes[]) => {
      const parent = ancestors.at(-1) as Parent | undefined;
      // `<!-- 메모` with no `-->`: CommonMark reads the HTML block on to the end of the post,
      // and a browser on to the end of the page, so the footer vanished with the rest. Closed
      // at the end of its block (what follows in the post stays hidden, as written), and said.
      const comment = unclosedComment(node.value);
      if (comment !== undefined) {
        node.value += ' -->';
        addWarning(file, 'an HTML comment "<!--" is not closed: it is closed at the end of its HTML block, and what the post has after it there is not shown; close it with -->', placeIn(node, comment), 'unclosed-html');
      }
      // `<div class="note>`: a quote left open runs on past the post to the next quote of the
      // page, and the browser takes the page up to there for the tag's attributes (the footer
      // vanished). Shown as text, as a raw-text element left open in a sentence is.
      if (/["']/.test(node.value) && parent && unclosedTag(node.value)) {
        addWarning(file, 'a tag in this HTML is not closed (a quote left open?): a browser reads the rest of the page into it; it is shown as text: close the quote and the tag', node.position?.start, 'unclosed-html');
        parent.children[parent.children.indexOf(node)] = { type: 'text', value: node.value, ...(node.position ? { position: node.position } : {}) };
        return;
      }
      if (!RAW_TEXT.test(node.value)) return;
      const block = ancestors.findLast((ancestor) => BLOCKS.has(ancestor.type));
      const end = node.position?.end.offset;
      // `<iframe src="…" />`, as JSX and XHTML write an embed: the page after it became the
      // iframe's content, never shown. Closed as it was meant, and said.
      const selfClosed = new RegExp(SELF_CLOSED.source, 'i').exec(node.value);
      if (selfClosed) {
        const name = selfClosed[1]!.toLowerCase();
        node.value = node.value.replace(SELF_CLOSED, (_, tag: string, attributes: string) => `<${tag}${attributes}></${tag}>`);
        addWarning(file, `"<${name} … />" does not close in HTML, where "/>" ends no <${name}>: published as <${name} …></${name}>; write the end tag`, node.position?.start, 'unclosed-html');
      }
      if (!block) {
        const name = unclosedIn(node.value);
        if (name === undefined) return;
        addWarning(
          file,
          `<${name}> is not closed: a browser puts the rest of the page inside it; close it with </${name}>, or write the tag in backticks (\`<${name}>\`)`,
          node.position?.start,
          'unclosed-html',
        );
        return;
      }
      const opened = OPENING.exec(node.value);
      if (!opened || !parent || end === undefined) return;
      const rest = text.slice(end, block.position?.end.offset ?? end);
      if (new RegExp(`</${opened[1]}\\s*>`, 'i').test(rest)) return;
      const name = opened[1]!.toLowerCase();
      addWarning(
        file,
        `<${name}> is not closed in its paragraph and would hold the rest of the page: it is shown as text; write it in backticks (\`<${name}>\`)`,
        node.position?.start,
        'unclosed-html',
      );
      parent.children[parent.children.indexOf(node)] = { type: 'text', value: node.value, ...(node.position ? { position: node.position } : {}) };
    });
  };
}

/** The first raw-text element that a block of HTML opens and does not close, by name. */
function unclosedIn(html: string): string | undefined {
  for (const match of html.matchAll(OPENING_ANYWHERE)) {
    if (!new RegExp(`</${match[1]}\\s*>`, 'i').test(html.slice(match.index + match[0].length))) return match[1]!.toLowerCase();
  }
  return undefined;
}

/** Where in `html` a comment opens that is not closed in it; `<!-->` and `<!--->` close at once, as in HTML. */
function unclosedComment(html: string): number | undefined {
  let at = 0;
  for (;;) {
    const open = html.indexOf('<!--', at);
    if (open === -1) return undefined;
    const body = open + 4;
    const close = html.startsWith('>', body) ? body - 2 : html.startsWith('->', body) ? body - 1 : html.indexOf('-->', body);
    if (close === -1) return open;
    at = close + 3;
  }
}

/** The place in the file of the character at `index` of an HTML node's text. */
function placeIn(node: Html, index: number): { line: number; column: number } | undefined {
  const start = node.position?.start;
  if (!start) return undefined;
  const before = node.value.slice(0, index);
  const newline = before.lastIndexOf('\n');
  return { line: start.line + before.split('\n').length - 1, column: newline === -1 ? start.column + index : index - newline };
}

/** Whether `html` ends inside a tag, a quoted attribute value left open most often (HTML's "eof-in-tag"). */
function unclosedTag(html: string): boolean {
  let open = false;
  fromHtml(html, {
    fragment: true,
    onerror(error) {
      open ||= error.ruleId === 'eof-in-tag';
    },
  });
  return open;
}
