import { stringify } from 'smol-toml';
import path from 'node:path';
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

/**
 * The post that already has a slug, if any: `content/posts/<slug>.md`, a page bundle
 * `content/posts/<slug>/index.md`, or a file of that name in any folder below, compared as
 * the build compares slugs (NFC, case-insensitively), so `geul new` never makes a file that
 * the next build rejects as a duplicate. A front-matter `slug` elsewhere is the build's to catch.
 */
export function takenBy(slug: string, postPaths: string[]): string | undefined {
  const key = slug.normalize('NFC').toLowerCase();
  return postPaths.find((file) => fileSlug(file).toLowerCase() === key);
}

/**
 * `fileSlug` of post.ts, repeated here: importing post.ts would load the whole markdown
 * chain into every CLI start, which warm builds are careful to avoid.
 */
function fileSlug(sourcePath: string): string {
  const base = path.posix.basename(sourcePath, '.md');
  return (base === 'index' ? path.posix.basename(path.posix.dirname(sourcePath)) : base).normalize('NFC');
}
