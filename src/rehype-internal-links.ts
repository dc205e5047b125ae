import type { Root } from 'hast';
import { visit } from 'unist-util-visit';
import { rewriteUrls } from './html-urls.js';

/**
 * Links and sources inside the site, as they must be published, in one walk of the tree:
 * - their path in NFC. Every file geul writes is named NFC (slugs, terms, images), but a
 *   link typed with Hangul copied from a macOS file name is decomposed (NFD), percent-encoded
 *   by then (`/tags/%E1%84%92%E1%85%A1…`), and a static host serves no such file. The
 *   fragment is left as written: it names an id in the page's text.
 * - site-absolute ones (`[Adam](/posts/adam/)`, raw HTML's `<a href="/about/">` too) under the
 *   path part of baseURL, so a site published under `https://example.com/blog/` keeps its
 *   internal links working without the writer spelling out `/blog/` in every post.
 */
export function rehypeInternalLinks(options: { basePath: string }) {
  const { basePath } = options;
  return function (tree: Root) {
    visit(tree, 'element', (node) => {
      for (const key of ['href', 'src'] as const) {
        const value = node.properties[key];
        if (typeof value !== 'string' || !isInternal(value)) continue;
        let url = nfcPath(value);
        // Under the base path already, written as characters or (as remark-rehype writes an
        // image's URL) percent-encoded: `/블로그/…` is `/%EB%B8%94…/…`.
        if (basePath !== '/' && url.startsWith('/')) url = underBase(url, basePath);
        node.properties[key] = url;
      }
    });
    // Raw HTML (`<a href="/about/">저자</a>`, kept as written) goes the same way under a sub-path:
    // its site-absolute links led out of the site. (Its images are placed by remarkImages.)
    if (basePath === '/') return;
    visit(tree, 'raw', (node) => {
      if (/\s(?:href|src|srcset|poster)\s*=/i.test(node.value)) node.value = rewriteUrls(node.value, (url) => (url.startsWith('/') && !url.startsWith('//') ? underBase(url, basePath) : url));
    });
  };
}

/** A site-absolute URL under the path part of baseURL, unless it is there already (written as characters or percent-encoded). */
function underBase(url: string, basePath: string): string {
  return url.startsWith(basePath) || decoded(url).startsWith(decoded(basePath)) ? url : basePath + url.slice(1);
}

function decoded(url: string): string {
  try {
    return decodeURI(url);
  } catch {
    return url;
  }
}

/** Relative or site-absolute: no scheme (`https:`, `mailto:`), not protocol-relative. */
function isInternal(url: string): boolean {
  return !url.startsWith('//') && !/^[a-z][a-z\d+.-]*:/i.test(url);
}

/** The URL with the path and query before any `#` in NFC, whether written as characters or percent-encoded. */
export function nfcPath(url: string): string {
  const hash = url.indexOf('#');
  const head = hash === -1 ? url : url.slice(0, hash);
  const normal = head.normalize('NFC').replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    let text: string;
    try {
      text = decodeURIComponent(run);
    } catch {
      return run;
    }
    const nfc = text.normalize('NFC');
    return nfc === text ? run : encodeURIComponent(nfc);
  });
  return hash === -1 ? normal : normal + url.slice(hash);
}
