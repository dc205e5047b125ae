import { toXml } from 'xast-util-to-xml';
import { x } from 'xastscript';
import { isoDay } from './date.js';
import { wallClock } from './publish.js';
import type { CalendarDate, PageSize, ParsedPost, Site } from './types.js';
import type { Urls } from './urls.js';
import { listPageCount, listPageDir, listPagePosts } from './urls.js';
import type { Views } from './view.js';
import { offsetOf, timestampOf } from './zone.js';

/** A sitemap `<lastmod>`: its text and its instant, to find the newest of several. */
interface Stamp {
  text: string;
  time: number;
}

/**
 * `sitemap.xml`: every published page with its last change. A post's is its front matter
 * `lastmod`, else `modified` (its file's last git commit or mtime, from lastmod.ts), shown in
 * the site's time zone; a list's is the newest of its posts'.
 */
export function sitemap(site: Site, views: Views, urls: Urls, modified: ReadonlyMap<string, Date> = new Map()): string {
  const { timeZone } = site.config;
  const fromFrontMatter = (date: CalendarDate): Stamp => {
    const timestamp = timestampOf(date, timeZone);
    // A date alone stays a date, as the writer wrote it.
    return { text: date.iso.length === 10 ? isoDay(date) : timestamp, time: Date.parse(timestamp) };
  };
  const fromInstant = (date: Date): Stamp => ({
    text: `${wallClock(date, timeZone)}${offsetOf(timeZone, date.getTime())}`,
    time: date.getTime(),
  });
  const stamps = new Map<ParsedPost, Stamp | undefined>();
  const stampOf = (post: ParsedPost): Stamp | undefined => {
    if (!stamps.has(post)) {
      const { lastmod } = post.frontMatter;
      const changed = modified.get(post.sourcePath);
      stamps.set(post, lastmod ? fromFrontMatter(lastmod) : changed ? fromInstant(changed) : undefined);
    }
    return stamps.get(post);
  };
  const newest = (posts: ParsedPost[]): Stamp | undefined =>
    posts.map(stampOf).reduce<Stamp | undefined>((best, stamp) => (stamp && (!best || stamp.time > best.time) ? stamp : best), undefined);

  const entry = (loc: string, lastmod?: Stamp) => x('url', [x('loc', loc), lastmod ? x('lastmod', lastmod.text) : null]);
  // Each page of a paginated list (routes.ts), dated by the posts it shows; its `page/1/`
  // redirect is no page of its own.
  const list = (dir: string, posts: ParsedPost[], perPage: PageSize) =>
    Array.from({ length: listPageCount(posts.length, perPage) }, (_, index) =>
      entry(urls.abs(listPageDir(dir, index + 1)), newest(listPagePosts(posts, index + 1, perPage))),
    );
  const tree = x('urlset', { xmlns: 'http://www.sitemaps.org/schemas/sitemap/0.9' }, [
    ...list('', site.posts, site.pageSizes.home),
    ...site.posts.map((post) => entry(views.post(post).permalink, stampOf(post))),
    ...site.pages.map((page) => entry(views.post(page).permalink, stampOf(page))),
    ...list('posts/', site.posts, site.pageSizes.section),
    ...site.taxonomies.flatMap((taxonomy) => [
      entry(urls.abs(`${taxonomy.key}/`), newest(taxonomy.terms.flatMap((term) => term.posts))),
      ...taxonomy.terms.flatMap((term) => list(views.termDir(taxonomy.key, term.slug), term.posts, site.pageSizes.term)),
    ]),
  ]);
  return `<?xml version="1.0" encoding="utf-8"?>\n${toXml(tree)}\n`;
}

/** `robots.txt`: everything may be crawled; the sitemap is named. */
export function robots(urls: Urls): string {
  return `User-agent: *\nAllow: /\n\nSitemap: ${urls.abs('sitemap.xml')}\n`;
}
