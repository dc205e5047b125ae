import { stringify } from 'smol-toml';
import { wallClock } from './publish.js';
import { offsetOf } from './zone.js';

/**
 * The text of a new draft: front matter with the title, the current time in the site's
 * time zone (what the writer's wall clock says in Seoul, not UTC), and `draft = true`.
 */
export function newPostText(title: string, now: Date, timeZone: string): string {
  const date = `${wallClock(now, timeZone)}${offsetOf(timeZone, now.getTime())}`;
  const frontMatter = stringify({ title, description: '', categories: [], tags: [], draft: true });
  return `+++\n${frontMatter.replace(/^draft = true$/m, `date = ${date}\ndraft = true`)}\n+++\n\n`;
}
