import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { termSlug, titleSlug, unsafeSlugReason } from '../src/slug.ts';

describe('termSlug', () => {
  test.each([
    ['Paper Review', 'paper-review'],
    ['LLM', 'llm'],
    ['NLP', 'nlp'],
    ['자연어 처리', '자연어-처리'],
    ['  Machine   Learning  ', 'machine-learning'],
    ['C++ & Rust', 'c-rust'],
    ['Q&A: 질문/답변?', 'qa-질문답변'],
    ['100% 확률#1', '100-확률1'],
    ['node.js', 'node.js'],
    ['snake_case', 'snake_case'],
    ['탭\t문자', '탭-문자'],
  ])('%j → %j', (name, slug) => {
    expect(termSlug(name)).toBe(slug);
  });

  test('NFD input (as macOS writes Hangul) gives NFC output', () => {
    const nfd = '자연어 처리'.normalize('NFD');
    expect(nfd).not.toBe('자연어 처리');
    expect(termSlug(nfd)).toBe('자연어-처리');
    expect(termSlug(nfd)).toBe(termSlug(nfd).normalize('NFC'));
  });

  test('"NLP" and "nlp" are one term', () => {
    expect(termSlug('NLP')).toBe(termSlug('nlp'));
  });

  test('a name of punctuation only leaves nothing', () => {
    expect(termSlug('?!#')).toBe('');
  });

  test('titleSlug makes file names for `geul new` the same way', () => {
    expect(titleSlug('트랜스포머 리뷰')).toBe('트랜스포머-리뷰');
    // Files the build would skip, or read as a page bundle's post.
    expect(titleSlug('_private notes')).toBe('private-notes');
    expect(titleSlug('__init__ 읽기')).toBe('init__-읽기');
    expect(titleSlug('Index')).toBe('index-post');
    expect(titleSlug('Index.HTML')).toBe('index.html-post');
  });

  test('property: never a URL-reserved character or whitespace; idempotent; NFC', () => {
    const pieces = fc.constantFrom(
      'a', 'Z', '9', '한', '글', '자연어', ' ', '  ', '\t', '\n', '/', '?', '#', '%', '&', '.', '-', '_', ':', '"', "'", '\u3000', 'ᄒ', 'ᅡ', 'ᆫ', 'É', 'é',
    );
    const names = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.array(pieces).map((parts) => parts.join('')));
    fc.assert(
      fc.property(names, (name) => {
        const slug = termSlug(name);
        expect(slug).not.toMatch(/[/?#%\s]/u);
        expect(termSlug(slug)).toBe(slug);
        expect(slug.normalize('NFC')).toBe(slug);
      }),
      // Conjoining jamo split by dropped punctuation: they compose only if normalised after the drop.
      { numRuns: 500, examples: [['ᄒ&ᅡ'], ['자연어\nᆫ']] },
    );
  });
});

describe('unsafeSlugReason', () => {
  test.each(['hello', '트랜스포머-리뷰', 'a.b', 'v1_2'])('accepts %j', (slug) => {
    expect(unsafeSlugReason(slug)).toBeUndefined();
  });

  test.each([
    ['', /empty/],
    ['.', /escape/],
    ['..', /escape/],
    ['../../x', /path separator/],
    ['a/b', /path separator/],
    ['a\\b', /path separator/],
    ['a\u0000b', /control/],
    ['a?b', /"\?"/],
    ['a#b', /"#"/],
    ['100%', /"%"/],
  ])('refuses %j', (slug, reason) => {
    expect(unsafeSlugReason(slug)).toMatch(reason);
  });

  test('a slug from a file name that begins or ends with a space (` .md`, `글 .md`) is refused', () => {
    expect(unsafeSlugReason(' ')).toBe('slug " " begins or ends with a space: rename the file or write a slug');
    expect(unsafeSlugReason('글 ')).toMatch(/begins or ends with a space/);
    expect(unsafeSlugReason('\u3000글')).toMatch(/begins or ends with a space/);
    expect(unsafeSlugReason('두 단어')).toBeUndefined();
  });

  test('a slug with a control character is quoted once, escaped', () => {
    expect(unsafeSlugReason('new\nline')).toBe('slug "new\\nline" contains control characters');
  });
});

describe('invisible characters and long names', () => {
  test('a term slug drops zero-width and direction marks: "\\u200bx" is the term "x", "\\u200b" alone makes no URL', () => {
    expect(termSlug('\u200bx')).toBe('x');
    expect(termSlug('a\u200db\u202e')).toBe('ab');
    expect(termSlug('\u200b')).toBe('');
  });

  test('a post slug with an invisible character is refused, naming it', () => {
    expect(unsafeSlugReason('z\u200bw')).toBe('slug "z\u200bw" contains an invisible character (U+200B)');
    expect(unsafeSlugReason('\u202eabc')).toMatch(/U\+202E/);
  });

  test('a slug longer than a folder name may be (255 bytes of UTF-8) is refused; 85 Hangul syllables pass', () => {
    expect(unsafeSlugReason('한'.repeat(85))).toBeUndefined();
    expect(unsafeSlugReason('한'.repeat(86))).toBe('slug is 258 bytes long in UTF-8, and a folder name can have at most 255 (85 Hangul syllables): shorten it');
    expect(unsafeSlugReason('x'.repeat(255))).toBeUndefined();
    expect(unsafeSlugReason('x'.repeat(256))).toMatch(/256 bytes/);
  });
});
