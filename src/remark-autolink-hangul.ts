import type { Link, Parent, Root, Text } from 'mdast';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import { PARTICLE_RULES } from './korean-particles.js';

/**
 * A bare URL written into a Korean sentence ends where the sentence's Hangul starts:
 * `https://arxiv.org/abs/1706.03762에서` links to `…/1706.03762`, and `에서` stays text. GFM's
 * autolink literal runs on to the next space, so the link led to `…03762%EC%97%90%EC%84%9C`,
 * a page that is not there; Hugo (goldmark's linkify, ASCII-only) stops at the Hangul too.
 * Hangul that starts a path segment, a query value or a fragment is part of the URL
 * (`…/wiki/트랜스포머`, `?query=검색`, `#서론`): only Hangul right after a letter, a digit or
 * closing punctuation, where a particle or ending goes, is cut off, and so are particles alone
 * after the URL's last `/` (`https://pytorch.org/에서`). It ends at full-width and CJK
 * punctuation too (`「https://example.com」`). Links written as `[…](…)`
 * or `<…>` say where they end and are left alone.
 */
export function remarkAutolinkHangul() {
  return function (tree: Root, file: VFile) {
    const source = String(file.value);
    visit(tree, 'link', (link: Link, index, parent: Parent | undefined) => {
      if (!parent || index === undefined || !isLiteral(link, source)) return;
      const text = link.children[0] as Text;
      const cut = cutAt(text.value);
      if (cut === undefined || !link.url.endsWith(text.value)) return;
      const rest = text.value.slice(cut);
      link.url = link.url.slice(0, link.url.length - rest.length);
      text.value = text.value.slice(0, cut);
      const after = parent.children[index + 1];
      if (after?.type === 'text') after.value = rest + after.value;
      else parent.children.splice(index + 1, 0, { type: 'text', value: rest });
    });
  };
}

/** A GFM autolink literal: one text child, and in the source neither `[` nor `<` where it starts. */
function isLiteral(link: Link, source: string): boolean {
  const start = link.position?.start.offset;
  if (start === undefined || link.children.length !== 1 || link.children[0]!.type !== 'text') return false;
  return source[start] !== '[' && source[start] !== '<';
}

/**
 * Where a literal URL's own text ends: before the first Hangul that follows a letter, a digit or
 * closing punctuation, and before the `)` and trailing punctuation GFM would have left out had
 * the URL ended there (`(https://example.com/a)를` → `https://example.com/a`). Each run of
 * Hangul is looked at, not only the first: in `(https://ko.wikipedia.org/wiki/트랜스포머)를` the
 * first is the URL's and the second the sentence's.
 */
function cutAt(text: string): number | undefined {
  const hangul = [...text.matchAll(/\p{Script=Hangul}+/gu)].find((run) => run.index > 0 && (!KEEPS_HANGUL.test(text[run.index - 1]!) || particlesAfterSlash(text, run)));
  const punctuation = WIDE_PUNCTUATION.exec(text);
  if (!hangul && !punctuation) return undefined;
  let end = Math.min(hangul?.index ?? text.length, punctuation?.index ?? text.length);
  for (;;) {
    const last = text[end - 1]!;
    if (TRAILING.test(last) || (last === ')' && count(text.slice(0, end), '(') < count(text.slice(0, end), ')'))) end--;
    else break;
  }
  return end > 0 ? end : undefined;
}

/**
 * `https://pytorch.org/에서`: a URL ending in `/` and followed by a particle. Hangul after `/` is
 * a path segment (`…/wiki/트랜스포머`), but not one made of particles alone at the URL's end: no
 * page is named `에서` or `을`, while a homepage's address is written with its `/` more often than not.
 */
function particlesAfterSlash(text: string, run: RegExpExecArray): boolean {
  if (text[run.index - 1] !== '/' || !TRAILING_ONLY.test(text.slice(run.index + run[0].length))) return false;
  // Two or three particles at most (`에서부터는`): a long run is a word, and is not taken apart.
  return run[0].length <= 8 && particlesOnly(run[0].normalize('NFC'));
}

/** Whether a run of Hangul is nothing but particles and endings, one after another (`에서는`). */
function particlesOnly(run: string): boolean {
  if (run === '') return true;
  return PARTICLE_RULES.some((rule) => run.startsWith(rule.suffix) && particlesOnly(run.slice(rule.suffix.length)));
}

/** Nothing, or only what GFM leaves out of a literal URL's end. */
const TRAILING_ONLY = /^[?!.,:*_~'"]*$/;

/**
 * Characters after which Hangul begins a part of the URL rather than the sentence's next word;
 * `(` for a title's parenthesis (`…/wiki/트랜스포머_(기계_학습)`).
 */
const KEEPS_HANGUL = /[/=#?&+\-_~:%(]/;

/**
 * Full-width and CJK punctuation, and curly quotes: `「https://a.com/x」에서`, `（https://a.com）`,
 * `“https://a.com”`. A URL holds them only percent-encoded; GFM ran on over them (to
 * `…/x%E3%80%8D`), Hugo's linkify, ASCII-only, ends the URL there, and so does geul.
 */
const WIDE_PUNCTUATION = /[\u2018-\u201F\u2026\u3001-\u303F\uFF01-\uFF0F\uFF1A-\uFF20\uFF3B-\uFF40\uFF5B-\uFF65]/;

/** GFM's trailing punctuation, which it leaves out of a literal URL's end. */
const TRAILING = /[?!.,:*_~'"]/;

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}
