import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { createMarkdownProcessor, renderMarkdown } from '../src/markdown.ts';
import { countText, cutAtSentence } from '../src/remark-reading.ts';
import { FIXTURES } from './helpers/site.ts';

const processor = createMarkdownProcessor({ root: `${FIXTURES}/markdown`, basePath: '/', language: 'ko' });

/** Run the real markdown chain over `markdown` and give what remarkReading found. */
async function reading(markdown: string) {
  const file = new VFile({ path: 'content/posts/r.md', value: markdown });
  file.data.post = { sourcePath: 'content/posts/r.md', outputDir: 'posts/r' };
  const rendered = await renderMarkdown(processor, file);
  return { minutes: rendered.readingMinutes, words: rendered.wordCount, excerpt: rendered.excerpt, more: rendered.more };
}

const hangul = (count: number) => '가'.repeat(count);

describe('countText', () => {
  test('Hangul by syllables, other scripts by words', () => {
    expect(countText('안녕하세요 world 123')).toEqual({ hangul: 5, words: 2 });
    expect(countText('Transformer는 attention만 쓴다.')).toEqual({ hangul: 4, words: 2 });
    expect(countText('')).toEqual({ hangul: 0, words: 0 });
    expect(countText('... — !')).toEqual({ hangul: 0, words: 0 });
    // Jamo are letters, not syllables; letters beyond the BMP count as letters.
    expect(countText('ㅋㅋ 𝑥𝑦 ﬁ é')).toEqual({ hangul: 0, words: 4 });
    // Syllables written as conjoining letters (NFD) are syllables.
    expect(countText('안녕하세요 world'.normalize('NFD'))).toEqual({ hangul: 5, words: 1 });
  });

  test('the same counts as the definition: syllables matched, then runs of letters and digits between them', () => {
    const definition = (written: string) => {
      const text = /[\u1100-\u11ff]/.test(written) ? written.normalize('NFC') : written;
      return {
        hangul: text.match(/[\uAC00-\uD7A3]/g)?.length ?? 0,
        words: text.replace(/[\uAC00-\uD7A3]/g, ' ').match(/[\p{L}\p{N}]+/gu)?.length ?? 0,
      };
    };
    const pieces = fc.constantFrom('가', '힣', '모델', 'ㄱ', '\u1112\u1161\u11ab', '\u1100', 'a', 'Z', '0', '9', ' ', '.', '_', '-', 'é', 'ǅ', '٣', '𝑥', '😀', '\ud835', '\u0301', '\n', '漢', 'ア');
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string({ unit: 'grapheme' })), { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        expect(countText(text)).toEqual(definition(text));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('cutAtSentence', () => {
  const sentences = ['첫 문장은 여기서 끝난다.', '두 번째 문장은 질문인가?', '세 번째는 감탄이다!', '네 번째 문장.'];

  test('short text is kept whole', () => {
    expect(cutAtSentence('짧은 글이다.', 160)).toBe('짧은 글이다.');
  });

  test('cut after the last Korean sentence that fits', () => {
    const text = sentences.join(' ');
    expect(cutAtSentence(text, 30)).toBe('첫 문장은 여기서 끝난다. 두 번째 문장은 질문인가?');
    expect(cutAtSentence(text, 42)).toBe('첫 문장은 여기서 끝난다. 두 번째 문장은 질문인가? 세 번째는 감탄이다!');
  });

  test('full-width ！ and ？ end a sentence too, as 。 does', () => {
    const text = `정말 놀라운 결과다！ ${'가나다라 '.repeat(10)}이것이 두 번째 문장이다？ ${'마바사아 '.repeat(30)}`;
    expect(cutAtSentence(text, 100)).toBe(`정말 놀라운 결과다！ ${'가나다라 '.repeat(10)}이것이 두 번째 문장이다？`);
    expect(cutAtSentence(`${'가'.repeat(40)}？${'나'.repeat(200)}`, 100)).toBe(`${'가'.repeat(40)}？`);
  });

  test('no sentence end in reach: cut at a space, with an ellipsis', () => {
    expect(cutAtSentence('가나다 라마바 사아자 차카타 파하', 12)).toBe('가나다 라마바 사아자…');
  });

  test('a quoted sentence ends at its closing quote, straight or curly', () => {
    const lead = `${'가'.repeat(60)} 저자들은 이렇게 썼다`;
    const rest = ` 그리고 ${'나'.repeat(120)} 계속된다.`;
    expect(cutAtSentence(`${lead} "어텐션만으로 충분하다."${rest}`, 160)).toBe(`${lead} "어텐션만으로 충분하다."`);
    expect(cutAtSentence(`${lead} “어텐션만으로 충분하다.”${rest}`, 160)).toBe(`${lead} “어텐션만으로 충분하다.”`);
    expect(cutAtSentence(`${lead}(정말 그럴까?)${rest}`, 160)).toBe(`${lead}(정말 그럴까?)`);
  });

  test('a sentence ending on the last character that fits is kept whole', () => {
    const text = `${'가'.repeat(50)}. ${'나'.repeat(107)}. 다음 문장이 이어진다.`;
    expect(cutAtSentence(text, 160)).toBe(`${'가'.repeat(50)}. ${'나'.repeat(107)}.`);
  });

  test('never longer than the limit, the ellipsis included', () => {
    for (const text of [`이것은 질문인가? ${'다'.repeat(160)}`, '가'.repeat(400), `${'가'.repeat(20)} ${'나'.repeat(300)}`]) {
      const cut = cutAtSentence(text, 160);
      expect(Array.from(cut).length).toBeLessThanOrEqual(160);
      expect(cut.endsWith('…')).toBe(true);
    }
  });

  test('with no space to cut at, cuts between graphemes: no syllable written as letters (NFD) or emoji sequence is split', () => {
    const letters = cutAtSentence('\u1112\u1161'.repeat(200), 160);
    expect(letters).toBe(`${'\u1112\u1161'.repeat(79)}…`);
    const family = '👨‍👩‍👧‍👦';
    const emoji = cutAtSentence(family.repeat(60), 160);
    expect(emoji).toBe(`${family.repeat(Math.floor(159 / Array.from(family).length))}…`);
  });

  test('counts characters, not UTF-16 units', () => {
    const text = `${'😀'.repeat(10)} 끝.`;
    expect(cutAtSentence(text, 13)).toBe(text);
  });
});

describe('reading time from markdown', () => {
  test('at least one minute', async () => {
    expect((await reading('짧다.')).minutes).toBe(1);
  });

  test('500 Hangul syllables a minute', async () => {
    const result = await reading(`${hangul(1500)}\n`);
    expect(result.minutes).toBe(3);
    expect(result.words).toBe(1500);
  });

  test('200 words of other scripts a minute', async () => {
    expect((await reading(`${'word '.repeat(600)}\n`)).minutes).toBe(3);
  });

  test('code blocks, inline HTML and front matter are not counted', async () => {
    const markdown = ['+++', `title = "${hangul(500)}"`, '+++', '', '```', hangul(5000), '```', '', `<div>${hangul(5000)}</div>`, '', '본문.'].join('\n');
    const result = await reading(markdown);
    expect(result.minutes).toBe(1);
    expect(result.words).toBe(2);
  });

  test('each display formula costs ten seconds, each inline one three', async () => {
    // 500 syllables = 60 s; six display formulas = 60 s more → 2 minutes.
    const display = Array.from({ length: 6 }, () => '$$\nx^2\n$$').join('\n\n');
    expect((await reading(`${hangul(500)}\n\n${display}\n`)).minutes).toBe(2);
    // 20 inline formulas = 60 s, plus 500 syllables → 2 minutes.
    expect((await reading(`${hangul(500)} ${'$x$ '.repeat(20)}\n`)).minutes).toBe(2);
  });

  test('the excerpt is the first paragraph, cut at a sentence', async () => {
    const long = Array.from({ length: 12 }, (_, i) => `${i + 1}번째 문장은 이렇게 조금 길게 쓴다.`).join(' ');
    const { excerpt } = await reading(`## 제목\n\n${long}\n\n둘째 문단.`);
    expect(excerpt.length).toBeLessThanOrEqual(160);
    expect(excerpt.startsWith('1번째 문장은')).toBe(true);
    expect(excerpt.endsWith('쓴다.')).toBe(true);
  });

  test('the excerpt is the text before <!--more--> when there is one', async () => {
    const { excerpt } = await reading('첫 문단 **굵게**.\n\n둘째 문단.\n\n<!--more-->\n\n나머지.');
    expect(excerpt).toBe('첫 문단 굵게. 둘째 문단.');
  });

  test('<!--more--> inside a list item or a quote cuts there too, not at the text after it', async () => {
    expect(await reading('- 첫 항목이다.\n- 둘째 항목 <!--more-->\n- 셋째 항목\n\n나머지.')).toMatchObject({ excerpt: '첫 항목이다. 둘째 항목', more: true });
    expect(await reading('> 인용한 요약.\n>\n> <!--more-->\n>\n> 인용 뒤.\n\n본문.')).toMatchObject({ excerpt: '인용한 요약.', more: true });
  });

  test('<!--more--> inside a paragraph cuts it there, as in Hugo', async () => {
    expect(await reading('첫 문장 요약. <!--more--> 뒤 문장.')).toMatchObject({ excerpt: '첫 문장 요약.', more: true });
    expect(await reading('첫 문단.\n\n둘째 문단의 앞<!-- more -->뒤.\n\n셋째.')).toMatchObject({ excerpt: '첫 문단. 둘째 문단의 앞', more: true });
  });

  test('<!--more--> with no text before it makes no summary: the first paragraph stands in, and description ahead of it', async () => {
    expect(await reading('<!--more-->\n\n첫 문단이 요약이다.\n\n둘째.')).toMatchObject({ excerpt: '첫 문단이 요약이다.', more: undefined });
    expect(await reading('![그림](a.png) <!--more--> 본문.\n\n둘째.')).toMatchObject({ excerpt: '본문.', more: undefined });
  });

  test('a formula is its TeX as written: no \\href or \\tag that equation numbering made of it', async () => {
    const markdown = ['손실 $J = \\eqref{eq:nll} + \\lambda$를 최소화한다.', '', '$$', '\\mathcal{L} = -\\log p \\label{eq:nll}', '$$', '', '<!--more-->', '', '뒤.'].join('\n');
    expect((await reading(markdown)).excerpt).toBe('손실 J = \\eqref{eq:nll} + \\lambda를 최소화한다. \\mathcal{L} = -\\log p \\label{eq:nll}');
  });

  test('raw HTML is no text of the excerpt: a comment is left out, an inline element gives its text', async () => {
    const { excerpt } = await reading('공개 문장 <!-- TODO: 비공개 메모 --> 이어짐. <kbd>Ctrl</kbd> 끝. ![그림](a.png)\n\n둘째.');
    expect(excerpt).toBe('공개 문장 이어짐. Ctrl 끝.');
    // A first paragraph of nothing but HTML is passed over.
    expect((await reading('<img src="a.png" alt="">\n\n본문 첫 문단.')).excerpt).toBe('본문 첫 문단.');
  });

  test('hard line breaks part words like spaces: two trailing spaces, a backslash, <br>', async () => {
    const { excerpt } = await reading('이어지고  \n강제 줄바꿈 뒤\\\n역슬래시 줄바꿈<br>HTML 줄바꿈<br/>끝.');
    expect(excerpt).toBe('이어지고 강제 줄바꿈 뒤 역슬래시 줄바꿈 HTML 줄바꿈 끝.');
  });
});
