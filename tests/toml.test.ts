import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { keyPlace, parseToml } from '../src/toml.ts';

function fileWith(value = '') {
  return new VFile({ path: 'content/posts/a.md', value });
}

describe('parseToml', () => {
  test('valid TOML gives the table and no message', () => {
    const file = fileWith();
    expect(parseToml('title = "제목"\ntags = ["a"]\n[params]\nx = 1', file)).toEqual({ title: '제목', tags: ['a'], params: { x: 1 } });
    expect(file.messages).toEqual([]);
  });

  test('a syntax error is one fatal message at its line and column in the TOML text', () => {
    const file = fileWith();
    expect(parseToml('title = "a"\ndate = \n', file)).toBeUndefined();
    expect(file.messages).toHaveLength(1);
    const [message] = file.messages;
    expect(message?.fatal).toBe(true);
    expect([message?.line, message?.column]).toEqual([2, 8]);
    expect(message?.reason).toMatch(/^invalid TOML: /);
  });

  test('the line is offset by the origin, so it points into the .md file', () => {
    const file = fileWith();
    // The TOML text starts on line 2 of the file, after the opening `+++`.
    parseToml('title = "a"\ndate = \n', file, { line: 2 });
    expect([file.messages[0]?.line, file.messages[0]?.column]).toEqual([3, 8]);
  });

  test('a string left open at the end of its line says so, not "control characters"', () => {
    for (const text of ['title = "제목\npaginate = 10\n', "title = '제목\r\npaginate = 10\r\n"]) {
      const file = new VFile({ path: 'site.toml', value: text });
      expect(parseToml(text, file)).toBeUndefined();
      expect(`${file.messages[0]?.line}: ${file.messages[0]?.reason}`).toBe('1: invalid TOML: string not closed on its line: end it with its quote (a string of several lines is written """…""")');
    }
    // A real control character inside a string is still called one.
    const file = new VFile({ path: 'site.toml', value: 'title = "a\u0001"' });
    parseToml('title = "a\u0001"', file);
    expect(file.messages[0]?.reason).toMatch(/control characters/);
  });

  test('dotted keys nested past 1,000 tables are an error at their key, not a stack overflow later', () => {
    const file = fileWith();
    const deep = `title = "a"\n[params]\n${'a.'.repeat(20_000)}b = 1\n`;
    expect(parseToml(deep, file, { line: 2 })).toBeUndefined();
    expect(file.messages.map((m) => `${m.line}:${m.column}: ${m.reason}`)).toEqual(['3:1: invalid TOML: tables nested more than 1000 deep']);
    const fine = fileWith();
    expect(parseToml(`${'a.'.repeat(998)}b = 1`, fine)).toBeDefined();
    expect(fine.messages).toEqual([]);
  });

  test('a redefined key is an error too', () => {
    const file = fileWith();
    expect(parseToml('a = 1\na = 2', file, { line: 10 })).toBeUndefined();
    expect(file.messages[0]?.line).toBe(11);
  });
});

describe('keyPlace', () => {
  const text = ['title = "x"', '  date = 1', '[params]', 'date = 2', '"quoted" = 3', '[other]', 'x=1'].join('\n');

  test('a top-level key, with its indentation', () => {
    expect(keyPlace(text, ['date'])).toEqual({ line: 2, column: 3 });
    expect(keyPlace(text, ['title'], { line: 2 })).toEqual({ line: 2, column: 1 });
  });

  test('a key in a [table] is not confused with a top-level key of the same name', () => {
    expect(keyPlace(text, ['params', 'date'])).toEqual({ line: 4, column: 1 });
    expect(keyPlace(text, ['other', 'x'], { line: 2 })).toEqual({ line: 8, column: 1 });
  });

  test('a quoted key', () => {
    expect(keyPlace(text, ['params', 'quoted'])).toEqual({ line: 5, column: 1 });
  });

  test('an array index after the key still finds the key', () => {
    expect(keyPlace('tags = ["a", 1]', ['tags', 1])).toEqual({ line: 1, column: 1 });
  });

  test('a key that is not there falls back to the origin', () => {
    expect(keyPlace(text, ['missing'], { line: 7 })).toEqual({ line: 7, column: 1 });
  });

  test('a key name that only starts the same does not match', () => {
    expect(keyPlace('dates = 1\ndate = 2', ['date'])).toEqual({ line: 2, column: 1 });
  });

  test('a key of an inline table, at its own column', () => {
    const inline = ['title = "x"', 'paper = { title = "Y", year = 20215, arxiv = "abc" }'].join('\n');
    expect(keyPlace(inline, ['paper', 'year'], { line: 2 })).toEqual({ line: 3, column: 24 });
    expect(keyPlace(inline, ['paper', 'arxiv'])).toEqual({ line: 2, column: 38 });
    // Nested, and with a comma, a brace and an equals sign inside a string before it.
    const nested = 'a = { s = "x, } y = 1", b = { c = 1, d = 2 } }';
    expect(keyPlace(nested, ['a', 'b', 'd'])).toEqual({ line: 1, column: 38 });
    expect(keyPlace(nested, ['a', 'y'], { line: 5 })).toEqual({ line: 5, column: 1 });
  });

  test('a dotted key, quoted or spaced, at the top level or under a header', () => {
    const dotted = ['title = "x"', 'paper.title = "Y"', 'paper . "year" = 99', '[params]', 'social.x = "@me"'].join('\n');
    expect(keyPlace(dotted, ['paper', 'year'])).toEqual({ line: 3, column: 1 });
    expect(keyPlace(dotted, ['params', 'social', 'x'])).toEqual({ line: 5, column: 1 });
    // The table itself is where a key first makes it.
    expect(keyPlace(dotted, ['paper'])).toEqual({ line: 2, column: 1 });
    expect(keyPlace('[params]\nx = 1', ['params'])).toEqual({ line: 1, column: 1 });
  });

  test('lines inside a multi-line string or array are not keys', () => {
    const text = ['description = """', 'year = 1', '"""', 'tags = [', '  "year = 2",', ']', 'year = 3'].join('\n');
    expect(keyPlace(text, ['year'])).toEqual({ line: 7, column: 1 });
  });
});
