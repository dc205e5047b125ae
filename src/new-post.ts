import { stringify } from 'smol-toml';
import { offsetOf } from './zone.js';

/**
 * The text of a new draft: front matter with the title, the current time in the site's
 * time zone (what the writer's wall clock says in Seoul, not UTC), and `draft = true`.
 */
export function newPostText(title: string, now: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(now)
      .map((part) => [part.type, part.value]),
  );
  const date = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offsetOf(timeZone, now.getTime())}`;
  const frontMatter = stringify({ title, description: '', categories: [], tags: [], draft: true });
  return `+++\n${frontMatter.replace(/^draft = true$/m, `date = ${date}\ndraft = true`)}\n+++\n\n`;
}
