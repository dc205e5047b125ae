import { utcTime } from './date.js';
import type { CalendarDate } from './types.js';

/**
 * An RFC 3339 timestamp for a front-matter date, for feeds and structured data. A datetime
 * with an offset is that instant as written; without one it is a wall-clock time in the
 * site's time zone, and a date alone is midnight there (a post dated 2024-01-01 in Seoul was
 * written on that day in Seoul, not in UTC), with the offset in force at that time, summer
 * time or not.
 */
export function timestampOf(date: CalendarDate, timeZone: string): string {
  if (hasOffset(date)) return date.iso;
  const wallClock = date.iso.length > 10 ? date.iso : `${date.iso}T00:00:00`;
  return `${wallClock}${formatOffset(offsetMinutesOf(date, timeZone))}`;
}

/** The instant of a front-matter date (see `timestampOf`), in milliseconds since the epoch: what posts are ordered by. */
/**
 * The latest of RFC 3339 timestamps, by instant rather than by text: offsets differ between
 * them. A post's modification time is the later of its date and its lastmod (feed, JSON-LD),
 * so a lastmod written before the date never makes it modified before it was published.
 */
export function latestTimestamp(stamps: readonly string[]): string | undefined {
  return stamps.reduce<string | undefined>((last, next) => (last === undefined || Date.parse(next) > Date.parse(last) ? next : last), undefined);
}

export function instantOf(date: CalendarDate, timeZone: string): number {
  if (hasOffset(date)) return Date.parse(date.iso);
  return wallClockMs(date) - offsetMinutesOf(date, timeZone) * MINUTE;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

function hasOffset(date: CalendarDate): boolean {
  return /(?:Z|[+-]\d{2}:\d{2})$/.test(date.iso);
}

/** The wall-clock time of a date without an offset, read as if it were UTC. */
function wallClockMs(date: CalendarDate): number {
  const time = date.iso.length > 10 ? date.iso.slice(11) : '00:00:00';
  return Date.parse(`${date.iso.slice(0, 10)}T${time}Z`);
}

/**
 * The offset of the site's time zone in force at a wall-clock date. Most days have one
 * offset all day: the offset at noon (cached by day, as every list repeats its posts' dates)
 * serves. On a day the clocks change, the time is read with the offset in force just before
 * it; a time the clocks skip counts with the offset before the change, and a time they go
 * through twice is its first occurrence (as JavaScript's Temporal does by default).
 */
function offsetMinutesOf(date: CalendarDate, timeZone: string): number {
  const noon = utcTime(date.year, date.month, date.day, 12);
  const before = offsetMinutes(timeZone, noon - DAY);
  if (before === offsetMinutes(timeZone, noon) && before === offsetMinutes(timeZone, noon + DAY)) return before;
  const wall = wallClockMs(date);
  const guess = offsetMinutes(timeZone, wall - before * MINUTE);
  return offsetMinutes(timeZone, wall - guess * MINUTE);
}

function offsetMinutes(timeZone: string, instant: number): number {
  const [, sign, hours, minutes] = /^([+-])(\d{2}):(\d{2})$/.exec(offsetOf(timeZone, instant))!;
  return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
}

function formatOffset(minutes: number): string {
  const size = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(size / 60)).padStart(2, '0')}:${String(size % 60).padStart(2, '0')}`;
}

/** The UTC offset of a time zone at an instant, as `+09:00`. */
export function offsetOf(timeZone: string, instant: number): string {
  // A build asks for the same few days again and again (every list a post is in shows its
  // date), and Intl's formatToParts is the slow part of a post's view.
  const key = `${timeZone}\0${instant}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const part = offsetFormat(timeZone)
      .formatToParts(instant)
      .find((item) => item.type === 'timeZoneName')?.value;
    offset = /GMT([+-]\d{2}:\d{2})/.exec(part ?? '')?.[1] ?? '+00:00';
    if (offsets.size >= 100_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

const offsets = new Map<string, string>();

/** Formatters by time zone: making one costs far more than using it, and a build formats every post's dates. */
const offsetFormats = new Map<string, Intl.DateTimeFormat>();

function offsetFormat(timeZone: string): Intl.DateTimeFormat {
  let format = offsetFormats.get(timeZone);
  if (!format) offsetFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })));
  return format;
}
