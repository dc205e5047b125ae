/**
 * The shapes micromark takes quadratic time over are refused before parsing (src/markdown-limits.ts):
 * found at their line, whatever surrounds them; what writers write is never refused.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { glob } from 'tinyglobby';
import { describe, expect, test } from 'vitest';
import { markdownLimit, MAX_INLINE_MARKERS, MAX_NESTING } from '../src/markdown-limits.js';
import { REPO_ROOT } from './helpers/site.js';

const front = '+++\ntitle = "t"\ndate = 2024-01-01\n+++\n\n';
const lineOf = (text: string) => markdownLimit(text)?.line;

describe('nesting', () => {
  test.each([
    ['block quotes', '>'.repeat(MAX_NESTING + 1) + ' a\n'],
    ['block quotes with spaces', '> '.repeat(MAX_NESTING + 1) + 'a\n'],
    ['lists on one line', '- '.repeat(MAX_NESTING + 1) + 'a\n'],
    ['numbered lists on one line', '1. '.repeat(MAX_NESTING + 1) + 'a\n'],
    ['quotes and lists mixed', '> - '.repeat(MAX_NESTING / 2 + 1) + 'a\n'],
  ])('%s past the limit are refused at their line', (_, shape) => {
    const problem = markdownLimit(`${front}첫 문단.\n\n${shape}`);
    expect(problem).toMatchObject({ line: 8, column: 1 });
    expect(problem!.reason).toMatch(/^block quotes and lists nested [\d,]+ deep: geul allows 100 /);
  });

  test('up to the limit is fine', () => {
    expect(markdownLimit(front + '>'.repeat(MAX_NESTING) + ' a\n')).toBeUndefined();
    expect(markdownLimit(front + '- '.repeat(MAX_NESTING) + 'a\n')).toBeUndefined();
  });

  test('a list nested by indentation is refused at its first item past the limit', () => {
    const list = Array.from({ length: 150 }, (_, depth) => `${'  '.repeat(depth)}- 항목\n`).join('');
    expect(lineOf(front + list)).toBe(5 + MAX_NESTING + 1);
    const tabs = Array.from({ length: 150 }, (_, depth) => `${'\t'.repeat(depth)}- 항목\n`).join('');
    expect(lineOf(front + tabs)).toBe(5 + Math.ceil(MAX_NESTING / 2) + 1);
  });

  test('code blocks and display math are not looked into', () => {
    const deep = '>'.repeat(5000);
    expect(markdownLimit(`${front}\`\`\`text\n${deep}\n\`\`\`\n\n~~~~\n${deep}\n~~~\n${deep}\n~~~~\n`)).toBeUndefined();
    expect(markdownLimit(`${front}> \`\`\`\n> ${deep}\n> \`\`\`\n`)).toBeUndefined();
    expect(markdownLimit(`${front}$$\n${'x_{1} '.repeat(3000)}\n$$\n`)).toBeUndefined();
    // After the fence closes, lines are looked at again.
    expect(lineOf(`${front}\`\`\`\nx\n\`\`\`\n${deep} a\n`)).toBe(9);
  });

  test('front matter is not markdown', () => {
    expect(markdownLimit(`+++\ntitle = "${'*'.repeat(MAX_INLINE_MARKERS + 10)}"\n+++\n\n본문\n`)).toBeUndefined();
  });
});

describe('inline markers', () => {
  const over = MAX_INLINE_MARKERS + 1;

  test.each([
    ['runs either side of a word', '*'.repeat(over / 2 + 1) + 'a' + '*'.repeat(over / 2 + 1)],
    ['closers without openers', 'a* '.repeat(over)],
    ['strikethrough', 'a~ '.repeat(over)],
  ])('%s past the limit are refused', (_, shape) => {
    const problem = markdownLimit(`${front}${shape}\n`);
    expect(problem).toMatchObject({ line: 6, column: 1 });
    expect(problem!.reason).toMatch(/^more than 5,000 of "\*", "_" and "~" in one paragraph/);
  });

  test('brackets are counted by how deep they nest, not how many there are', () => {
    const problem = markdownLimit(`${front}${'['.repeat(MAX_NESTING + 1)}x${']'.repeat(MAX_NESTING + 1)}\n`);
    expect(problem).toMatchObject({ line: 6, column: 1 });
    expect(problem!.reason).toMatch(/^brackets nested more than 100 deep/);
    expect(lineOf(`${front}${'[a '.repeat(60)}\n${'[b '.repeat(60)}\n`)).toBe(7);
    expect(markdownLimit(`${front}${'['.repeat(MAX_NESTING)}x${']'.repeat(MAX_NESTING)}\n`)).toBeUndefined();
    const footnotes = Array.from({ length: 6000 }, (_, n) => `문장[^${n}]`).join(' ');
    const definitions = Array.from({ length: 6000 }, (_, n) => `[^${n}]: 각주 [링크](https://e.com/${n})`).join('\n');
    expect(markdownLimit(`${front}${footnotes}\n\n${definitions}\n`)).toBeUndefined();
  });

  test('a paragraph is counted across its lines, lazy continuations included', () => {
    const half = 'a* '.repeat(MAX_INLINE_MARKERS / 2 + 1);
    expect(lineOf(`${front}${half}\n${half}\n`)).toBe(7);
    expect(lineOf(`${front}x\n2. ${half}\n2. ${half}\n`)).toBe(8);
  });

  test('each paragraph, list item, heading and table row is counted on its own', () => {
    const most = 'a* '.repeat(MAX_INLINE_MARKERS - 10);
    expect(markdownLimit(`${front}${most}\n\n${most}\n`)).toBeUndefined();
    expect(markdownLimit(`${front}- ${most}\n- ${most}\n3. ${most}\n`)).toBeUndefined();
    expect(markdownLimit(`${front}# ${most}\n## ${most}\n`)).toBeUndefined();
    expect(markdownLimit(`${front}| a | b |\n| --- | --- |\n| ${most} |\n| ${most} |\n`)).toBeUndefined();
  });

  test('escaped markers, code spans and inline math are not counted', () => {
    const text = '\\*'.repeat(MAX_INLINE_MARKERS) + ' `' + '*'.repeat(MAX_INLINE_MARKERS) + '` $' + 'x_1'.repeat(MAX_INLINE_MARKERS) + '$';
    expect(markdownLimit(`${front}${text}\n`)).toBeUndefined();
  });
});

test('no post of the fixtures, the sample content or the bench corpus is refused', async () => {
  const { writeCorpus } = await import('../bench/corpus.js');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const corpus = mkdtempSync(path.join(tmpdir(), 'geul-limits-'));
  try {
    await writeCorpus(corpus, 60, path.join(REPO_ROOT, 'templates'));
    const files = [
      ...(await glob(['content/**/*.md', 'tests/fixtures/**/*.md', '!tests/fixtures/sites/pathological-markdown/**'], { cwd: REPO_ROOT, absolute: true })),
      ...(await glob('content/**/*.md', { cwd: corpus, absolute: true })),
    ];
    expect(files.length).toBeGreaterThan(100);
    for (const file of files) expect(markdownLimit(readFileSync(file, 'utf8')), file).toBeUndefined();
  } finally {
    rmSync(corpus, { recursive: true, force: true });
  }
});

test('property: a document is refused exactly when one of its lines nests past the limit', () => {
  const line = fc.record({
    quotes: fc.integer({ min: 0, max: 3 }),
    indent: fc.integer({ min: 0, max: 6 }),
    marker: fc.constantFrom('', '- ', '* ', '1. ', '+ '),
    text: fc.constantFrom('본문', '*강조* 와 [링크](x)', '`코드`', '$x_1$', ''),
  });
  const deep = fc.integer({ min: MAX_NESTING + 1, max: 400 });
  fc.assert(
    fc.property(fc.array(line, { maxLength: 40 }), fc.option(fc.tuple(fc.nat(), deep)), (lines, inserted) => {
      const body = lines.map(({ quotes, indent, marker, text }) => `${'> '.repeat(quotes)}${' '.repeat(indent)}${marker}${text}`);
      if (inserted) body.splice(inserted[0] % (body.length + 1), 0, '>'.repeat(inserted[1]) + ' a');
      const problem = markdownLimit(front + body.join('\n') + '\n');
      if (!inserted) expect(problem).toBeUndefined();
      else expect(problem?.line).toBe(6 + body.findIndex((text) => text.startsWith('>'.repeat(MAX_NESTING + 1))));
    }),
  );
});
