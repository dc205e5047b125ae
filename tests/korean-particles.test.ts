import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { hasHangul, KNOWN_STEMS, MIN_STEM_LENGTH, PARTICLE_RULES, particleRules, stripParticles } from '../src/korean-particles.js';

/** The search page's script, loaded as the browser loads it (plain JavaScript, no DOM at import). */
interface Client {
  stripParticles(word: string, rules: ReturnType<typeof particleRules>): string;
  searchTerms(query: string, rules: ReturnType<typeof particleRules>): string;
  holdsEvery(text: string, terms: string): boolean;
  excerptParts(excerpt: string, joiner: string): { text: string; marked: boolean }[];
  spacings(terms: string): string[];
}
const client = (await import('../templates/assets/search.js' as string)) as Client;

describe('stripParticles', () => {
  test.each([
    ['모델은', '모델'],
    ['모델이', '모델'],
    ['모델을', '모델'],
    ['모델의', '모델'],
    ['모델과', '모델'],
    ['모델로', '모델'],
    ['모델에서는', '모델'],
    ['모델에게', '모델'],
    ['모델까지도', '모델'],
    ['모델이다', '모델'],
    ['모델입니다', '모델'],
    ['데이터는', '데이터'],
    ['데이터가', '데이터'],
    ['데이터를', '데이터'],
    ['데이터와', '데이터'],
    ['데이터로', '데이터'],
    ['방법으로', '방법'],
    ['방법으로써', '방법'],
    ['서울은', '서울'],
    ['Transformer는', 'Transformer'],
    ['GPT를', 'GPT'],
  ])('%s → %s', (word, stem) => {
    expect(stripParticles(word)).toBe(stem);
  });

  test('a long run of particles is stripped down to the shortest stem, on the build and on the search page', () => {
    // Every `가` is a particle. Copying the word at each of its 40,000 strips took a minute
    // (past the test time limit); stripped in place it is a few milliseconds.
    const word = '가'.repeat(40_000);
    expect(stripParticles(word)).toBe('가'.repeat(MIN_STEM_LENGTH));
    expect(client.stripParticles(word, particleRules())).toBe('가'.repeat(MIN_STEM_LENGTH));
  });

  test.each([
    // Two syllables at least: these end in a particle-like syllable but are whole words.
    ['사이', '사이'],
    ['평가', '평가'],
    ['사이에', '사이'],
    ['값이', '값이'],
    // The particle must fit the last syllable: `이` follows a final consonant, `가` a vowel.
    ['스파이', '스파이'],
    ['최단경로', '최단경로'],
    ['방법로', '방법로'],
    // Nouns that look like stem + particle.
    ['정확도', '정확도'],
    ['정확도는', '정확도'],
    ['고양이가', '고양이'],
    ['디자인', '디자인'],
  ])('%s stays %s', (word, stem) => {
    expect(stripParticles(word)).toBe(stem);
  });

  test('leaves words without Hangul alone, whatever their case or form', () => {
    for (const word of ['foundation', 'Models', 'GPT-4', '2024', 'ﬁ', 'e\u0301']) expect(stripParticles(word)).toBe(word);
  });

  test('rules are sorted longest first, and every suffix is Hangul', () => {
    const lengths = PARTICLE_RULES.map((rule) => Array.from(rule.suffix).length);
    expect(lengths).toEqual([...lengths].sort((a, b) => b - a));
    for (const rule of PARTICLE_RULES) expect(rule.suffix).toMatch(/^[\uAC00-\uD7A3]+$/u);
    for (const stem of KNOWN_STEMS) expect(Array.from(stem).length).toBeGreaterThan(MIN_STEM_LENGTH);
  });
});

// Words the way posts have them: a few Hangul or Latin letters, then maybe a particle or two.
const syllable = fc.integer({ min: 0xac00, max: 0xd7a3 }).map((code) => String.fromCharCode(code));
const suffix = fc.constantFrom(...PARTICLE_RULES.map((rule) => rule.suffix));
const hangulWord = fc
  .tuple(fc.array(syllable, { minLength: 1, maxLength: 5 }), fc.array(suffix, { maxLength: 2 }))
  .map(([stem, tail]) => stem.join('') + tail.join(''));
const latinWord = fc.stringMatching(/^[A-Za-z0-9]{1,8}$/);
const mixedWord = fc.tuple(latinWord, fc.array(suffix, { maxLength: 2 })).map(([stem, tail]) => stem + tail.join(''));
const anyWord = fc.oneof(hangulWord, mixedWord, latinWord, fc.string({ minLength: 1, maxLength: 6 }));

describe('stripParticles, properties', () => {
  test('never returns an empty word', () => {
    fc.assert(fc.property(anyWord, (word) => stripParticles(word).length > 0));
  });

  test('is idempotent', () => {
    fc.assert(fc.property(anyWord, (word) => stripParticles(stripParticles(word)) === stripParticles(word)));
  });

  test('never touches a word without Hangul', () => {
    fc.assert(fc.property(fc.string(), (word) => hasHangul(word.normalize('NFC')) || stripParticles(word) === word));
  });

  test('only ever takes a suffix off: the stem starts the word and keeps at least two characters', () => {
    fc.assert(
      fc.property(fc.oneof(hangulWord, mixedWord), (word) => {
        const stem = stripParticles(word);
        return word.startsWith(stem) && (stem === word || Array.from(stem).length >= MIN_STEM_LENGTH);
      }),
    );
  });

  test('never cuts into a noun, whatever particles follow it', () => {
    fc.assert(
      fc.property(fc.constantFrom('모델', '데이터', '서울', '트랜스포머', '정확도', '사이'), fc.array(suffix, { maxLength: 3 }), (noun, tail) =>
        stripParticles(noun + tail.join('')).startsWith(noun),
      ),
    );
  });

  test('the search page strips every word exactly as the index does', () => {
    const rules = particleRules();
    fc.assert(fc.property(anyWord, (word) => client.stripParticles(word, rules) === stripParticles(word)), { numRuns: 2000 });
    expect(client.searchTerms('  모델은   구조를 (데이터가) foundation ', rules)).toBe('모델 구조 (데이터) foundation');
    // A formula is split as the index splits it, without the symbols the index drops from words.
    expect(client.searchTerms('\\sqrt{d_k} O(n^2) a^2+b^2=c^2', rules)).toBe('\\sqrt { d_k } O ( n2 ) a2 b2 c2');
  });

  test('a query word like GPT-4를 loses its particle as a whole, so it finds GPT-4는', () => {
    const rules = particleRules();
    // `4를` alone keeps its particle (a stem of one character); `GPT-4` begins `GPT-4는` in the index.
    expect(client.searchTerms('GPT-4를 Llama-2는 (GPT-3.5의) GPT-4에서는 Top-k를', rules)).toBe('GPT-4 Llama-2 (GPT-3.5) GPT-4 Top-k');
    // Standing alone, a letter or a number and what follows are left as typed: `1도` is one degree.
    expect(client.searchTerms('x가 1도 3만 모델-고도', rules)).toBe('x가 1도 3만 모델-고도');
  });
});

test('a query of one Hangul word is tried split in two, each way, as a phrase, the first part of two syllables or more', () => {
  expect(client.spacings('자연어처리')).toEqual(['"자연 어처리"', '"자연어 처리"', '"자연어처 리"']);
  expect(client.spacings('모델')).toEqual([]);
  expect(client.spacings('자연어 처리')).toEqual([]);
  expect(client.spacings('GPU메모리')).toEqual([]);
  expect(client.spacings('가나다라마바사아자차카타')).toHaveLength(10);
  expect(client.spacings('가나다라마바사아자차카타파')).toEqual([]);
});

test('an excerpt shows a formula as written: the spaces the index put into it are taken out', () => {
  // As Pagefind cuts it: words joined by spaces, the window starting inside a formula.
  const parts = client.excerptParts('…\u2063d_k \u2063}로 나눈다. <mark>\\sqrt</mark> \u2063{ \u2063<mark>d_k</mark> \u2063}이다', '_^');
  expect(parts.map((part) => part.text).join('')).toBe('…d_k}로 나눈다. \\sqrt{d_k}이다');
  expect(parts.filter((part) => part.marked).map((part) => part.text)).toEqual(['\\sqrt', 'd_k']);
});

describe('holdsEvery: a result holds the words searched for, not the shorter ones Pagefind put in their place', () => {
  const text = '이 글은 수 많은 모델을 다룬다. \\end{pmatrix}일 installation C++ 모델_^모델은';
  test.each([
    ['모델', true],
    ['모', true],
    ['모델들', true],
    ['installations', true],
    ['INSTALL', true],
    ['c++', true],
    ['모델 다룬다', true],
    ['인공지능', false],
    ['이순신', false],
    ['수박', false],
    ['일본', false],
    ['모델 인공지능', false],
  ])('%s: %s', (terms, holds) => {
    expect(client.holdsEvery(text, terms)).toBe(holds);
  });

  test('decomposed Hangul (NFD) in the text or the query counts as composed', () => {
    expect(client.holdsEvery('모델은'.normalize('NFD'), '모델')).toBe(true);
    expect(client.holdsEvery('모델은', '모델'.normalize('NFD'))).toBe(true);
  });
});
