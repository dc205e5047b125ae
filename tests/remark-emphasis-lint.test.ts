import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { createMarkdownProcessor, renderMarkdown } from '../src/markdown.ts';
import { FIXTURES } from './helpers/site.ts';

const processor = createMarkdownProcessor({ root: `${FIXTURES}/markdown`, basePath: '/', language: 'ko' });

async function lint(markdown: string) {
  const file = new VFile({ path: 'content/posts/e.md', value: markdown });
  file.data.post = { sourcePath: 'content/posts/e.md', outputDir: 'posts/e' };
  const { html } = await renderMarkdown(processor, file);
  return { html, messages: file.messages.map((m) => `${m.line}:${m.column}: ${m.fatal ? 'error' : 'warning'}: ${m.reason}`) };
}

describe('emphasis left as text', () => {
  test('"__강조__는": a warning at the marker, suggesting **', async () => {
    const { messages, html } = await lint('이것은 __강조__는 아니다.');
    expect(html).toContain('__강조__는');
    expect(messages).toEqual([
      '1:5: warning: "__" is shown as is, not as bold: "__" does not work next to Hangul or inside a word; use "**" ("__강조__는" → "**강조**는"), or write \\_\\_ for underscores',
    ]);
  });

  test('a __ inside a Latin identifier is a name, not emphasis, and passes', async () => {
    expect((await lint('변수 my__var__name 과 상수 CONSTANT__NAME, 그리고 a__1 을 쓴다.')).messages).toEqual([]);
    // Next to Hangul it is still the mistake the lint is for.
    expect((await lint('변수__강조__는')).messages).toHaveLength(1);
  });

  test('an unclosed or space-padded ** and ~~, each named at its place', async () => {
    const { messages } = await lint('첫 줄.\n두 번째 ** 강조**와 ~~ 취소~~다.');
    expect(messages.map((message) => message.split(': warning: ')[0] + ' ' + message.split('"')[1])).toEqual(['2:6 **', '2:15 ~~']);
  });

  test('a lone ~~, a lone marker with spaces on both sides and Python\'s **kwargs and 2**10 are no emphasis and pass', async () => {
    const markdown = [
      '처리 시간은 약 ~~ 10분 정도다.',
      '',
      '길면 ~~20분.',
      '',
      '거듭제곱은 a ** b 로 쓴다.',
      '',
      '2**10은 1024이고, (n+1)**2도 쓴다.',
      '',
      '함수는 **kwargs로 인자를 받고, f(**opts)처럼 넘긴다.',
      '',
      '| 키 | 뜻 |',
      '|---|---|',
      '| **kwargs | 약 ~~ 정도 |',
    ].join('\n');
    expect((await lint(markdown)).messages).toEqual([]);
  });

  test('real mistakes around those still warn: a pair of ~~, an unclosed **, a space-padded pair next to a name', async () => {
    const at = async (markdown: string) => (await lint(markdown)).messages.map((message) => message.split(': warning: ')[0] + ' ' + message.split('"')[1]);
    expect(await at('약 ~~ 정도와 ~~ 취소~~.')).toEqual(['1:3 ~~']);
    expect(await at('**강조 를 닫지 않았다.')).toEqual(['1:1 **']);
    expect(await at('**attention **은 중요하다.')).toEqual(['1:13 **']);
    expect(await at('첫 ** 강조**.')).toEqual(['1:3 **']);
    expect(await at('모델**강조 를 닫지 않았다.')).toEqual(['1:3 **']);
  });

  test('emphasis that works, code, math, escapes and autolinks pass', async () => {
    const markdown = [
      '**"용어"**이라는 말과 ~~취소~~된 *기울임*.',
      '',
      '`__init__`과 `a ** b`, $a^{**}$는 코드와 수식이다.',
      '',
      '```',
      '__강조__는',
      '```',
      '',
      '별표 두 개는 \\*\\*, 밑줄은 \\_\\_로 쓴다.',
      '',
      'https://example.com/a__b__c 와 <https://example.com/x**y>',
      '',
      '<div>__html__는</div>',
    ].join('\n');
    expect((await lint(markdown)).messages).toEqual([]);
  });
});
