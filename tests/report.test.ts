import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { addError, addWarning, codeFrame, formatProblem, problemsOf, sortProblems, type Problem } from '../src/report.ts';

function problem(fields: Partial<Problem>): Problem {
  return { path: 'content/posts/a.md', line: 1, column: 1, message: 'm', severity: 'error', ...fields };
}

describe('formatProblem', () => {
  test('an error is `path:line:col: message`', () => {
    expect(formatProblem(problem({ path: 'content/posts/hello.md', line: 3, column: 8, message: 'invalid date "2024-13-01"' }))).toBe(
      'content/posts/hello.md:3:8: invalid date "2024-13-01"',
    );
  });

  test('a file name with a newline or another control character stays on one line', () => {
    expect(formatProblem(problem({ path: 'content/posts/new\nline\t.md', message: 'm' }))).toBe('content/posts/new\\nline\\t.md:1:1: m');
  });

  test('text of a post quoted in a message stays one line, with no escape sequence for the terminal', () => {
    // date = "2024-01-01\u001b[31m\nx" in a post: the invalid date is quoted in the message.
    expect(formatProblem(problem({ line: 3, message: 'date: invalid date "2024-01-01\u001b[31m\nx\u2028"' }))).toBe(
      'content/posts/a.md:3:1: date: invalid date "2024-01-01\\u001b[31m\\nx\\u2028"',
    );
  });

  test('a warning says so before the message', () => {
    expect(formatProblem(problem({ line: 5, column: 2, message: 'Could not render math', severity: 'warning' }))).toBe(
      'content/posts/a.md:5:2: warning: Could not render math',
    );
  });
});

describe('sortProblems', () => {
  test('by path, then line, then column, then message', () => {
    const sorted = sortProblems([
      problem({ path: 'site.toml', line: 1 }),
      problem({ path: 'content/posts/b.md', line: 2, column: 1 }),
      problem({ path: 'content/posts/b.md', line: 10, column: 1 }),
      problem({ path: 'content/posts/a.md', line: 2, column: 5, message: 'z' }),
      problem({ path: 'content/posts/a.md', line: 2, column: 5, message: 'a' }),
      problem({ path: 'content/posts/a.md', line: 2, column: 1 }),
    ]);
    expect(sorted.map((p) => `${p.path}:${p.line}:${p.column}:${p.message}`)).toEqual([
      'content/posts/a.md:2:1:m',
      'content/posts/a.md:2:5:a',
      'content/posts/a.md:2:5:z',
      'content/posts/b.md:2:1:m',
      // Numbers compare as numbers: line 10 after line 2.
      'content/posts/b.md:10:1:m',
      'site.toml:1:1:m',
    ]);
  });
});

describe('problemsOf', () => {
  test('collects errors and warnings of every file, sorted, with their severity and a frame', () => {
    const b = new VFile({ path: 'content/posts/b.md', value: 'one\ntwo\nthree' });
    const a = new VFile({ path: 'content/posts/a.md', value: 'x' });
    addWarning(b, 'math', { line: 3, column: 2 });
    addError(b, 'broken', { line: 1, column: 1 });
    addError(a, 'missing', undefined);
    const problems = problemsOf([b, a]);
    expect(problems.map(formatProblem)).toEqual([
      'content/posts/a.md:1:1: missing',
      'content/posts/b.md:1:1: broken',
      'content/posts/b.md:3:2: warning: math',
    ]);
    expect(problems[2]?.frame).toBe(['  1 | one', '  2 | two', '> 3 | three', '    |  ^'].join('\n'));
  });

  test("a message's cause is added to its reason", () => {
    const file = new VFile({ path: 'content/posts/a.md', value: '$x$' });
    file.message('Could not render math with KaTeX', { place: { line: 1, column: 1 }, cause: new Error('KaTeX parse error: x\nmore') });
    expect(problemsOf([file])[0]?.message).toBe('Could not render math with KaTeX: KaTeX parse error: x');
  });
});

describe('codeFrame', () => {
  const text = 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk';

  test('two lines of context, the line, a caret under the column', () => {
    expect(codeFrame(text, 3, 1)).toBe(['  1 | a', '  2 | b', '> 3 | c', '    | ^'].join('\n'));
  });

  test('line numbers are padded to the widest', () => {
    expect(codeFrame(text, 10, 1)).toBe(['   8 | h', '   9 | i', '> 10 | j', '     | ^'].join('\n'));
  });

  test('the first line has no context above it', () => {
    expect(codeFrame('title = \n', 1, 9)).toBe(['> 1 | title = ', '    |         ^'].join('\n'));
  });

  test('control characters are shown as their pictures, never sent to the terminal', () => {
    const frame = codeFrame('title = "\u001b[31m빨강\u001b]0;TITLE\u0007\u0000"\n', 1, 9)!;
    expect(frame).toBe(['> 1 | title = "\u241b[31m빨강\u241b]0;TITLE\u2407\u2400"', '    |         ^'].join('\n'));
    // eslint-disable-next-line no-control-regex -- what must not be there
    expect(frame).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });

  test('a long line is shown around the column, cut off parts marked, the caret under its character', () => {
    const line = `${'a'.repeat(5000)}X${'b'.repeat(5000)}`;
    const frame = codeFrame(line, 1, 5001)!.split('\n');
    expect(frame[0]!.length).toBeLessThan(200);
    expect(frame[0]).toMatch(/^> 1 \| …a+Xb+…$/);
    expect(frame[0]!.indexOf('X')).toBe(frame[1]!.indexOf('^'));
    // A short line is shown whole, as before.
    expect(codeFrame('short', 1, 3)).toBe(['> 1 | short', '    |   ^'].join('\n'));
  });

  test('the caret stands under its character on screen when Hangul (two cells wide) comes before it', () => {
    // 본 and 문 two cells each, the space one: the caret five cells in, under the `$`.
    expect(codeFrame('본문 $\\frac{1}{$\n', 1, 4)).toBe(['> 1 | 본문 $\\frac{1}{$', `    | ${' '.repeat(5)}^`].join('\n'));
    // Cut from a long line, the wide characters before the column count twice too.
    const frame = codeFrame(`${'가'.repeat(100)}X`, 1, 101)!.split('\n');
    expect(frame[1]).toBe(`    | ${' '.repeat(1 + 60 * 2)}^`);
  });

  test('nothing for an empty text or a line out of range', () => {
    expect(codeFrame('', 1, 1)).toBeUndefined();
    expect(codeFrame('a', 5, 1)).toBeUndefined();
    expect(codeFrame('a', 0, 1)).toBeUndefined();
  });
});
