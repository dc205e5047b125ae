import { toXml } from 'xast-util-to-xml';
import { x } from 'xastscript';
import { rewriteUrls } from './html-urls.js';
import type { ParsedPost, Site } from './types.js';
import type { Urls } from './urls.js';
import type { Views } from './view.js';
import { latestTimestamp, timestampOf } from './zone.js';

/** How many of the newest posts the feed carries. */
const FEED_SIZE = 20;

/**
 * The Atom feed: newest posts with full content. Links inside the content are made absolute,
 * since feed readers show it away from the site.
 */
export function feed(site: Site, views: Views, urls: Urls): string {
  const { config } = site;
  const posts = site.posts.slice(0, FEED_SIZE);
  // An entry is updated no earlier than it was published: a `lastmod` written before `date`
  // (copied from an older post, say) would make feed validators warn and readers sort it oddly.
  const published = (post: ParsedPost) => timestampOf(post.frontMatter.date!, config.timeZone);
  const stamp = (post: ParsedPost) => {
    const { lastmod } = post.frontMatter;
    return latestTimestamp([published(post), ...(lastmod ? [timestampOf(lastmod, config.timeZone)] : [])])!;
  };
  const updated = latestTimestamp(posts.map(stamp)) ?? '1970-01-01T00:00:00Z';
  const tree = x('feed', { xmlns: 'http://www.w3.org/2005/Atom', 'xml:lang': config.language }, [
    x('title', config.title),
    config.description ? x('subtitle', config.description) : null,
    x('link', { href: urls.abs('feed.xml'), rel: 'self', type: 'application/atom+xml' }),
    x('link', { href: urls.abs(''), rel: 'alternate', type: 'text/html' }),
    x('id', urls.abs('')),
    x('updated', updated),
    // Atom wants an author for the feed or for every entry: the site's name stands in for one.
    x('author', [x('name', config.author || config.title)]),
    x('generator', 'geul'),
    ...posts.map((post) => {
      const view = views.post(post);
      return x('entry', [
        x('title', view.title),
        x('link', { href: view.permalink, rel: 'alternate', type: 'text/html' }),
        x('id', view.permalink),
        x('published', published(post)),
        x('updated', stamp(post)),
        view.author ? x('author', [x('name', view.author)]) : null,
        ...[...view.categories, ...view.tags].map((term) => x('category', { term: term.name })),
        view.summary ? x('summary', view.summary) : null,
        x('content', { type: 'html' }, absolutizeLinks(plainCode(mathmlOnly(post.rendered.html)), urls, view.permalink)),
      ]);
    }),
  ]);
  // `]]>` may not stand in XML text (a line of code such as `a[b[i]]>0` holds it), and
  // xast-util-to-xml escapes only `<` and `&`: its `>` becomes `&gt;`. The tree has no CDATA
  // section or comment, whose `]]>` would mean something else.
  return `<?xml version="1.0" encoding="utf-8"?>\n${toXml(tree).replaceAll(']]>', ']]&gt;').replace(NOT_XML, '')}\n`;
}

/**
 * Characters XML 1.0 has no place for, even escaped: control characters (a post's body may hold
 * one), lone surrogates, U+FFFE and U+FFFF. One of them makes the whole feed ill-formed, and a
 * feed reader then shows nothing.
 */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Rewrite site-absolute `href`, `src` and `srcset` URLs (`/images/a.png`), in-page links
 * (`#각주`) and links relative to the post (`../other/`, `data.csv`) as absolute ones: a
 * feed reader resolves what is left relative against the feed's own URL.
 * Works on the tags of serialised HTML (`rewriteUrls`), so a code sample that shows
 * `href="/x"` is left alone.
 */
export function absolutizeLinks(html: string, urls: Urls, page: string): string {
  const origin = new URL(urls.abs('')).origin;
  const absolute = (url: string) => {
    if (url.startsWith('#')) return page + url; // a footnote or heading link, read away from its page
    // With a scheme (`https:`, `mailto:`) or protocol-relative: absolute already.
    if (url === '' || url.startsWith('//') || /^[a-z][a-z\d+.-]*:/i.test(url)) return url;
    // The URL parser percent-encodes Hangul and spaces and keeps `%XX`, `?` and `#` as they are.
    try {
      return new URL(url, url.startsWith('/') ? origin : page).href;
    } catch {
      return url;
    }
  };
  return rewriteUrls(html, absolute);
}


/**
 * Code blocks without their highlighting: Shiki colours each token with a `<span>` whose
 * style names CSS variables of the site's stylesheet, which a feed reader does not have, so
 * the spans only weigh (most of a code block's bytes). The text, line breaks included, stays.
 */
export function plainCode(html: string): string {
  return html.replace(/(<pre\b[^>]*>)([\s\S]*?)(<\/pre>)/g, (_, open: string, code: string, close: string) => open + code.replace(/<\/?span\b[^>]*>/g, '') + close);
}

const KATEX_HTML = '<span class="katex-html" aria-hidden="true">';

/**
 * Drop KaTeX's HTML rendering and keep its MathML. Feed readers do not load KaTeX's CSS, so
 * the HTML rendering would show as jumbled text beside the formula, while MathML is drawn by
 * the reader itself. KaTeX's HTML is nothing but nested spans (and SVG without spans), so
 * counting `<span` and `</span>` finds its end.
 */
export function mathmlOnly(html: string): string {
  let out = '';
  let from = 0;
  for (;;) {
    const start = html.indexOf(KATEX_HTML, from);
    if (start === -1) return out + html.slice(from);
    out += html.slice(from, start);
    let depth = 0;
    let index = start;
    const tag = /<span\b|<\/span>/g;
    tag.lastIndex = start;
    for (let match = tag.exec(html); match; match = tag.exec(html)) {
      depth += match[0] === '</span>' ? -1 : 1;
      index = match.index + match[0].length;
      if (depth === 0) break;
    }
    from = depth === 0 ? index : html.length;
  }
}
