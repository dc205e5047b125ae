import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, TomlDate } from 'smol-toml';
import { describe, expect, test } from 'vitest';
import { daysInMonth, formatDate, isoDay, parseDate } from '../src/date.ts';
import type { CalendarDate } from '../src/types.ts';
import { instantOf, timestampOf } from '../src/zone.ts';
import { REPO_ROOT } from './helpers/site.ts';

const run = promisify(execFile);

/** parseDate, failing the test with its message when it refuses. */
function date(value: unknown): CalendarDate {
  const parsed = parseDate(value);
  if (typeof parsed === 'string') throw new Error(`parseDate refused ${String(value)}: ${parsed}`);
  return parsed;
}

/** A value as smol-toml gives it for `d = <text>` (bare, unquoted). */
function toml(text: string): unknown {
  return (parse(`d = ${text}`) as { d: unknown }).d;
}

describe('parseDate', () => {
  test('a quoted string', () => {
    expect(date('2024-01-01')).toEqual({ year: 2024, month: 1, day: 1, iso: '2024-01-01' });
  });

  test('a bare TOML date', () => {
    const value = toml('2024-01-01');
    expect(value).toBeInstanceOf(TomlDate);
    expect(date(value)).toEqual({ year: 2024, month: 1, day: 1, iso: '2024-01-01' });
  });

  test('an offset datetime keeps the calendar date as written, not the UTC one', () => {
    // 2024-03-01T00:30+09:00 is 2024-02-29T15:30Z: the writer's day is March 1st.
    const parsed = date(toml('2024-03-01T00:30:00+09:00'));
    expect([parsed.year, parsed.month, parsed.day]).toEqual([2024, 3, 1]);
    expect(parsed.iso.startsWith('2024-03-01T00:30:00')).toBe(true);
    expect(parsed.iso.endsWith('+09:00')).toBe(true);
    expect(Date.parse(parsed.iso)).toBe(Date.parse('2024-03-01T00:30:00+09:00'));
    expect(instantOf(parsed, 'America/Los_Angeles')).toBe(Date.parse('2024-03-01T00:30:00+09:00'));
  });

  test('a quoted offset datetime and a negative offset', () => {
    const parsed = date('2023-12-31T23:30:00-08:00');
    expect([parsed.year, parsed.month, parsed.day]).toEqual([2023, 12, 31]);
    expect(parsed.iso).toBe('2023-12-31T23:30:00-08:00');
  });

  test('newer dates sort after older ones, whatever form they are written in', () => {
    const keys = ['2024-01-01', toml('2024-02-15'), toml('2024-03-01T00:30:00+09:00')].map((value) => instantOf(date(value), 'Asia/Seoul'));
    expect([...keys].sort((a, b) => a - b)).toEqual(keys);
  });

  test.each(['2024-02-30', '2023-02-29', '2024-13-01', '2024-00-10', '2024-04-31', '1900-02-29'])(
    'the impossible quoted date %s is refused with the text it got',
    (text) => {
      const parsed = parseDate(text);
      expect(typeof parsed).toBe('string');
      expect(parsed).toContain(`"${text}"`);
    },
  );

  test.each(['2024-02-30', '2023-02-29'])('the impossible date %s written as text is refused', (text) => {
    // A bare TOML date reaches parseDate as the text it was written as (frontmatter.ts reads
    // it from the TOML source, since smol-toml rolls 2024-02-30 over to March 1st); see
    // frontmatter.test.ts for the bare form end to end.
    const parsed = parseDate(text);
    expect(typeof parsed).toBe('string');
    expect(parsed).toContain(text);
  });

  test('a month that does not exist is named as such', () => {
    const parsed = parseDate('2024-13-01');
    expect(parsed).toMatch(/month/i);
    expect(parsed).not.toMatch(/has no day/);
  });

  test('not a date at all', () => {
    expect(parseDate('2024-1-1')).toMatch(/expected YYYY-MM-DD/);
    expect(parseDate('yesterday')).toMatch(/invalid date "yesterday"/);
    expect(parseDate(20240101)).toMatch(/expected a date/);
    expect(parseDate(['2024-01-01'])).toMatch(/an array/);
    expect(parseDate(toml('09:00:00'))).toMatch(/time of day/);
    expect(parseDate('2024-01-01T24:30:00')).toMatch(/no such time of day/);
  });

  test('leap years follow the Gregorian rules', () => {
    expect(date('2024-02-29').day).toBe(29);
    expect(date('2000-02-29').day).toBe(29);
    expect(date(toml('2024-02-29')).day).toBe(29);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2023, 2)).toBe(28);
    expect(daysInMonth(1900, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
    expect([1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((month) => daysInMonth(2023, month))).toEqual([
      31, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
    ]);
  });
});

describe('dates written in other spellings, or out of range', () => {
  test('one RFC 3339 spelling: T and Z upper case, seconds added, a space read as T', () => {
    expect(date('2024-01-01t09:00:00z').iso).toBe('2024-01-01T09:00:00Z');
    expect(date('2024-01-01T09:00+09:00').iso).toBe('2024-01-01T09:00:00+09:00');
    expect(date('2024-01-01 09:30').iso).toBe('2024-01-01T09:30:00');
    expect(date('2024-01-01T09:30:15.250-08:00').iso).toBe('2024-01-01T09:30:15.250-08:00');
    // <time datetime> takes at most milliseconds.
    expect(date('2024-01-01T09:00:00.123456+09:00').iso).toBe('2024-01-01T09:00:00.123+09:00');
    expect(date('2024-01-01T09:00:00.0004Z').iso).toBe('2024-01-01T09:00:00Z');
    expect(date(toml('2024-01-01T09:00:00Z')).iso).toBe('2024-01-01T09:00:00Z');
  });

  test('year 0 is refused: <time datetime> and feeds count years from 1', () => {
    expect(parseDate('0000-01-01')).toBe('invalid date "0000-01-01": there is no year 0; the first year is 0001');
    expect(parseDate(toml('0000-06-01'))).toMatch(/no year 0/);
    expect(parseDate('0000-06-01T09:00:00Z')).toMatch(/no year 0/);
    expect(date('0001-01-01').iso).toBe('0001-01-01');
  });

  test('a leap second and an offset no zone has are refused, not taken for a post never published', () => {
    expect(parseDate('2024-01-01T23:59:60Z')).toMatch(/no such time of day/);
    expect(parseDate('2024-01-01T09:00:00+99:00')).toMatch(/no such UTC offset \+99:00/);
    expect(parseDate('2024-01-01T09:00:00+09:60')).toMatch(/no such UTC offset/);
    expect(date('2024-01-01T09:00:00+14:00').iso).toBe('2024-01-01T09:00:00+14:00');
    expect(date('2024-01-01T09:00:00-12:00').iso).toBe('2024-01-01T09:00:00-12:00');
  });
});

describe('instantOf and timestampOf: a date without an offset is a wall-clock time in the site time zone', () => {
  test('ordering: 10:00 in Seoul is 01:00Z, before 05:00Z', () => {
    expect(instantOf(date('2024-01-01T10:00:00'), 'Asia/Seoul')).toBe(Date.parse('2024-01-01T01:00:00Z'));
    expect(instantOf(date('2024-01-01T10:00:00'), 'Asia/Seoul')).toBeLessThan(instantOf(date('2024-01-01T05:00:00Z'), 'Asia/Seoul'));
    expect(instantOf(date('2024-01-01'), 'Asia/Seoul')).toBe(Date.parse('2023-12-31T15:00:00Z'));
    expect(instantOf(date('2024-01-01'), 'UTC')).toBe(Date.parse('2024-01-01T00:00:00Z'));
  });

  test('the offset in force at that time on the days summer time starts and ends', () => {
    const la = (text: string) => timestampOf(date(text), 'America/Los_Angeles');
    // 2024-03-10: 02:00 PST becomes 03:00 PDT.
    expect(la('2024-03-10')).toBe('2024-03-10T00:00:00-08:00');
    expect(la('2024-03-10T01:00:00')).toBe('2024-03-10T01:00:00-08:00');
    expect(la('2024-03-10T03:30:00')).toBe('2024-03-10T03:30:00-07:00');
    // A time the clocks skip counts with the offset before the change.
    expect(la('2024-03-10T02:30:00')).toBe('2024-03-10T02:30:00-08:00');
    // 2024-11-03: 02:00 PDT becomes 01:00 PST; 01:30 happens twice, the first one counts.
    expect(la('2024-11-03')).toBe('2024-11-03T00:00:00-07:00');
    expect(la('2024-11-03T00:30:00')).toBe('2024-11-03T00:30:00-07:00');
    expect(la('2024-11-03T01:30:00')).toBe('2024-11-03T01:30:00-07:00');
    expect(la('2024-11-03T05:00:00')).toBe('2024-11-03T05:00:00-08:00');
    expect(la('2024-07-01')).toBe('2024-07-01T00:00:00-07:00');
    expect(la('2024-01-01T23:00:00')).toBe('2024-01-01T23:00:00-08:00');
    // Every timestamp reads back as the instant instantOf gives.
    for (const text of ['2024-03-10T01:00:00', '2024-03-10T03:30:00', '2024-11-03T00:30:00', '2024-11-03T05:00:00', '2024-07-01']) {
      expect(Date.parse(la(text)), text).toBe(instantOf(date(text), 'America/Los_Angeles'));
    }
    // Seoul keeps +09:00; an offset written is kept.
    expect(timestampOf(date('2024-03-10T02:30:00'), 'Asia/Seoul')).toBe('2024-03-10T02:30:00+09:00');
    expect(timestampOf(date('2024-03-10T02:30:00Z'), 'America/Los_Angeles')).toBe('2024-03-10T02:30:00Z');
  });
});

describe('formatDate', () => {
  test('Korean', () => {
    expect(formatDate(date('2024-01-01'), 'ko')).toBe('2024년 1월 1일');
    expect(formatDate(date('2024-12-31'), 'ko-KR')).toBe('2024년 12월 31일');
  });

  test('English', () => {
    expect(formatDate(date('2024-01-01'), 'en')).toBe('January 1, 2024');
    expect(formatDate(date('2023-12-31T23:30:00-08:00'), 'en-US')).toBe('December 31, 2023');
  });

  test('in the calendar the date is written in, whatever the language\'s own', () => {
    expect(formatDate(date('2024-03-15'), 'th')).toMatch(/15 .* 2024$/);
    expect(formatDate(date('2024-03-15'), 'fa')).toMatch(/^۱۵ .* ۲۰۲۴$/);
    expect(formatDate(date('2024-03-15'), 'ja-JP-u-ca-japanese')).toBe('2024年3月15日');
  });

  test('a year below 100 is that year, not 1900 and after', () => {
    // Date.UTC reads years 0–99 as 1900–1999.
    expect(formatDate(date('0050-06-01'), 'en')).toBe('June 1, 50');
    expect(formatDate(date('0001-01-01'), 'en-GB')).toBe('1 January 1');
    // Nor does such a date take 1950's summer time: New York then kept its local mean time.
    expect(timestampOf(date('0050-06-01'), 'America/New_York')).toBe(timestampOf(date('0150-06-01'), 'America/New_York').replace('0150', '0050'));
    expect(timestampOf(date('0050-06-01'), 'America/New_York')).not.toMatch(/-04:00$/);
  });

  test('isoDay pads', () => {
    expect(isoDay(date('0999-01-02'))).toBe('0999-01-02');
    expect(isoDay(date(toml('2024-03-01T00:30:00+09:00')))).toBe('2024-03-01');
  });
});

describe('the calendar date does not depend on the machine time zone', () => {
  const script = `
    const { parse } = await import('smol-toml');
    const { parseDate, formatDate, isoDay } = await import(${JSON.stringify(pathToFileURL(path.join(REPO_ROOT, 'src/date.ts')).href)});
    const bare = parse('a = 2024-01-01\\nb = 2024-03-01T00:30:00+09:00\\nc = 2023-12-31T23:30:00-08:00');
    const rows = ['2024-01-01', bare.a, bare.b, bare.c].map((value) => {
      const d = parseDate(value);
      return [d.year, d.month, d.day, isoDay(d), formatDate(d, 'ko'), formatDate(d, 'en')];
    });
    console.log(JSON.stringify({ offset: new Date(2024, 0, 1).getTimezoneOffset(), rows }));
  `;
  const expected = [
    [2024, 1, 1, '2024-01-01', '2024년 1월 1일', 'January 1, 2024'],
    [2024, 1, 1, '2024-01-01', '2024년 1월 1일', 'January 1, 2024'],
    [2024, 3, 1, '2024-03-01', '2024년 3월 1일', 'March 1, 2024'],
    [2023, 12, 31, '2023-12-31', '2023년 12월 31일', 'December 31, 2023'],
  ];

  test.each([
    ['America/Los_Angeles', 480],
    ['Asia/Seoul', -540],
  ])('TZ=%s', async (zone, offset) => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      env: { ...process.env, TZ: zone },
    });
    const result = JSON.parse(stdout) as { offset: number; rows: unknown[] };
    // The child really ran in that zone...
    expect(result.offset).toBe(offset);
    // ...and every date still reads as written.
    expect(result.rows).toEqual(expected);
  });
});
