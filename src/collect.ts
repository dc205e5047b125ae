import type { VFile } from 'vfile';
import { frontMatterKeyPlace } from './frontmatter.js';
import { addError } from './report.js';
import { termSlug } from './slug.js';
import type { ParsedPost, Site, SiteConfig, Taxonomy, Term } from './types.js';

/** Top-level names that geul itself writes; a standalone page may not take them. */
const RESERVED_PAGE_SLUGS = new Set(['posts', 'categories', 'tags', 'page', 'images', 'assets', 'search', '404', 'feed.xml', 'sitemap.xml', 'robots.txt', 'index.html']);

/**
 * Gather parsed posts into a Site: posts newest first, taxonomies with their terms.
 * Finds what only shows across files: duplicate slugs (both files are told) and terms
 * whose names leave nothing for a URL.
 */
export function collect(
  config: SiteConfig,
  posts: ParsedPost[],
  pages: ParsedPost[],
  fileOf: (post: ParsedPost) => VFile,
): Site {
  const orderedPosts = [...posts].sort(
    (a, b) => (b.frontMatter.date?.sortKey ?? 0) - (a.frontMatter.date?.sortKey ?? 0) || compare(a.sourcePath, b.sourcePath),
  );
  const keptPosts = withoutDuplicateSlugs(orderedPosts, fileOf, () => undefined);
  const keptPages = withoutDuplicateSlugs(pages, fileOf, (slug) =>
    RESERVED_PAGE_SLUGS.has(slug.toLowerCase()) ? `slug "${slug}" is reserved for geul's own pages` : undefined,
  );
  const collator = new Intl.Collator(config.language);
  const taxonomies: Taxonomy[] = (['categories', 'tags'] as const).map((key) => ({
    key,
    terms: collectTerms(keptPosts, key, fileOf).sort((a, b) => collator.compare(a.name, b.name) || compare(a.slug, b.slug)),
  }));
  return { config, posts: keptPosts, pages: keptPages, taxonomies };
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

/** Terms of one taxonomy. "NLP" and "nlp" are one term, named as first written. */
function collectTerms(posts: ParsedPost[], key: 'categories' | 'tags', fileOf: (post: ParsedPost) => VFile): Term[] {
  const terms = new Map<string, Term>();
  for (const post of posts) {
    const seen = new Set<string>();
    for (const name of post.frontMatter[key]) {
      const slug = termSlug(name);
      if (!slug) {
        addError(fileOf(post), `${key}: "${name}" has no letters or digits to make a URL from`, frontMatterKeyPlace(fileOf(post), key));
        continue;
      }
      if (seen.has(slug)) continue;
      seen.add(slug);
      const term = terms.get(slug) ?? { name, slug, posts: [] };
      term.posts.push(post);
      terms.set(slug, term);
    }
  }
  return [...terms.values()];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
