import { parse, stringify } from 'smol-toml';
import { fileSlug } from './content-files.js';
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
 * `content/posts/<slug>/index.md`, a file of that name in any folder below, or a post whose
 * front matter says `slug = "<slug>"`, compared as the build compares slugs (NFC,
 * case-insensitively), so `geul new` never makes a file that the next build rejects as a
 * duplicate. `posts` are paths with, where known, their text.
 */
export function takenBy(slug: string, posts: { path: string; text?: string }[]): string | undefined {
  const key = slug.normalize('NFC').toLowerCase();
  const slugOf = (post: { path: string; text?: string }) => (post.text === undefined ? undefined : frontMatterSlug(post.text)) ?? fileSlug(post.path);
  return posts.find((post) => slugOf(post).normalize('NFC').toLowerCase() === key)?.path;
}

/**
 * The post one of whose `aliases` is the page a new post of `slug` would have
 * (`/posts/<slug>/`): the next build would refuse the two as one page. Compared as written,
 * percent-escapes decoded, NFC, in any letter case.
 */
export function aliasedBy(slug: string, posts: { path: string; text?: string }[]): string | undefined {
  const page = `posts/${slug}`.normalize('NFC').toLowerCase();
  const sameAsPage = (alias: unknown) => {
    if (typeof alias !== 'string') return false;
    let decoded = alias;
    try {
      decoded = decodeURIComponent(alias);
    } catch {
      // A broken escape is no page of this site; the build tells it.
    }
    return decoded.normalize('NFC').trim().replace(/^\/+|\/+$/g, '').toLowerCase() === page;
  };
  return posts.find((post) => {
    const aliases = post.text === undefined ? undefined : frontMatterKey(post.text, 'aliases');
    return (Array.isArray(aliases) ? aliases : [aliases]).some(sameAsPage);
  })?.path;
}

/** The `slug` a post's TOML front matter gives, if it gives one and parses. */
function frontMatterSlug(text: string): string | undefined {
  const slug = frontMatterKey(text, 'slug');
  return typeof slug === 'string' && slug.trim() !== '' ? slug.trim() : undefined;
}

/** A key of a post's TOML front matter, in any letter case as the build reads it; undefined when it does not parse. */
function frontMatterKey(text: string, name: string): unknown {
  // Blank lines may stand before the block, as the build reads it (frontmatter.ts).
  const block = /^\uFEFF?(?:[ \t]*\r?\n)*[ \t]*\+\+\+[ \t]*\r?\n([\s\S]*?)\r?\n\+\+\+[ \t]*(?:\r?\n|$)/.exec(text);
  if (!block) return undefined;
  try {
    const data = parse(block[1]!) as Record<string, unknown>;
    const key = Object.keys(data).find((written) => written.toLowerCase() === name);
    return key === undefined ? undefined : data[key];
  } catch {
    return undefined;
  }
}
