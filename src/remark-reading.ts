import type { Nodes, Paragraph, Root, RootContent } from 'mdast';
import { visit, SKIP } from 'unist-util-visit';
import type { VFile } from 'vfile';
import { writtenTexOf } from './math-nodes.js';

/** Hangul syllables a Korean reader reads in a minute of careful technical reading. */
const HANGUL_PER_MINUTE = 500;
/** Words of other scripts (English terms, numbers) read in a minute. */
const WORDS_PER_MINUTE = 200;
/** Seconds spent on one formula, whatever its length: formulas are read, not skimmed. */
const SECONDS_PER_INLINE_FORMULA = 3;
const SECONDS_PER_DISPLAY_FORMULA = 10;
/** Longest excerpt, in characters. */
const EXCERPT_LIMIT = 160;

const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u;

/**
 * Counts of one text: Hangul by syllables, other scripts by words (runs of letters and
 * digits, which a syllable ends). One pass over the characters: matching every syllable
 * with a regular expression made a string of each, on every text node of every post.
 */
export function countText(written: string): { hangul: number; words: number } {
  // Hangul written as conjoining letters (NFD, as text copied out of a PDF on macOS often is)
  // counts as the syllables they make: letter by letter it read as a few long "words", and a
  // post of it took a quarter of its reading time.
  const text = /[\u1100-\u11ff]/.test(written) ? written.normalize('NFC') : written;
  let hangul = 0;
  let words = 0;
  let inWord = false;
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code >= 0xac00 && code <= 0xd7a3) {
      hangul++;
      inWord = false;
      continue;
    }
    let wordChar: boolean;
    if (code < 0x80) wordChar = (code >= 0x30 && code <= 0x39) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a);
    else {
      const point = text.codePointAt(at)!;
      if (point > 0xffff) at++;
      wordChar = LETTER_OR_NUMBER.test(String.fromCodePoint(point));
    }
    if (wordChar && !inWord) words++;
    inWord = wordChar;
  }
  return { hangul, words };
}

/**
 * Count what a reader reads, from the markdown tree rather than the HTML: Hangul by
 * syllables (Korean has no reliable word unit for timing), other scripts by words, code
 * blocks excluded, each formula at a fixed cost. Also takes the excerpt: the text before
 * `<!--more-->` if there is any, else the first paragraph, cut at a sentence end.
 */
export function remarkReading() {
  return function (tree: Root, file: VFile) {
    let hangul = 0;
    let words = 0;
    let seconds = 0;
    visit(tree, (node: Nodes) => {
      if (node.type === 'code' || node.type === 'html' || (node.type as string) === 'toml' || node.type === 'yaml') return SKIP;
      if (node.type === 'math') {
        seconds += SECONDS_PER_DISPLAY_FORMULA;
        return SKIP;
      }
      if (node.type === 'inlineMath') {
        seconds += SECONDS_PER_INLINE_FORMULA;
        return SKIP;
      }
      if (node.type === 'text' || node.type === 'inlineCode') {
        const counts = countText(node.value);
        hangul += counts.hangul;
        words += counts.words;
      }
      return undefined;
    });
    seconds += (hangul / HANGUL_PER_MINUTE) * 60 + (words / WORDS_PER_MINUTE) * 60;
    const { excerpt, more } = excerptOf(tree);
    file.data.reading = {
      wordCount: hangul + words,
      readingMinutes: Math.max(1, Math.round(seconds / 60)),
      excerpt,
      more,
    };
  };
}

function excerptOf(tree: Root): { excerpt: string; more: boolean } {
  // Hugo's summary divider, on a line of its own or inside the text of a paragraph, a list
  // item or a quote: what comes before it, wherever it is, is the summary.
  const before = beforeMore(tree.children.filter((node) => (node.type as string) !== 'toml'));
  // A divider with no text before it (`<!--more-->` as the body's first line) makes no summary:
  // as in Hugo, `description`, else the automatic summary, stands in for it, not an empty one.
  const summary = before && plainText(before);
  if (summary) return { excerpt: summary, more: true };
  const paragraph = tree.children.find(
    (node): node is Paragraph => node.type === 'paragraph' && plainText([node]).length > 0,
  );
  return { excerpt: paragraph ? cutAtSentence(plainText([paragraph]), EXCERPT_LIMIT) : '', more: false };
}

/** The nodes before the first `<!--more-->` among `nodes` or inside them, cut there; else undefined. */
function beforeMore(nodes: RootContent[]): RootContent[] | undefined {
  for (const [at, node] of nodes.entries()) {
    if (isMoreMarker(node)) return nodes.slice(0, at);
    if ('children' in node) {
      const inside = beforeMore(node.children as RootContent[]);
      if (inside) return [...nodes.slice(0, at), { ...node, children: inside } as RootContent];
    }
  }
  return undefined;
}

function isMoreMarker(node: Nodes): boolean {
  return node.type === 'html' && /^<!--\s*more\s*-->$/i.test(node.value.trim());
}

/**
 * The text a reader sees of some blocks, for a summary: raw HTML left out (a `<!-- note -->`
 * is no text, `<kbd>Ctrl</kbd>` is `Ctrl`), image alt text too; a formula as the TeX its
 * writer wrote (`\eqref{eq:nll}`, not the `\href` and `\tag` remarkEquations made of it).
 */
function plainText(nodes: RootContent[]): string {
  return nodes
    .map(textOf)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const BLOCK_CONTAINERS = new Set(['list', 'listItem', 'blockquote', 'table', 'tableRow', 'footnoteDefinition']);

function textOf(node: Nodes): string {
  // A line break, written or as `<br>`, parts words like a space.
  if (node.type === 'break' || (node.type === 'html' && /^<br\s*\/?>$/i.test(node.value.trim()))) return ' ';
  if (node.type === 'html' || node.type === 'image' || node.type === 'imageReference') return '';
  if (node.type === 'math' || node.type === 'inlineMath') return writtenTexOf(node);
  if ('value' in node) return node.value;
  // Blocks inside a block (a list's items, a quote's paragraphs, a row's cells) part words too.
  if ('children' in node) return (node.children as Nodes[]).map(textOf).join(BLOCK_CONTAINERS.has(node.type) ? ' ' : '');
  return '';
}

/**
 * Cut text to at most `limit` characters, at the last sentence end that fits; else at the
 * last space, with an ellipsis (which counts in the limit). Korean sentences end in `.`, `?`,
 * `!` like English ones, or in their full-width forms, quotes closing after them; a sentence
 * ending on the last character that fits counts too.
 */
/**
 * A sentence end: `.`, `?` or `!` before a space, or a full-width mark (`。`, `！`, `？`) with or
 * without one. Closing quotes and brackets right after the mark end the sentence with it:
 * `그는 "충분하다." 라고 썼다`, `“충분하다.”`, as Korean (and English) quote whole sentences.
 */
const SENTENCE_END = /[.?!]["'”’」』)\]]*(?=\s)|[。！？]["'”’」』)\]]*/g;

export function cutAtSentence(text: string, limit: number): string {
  const chars = Array.from(text);
  if (chars.length <= limit) return text;
  const head = chars.slice(0, limit).join('');
  // One character more: the space (or line end) that makes the last mark a sentence end.
  const lookahead = `${head}${chars[limit]!.trim() === '' ? ' ' : chars[limit]}`;
  let sentenceEnd = -1;
  for (const match of lookahead.matchAll(SENTENCE_END)) {
    if (match.index + match[0].length <= head.length) sentenceEnd = match.index + match[0].length;
  }
  if (sentenceEnd - 1 > limit / 3) return head.slice(0, sentenceEnd).trim();
  const space = head.lastIndexOf(' ');
  return `${(space > limit / 3 ? head.slice(0, space) : wholeGraphemes(chars, limit - 1)).trim()}…`;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The first characters of `chars`, at most `max` of them, ending between two graphemes: a
 * Hangul syllable written as letters (NFD, as text copied out of a PDF on macOS often is) or
 * an emoji sequence (👨‍👩‍👧‍👦) is not cut in two, which left `하ᄒ…`, a lone consonant.
 */
function wholeGraphemes(chars: string[], max: number): string {
  let out = '';
  let length = 0;
  // A few characters past the cut, so a grapheme across it is seen whole.
  for (const { segment } of graphemes.segment(chars.slice(0, max + 16).join(''))) {
    const size = Array.from(segment).length;
    if (length + size > max) break;
    out += segment;
    length += size;
  }
  return out;
}
