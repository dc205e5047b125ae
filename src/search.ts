import type { Element, ElementContent, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { toHtml } from 'hast-util-to-html';
import { EXIT, SKIP, visit } from 'unist-util-visit';
import { formatDate } from './date.js';
import { particleRules, stripParticles } from './korean-particles.js';
import type { Output, ParsedPost, Site } from './types.js';
import { hrefPath, outputDirOf, type Urls } from './urls.js';

/** Where the Pagefind bundle lands in the output; the search page loads `pagefind/pagefind.js`. */
export const SEARCH_BUNDLE_DIR = 'pagefind';

/**
 * Written between a word's stem and the word itself in the text given to Pagefind:
 * `모델은` → `모델_^모델은`. Pagefind indexes a word holding ASCII punctuation as a whole and as
 * its parts, all at the word's position, so `모델` becomes an exact match of that word while
 * the excerpt still highlights it in place. The search page removes the joiner from excerpts
 * (templates/assets/search.js); nothing a writer types looks like `stem_^stem…`.
 */
export const STEM_JOINER = '_^';

/** What building the index did. */
export interface SearchIndex {
  /** The Pagefind bundle: index, fragments, its scripts and WebAssembly, under `pagefind/`. */
  outputs: Output[];
  /** Posts indexed. */
  posts: number;
  milliseconds: number;
}

/**
 * Build the Pagefind index of the site's posts, in memory (Pagefind's `getFiles`): the caller
 * writes it with the rest of the site, or serves it. Only posts are indexed, each from its
 * own title, description and body (no lists, menus or related posts), and only the posts the
 * build includes: drafts only when the build has them.
 */
export async function buildSearchIndex(site: Site): Promise<SearchIndex> {
  const started = performance.now();
  // Loaded here: the Pagefind service is a child process, started by its first call.
  const pagefind = await import('pagefind');
  try {
    const created = await pagefind.createIndex({ forceLanguage: site.config.language.split(/[-_]/, 1)[0] || 'ko' });
    if (!created.index) throw new Error(`Pagefind could not start: ${created.errors.join('; ')}`);
    const index = created.index;
    const added = await Promise.all(
      site.posts.map((post) => {
        const dir = `${outputDirOf('post', post.slug)}/`;
        // Pagefind prefixes the folder its bundle is served from (`/blog/`), so URLs start at the site root.
        return index.addHTMLFile({ url: `/${hrefPath(dir)}`, content: indexDocument(post, site.config.language) });
      }),
    );
    const failed = added.flatMap((result) => result.errors);
    if (failed.length > 0) throw new Error(`Pagefind could not index every post: ${failed.join('; ')}`);
    const files = await index.getFiles();
    if (files.errors.length > 0) throw new Error(`Pagefind could not write its index: ${files.errors.join('; ')}`);
    const outputs: Output[] = files.files
      .map((file) => ({ path: `${SEARCH_BUNDLE_DIR}/${file.path}`, content: file.content }))
      .sort((a, b) => (a.path < b.path ? -1 : 1));
    return { outputs, posts: site.posts.length, milliseconds: Math.round(performance.now() - started) };
  } finally {
    // The service is a child process; left running it would keep `geul build` from exiting.
    await pagefind.close();
  }
}

/**
 * The HTML Pagefind reads for one post: title, description and body, formulas and anchor
 * marks left out, each word that ends in a particle preceded by its stem. Metadata (title,
 * date) is given as written, so results show it without joiners.
 */
export function indexDocument(post: ParsedPost, language: string): string {
  const front = post.frontMatter;
  const body = fromHtml(post.rendered.html, { fragment: true });
  visit(body, 'element', (node, index, parent) => {
    if (!parent || index === undefined) return undefined;
    if (leftOut(node)) {
      parent.children.splice(index, 1);
      return [SKIP, index];
    }
    // Inline math reads as its TeX in an excerpt (`길이 n 인 문장`), rather than leaving a hole.
    if (hasClass(node, 'katex')) {
      parent.children[index] = { type: 'text', value: texOf(node) };
      return SKIP;
    }
    return undefined;
  });
  const meta: ElementContent[] = [h('meta', { dataPagefindMeta: 'title[content]', content: front.title })];
  if (front.date) {
    meta.push(h('meta', { dataPagefindMeta: 'date[content]', content: formatDate(front.date, language) }));
    meta.push(h('meta', { dataPagefindMeta: 'datetime[content]', content: front.date.iso }));
  }
  if (front.draft) meta.push(h('meta', { dataPagefindMeta: 'draft[content]', content: 'true' }));
  const article = h('article', [
    ...meta,
    h('h1', front.title),
    ...(front.description ? [h('p', front.description)] : []),
    ...(body.children as ElementContent[]),
  ]);
  const document: Root = { type: 'root', children: [h('html', { lang: language }, [h('head'), h('body', [article])])] };
  visit(article, 'text', (node) => {
    node.value = withStems(node.value);
  });
  return `<!doctype html>${toHtml(document)}`;
}

/**
 * Each word that ends in a particle, preceded by its stem and `STEM_JOINER`:
 * `이 모델은 크다` → `이 모델_^모델은 크다`. Words are runs of letters and digits, so
 * `(모델은)` and `Transformer는` work too.
 */
export function withStems(text: string): string {
  return text.normalize('NFC').replace(/[\p{L}\p{N}]+/gu, (word) => {
    const stem = stripParticles(word);
    return stem === word ? word : `${stem}${STEM_JOINER}${word}`;
  });
}

/** A hast element; hastscript would do the same, but is not a dependency of its own. */
function h(tagName: string, properties: Element['properties'] | ElementContent[] | string = {}, children: ElementContent[] | string = []): Element {
  if (typeof properties === 'string' || Array.isArray(properties)) return h(tagName, {}, properties);
  const content: ElementContent[] = typeof children === 'string' ? [{ type: 'text', value: children }] : children;
  return { type: 'element', tagName, properties, children: content };
}

/** Display formulas (a block of TeX is no excerpt), heading anchors and footnote marks. */
function leftOut(node: Element): boolean {
  if (hasClass(node, 'katex-display') || hasClass(node, 'heading-anchor')) return true;
  return node.properties.dataFootnoteRef !== undefined || node.properties.dataFootnoteBackref !== undefined;
}

function hasClass(node: Element, name: string): boolean {
  const classes = node.properties.className;
  return Array.isArray(classes) && classes.includes(name);
}

/** The TeX source KaTeX keeps in its MathML annotation. */
function texOf(node: Element): string {
  let tex = '';
  visit(node, 'element', (child) => {
    if (child.tagName === 'annotation' && child.properties.encoding === 'application/x-tex') {
      tex = child.children.map((text) => (text.type === 'text' ? text.value : '')).join('');
      return EXIT;
    }
    return undefined;
  });
  return tex.trim();
}

/** What `templates/search.liquid` needs: where the bundle is, and the particle rules as JSON. */
export function searchPageData(urls: Urls): { bundle: string; rules: string; joiner: string } {
  return { bundle: urls.rel(`${SEARCH_BUNDLE_DIR}/`), rules: JSON.stringify(particleRules()), joiner: STEM_JOINER };
}
