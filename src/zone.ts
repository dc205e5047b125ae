import type { CalendarDate } from './types.js';

/**
 * An RFC 3339 timestamp for a front-matter date, for feeds. A datetime with an offset is
 * kept as written; a date alone means midnight in the site's time zone (a post dated
 * 2024-01-01 in Seoul was written on that day in Seoul, not in UTC).
 */
export function timestampOf(date: CalendarDate, timeZone: string): string {
  if (/[+-]\d{2}:\d{2}$|Z$/i.test(date.iso)) return date.iso.replace(/z$/, 'Z');
  const time = date.iso.length > 10 ? date.iso.slice(11) : '00:00:00';
  const hms = time.length === 5 ? `${time}:00` : time;
  const guess = Date.UTC(date.year, date.month - 1, date.day, 12);
  return `${date.iso.slice(0, 10)}T${hms}${offsetOf(timeZone, guess)}`;
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
