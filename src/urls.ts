import type { SiteConfig } from './types.js';

/**
 * Links of one site. Every link in the output goes through here, so a site published under
 * a sub-path (`baseURL = "https://example.com/blog/"`) works without template changes.
 */
export interface Urls {
  /** Path part of baseURL with both slashes: `/` or `/blog/`. */
  basePath: string;
  /** Site-relative URL of a path under the output root: `posts/a/` → `/blog/posts/a/`. */
  rel(path: string): string;
  /** Absolute URL, percent-encoded, for feeds, sitemaps and canonical links. */
  abs(path: string): string;
}

export function createUrls(config: SiteConfig): Urls {
  const base = new URL(config.baseURL);
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  const rel = (path: string) => basePath + hrefPath(path.replace(/^\/+/, ''));
  const abs = (path: string) => new URL(encodeURI(decodeURIComponentSafe(rel(path))), base.origin).href;
  return { basePath, rel, abs };
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
    return decodeURI(text);
  } catch {
    return text;
  }
}

/** Output file of a URL path: `posts/a/` → `posts/a/index.html`. */
export function outputFileOf(dir: string): string {
  return dir === '' ? 'index.html' : `${dir.replace(/\/+$/, '')}/index.html`;
}
