import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { findFrontMatter, frontMatterFirst, frontMatterKeyPlace, readFrontMatter } from '../src/frontmatter.ts';

function fileOf(text: string) {
  return new VFile({ path: 'content/posts/a.md', value: text });
}

/** Front matter from TOML lines, and the messages it left on the file. */
function read(lines: string[], requireDate = true) {
  const file = fileOf(['+++', ...lines, '+++', '', '본문'].join('\n'));
  const frontMatter = readFrontMatter(file, requireDate);
  const messages = file.messages.map((message) => `${message.line}:${message.column}: ${message.reason}`);
  return { frontMatter, messages, file };
}

describe('readFrontMatter', () => {
  test('the three date forms', () => {
    const quoted = read(['title = "a"', 'date = "2024-01-01"']).frontMatter?.date;
    const bare = read(['title = "a"', 'date = 2024-01-01']).frontMatter?.date;
    const offset = read(['title = "a"', 'date = 2024-03-01T00:30:00+09:00']).frontMatter?.date;
    expect(quoted).toMatchObject({ year: 2024, month: 1, day: 1, iso: '2024-01-01' });
    expect(bare).toMatchObject({ year: 2024, month: 1, day: 1, iso: '2024-01-01' });
    expect(offset).toMatchObject({ year: 2024, month: 3, day: 1 });
  });

  test('a full front matter, with defaults', () => {
    const { frontMatter, messages } = read([
      'title = "트랜스포머 리뷰"',
      'date = "2024-01-01"',
      'lastmod = 2024-02-01',
      'description = "설명"',
      'tags = ["NLP", "자연어 처리"]',
      'slug = "transformer"',
      'author = "Kurt"',
    ]);
    expect(messages).toEqual([]);
    expect(frontMatter).toMatchObject({
      title: '트랜스포머 리뷰',
      description: '설명',
      categories: [],
      tags: ['NLP', '자연어 처리'],
      draft: false,
      slug: 'transformer',
      author: 'Kurt',
      extra: {},
    });
    expect(frontMatter?.lastmod?.iso).toBe('2024-02-01');
  });

  test('draft defaults to false and may be set', () => {
    expect(read(['title = "a"', 'date = "2024-01-01"']).frontMatter?.draft).toBe(false);
    expect(read(['title = "a"', 'date = "2024-01-01"', 'draft = true']).frontMatter?.draft).toBe(true);
  });

  test('keys are read whatever their letter case, as Hugo reads them', () => {
    const { frontMatter, messages } = read(['Title = "대문자 키"', 'DATE = 2024-01-02', 'Draft = true', 'Tags = ["NLP"]', 'publishdate = "2024-01-03"', 'Slug = "upper"', 'MyParam = 1']);
    expect(messages).toEqual([]);
    expect(frontMatter).toMatchObject({ title: '대문자 키', draft: true, tags: ['NLP'], slug: 'upper', extra: { MyParam: 1 } });
    expect(frontMatter?.date?.iso).toBe('2024-01-02');
    expect(frontMatter?.publishDate?.iso).toBe('2024-01-03');
  });

  test('a known key in another letter case is told at its own line', () => {
    expect(read(['title = "a"', 'date = "2024-01-01"', 'Draft = "yes"']).messages).toEqual(['4:1: draft must be true or false, without quotes: draft = true']);
    expect(read(['title = "a"', 'Date = "2024-02-30"']).messages).toEqual(['3:1: date: invalid date "2024-02-30": 2024-02 has no day 30']);
    expect(read(['title = "a"', 'date = "2024-01-01"', 'draft = false', 'Draft = true']).messages).toEqual([
      '5:1: Draft and draft are one key (front matter keys ignore letter case, as in Hugo): keep one',
    ]);
  });

  test('categories as a single string is a list of one', () => {
    expect(read(['title = "a"', 'date = "2024-01-01"', 'categories = "Paper Review"']).frontMatter?.categories).toEqual(['Paper Review']);
  });

  test('term names are trimmed and NFC', () => {
    const nfd = '자연어 처리'.normalize('NFD');
    const { frontMatter } = read(['title = "a"', 'date = "2024-01-01"', `tags = [" ${nfd} ", ""]`]);
    expect(frontMatter?.tags).toEqual(['자연어 처리']);
  });

  test('title, description and series are NFC, as typed on any system', () => {
    const nfd = (text: string) => text.normalize('NFD');
    const { frontMatter } = read([`title = "${nfd('한글 제목')}"`, 'date = "2024-01-01"', `description = "${nfd('설명')}"`, `series = "${nfd('연재')}"`]);
    expect([frontMatter?.title, frontMatter?.description, frontMatter?.series]).toEqual(['한글 제목', '설명', '연재']);
    expect(frontMatter?.title.length).toBe(5);
  });

  test('a bad date is told with the other bad keys of the same front matter, in one run', () => {
    const { frontMatter, messages } = read(['title = ["a"]', 'date = [1]', 'draft = "yes"']);
    expect(frontMatter).toBeUndefined();
    expect(messages).toEqual(
      expect.arrayContaining([expect.stringMatching(/^2:1: title must be a string/), expect.stringMatching(/^3:1: date: expected a date/), expect.stringMatching(/^4:1: draft/)]),
    );
    expect(messages).toHaveLength(3);
    const missing = read(['title = 1']);
    expect(missing.messages.some((message) => /date is required/.test(message))).toBe(true);
  });

  test('control characters written as TOML escapes are dropped from names and sentences; tabs and line breaks stay', () => {
    const { frontMatter } = read([
      'title = "nul\\u0000x \\u001b[31m빨강"',
      'date = "2024-01-01"',
      'description = "한 줄\\n둘째\\t탭\\u0007"',
      'tags = ["a\\u0000b", "c\\u0085d"]',
      'categories = ["e\\u001bf"]',
      'author = "\\u007f이름"',
    ]);
    expect(frontMatter).toMatchObject({ title: 'nulx [31m빨강', description: '한 줄\n둘째\t탭', tags: ['ab', 'cd'], categories: ['ef'], author: '이름' });
  });

  test('unknown keys are kept in extra, tables included', () => {
    const { frontMatter, messages } = read(['title = "a"', 'date = "2024-01-01"', 'mood = "맑음"', 'math = true', '[params]', 'x = 1']);
    expect(messages).toEqual([]);
    expect(frontMatter?.extra).toEqual({ mood: '맑음', math: true, params: { x: 1 } });
  });

  test('a missing title is an error', () => {
    const { frontMatter, messages } = read(['date = "2024-01-01"']);
    expect(frontMatter).toBeUndefined();
    expect(messages).toEqual(['1:1: title is required']);
  });

  test.each(['2024-02-30', '2023-02-29'])('the impossible bare TOML date %s is refused, not rolled over to March', (text) => {
    const { frontMatter, messages } = read([`title = "t"`, `date = ${text}`]);
    expect(frontMatter).toBeUndefined();
    expect(messages).toEqual([`3:1: date: invalid date "${text}": ${text.slice(0, 7)} has no day ${text.slice(8)}`]);
  });

  test.each([
    ['"date" = 2023-02-29', 'date', '2023-02-29', '2023-02 has no day 29'],
    ["'date' = 2024-02-30", 'date', '2024-02-30', '2024-02 has no day 30'],
    ['"lastmod" = 2023-04-31T10:00:00', 'lastmod', '2023-04-31T10:00:00', '2023-04 has no day 31'],
  ])('an impossible bare date under a quoted key (%s) is refused too', (line, key, text, why) => {
    // TOML allows quoting any key; the written text must be found all the same, else
    // smol-toml's rolled-over March 1st (May 1st) would be published.
    const { frontMatter, messages } = read(['title = "t"', ...(key === 'date' ? [] : ['date = 2024-01-01']), line]);
    expect(frontMatter).toBeUndefined();
    expect(messages).toEqual([`${key === 'date' ? 3 : 4}:1: ${key}: invalid date "${text}": ${why}`]);
  });

  test.each([
    ['draft = "true"', 'draft must be written without quotes: draft = true'],
    ['draft = "false"', 'draft must be written without quotes: draft = false'],
    ['Draft = " TRUE "', 'draft must be written without quotes: draft = true'],
    ['draft = 1', 'draft must be true or false, without quotes: draft = true'],
    ['draft = "yes"', 'draft must be true or false, without quotes: draft = true'],
  ])('%s is an error at its key saying what to write', (line, reason) => {
    const { frontMatter, messages } = read(['title = "t"', 'date = 2024-01-01', line]);
    expect(frontMatter).toBeUndefined();
    expect(messages).toEqual([`4:1: ${reason}`]);
  });

  test('an empty or blank term name is left out with a warning at its item', () => {
    const { frontMatter, messages } = read(['title = "t"', 'date = 2024-01-01', 'tags = ["NLP", "", " "]', 'categories = [', '  "Paper",', '  "\\t",', ']']);
    expect(frontMatter?.tags).toEqual(['NLP']);
    expect(frontMatter?.categories).toEqual(['Paper']);
    expect(messages).toEqual([
      '7:3: categories: "\\t" is an empty name and is left out: remove it from the list',
      '4:16: tags: "" is an empty name and is left out: remove it from the list',
      '4:20: tags: " " is an empty name and is left out: remove it from the list',
    ]);
    expect(read(['title = "t"', 'date = 2024-01-01', 'categories = ""']).messages).toEqual(['4:14: categories: "" is an empty name and is left out: remove it from the list']);
  });

  test('an empty slug, as Hugo archetypes write it, is no slug: the file name stands, with a warning', () => {
    const { frontMatter, messages } = read(['title = "t"', 'date = 2024-01-01', 'Slug = "  "']);
    expect(frontMatter).toBeDefined();
    expect(frontMatter?.slug).toBeUndefined();
    expect(messages).toEqual(['4:1: slug is empty, so the file name is the slug, as in Hugo: remove the line or write a slug']);
  });

  test('year 0 is an impossible date, bare or quoted: <time datetime> counts years from 1', () => {
    expect(read(['title = "t"', 'date = 0000-01-01']).messages).toEqual(['3:1: date: invalid date "0000-01-01": there is no year 0; the first year is 0001']);
    expect(read(['title = "t"', 'date = "0000-12-31"']).messages).toEqual(['3:1: date: invalid date "0000-12-31": there is no year 0; the first year is 0001']);
    expect(read(['title = "t"', 'date = 0001-01-01']).frontMatter?.date?.iso).toBe('0001-01-01');
  });

  test('an impossible date under a kept (unknown) key is refused too, at its key', () => {
    // Else post.params.updated would be smol-toml's rolled-over "2023-03-01".
    const { frontMatter, messages } = read(['title = "t"', 'date = 2024-01-01', 'updated = 2023-02-29', 'start = 09:30:00', '[extra]', 'at = 2024-06-31']);
    expect(frontMatter).toBeUndefined();
    expect(messages).toEqual(['4:1: updated: invalid date "2023-02-29": 2023-02 has no day 29', '7:1: extra.at: invalid date "2024-06-31": 2024-06 has no day 31']);
    expect(read(['title = "t"', 'date = 2024-01-01', 'updated = 2024-02-29', 'start = 09:30:00']).frontMatter?.extra).toEqual({ updated: '2024-02-29', start: '09:30:00' });
  });

  test('an offset datetime keeps the text it was written as', () => {
    const { frontMatter } = read([`title = "t"`, `date = 2024-03-01T00:30:00+09:00`]);
    expect(frontMatter?.date?.iso).toBe('2024-03-01T00:30:00+09:00');
  });

  test('a title that is not a string is an error at its key', () => {
    const { frontMatter, messages } = read(['date = "2024-01-01"', 'title = 3']);
    expect(frontMatter).toBeUndefined();
    expect(messages).toEqual(['3:1: title must be a string']);
  });

  test('an empty title is an error', () => {
    expect(read(['title = "  "', 'date = "2024-01-01"']).messages).toEqual(['2:1: title must not be empty']);
  });

  test('a post needs a date, a page does not', () => {
    expect(read(['title = "a"']).messages).toEqual(['1:1: date is required, e.g. date = "2024-01-01"']);
    const page = read(['title = "소개"'], false);
    expect(page.messages).toEqual([]);
    expect(page.frontMatter?.date).toBeUndefined();
  });

  test('an invalid date is an error at its key', () => {
    const { frontMatter, messages } = read(['title = "a"', '', 'date = "2024-02-30"']);
    expect(frontMatter).toBeUndefined();
    expect(messages).toEqual(['4:1: date: invalid date "2024-02-30": 2024-02 has no day 30']);
  });

  test('a wrongly typed field is an error at its key', () => {
    expect(read(['title = "a"', 'date = "2024-01-01"', 'description = 1']).messages).toEqual([
      '4:1: description: Invalid input: expected string, received number',
    ]);
  });

  test('a tag that is not a string is named as such', () => {
    const { messages } = read(['title = "a"', 'date = "2024-01-01"', 'tags = ["NLP", 3]']);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^4:1: tags: /);
    // "Invalid input" alone does not tell the writer what to change.
    expect(messages[0]).toMatch(/string/);
  });

  test('broken TOML is reported at its line in the .md file', () => {
    const { frontMatter, messages } = read(['title = "a"', 'date = ']);
    expect(frontMatter).toBeUndefined();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^3:8: invalid TOML: /);
  });

  test('a missing `+++` closer is an error', () => {
    const file = fileOf('+++\ntitle = "a"\ndate = "2024-01-01"\n\n본문\n');
    expect(readFrontMatter(file, true)).toBeUndefined();
    expect(file.messages.map((message) => `${message.line}:${message.column}: ${message.reason}`)).toEqual([
      '1:1: front matter is not closed: add a "+++" line after it',
    ]);
  });

  test('a file of one `+++` line, with no line end after it, is a block not closed, not one missing', () => {
    for (const text of ['+++', '+++  ', '\n+++']) {
      const file = fileOf(text);
      expect(readFrontMatter(file, true)).toBeUndefined();
      expect(file.messages.map((message) => message.reason), JSON.stringify(text)).toEqual(['front matter is not closed: add a "+++" line after it']);
    }
  });

  test('YAML front matter is refused with a hint', () => {
    const file = fileOf('---\ntitle: a\ndate: 2024-01-01\n---\n\n본문\n');
    expect(readFrontMatter(file, true)).toBeUndefined();
    expect(file.messages[0]?.reason).toMatch(/YAML/);
    expect(file.messages[0]?.fatal).toBe(true);
  });

  test('no front matter at all', () => {
    const file = fileOf('# 제목\n');
    expect(readFrontMatter(file, true)).toBeUndefined();
    expect(file.messages[0]?.reason).toMatch(/missing front matter/);
  });

  test('lone CR line ends are named, not taken for a missing front matter', () => {
    const file = fileOf('+++\rtitle = "a"\rdate = 2024-01-01\r+++\r\r본문\r');
    expect(readFrontMatter(file, true)).toBeUndefined();
    expect(file.messages.map((m) => `${m.line}:${m.column}: ${m.reason}`)).toEqual(['1:1: lines end in a lone CR (old Mac line ends): save the file with LF or CRLF line ends']);
  });

  test('CRLF line ends, a BOM and spaces after the closer are accepted', () => {
    for (const text of [
      '+++\r\ntitle = "a"\r\ndate = 2024-01-01\r\n+++\r\nbody',
      '\uFEFF+++\ntitle = "a"\ndate = 2024-01-01\n+++\n',
      '+++\ntitle = "a"\ndate = 2024-01-01\n+++   \n',
    ]) {
      const file = fileOf(text);
      expect(readFrontMatter(file, true)?.title).toBe('a');
      expect(file.messages).toEqual([]);
    }
  });
});

describe('blank lines before the front matter, as Hugo skips them', () => {
  test.each([
    ['blank lines', '\n\n+++\ntitle = "a"\ndate = 2024-01-01\ntags = 1\n+++\n', 6],
    ['spaces, tabs and a BOM', '\uFEFF  \n\t\r\n  +++\r\ntitle = "a"\r\ndate = 2024-01-01\r\ntags = 1\r\n+++\r\n', 6],
    ['spaces before +++ on the first line', '  +++\ntitle = "a"\ndate = 2024-01-01\ntags = 1\n+++\n', 4],
  ])('%s: accepted, problems at their line of the file', (_, text, line) => {
    const file = fileOf(text);
    expect(readFrontMatter(file, true)).toBeUndefined();
    expect(file.messages.map((m) => `${m.line}:${m.column}: ${m.reason}`)).toEqual([`${line}:1: tags: expected a list of strings, e.g. ["NLP", "자연어 처리"]`]);
    const good = fileOf(text.replace(/tags = 1/, 'slug = "x"'));
    expect(readFrontMatter(good, true)).toMatchObject({ title: 'a', slug: 'x' });
    expect(frontMatterKeyPlace(good, 'slug')).toEqual({ line, column: 1 });
  });

  test('an unclosed block after blank lines is told at its opening line; YAML or JSON is named at its first line', () => {
    const unclosed = fileOf('\n\n+++\ntitle = "a"\n');
    readFrontMatter(unclosed, true);
    expect(unclosed.messages.map((m) => `${m.line}:${m.column}: ${m.reason}`)).toEqual(['3:1: front matter is not closed: add a "+++" line after it']);
    const yaml = fileOf('\n---\ntitle: a\n---\n');
    readFrontMatter(yaml, true);
    expect(yaml.messages.map((m) => `${m.line}:${m.column}: ${m.reason}`)).toEqual(['2:1: front matter must be TOML between "+++" lines (YAML "---" is not supported)']);
    const json = fileOf('{\n  "title": "a"\n}\n');
    readFrontMatter(json, true);
    expect(json.messages.map((m) => `${m.line}:${m.column}: ${m.reason}`)).toEqual(['1:1: front matter must be TOML between "+++" lines (JSON "{ ... }" is not supported)']);
    const none = fileOf('\n\n# 제목\n');
    readFrontMatter(none, true);
    expect(none.messages.map((m) => `${m.line}:${m.column}`)).toEqual(['3:1']);
  });

  test('frontMatterFirst moves them after the block, keeping the body at its offset and line', () => {
    for (const text of ['\n \n+++\nt = 1\n+++\n\n# 본문\n', '\uFEFF\r\n  +++ \r\nt = 1\r\n+++\r\n본문', '\t\n+++\nt = 1\n+++\n본문 *x*']) {
      const moved = frontMatterFirst(text);
      expect(moved).toMatch(/^\uFEFF?\+\+\+[ \t]*\r?\nt = 1\r?\n\+\+\+[ \t]*\r?\n/);
      expect(moved.indexOf('본문')).toBe(text.indexOf('본문'));
      expect(moved.slice(moved.indexOf('본문'))).toBe(text.slice(text.indexOf('본문')));
      expect(moved.slice(0, moved.indexOf('본문')).split('\n').length).toBe(text.slice(0, text.indexOf('본문')).split('\n').length);
    }
    expect(frontMatterFirst('\n+++\nt = 1\n+++')).toBe('+++\nt = 1\n+++\n');
    expect(frontMatterFirst('+++\nt = 1\n+++\n')).toBe('+++\nt = 1\n+++\n');
  });
});

describe('findFrontMatter and frontMatterKeyPlace', () => {
  test('the TOML text starts on line 2', () => {
    const file = fileOf('+++\ntitle = "a"\nslug = "x"\n+++\n');
    expect(findFrontMatter(file)).toEqual({ toml: 'title = "a"\nslug = "x"', origin: { line: 2 } });
    expect(frontMatterKeyPlace(file, 'slug')).toEqual({ line: 3, column: 1 });
  });
});
