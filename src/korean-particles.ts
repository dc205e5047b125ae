/**
 * Korean particles (josa) and copula endings, stripped from the end of a word so that a search
 * for `모델` meets `모델은`, `모델이`, `모델을` and `모델의`, and a search for `모델은` meets `모델이`.
 *
 * A rule list, not a morphological analyser: the aim is recall for nouns followed by their
 * particles, which is what technical writing is full of. Over-stripping a word that only looks
 * like it ends in a particle (`고양이` → `고양`) is tolerable because the index keeps the word as
 * written next to its stem, and the search matches words by prefix.
 *
 * Pure data and functions; the search page's script receives `particleRules()` and applies the
 * same algorithm to the reader's query (templates/assets/search.js, tested for agreement).
 */

/** Which stems a particle may follow, by the stem's last syllable. */
export type ParticleCondition =
  /** Any stem. */
  | 'any'
  /** A syllable with a final consonant (받침): `모델은`, `모델이`, `모델을`, `모델과`. */
  | 'consonant'
  /** A syllable without one: `데이터는`, `데이터가`, `데이터를`, `데이터와`. */
  | 'vowel'
  /** A vowel or a final ㄹ: `데이터로`, `모델로` (but `방법으로`). */
  | 'vowel-or-rieul'
  /** A final consonant other than ㄹ: `방법으로`. */
  | 'consonant-not-rieul';

/** One particle or ending and the stems it follows. */
export interface ParticleRule {
  suffix: string;
  after: ParticleCondition;
}

/**
 * A stem keeps at least this many characters: `사이` is not `사` + `이`, `평가` not `평` + `가`.
 * One-syllable nouns (`값이`) are left as written; the prefix search still finds them.
 */
export const MIN_STEM_LENGTH = 2;

// Written grouped by meaning; sorted longest first below so `에서` wins over `서` and `으로` over `로`.
const RULES: readonly ParticleRule[] = [
  // Subject, topic, object: the pairs alternate on the final consonant.
  { suffix: '은', after: 'consonant' },
  { suffix: '는', after: 'vowel' },
  { suffix: '이', after: 'consonant' },
  { suffix: '가', after: 'vowel' },
  { suffix: '을', after: 'consonant' },
  { suffix: '를', after: 'vowel' },
  { suffix: '과', after: 'consonant' },
  { suffix: '와', after: 'vowel' },
  { suffix: '으로', after: 'consonant-not-rieul' },
  { suffix: '로', after: 'vowel-or-rieul' },
  { suffix: '으로서', after: 'consonant-not-rieul' },
  { suffix: '로서', after: 'vowel-or-rieul' },
  { suffix: '으로써', after: 'consonant-not-rieul' },
  { suffix: '로써', after: 'vowel-or-rieul' },
  { suffix: '으로부터', after: 'consonant-not-rieul' },
  { suffix: '로부터', after: 'vowel-or-rieul' },
  { suffix: '이나', after: 'consonant' },
  { suffix: '나', after: 'vowel' },
  { suffix: '이란', after: 'consonant' },
  { suffix: '란', after: 'vowel' },
  { suffix: '이랑', after: 'consonant' },
  { suffix: '랑', after: 'vowel' },
  // Case and delimiting particles that do not alternate.
  { suffix: '의', after: 'any' },
  { suffix: '에', after: 'any' },
  { suffix: '에서', after: 'any' },
  { suffix: '에게', after: 'any' },
  { suffix: '에게서', after: 'any' },
  { suffix: '께서', after: 'any' },
  { suffix: '한테', after: 'any' },
  { suffix: '도', after: 'any' },
  { suffix: '만', after: 'any' },
  { suffix: '까지', after: 'any' },
  { suffix: '부터', after: 'any' },
  { suffix: '보다', after: 'any' },
  { suffix: '처럼', after: 'any' },
  { suffix: '만큼', after: 'any' },
  { suffix: '마다', after: 'any' },
  { suffix: '조차', after: 'any' },
  { suffix: '마저', after: 'any' },
  { suffix: '밖에', after: 'any' },
  { suffix: '뿐', after: 'any' },
  { suffix: '같이', after: 'any' },
  // The copula (이다) and its common forms; after a vowel writers use both `데이터이다` and `데이터다`.
  { suffix: '이다', after: 'any' },
  { suffix: '입니다', after: 'any' },
  { suffix: '이며', after: 'any' },
  { suffix: '이고', after: 'any' },
  { suffix: '이라', after: 'any' },
  { suffix: '이라는', after: 'any' },
  { suffix: '이라고', after: 'any' },
  { suffix: '라는', after: 'vowel' },
  { suffix: '라고', after: 'vowel' },
  { suffix: '이지만', after: 'any' },
  { suffix: '이므로', after: 'any' },
  { suffix: '이었다', after: 'consonant' },
  { suffix: '였다', after: 'vowel' },
];

/**
 * Nouns of three or more syllables that end in what looks like a particle, common in technical
 * writing: they are stems already (`정확도는` → `정확도`, never `정확`). Shorter ones are
 * protected by `MIN_STEM_LENGTH`. `인` and `임` are left out of the rules altogether: `디자인`.
 */
export const KNOWN_STEMS: ReadonlySet<string> = new Set([
  '정확도', '유사도', '복잡도', '신뢰도', '중요도', '민감도', '해상도', '난이도', '만족도', '기여도',
  '적합도', '선호도', '완성도', '집중도', '활용도', '가속도', '고양이', '원숭이', '지렁이', '전문가',
  '평론가', '번역가', '작곡가', '재정의',
]);

/** The rules, longest suffix first (ties in Unicode order, so the list is stable). */
export const PARTICLE_RULES: readonly ParticleRule[] = [...RULES].sort(
  (a, b) => b.suffix.length - a.suffix.length || (a.suffix < b.suffix ? -1 : a.suffix > b.suffix ? 1 : 0),
);

const HANGUL_FIRST = 0xac00;
const HANGUL_LAST = 0xd7a3;
/** Final consonant index of ㄹ in a precomposed syllable (`(code - 0xAC00) % 28`). */
const FINAL_RIEUL = 8;

/** Whether a character is a precomposed Hangul syllable (가–힣). */
export function isHangulSyllable(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return char.length === 1 && code >= HANGUL_FIRST && code <= HANGUL_LAST;
}

/** Whether the text holds at least one Hangul syllable. */
export function hasHangul(text: string): boolean {
  return /[\uAC00-\uD7A3]/u.test(text);
}

/** Whether `rule` may follow a stem ending in `last`; a stem not ending in Hangul takes any particle. */
function allows(rule: ParticleRule, last: string): boolean {
  if (rule.after === 'any' || !isHangulSyllable(last)) return true;
  const final = (last.charCodeAt(0) - HANGUL_FIRST) % 28;
  switch (rule.after) {
    case 'consonant':
      return final !== 0;
    case 'vowel':
      return final === 0;
    case 'vowel-or-rieul':
      return final === 0 || final === FINAL_RIEUL;
    case 'consonant-not-rieul':
      return final !== 0 && final !== FINAL_RIEUL;
  }
}

/** Each rule's suffix as characters, longest first, as `PARTICLE_RULES`. */
const SUFFIXES = PARTICLE_RULES.map((rule) => ({ rule, chars: Array.from(rule.suffix) }));
const LONGEST_KNOWN_STEM = Math.max(...[...KNOWN_STEMS].map((stem) => Array.from(stem).length));

/**
 * How many of `chars[0..end)` are left with one particle off their end: `end` when none
 * applies. Works on the characters in place: a word is stripped one particle at a time, and
 * copying it each time made a 40,000-syllable "word" (`가가가…`, every `가` a particle) take
 * a minute.
 */
function stripOnce(chars: readonly string[], end: number): number {
  for (const { rule, chars: suffix } of SUFFIXES) {
    const stem = end - suffix.length;
    if (stem < MIN_STEM_LENGTH) continue;
    if (!suffix.every((char, at) => chars[stem + at] === char)) continue;
    if (allows(rule, chars[stem - 1]!)) return stem;
  }
  return end;
}

/**
 * The stem of one word: particles and copula endings taken off its end, one after another
 * (`모델에서는` → `모델에서` → `모델`), never leaving fewer than `MIN_STEM_LENGTH` characters.
 * Only a word ending in Hangul is touched; the stem is always a prefix of the word, so
 * stripping twice gives the same result as once.
 */
export function stripParticles(word: string): string {
  const current = word.normalize('NFC');
  if (!hasHangul(current)) return word;
  const chars = Array.from(current);
  let end = chars.length;
  for (;;) {
    if (end <= LONGEST_KNOWN_STEM && KNOWN_STEMS.has(chars.slice(0, end).join(''))) break;
    const next = stripOnce(chars, end);
    if (next === end) break;
    end = next;
  }
  return end === chars.length ? current : chars.slice(0, end).join('');
}

/** The rules as plain data, for the search page's script: it strips the reader's query the same way. */
export function particleRules(): ParticleRules {
  return { minStem: MIN_STEM_LENGTH, rules: PARTICLE_RULES.map((rule) => ({ ...rule })), stems: [...KNOWN_STEMS].sort() };
}

/** What the search page's script needs to strip a query as `stripParticles` does. */
export interface ParticleRules {
  minStem: number;
  /** Longest suffix first. */
  rules: ParticleRule[];
  /** `KNOWN_STEMS`. */
  stems: string[];
}
