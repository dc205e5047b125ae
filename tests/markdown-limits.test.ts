/**
 * The shapes micromark takes quadratic time over are refused before parsing (src/markdown-limits.ts):
 * found at their line, whatever surrounds them; what writers write is never refused.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { glob } from 'tinyglobby';
import { describe, expect, test } from 'vitest';
import { markdownLimit, markdownLimits, MAX_CLUSTERED_MARKS, MAX_DELIMITER_RUN, MAX_EMPHASIS_MARKS, MAX_LINK_MARKS, MAX_LIST_NESTING, MAX_NESTING, MAX_SETEXT_HEADINGS, MAX_TABLE_CELLS, MAX_UNMATCHED } from '../src/markdown-limits.js';
import { REPO_ROOT } from './helpers/site.js';

const front = '+++\ntitle = "t"\ndate = 2024-01-01\n+++\n\n';
const lineOf = (text: string) => markdownLimit(text)?.line;

describe('every problem of a post at once', () => {
  test('deep quotes, a deep list, deep brackets and a long run of * in one post are four problems, each at its line', () => {
    const body = ['>'.repeat(MAX_NESTING + 1) + ' a', '- '.repeat(MAX_LIST_NESTING + 1) + 'b', '['.repeat(MAX_NESTING + 1) + 'c', `${'*'.repeat(MAX_DELIMITER_RUN + 1)}d`].join('\n\n');
    const problems = markdownLimits(`${front}${body}\n`);
    expect(problems.map((problem) => problem.line)).toEqual([6, 8, 10, 12]);
    expect(problems.map((problem) => problem.reason.split(':')[0])).toEqual([
      expect.stringMatching(/^block quotes nested/),
      expect.stringMatching(/^lists nested/),
      expect.stringMatching(/^brackets nested/),
      expect.stringMatching(/^a run of more than/),
    ]);
    // The first alone, as before.
    expect(markdownLimit(`${front}${body}\n`)).toEqual(problems[0]);
  });

  test('a paragraph past a limit is told once, and the count stops at the most asked for', () => {
    const paragraph = '['.repeat(MAX_NESTING + 1) + 'c';
    expect(markdownLimits(`${front}${paragraph}\n${paragraph}\n`)).toHaveLength(1);
    expect(markdownLimits(`${front}${Array(5).fill(paragraph).join('\n\n')}\n`, 3)).toHaveLength(3);
  });
});

describe('nesting', () => {
  test.each([
    ['block quotes', '>'.repeat(MAX_NESTING + 1) + ' a\n', /^block quotes nested [\d,]+ deep: geul allows 1,000 /],
    ['block quotes with spaces', '> '.repeat(MAX_NESTING + 1) + 'a\n', /^block quotes nested [\d,]+ deep: geul allows 1,000 /],
    ['lists on one line', '- '.repeat(MAX_LIST_NESTING + 1) + 'a\n', /^lists nested [\d,]+ deep: geul allows 600 /],
    ['numbered lists on one line', '1. '.repeat(MAX_LIST_NESTING + 1) + 'a\n', /^lists nested [\d,]+ deep: geul allows 600 /],
    ['quotes and lists mixed', '> - '.repeat(MAX_LIST_NESTING / 2 + 1) + 'a\n', /^lists nested [\d,]+ deep: geul allows 600 /],
  ])('%s past the limit are refused at their line', (_, shape, reason) => {
    const problem = markdownLimit(`${front}첫 문단.\n\n${shape}`);
    expect(problem).toMatchObject({ line: 8, column: 1 });
    expect(problem!.reason).toMatch(reason);
  });

  test('up to the limit is fine', () => {
    expect(markdownLimit(front + '>'.repeat(MAX_NESTING) + ' a\n')).toBeUndefined();
    expect(markdownLimit(front + '- '.repeat(MAX_LIST_NESTING) + 'a\n')).toBeUndefined();
  });

  test('a list nested by indentation is refused at its first item past the limit', () => {
    const list = Array.from({ length: MAX_LIST_NESTING + 50 }, (_, depth) => `${'  '.repeat(depth)}- 항목\n`).join('');
    expect(lineOf(front + list)).toBe(5 + MAX_LIST_NESTING + 1);
    const tabs = Array.from({ length: MAX_LIST_NESTING }, (_, depth) => `${'\t'.repeat(depth)}- 항목\n`).join('');
    expect(lineOf(front + tabs)).toBe(5 + Math.ceil(MAX_LIST_NESTING / 2) + 1);
  });

  test('setext headings past the limit in a post: refused at the first underline past it', () => {
    const headings = (count: number, underline: string) => Array.from({ length: count }, (_, n) => `제목 ${n}\n${underline}\n\n본문.\n`).join('\n');
    expect(markdownLimit(front + headings(MAX_SETEXT_HEADINGS, '==='))).toBeUndefined();
    const problem = markdownLimit(front + headings(MAX_SETEXT_HEADINGS + 1, '---'));
    expect(problem?.reason).toMatch(/^more than 1,000 setext headings/);
    expect(problem?.line).toBe(5 + MAX_SETEXT_HEADINGS * 5 + 2);
    // A rule after a blank line, a table's delimiter row or a list item is no underline.
    expect(markdownLimit(front + '본문.\n\n---\n\n'.repeat(MAX_SETEXT_HEADINGS + 1))).toBeUndefined();
    expect(markdownLimit(front + '- a\n- b\n\n'.repeat(MAX_SETEXT_HEADINGS + 1))).toBeUndefined();
  });

  test('a table of more cells than the limit (short rows counted as filled up) is refused at the row past it', () => {
    const columns = 1000;
    const rows = MAX_TABLE_CELLS / columns;
    const table = (count: number) => `|${'x|'.repeat(columns)}\n|${'-|'.repeat(columns)}\n${'|x\n'.repeat(count)}`;
    expect(markdownLimit(front + table(rows))).toBeUndefined();
    const problem = markdownLimit(front + table(rows + 1) + '\n' + table(rows + 1));
    expect(problem).toMatchObject({ line: 5 + 2 + rows + 1, column: 1 });
    expect(problem!.reason).toMatch(/^a table of more than 200,000 cells \(1,000 columns/);
    expect(markdownLimits(front + table(rows + 1) + '\n' + table(rows + 1))).toHaveLength(2);
  });

  test('code blocks and display math are not looked into', () => {
    const deep = '>'.repeat(MAX_NESTING * 5);
    expect(markdownLimit(`${front}\`\`\`text\n${deep}\n\`\`\`\n\n~~~~\n${deep}\n~~~\n${deep}\n~~~~\n`)).toBeUndefined();
    expect(markdownLimit(`${front}> \`\`\`\n> ${deep}\n> \`\`\`\n`)).toBeUndefined();
    expect(markdownLimit(`${front}$$\n${'x_{1} '.repeat(3000)}\n$$\n`)).toBeUndefined();
    // After the fence closes, lines are looked at again.
    expect(lineOf(`${front}\`\`\`\nx\n\`\`\`\n${deep} a\n`)).toBe(9);
  });

  test('LaTeX\'s delimiters are math too: \\[ … \\] blocks and \\( … \\) are not looked into; a \\[ that a blank line ends unclosed is text', () => {
    const rows = Array.from({ length: MAX_UNMATCHED + 200 }, (_, i) => `x_{${i}}^* + y*_{${i}} \\\\`).join('\n');
    expect(markdownLimit(`${front}$$\n${rows}\n$$\n`)).toBeUndefined();
    expect(markdownLimit(`${front}\\[\n${rows}\n\\]\n`)).toBeUndefined();
    expect(markdownLimit(`${front}${Array.from({ length: MAX_UNMATCHED + 200 }, (_, i) => `\\(x^*_${i}\\)`).join(' ')}\n`)).toBeUndefined();
    // No \] before the blank line: micromark reads these lines as a paragraph, and so are they counted.
    expect(lineOf(`${front}\\[\n${'a* '.repeat(MAX_UNMATCHED + 10)}\n\n`)).toBe(7);
  });

  test('front matter is not markdown, with a byte-order mark and spaces after its "+++" too', () => {
    expect(markdownLimit(`+++\ntitle = "${'*'.repeat(MAX_DELIMITER_RUN + 10)}"\n+++\n\n본문\n`)).toBeUndefined();
    expect(markdownLimit(`\uFEFF+++ \ntitle = "${'['.repeat(MAX_NESTING + 10)}"\n+++\t\n\n본문\n`)).toBeUndefined();
    expect(lineOf(`+++\ntitle = "t"\n+++\n${'>'.repeat(MAX_NESTING + 1)} a\n`)).toBe(4);
  });
});

describe('inline text', () => {
  test('a run of more than 1,000 "*", "_" or "~" is refused; a thematic break or a shorter run is not', () => {
    for (const char of ['*', '_', '~']) {
      const problem = markdownLimit(`${front}단어${char.repeat(MAX_DELIMITER_RUN + 1)}a${char.repeat(MAX_DELIMITER_RUN + 1)}\n`);
      expect(problem).toMatchObject({ line: 6, column: 1 });
      expect(problem!.reason).toContain(`a run of more than 1,000 "${char}"`);
      expect(markdownLimit(`${front}단어${char.repeat(MAX_DELIMITER_RUN)}a\n`)).toBeUndefined();
    }
    expect(markdownLimit(`${front}${'*'.repeat(3000)}\n\n${'_ '.repeat(3000)}\n`)).toBeUndefined();
  });

  test('brackets are counted by how deep they nest in a paragraph, not how many there are', () => {
    const problem = markdownLimit(`${front}${'['.repeat(MAX_NESTING + 1)}x${']'.repeat(MAX_NESTING + 1)}\n`);
    expect(problem).toMatchObject({ line: 6, column: 1 });
    expect(problem!.reason).toMatch(/^brackets nested more than 1,000 deep/);
    const half = '[a '.repeat(MAX_NESTING / 2 + 1);
    expect(lineOf(`${front}${half}\n${half}\n`)).toBe(7);
    expect(lineOf(`${front}x\n2. ${half}\n2. ${half}\n`)).toBe(8);
    expect(markdownLimit(`${front}${'['.repeat(MAX_NESTING)}x${']'.repeat(MAX_NESTING)}\n`)).toBeUndefined();
    const footnotes = Array.from({ length: 6000 }, (_, n) => `문장[^${n}]`).join(' ');
    const definitions = Array.from({ length: 6000 }, (_, n) => `[^${n}]: 각주 [링크](https://e.com/${n})`).join('\n');
    expect(markdownLimit(`${front}${footnotes}\n\n${definitions}\n`)).toBeUndefined();
  });

  test('each paragraph, list item, heading and table row counts its brackets on its own', () => {
    const most = '[a '.repeat(MAX_NESTING - 10);
    expect(markdownLimit(`${front}${most}\n\n${most}\n`)).toBeUndefined();
    expect(markdownLimit(`${front}- ${most}\n- ${most}\n3. ${most}\n`)).toBeUndefined();
    expect(markdownLimit(`${front}# ${most}\n## ${most}\n`)).toBeUndefined();
    expect(markdownLimit(`${front}| a | b |\n| --- | --- |\n| ${most} |\n| ${most} |\n`)).toBeUndefined();
  });

  test('escaped markers, code spans and inline math are not counted', () => {
    const text = '\\['.repeat(MAX_NESTING * 2) + ' `' + '['.repeat(MAX_NESTING * 2) + '*'.repeat(MAX_DELIMITER_RUN * 2) + '` $' + '_'.repeat(MAX_DELIMITER_RUN * 2) + '$';
    expect(markdownLimit(`${front}${text}\n`)).toBeUndefined();
  });

  test.each([
    ['strong emphasis nested past the limit', `${'*a **a '.repeat(600)}b${' a** a*'.repeat(600)}`, /^more than 1,000 "\*" opened and not closed in one paragraph/],
    ['emphasis mixed with the other marker, never closed', '*a_ '.repeat(MAX_UNMATCHED + 1), /^more than 1,000 "\*" opened and not closed/],
    ['"*" that close nothing', 'a* '.repeat(MAX_UNMATCHED + 1), /^more than 1,000 "\*" closing nothing/],
    ['"_" that close nothing', 'a_ '.repeat(MAX_UNMATCHED + 1), /^more than 1,000 "_" closing nothing/],
    ['runs of three between letters', 'a***'.repeat(2 * MAX_UNMATCHED + 2), /^more than 1,000 runs of three or more/],
    ['link resources left open', '[ (]('.repeat(MAX_LINK_MARKS + 1), /^more than 5,000 links left open/],
    ['"]" closing no bracket', 'a]'.repeat(MAX_LINK_MARKS + 1), /^more than 5,000 `]` closing no bracket/],
    ['backtick runs of every length', Array.from({ length: MAX_UNMATCHED + 1 }, (_, n) => `e${'`'.repeat(n + 1)}`).join(''), /^more than 1,000 runs of backticks/],
    ['emphasis of both markers nested side by side', `${'*_'.repeat(MAX_CLUSTERED_MARKS / 2 + 1)}a${'_*'.repeat(MAX_CLUSTERED_MARKS / 2 + 1)}`, /^more than 5,000 runs of "\*", "_" or "~" side by side/],
    ['dollar runs of every length', Array.from({ length: MAX_UNMATCHED + 1 }, (_, n) => `e${'$'.repeat(n + 1)}`).join(''), /^more than 1,000 runs of "\$" closing no formula/],
    ['"~" that close nothing', 'a~~ '.repeat(MAX_UNMATCHED + 1), /^more than 1,000 "~" closing nothing/],
    ['HTML comments never ended', `</${'<!--'.repeat(MAX_UNMATCHED + 1)}`, /^more than 1,000 raw HTML comments \(`<!--`\) with no end/],
    ['processing instructions never ended', `x ${'<?'.repeat(MAX_UNMATCHED + 1)}`, /^more than 1,000 raw processing instructions/],
    ['declarations never ended', `x ${'<!A'.repeat(MAX_UNMATCHED + 1)}`, /^more than 1,000 raw declarations/],
    ['too many emphasis marks in one paragraph', '**굵게**는 '.repeat(MAX_EMPHASIS_MARKS / 2 + 1), /^more than 50,000 runs of "\*", "_" or "~"/],
  ])('%s: refused at its line', (_, text, reason) => {
    const problem = markdownLimit(`${front}첫 문단.\n\n${text}\n`);
    expect(problem).toMatchObject({ line: 8, column: 1 });
    expect(problem!.reason).toMatch(reason);
  });

  test('what writers write keeps its emphasis, code and links uncounted against it', () => {
    const lots = 3 * MAX_UNMATCHED;
    for (const sentence of [
      '**"용어"**는 ',
      '이것은**강조**다 ',
      '*기울임*과 ***굵은 기울임***도 ',
      'snake_case_name 과 __init__ 그리고 2*3*4 ',
      '`코드`와 ``백틱 ` 하나``, [링크](https://e.com/a_(b)) ',
      '각주[^1]와 ![그림](images/a.png "제목") ',
      '3~5개, ~~취소~~와 약 ~10% ',
      '$10에서 $x^2$와 $$y$$까지 ',
      '<!-- 메모 --> <?php ?> <!DOCTYPE> ',
    ]) {
      expect(markdownLimit(`${front}${sentence.repeat(lots)}\n`), sentence).toBeUndefined();
    }
    // Bold italic and bold strikethrough: markers side by side, four a sentence. A thousand
    // in a paragraph are fine; 3,000 took micromark 1.9 s, 6,000 15 s.
    const mixed = '**_굵은 기울임_**과 ~~**굵은 취소**~~ ';
    expect(markdownLimit(`${front}${mixed.repeat(1000)}\n`)).toBeUndefined();
    expect(markdownLimit(`${front}${mixed.repeat(3000)}\n`)?.reason).toMatch(/side by side/);
    // Counted per paragraph: many in the post, few in each.
    const paragraph = 'a* '.repeat(MAX_UNMATCHED - 1);
    expect(markdownLimit(`${front}${paragraph}\n\n${paragraph}\n\n- ${paragraph}\n- ${paragraph}\n`)).toBeUndefined();
  });

  test('one "~" is text (a range), not strikethrough: a paragraph of a thousand "3~ " is not refused', () => {
    expect(markdownLimit(`${front}${'1~2시간, 3~ '.repeat(MAX_UNMATCHED + 1)}\n`)).toBeUndefined();
    expect(markdownLimit(`${front}${'1~~2시간, 3~~ '.repeat(MAX_UNMATCHED + 1)}\n`)?.reason).toMatch(/^more than 1,000 "~" closing nothing/);
  });

  test('a 1 MB paragraph of balanced emphasis, code and links is fine', () => {
    expect(markdownLimit(front + '한국어 문장에 **"강조"**와 `코드`, [링크](/posts/big/)가 섞인다 '.repeat(15_000))).toBeUndefined();
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
  const deep = fc.integer({ min: MAX_NESTING + 1, max: MAX_NESTING * 3 });
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
