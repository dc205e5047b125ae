import { toXml } from 'xast-util-to-xml';
import { x } from 'xastscript';
import { isoDay } from './date.js';
import type { CalendarDate, Site } from './types.js';
import type { Urls } from './urls.js';
import type { Views } from './view.js';

/** `sitemap.xml`: every published page with its last change where known. */
export function sitemap(site: Site, views: Views, urls: Urls): string {
  const entry = (loc: string, lastmod?: CalendarDate) =>
    x('url', [x('loc', loc), lastmod ? x('lastmod', isoDay(lastmod)) : null]);
  const newest = site.posts[0]?.frontMatter.date;
  const tree = x('urlset', { xmlns: 'http://www.sitemaps.org/schemas/sitemap/0.9' }, [
    entry(urls.abs(''), newest),
    ...site.posts.map((post) => entry(views.post(post).permalink, post.frontMatter.lastmod ?? post.frontMatter.date)),
    ...site.pages.map((page) => entry(views.post(page).permalink, page.frontMatter.lastmod ?? page.frontMatter.date)),
    ...site.taxonomies.flatMap((taxonomy) => [
      entry(urls.abs(`${taxonomy.key}/`)),
      ...taxonomy.terms.map((term) => entry(urls.abs(views.termDir(taxonomy.key, term.slug)), term.posts[0]?.frontMatter.date)),
    ]),
  ]);
  return `<?xml version="1.0" encoding="utf-8"?>\n${toXml(tree)}\n`;
}

/** `robots.txt`: everything may be crawled; the sitemap is named. */
export function robots(urls: Urls): string {
  return `User-agent: *\nAllow: /\n\nSitemap: ${urls.abs('sitemap.xml')}\n`;
}
