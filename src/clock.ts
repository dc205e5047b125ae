import { readFileSync } from 'node:fs';
import path from 'node:path';
import { VFile } from 'vfile';
import { readConfig } from './config.js';
import { parseDate } from './date.js';
import { instantOf } from './zone.js';

/**
 * The instant `geul build --clock <time>` builds at, as Hugo's `--clock`: to see the site as
 * it will be on a day to come (scheduled posts out, expired ones gone) or as it was. The time
 * is read as front-matter dates are: with an offset it is that instant; without one (a date,
 * or a date and time) it is a wall-clock time in the site's time zone, from site.toml, so
 * `--clock 2025-03-01` is midnight in Seoul on a Korean site. Returns the reason when the text
 * is no such time.
 */
export function readClock(text: string, root: string): Date | string {
  const date = parseDate(text);
  if (typeof date === 'string') {
    const reason = date.replace(/^invalid date "[^"]*": /, '');
    return `--clock "${text}": ${reason}; write 2025-03-01 or 2025-03-01T09:00 (in the site's time zone) or 2025-03-01T09:00:00+09:00`;
  }
  return new Date(instantOf(date, siteTimeZone(root)));
}

/**
 * site.toml's time zone, its default when the file is missing or cannot give one: the build
 * itself reports what is wrong with the file, and then builds nothing.
 */
function siteTimeZone(root: string): string {
  let value = '';
  try {
    value = readFileSync(path.join(root, 'site.toml'), 'utf8');
  } catch {
    // no site.toml: the defaults
  }
  return readConfig(new VFile({ path: 'site.toml', cwd: root, value })).timeZone;
}
