import type { VFile } from 'vfile';
import { collectAliases, pageOutputPaths } from './aliases.js';
import { frontMatterKeyPlace } from './frontmatter.js';
import { publicationState } from './publish.js';
import { addError, addWarning } from './report.js';
import { folderNameReason, termSlug } from './slug.js';
import type { ListPageSizes, ParsedPost, Series, Site, SiteConfig, Taxonomy, Term } from './types.js';
import { instantOf } from './zone.js';

/** What collect() leaves out or keeps, besides drafts (left out before compiling). */
export interface CollectOptions {
  /** The instant that counts as now for `publishDate`, `date` and `expiryDate`. @default new Date() */
  now?: Date;
  /** Keep posts and pages whose publication is still to come (`--future`). @default false */
  future?: boolean;
  /** Keep posts and pages whose `expiryDate` has passed (`--expired`). @default false */
  expired?: boolean;
  /**
   * Which list templates show page navigation (`render.ts`, paginatingLists); a list whose
   * template does not is one page. @default every list paginated
   */
  paginated?: Record<keyof ListPageSizes, boolean>;
}

/** Top-level names that geul itself writes; a standalone page may not take them. */
const RESERVED_PAGE_SLUGS = new Set(['posts', 'categories', 'tags', 'page', 'images', 'assets', 'search', 'pagefind', '404', 'feed.xml', 'sitemap.xml', 'robots.txt', 'index.html', '404.html', '.geul']);

/**
 * Gather parsed posts into a Site: posts newest first, taxonomies with their terms, series,
 * redirects from aliases. Leaves out what is not published at `now` in the site's time zone.
 * Finds what only shows across files: duplicate slugs (both files are told, even when one
 * is not out yet), terms whose names leave nothing for a URL, and aliases that clash.
 */
export function collect(
  config: SiteConfig,
  posts: ParsedPost[],
  pages: ParsedPost[],
  fileOf: (post: ParsedPost) => VFile,
  options: CollectOptions = {},
): Site {
  const isOut = isPublished(config, options);
  const instant = instantsIn(config.timeZone);
  // Posts of the same instant (two parts of a series dated the same day) are in file order,
  // oldest first, as in their series box: newest first is that order reversed, so a post's
  // older neighbour (prev) is the part before it, not the part after.
  const orderedPosts = [...posts].sort((a, b) => instant(b) - instant(a) || compare(b.sourcePath, a.sourcePath));
  // posts/index.html is the list of posts: a post there (a folder of that name) made the
  // write fail with the system's EISDIR, after the whole build.
  const keptPosts = withoutDuplicateSlugs(orderedPosts, fileOf, (slug) =>
    slug.toLowerCase() === 'index.html' ? `slug "${slug}" is reserved: posts/index.html is the list of posts` : undefined,
  ).filter(isOut);
  const orderedPages = [...pages].sort((a, b) => menuWeight(a) - menuWeight(b) || compare(a.sourcePath, b.sourcePath));
  const keptPages = withoutDuplicateSlugs(orderedPages, fileOf, (slug) =>
    RESERVED_PAGE_SLUGS.has(slug.toLowerCase()) ? `slug "${slug}" is reserved for geul's own pages` : undefined,
  ).filter(isOut);
  const collator = new Intl.Collator(config.language);
  const taxonomies: Taxonomy[] = (['categories', 'tags'] as const).map((key) => ({
    key,
    terms: collectTerms(keptPosts, key, fileOf).sort((a, b) => collator.compare(a.name, b.name) || compare(a.slug, b.slug)),
  }));
  const paginated = options.paginated ?? { home: true, section: true, term: true };
  const size = (kind: keyof ListPageSizes) => (paginated[kind] ? config.paginate : null);
  const pageSizes: ListPageSizes = { home: size('home'), section: size('section'), term: size('term') };
  const occupied = pageOutputPaths(keptPosts, keptPages, taxonomies, pageSizes);
  const aliases = collectAliases([...keptPosts, ...keptPages], occupied, fileOf);
  return { config, pageSizes, posts: keptPosts, pages: keptPages, taxonomies, series: collectSeries(keptPosts, instant), aliases, postFiles: posts.length };
}

/**
 * Where a page stands in the menu: Hugo's `weight` front matter, lighter first, and pages
 * without one (or with 0, as in Hugo) after them, by file path. A migrated site keeps its
 * menu's order.
 */
function menuWeight(page: ParsedPost): number {
  const key = Object.keys(page.frontMatter.extra).find((name) => name.toLowerCase() === 'weight');
  const weight = key === undefined ? undefined : page.frontMatter.extra[key];
  return typeof weight === 'number' && Number.isFinite(weight) && weight !== 0 ? weight : Number.POSITIVE_INFINITY;
}

/**
 * The instant of each post's date, what posts are ordered by: a date without an offset is a
 * wall-clock time in the site's time zone, so `2024-01-01T10:00:00` in Seoul comes before
 * `2024-01-01T05:00:00Z`. Worked out once per post; no date counts as the epoch.
 */
function instantsIn(timeZone: string): (post: ParsedPost) => number {
  const instants = new Map<ParsedPost, number>();
  return (post) => {
    let instant = instants.get(post);
    if (instant === undefined) {
      const { date } = post.frontMatter;
      instants.set(post, (instant = date ? instantOf(date, timeZone) : 0));
    }
    return instant;
  };
}

/** Whether a post or page is out at `options.now`: published, or kept by `--future`/`--expired`. */
export function isPublished(config: SiteConfig, options: CollectOptions = {}): (post: ParsedPost) => boolean {
  const now = options.now ?? new Date();
  return (post) => {
    const state = publicationState(post.frontMatter, config.timeZone, now);
    return state === 'published' || (state === 'future' && Boolean(options.future)) || (state === 'expired' && Boolean(options.expired));
  };
}

/**
 * Posts grouped by `series`, each series oldest first; same date by path. Names are compared
 * as terms are for case and spaces (`Transformer 다시 읽기` = `transformer  다시 읽기`), but not
 * by slug: a series has no page of its own, and a slug drops punctuation, which made
 * `C++ 입문` and `C 입문` one series.
 */
function collectSeries(posts: ParsedPost[], instant: (post: ParsedPost) => number): Series[] {
  const series = new Map<string, Series>();
  const oldestFirst = [...posts].sort((a, b) => instant(a) - instant(b) || compare(a.sourcePath, b.sourcePath));
  for (const post of oldestFirst) {
    const name = post.frontMatter.series;
    if (!name) continue;
    const key = name.normalize('NFC').toLowerCase().trim().replace(/\s+/g, ' ');
    const entry = series.get(key) ?? { name, posts: [] };
    entry.posts.push(post);
    series.set(key, entry);
  }
  return [...series.values()];
}

/**
 * Report every group of files that would write the same URL, naming all of them. Slugs
 * are compared case-insensitively: `Hello` and `hello` collide on macOS and Windows disks.
 */
function withoutDuplicateSlugs(
  posts: ParsedPost[],
  fileOf: (post: ParsedPost) => VFile,
  reserved: (slug: string) => string | undefined,
): ParsedPost[] {
  const bySlug = new Map<string, ParsedPost[]>();
  for (const post of posts) {
    const key = post.slug.normalize('NFC').toLowerCase();
    bySlug.set(key, [...(bySlug.get(key) ?? []), post]);
  }
  const kept: ParsedPost[] = [];
  for (const post of posts) {
    const group = bySlug.get(post.slug.normalize('NFC').toLowerCase()) ?? [];
    const place = slugPlace(post, fileOf);
    const reservedReason = reserved(post.slug);
    if (reservedReason) {
      addError(fileOf(post), reservedReason, place, 'duplicate-slug');
    } else if (group.length > 1) {
      const others = group.filter((other) => other !== post).map((other) => other.sourcePath);
      addError(fileOf(post), `duplicate slug "${post.slug}": also used by ${others.join(', ')}`, place, 'duplicate-slug');
    } else {
      kept.push(post);
    }
  }
  return kept;
}

function slugPlace(post: ParsedPost, fileOf: (post: ParsedPost) => VFile) {
  return post.frontMatter.slug !== undefined ? frontMatterKeyPlace(fileOf(post), 'slug') : { line: 1, column: 1 };
}

/**
 * Terms of one taxonomy. "NLP" and "nlp" are one term, named as first written. Names that
 * differ in more than case and spacing but make the same URL ("C++" and "C#" are both `c`)
 * are one term too, as the URL rule says; a warning names them, once for each such name.
 */
function collectTerms(posts: ParsedPost[], key: 'categories' | 'tags', fileOf: (post: ParsedPost) => VFile): Term[] {
  const terms = new Map<string, Term>();
  const warned = new Set<string>();
  for (const post of posts) {
    const seen = new Map<string, string>();
    for (const name of post.frontMatter[key]) {
      const slug = termSlug(name);
      // `_` or `-_-` would make tags/_/: a URL of punctuation, no name a reader could tell apart.
      if (!/[^-_.]/.test(slug)) {
        addError(fileOf(post), `${key}: "${name}" has no letters or digits to make a URL from`, frontMatterKeyPlace(fileOf(post), key));
        continue;
      }
      const tooLong = folderNameReason(slug, `${key}: the URL of "${name.length > 40 ? `${name.slice(0, 40)}…` : name}"`);
      if (tooLong) {
        addError(fileOf(post), tooLong, frontMatterKeyPlace(fileOf(post), key));
        continue;
      }
      // `tags/index.html` is the list of all tags: a term's folder cannot have its name.
      if (slug === 'index.html') {
        addError(fileOf(post), `${key}: "${name}" would make the URL ${key}/${slug}/, where the list of all ${key} is; rename it`, frontMatterKeyPlace(fileOf(post), key));
        continue;
      }
      const first = seen.get(slug) ?? terms.get(slug)?.name;
      if (first !== undefined && plainName(first) !== plainName(name) && !warned.has(`${slug}\0${plainName(name)}`)) {
        warned.add(`${slug}\0${plainName(name)}`);
        addWarning(
          fileOf(post),
          `${key}: "${name}" and "${first}" make the same URL (${key}/${slug}/), so they are one term, shown as "${terms.get(slug)?.name ?? first}"; rename one to keep them apart`,
          frontMatterKeyPlace(fileOf(post), key),
        );
      }
      if (seen.has(slug)) continue;
      seen.set(slug, name);
      const term = terms.get(slug) ?? { name, slug, posts: [] };
      term.posts.push(post);
      terms.set(slug, term);
    }
  }
  return [...terms.values()];
}

/** A term's name as the reader tells names apart: "NLP" and " nlp" are the same. */
function plainName(name: string): string {
  return name.normalize('NFC').toLowerCase().trim().replace(/\s+/gu, ' ');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
