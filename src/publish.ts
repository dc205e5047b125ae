import type { CalendarDate, FrontMatter } from './types.js';
import { instantOf } from './zone.js';

/** Whether a post is out now: published, not yet published, or expired. */
export type PublicationState = 'published' | 'future' | 'expired';

/**
 * Where a post stands at `now`: not yet published while its `publishDate` (else its `date`)
 * is to come, expired from its `expiryDate` on. A date or datetime without an offset is a
 * wall-clock time in the site's time zone, never UTC: a post dated 2024-01-01 is out from
 * midnight in Seoul, at 2023-12-31T15:00Z. A datetime with an offset is that instant.
 */
export function publicationState(frontMatter: FrontMatter, timeZone: string, now: Date): PublicationState {
  const publish = frontMatter.publishDate ?? frontMatter.date;
  if (publish && !reached(publish, timeZone, now)) return 'future';
  if (frontMatter.expiryDate && reached(frontMatter.expiryDate, timeZone, now)) return 'expired';
  return 'published';
}

/**
 * Whether `now` is at or after the date: its instant in the site's time zone (`instantOf`),
 * the same instant posts are ordered by and `geul dev` wakes at.
 */
export function reached(date: CalendarDate, timeZone: string, now: Date): boolean {
  return instantOf(date, timeZone) <= now.getTime();
}

/** `YYYY-MM-DDTHH:MM:SS` of an instant on the clocks of a time zone. */
export function wallClock(instant: Date, timeZone: string): string {
  // A build asks for the same instant once per post: answer repeats from the last result.
  const time = instant.getTime();
  if (lastWallClock?.time === time && lastWallClock.timeZone === timeZone) return lastWallClock.text;
  let format = wallClockFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    wallClockFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
  const text = `${parts.year!.padStart(4, '0')}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
  lastWallClock = { time, timeZone, text };
  return text;
}

/** Formatters by time zone: making one costs far more than using it. */
const wallClockFormats = new Map<string, Intl.DateTimeFormat>();
let lastWallClock: { time: number; timeZone: string; text: string } | undefined;
