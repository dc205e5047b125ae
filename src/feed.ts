import type { Element, Root as HastRoot } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { toHtml } from 'hast-util-to-html';
import { visit } from 'unist-util-visit';
import { toXml } from 'xast-util-to-xml';
import { x } from 'xastscript';
import type { ParsedPost, Site } from './types.js';
import type { Urls } from './urls.js';
import type { Views } from './view.js';
import { timestampOf } from './zone.js';

/** How many of the newest posts the feed carries. */
const FEED_SIZE = 20;

/**
 * The Atom feed: newest posts with full content. Links inside the content are made absolute,
 * since feed readers show it away from the site.
 */
export function feed(site: Site, views: Views, urls: Urls): string {
  const { config } = site;
  const posts = site.posts.slice(0, FEED_SIZE);
  const stamp = (post: ParsedPost) =>
    timestampOf(post.frontMatter.lastmod ?? post.frontMatter.date!, config.timeZone);
  const updated = posts.length > 0 ? posts.map(stamp).sort().at(-1)! : '1970-01-01T00:00:00Z';
  const tree = x('feed', { xmlns: 'http://www.w3.org/2005/Atom', 'xml:lang': config.language }, [
    x('title', config.title),
    config.description ? x('subtitle', config.description) : null,
    x('link', { href: urls.abs('feed.xml'), rel: 'self', type: 'application/atom+xml' }),
    x('link', { href: urls.abs(''), rel: 'alternate', type: 'text/html' }),
    x('id', urls.abs('')),
    x('updated', updated),
    config.author ? x('author', [x('name', config.author)]) : null,
    x('generator', 'geul'),
    ...posts.map((post) => {
      const view = views.post(post);
      return x('entry', [
        x('title', view.title),
        x('link', { href: view.permalink, rel: 'alternate', type: 'text/html' }),
        x('id', view.permalink),
        x('published', timestampOf(post.frontMatter.date!, config.timeZone)),
        x('updated', stamp(post)),
        view.author ? x('author', [x('name', view.author)]) : null,
        ...[...view.categories, ...view.tags].map((term) => x('category', { term: term.name })),
        view.summary ? x('summary', view.summary) : null,
        x('content', { type: 'html' }, absolutizeLinks(post.rendered.html, urls)),
      ]);
    }),
  ]);
  return `<?xml version="1.0" encoding="utf-8"?>\n${toXml(tree)}\n`;
}

/** Rewrite site-absolute `href` and `src` (`/images/a.png`) as absolute URLs. */
export function absolutizeLinks(html: string, urls: Urls): string {
  const tree: HastRoot = fromHtml(html, { fragment: true });
  const origin = new URL(urls.abs('')).origin;
  visit(tree, 'element', (node: Element) => {
    for (const key of ['href', 'src'] as const) {
      const value = node.properties[key];
      if (typeof value === 'string') {
        if (value.startsWith('/') && !value.startsWith('//')) node.properties[key] = new URL(encodeURI(safeDecode(value)), origin).href;
        else if (value.startsWith('#')) node.properties[key] = value;
      }
    }
  });
  return toHtml(tree);
}

function safeDecode(text: string): string {
  try {
    return decodeURI(text);
  } catch {
    return text;
  }
}
