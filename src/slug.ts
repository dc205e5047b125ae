/**
 * Slugs keep Hangul: "자연어 처리" → `자연어-처리`. Only what would break a URL path or a
 * file name is dropped, so a Korean writer's terms stay readable in the address bar.
 */

// URL-reserved and unsafe punctuation (RFC 3986 gen-delims and sub-delims, plus quotes,
// brackets and the like). Letters of every script, digits, `-`, `_` and `.` survive.
// eslint-disable-next-line no-control-regex -- control characters are exactly what must go
const RESERVED = /[!"#$%&'()*+,/:;<=>?@[\\\]^`{|}~\u0000-\u001f\u007f]/gu;

/**
 * The URL segment of a taxonomy term: NFC, lower-cased, runs of whitespace → `-`,
 * URL-reserved punctuation dropped. "Paper Review" → `paper-review`, "NLP" → `nlp`.
 */
export function termSlug(name: string): string {
  // A site names the same few hundred terms in thousands of posts, and every build (every
  // save in `geul dev`) slugs each of them several times.
  let slug = termSlugs.get(name);
  if (slug === undefined) {
    if (termSlugs.size > 10_000) termSlugs.clear();
    termSlugs.set(name, (slug = slugOf(name)));
  }
  return slug;
}

const termSlugs = new Map<string, string>();

function slugOf(name: string): string {
  return name
    .normalize('NFC')
    .toLowerCase()
    .trim()
    .replace(/\s+/gu, '-')
    // Zero-width spaces and joiners, direction marks: invisible, they would make a URL that
    // looks like another term's, or like none.
    .replace(/\p{Cf}/gu, '')
    .replace(RESERVED, '')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .normalize('NFC');
}

/**
 * A slug for a new post from its title, as `geul new` makes it: its file name. Not starting
 * with `_` (content/ skips such files, as Hugo skips `_index.md`), and not one of
 * `RESERVED_POST_FILE_SLUGS`.
 */
export function titleSlug(title: string): string {
  const slug = termSlug(title).replace(/^[_-]+/, '');
  return RESERVED_POST_FILE_SLUGS.has(slug) ? `${slug}-post` : slug;
}

/**
 * Slugs (lower-cased) that `content/posts/<slug>.md` cannot have: `index` names a page
 * bundle's post, which takes its folder's name (`/posts/posts/`), and `posts/index.html` is
 * the list of posts, which the build refuses a post's slug to be (collect.ts).
 */
export const RESERVED_POST_FILE_SLUGS: ReadonlySet<string> = new Set(['index', 'index.html']);

/**
 * Why a post slug cannot be used as one path segment under `posts/`, or undefined when it
 * can. Slugs come from front matter, so they are checked rather than trusted.
 */
export function unsafeSlugReason(slug: string): string | undefined {
  if (slug.length === 0) return 'slug is empty';
  if (slug === '.' || slug === '..') return `slug "${slug}" would escape the output folder`;
  if (/[/\\]/.test(slug)) return `slug "${slug}" contains a path separator and would escape its folder`;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(slug)) return `slug ${JSON.stringify(slug)} contains control characters`;
  // Only a file name reaches here with one (front matter slugs are trimmed): ` .md` made the
  // folder `posts/ /`, and a name ending in a space is no folder name on Windows.
  if (/^\s|\s$/u.test(slug)) return `slug ${JSON.stringify(slug)} begins or ends with a space: rename the file or write a slug`;
  if (/[?#%]/.test(slug)) return `slug "${slug}" contains "?", "#" or "%", which cannot appear in a URL path as written`;
  // Zero-width and direction marks: a slug that looks like another one, or like nothing.
  if (/\p{Cf}/u.test(slug)) return `slug ${JSON.stringify(slug)} contains an invisible character (${[...slug].filter((char) => /\p{Cf}/u.test(char)).map(codePoint).join(', ')})`;
  return folderNameReason(slug, 'slug');
}

/** Bytes a folder name may have on the file systems sites are built on (ext4, APFS, NTFS). */
const NAME_BYTES = 255;

/** Why `name` cannot be the name of an output folder, if it cannot: it is too long. */
export function folderNameReason(name: string, what: string): string | undefined {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes <= NAME_BYTES) return undefined;
  return `${what} is ${bytes} bytes long in UTF-8, and a folder name can have at most ${NAME_BYTES} (85 Hangul syllables): shorten it`;
}

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
