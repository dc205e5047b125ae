import { TomlDate } from 'smol-toml';
import type { CalendarDate } from './types.js';

const DATE_TEXT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/i;

/**
 * Read a front-matter date: a quoted string, a bare TOML date or an offset datetime.
 * The calendar date is taken from the text as written, never through the machine's time
 * zone, so `2024-01-01` is shown as January 1st in Seoul and in Los Angeles alike.
 * Returns an error message for anything that is not a real calendar date.
 */
export function parseDate(value: unknown): CalendarDate | string {
  let text: string;
  if (value instanceof TomlDate) {
    if (value.isTime()) return 'expected a date, got a time of day only';
    // TomlDate remembers how it was written; toISOString gives that text back.
    text = value.toISOString();
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return `expected a date like "2024-01-01", got ${describe(value)}`;
  }
  const match = DATE_TEXT.exec(text);
  if (!match) return `invalid date "${text}": expected YYYY-MM-DD or an ISO 8601 datetime`;
  const [, y, mo, d, h, mi, s, fraction = '', offset] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  // HTML's valid date string and RFC 3339 both start at year 1: `<time datetime="0000-01-01">`
  // is no date a browser, a feed reader or a search engine reads.
  if (year === 0) return `invalid date "${text}": there is no year 0; the first year is 0001`;
  if (month < 1 || month > 12) return `invalid date "${text}": there is no month ${mo}`;
  if (day < 1 || day > daysInMonth(year, month)) {
    return `invalid date "${text}": ${y}-${mo} has no day ${d}`;
  }
  // A leap second (:60) is no time JavaScript or a feed reader can place.
  if (Number(h ?? 0) > 23 || Number(mi ?? 0) > 59 || Number(s ?? 0) > 59) {
    return `invalid date "${text}": no such time of day`;
  }
  if (offset && offset.length > 1 && (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(4, 6)) > 59)) {
    return `invalid date "${text}": no such UTC offset ${offset}`;
  }
  // One spelling whatever the writer's (`t`, `z`, a space, no seconds): RFC 3339, as feeds
  // and `<time datetime>` want it.
  // smol-toml gives a bare offset datetime back with `.000`, whether written or not: a fraction
  // of nothing is left out. HTML's `<time datetime>` takes at most milliseconds: finer is cut.
  const millis = fraction.slice(0, 4);
  const fractionText = /^\.0+$/.test(millis) ? '' : millis;
  const iso = h === undefined ? `${y}-${mo}-${d}` : `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${fractionText}${offset?.toUpperCase() ?? ''}`;
  return { year, month, day, iso };
}

/** Days in a month of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The date as a reader of the given language expects it: `2024년 1월 1일` or `January 1, 2024`. */
export function formatDate(date: CalendarDate, language: string): string {
  if (language === 'ko' || language.startsWith('ko-')) {
    return `${date.year}년 ${date.month}월 ${date.day}일`;
  }
  // Formatting a UTC instant in UTC cannot shift the day, whatever TZ says; in the Gregorian
  // calendar the date was written in (Thai would count 2567, Persian 1402 otherwise).
  const instant = utcTime(date.year, date.month, date.day);
  let format = longDateFormats.get(language);
  if (!format) longDateFormats.set(language, (format = new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: 'UTC', calendar: 'gregory' })));
  return format.format(instant);
}

/**
 * Milliseconds since the epoch of a day (and hour) in UTC. `Date.UTC` takes the years 0–99
 * for 1900–1999, which would show `0050-06-01` as 1950 and give it 1950's UTC offset.
 */
export function utcTime(year: number, month: number, day: number, hour = 0): number {
  return new Date(Date.UTC(2000, 0, 1, hour)).setUTCFullYear(year, month - 1, day);
}

/** Formatters by language: making one costs far more than using it, and a build formats every post's dates. */
const longDateFormats = new Map<string, Intl.DateTimeFormat>();

/** `YYYY-MM-DD` of the calendar date, for `<time datetime>` of date-only values and sitemaps. */
export function isoDay(date: CalendarDate): string {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'nothing';
  return typeof value === 'object' ? 'a table' : `${typeof value} ${JSON.stringify(value)}`;
}
