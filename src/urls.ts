import type { PageSize, ParsedPost, SiteConfig } from './types.js';

/**
 * Links of one site. Every link in the output goes through here, so a site published under
 * a sub-path (`baseURL = "https://example.com/blog/"`) works without template changes.
 */
export interface Urls {
  /** site.toml's baseURL, ending in `/`: what these URLs are made from. */
  baseURL: string;
  /** Path part of baseURL with both slashes: `/` or `/blog/`. */
  basePath: string;
  /** Site-relative URL of a path under the output root: `posts/a/` → `/blog/posts/a/`. */
  rel(path: string): string;
  /** Absolute URL, percent-encoded, for feeds, sitemaps and canonical links. */
  abs(path: string): string;
}

export function createUrls(config: Pick<SiteConfig, 'baseURL'>): Urls {
  const base = new URL(config.baseURL);
  // URL gives the path percent-encoded; links keep Hangul readable, so work on the decoded form.
  const pathname = decodeURIComponentSafe(base.pathname);
  const basePath = pathname.endsWith('/') ? pathname : `${pathname}/`;
  // Written into hrefs escaped as the rest of the path is: a space in `/a b/` would split a `srcset`.
  const hrefBase = hrefPath(basePath);
  const rel = (path: string) => hrefBase + hrefPath(path.replace(/^\/+/, ''));
  const abs = (path: string) =>
    base.origin + encodeURI(basePath + path.replace(/^\/+/, '')).replace(/[?#]/g, (char) => encodeURIComponent(char));
  return { baseURL: config.baseURL, basePath, rel, abs };
}

/**
 * Escape what cannot stand in an href as written (spaces, quotes, `?`, `#`, `%`) and keep
 * Hangul and other letters readable: `/tags/자연어-처리/` stays as the writer sees it.
 */
export function hrefPath(path: string): string {
  return path.replace(/[\s"'<>`{}|\\^%?#[\]]/gu, (char) => encodeURIComponent(char));
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Output file of a URL path: `posts/a/` → `posts/a/index.html`. */
export function outputFileOf(dir: string): string {
  return dir === '' ? 'index.html' : `${dir.replace(/\/+$/, '')}/index.html`;
}

/**
 * URL path of page `n` of a list of posts at `dir`, as Hugo numbers them: `tags/nlp/` →
 * `tags/nlp/page/2/`; the first page is `dir` itself (its `page/1/` only redirects there).
 */
export function listPageDir(dir: string, n: number): string {
  return n === 1 ? dir : `${dir}page/${n}/`;
}

/** How many pages a list of `count` posts takes: one at least, empty or not. */
export function listPageCount(count: number, perPage: PageSize): number {
  return perPage === null ? 1 : Math.max(1, Math.ceil(count / perPage));
}

/** The posts page `n` of a list shows. */
export function listPagePosts<T>(posts: T[], n: number, perPage: PageSize): T[] {
  return perPage === null ? posts : posts.slice((n - 1) * perPage, n * perPage);
}

/**
 * URL paths of every page of a list at `dir` of `count` posts, then, when it is paginated, of
 * its `page/1/`, which redirects to the first page: what Hugo writes, so links of a migrated
 * site still work.
 */
export function listDirs(dir: string, count: number, perPage: PageSize): string[] {
  return [...Array.from({ length: listPageCount(count, perPage) }, (_, index) => listPageDir(dir, index + 1)), ...(perPage === null ? [] : [`${dir}page/1/`])];
}

/** Output folder of a post or page, relative to the output root: `posts/<slug>` or `<slug>`. */
export function outputDirOf(kind: ParsedPost['kind'], slug: string): string {
  return kind === 'post' ? `posts/${slug}` : slug;
}
