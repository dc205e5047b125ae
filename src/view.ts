import { formatDate } from './date.js';
import type { Messages } from './i18n.js';
import { outputDirOf } from './urls.js';
import { termSlug } from './slug.js';
import type { CalendarDate, Heading, ParsedPost, Site, Taxonomy, Term } from './types.js';
import type { Urls } from './urls.js';

/**
 * What templates see. Templates get views built for them, not the pipeline's internal
 * records: plain values, links already made, dates already formatted.
 */

export interface DateView {
  /** For `<time datetime>`: the date or datetime as written. */
  iso: string;
  /** As a reader of the site's language expects it: `2024년 1월 1일`. */
  display: string;
  year: number;
  month: number;
  day: number;
}

export interface TermLink {
  name: string;
  slug: string;
  url: string;
}

export interface PostLink {
  title: string;
  url: string;
}

export interface PostView {
  title: string;
  url: string;
  permalink: string;
  draft: boolean;
  date: DateView | null;
  lastmod: DateView | null;
  description: string;
  /** `description`, else the excerpt. */
  summary: string;
  categories: TermLink[];
  tags: TermLink[];
  readingMinutes: number;
  wordCount: number;
  author: string;
  /** Unknown front-matter keys, as written. */
  params: Record<string, unknown>;
}

export interface FullPostView extends PostView {
  content: string;
  /** Headings as a tree: an h3 after an h2 is its child. */
  toc: TocItem[];
  /** The older neighbour. */
  prev: PostLink | null;
  /** The newer neighbour. */
  next: PostLink | null;
}

export interface TocItem {
  id: string;
  depth: number;
  /** Plain text; a formula as TeX. */
  text: string;
  /** Inner HTML, formulas rendered, links unwrapped. */
  html: string;
  children: TocItem[];
}

/** Nest a flat heading list: each heading becomes a child of the nearest shallower one before it. */
export function tocTree(headings: Heading[]): TocItem[] {
  const root: TocItem[] = [];
  const open: TocItem[] = [];
  for (const heading of headings) {
    const item: TocItem = { ...heading, children: [] };
    while (open.length > 0 && open.at(-1)!.depth >= heading.depth) open.pop();
    (open.at(-1)?.children ?? root).push(item);
    open.push(item);
  }
  return root;
}

export interface TermView extends TermLink {
  count: number;
}

/** Builds views for one site; made once per build. */
export interface Views {
  site: Record<string, unknown>;
  post(post: ParsedPost): PostView;
  fullPost(post: ParsedPost, prev?: ParsedPost, next?: ParsedPost): FullPostView;
  postUrl(post: ParsedPost): string;
  taxonomy(taxonomy: Taxonomy): { key: string; title: string; url: string };
  term(taxonomy: Taxonomy, term: Term): TermView;
  /** Output path of a term page, relative to the output root. */
  termDir(key: Taxonomy['key'], slug: string): string;
}

export function createViews(site: Site, urls: Urls, i18n: Messages, now: Date): Views {
  const { config } = site;
  const dateView = (date: CalendarDate | undefined): DateView | null =>
    date
      ? { iso: date.iso, display: formatDate(date, config.language), year: date.year, month: date.month, day: date.day }
      : null;
  const termDir = (key: Taxonomy['key'], slug: string) => `${key}/${slug}/`;
  const termsBySlug = new Map(
    site.taxonomies.map((taxonomy) => [taxonomy.key, new Map(taxonomy.terms.map((term) => [term.slug, term]))]),
  );
  const termLinks = (key: Taxonomy['key'], names: string[]): TermLink[] => {
    const links: TermLink[] = [];
    for (const name of names) {
      const term = termsBySlug.get(key)?.get(termSlug(name));
      if (term && !links.some((link) => link.slug === term.slug)) {
        links.push({ name: term.name, slug: term.slug, url: urls.rel(termDir(key, term.slug)) });
      }
    }
    return links;
  };
  const postUrl = (post: ParsedPost) => urls.rel(`${outputDirOf(post.kind, post.slug)}/`);

  // A post appears in many lists (home, each of its terms, the feed): build its view once.
  const postViews = new Map<ParsedPost, PostView>();
  const post = (source: ParsedPost): PostView => {
    const cached = postViews.get(source);
    if (cached) return cached;
    const fm = source.frontMatter;
    const view: PostView = {
      title: fm.title,
      url: postUrl(source),
      permalink: urls.abs(`${outputDirOf(source.kind, source.slug)}/`),
      draft: fm.draft,
      date: dateView(fm.date),
      lastmod: dateView(fm.lastmod),
      description: fm.description ?? '',
      summary: fm.description || source.rendered.excerpt,
      categories: termLinks('categories', fm.categories),
      tags: termLinks('tags', fm.tags),
      readingMinutes: source.rendered.readingMinutes,
      wordCount: source.rendered.wordCount,
      author: fm.author ?? config.author,
      params: fm.extra,
    };
    postViews.set(source, view);
    return view;
  };

  const link = (source: ParsedPost | undefined): PostLink | null =>
    source ? { title: source.frontMatter.title, url: postUrl(source) } : null;

  return {
    site: {
      title: config.title,
      description: config.description,
      language: config.language,
      author: config.author,
      baseURL: config.baseURL,
      home: urls.rel(''),
      feedUrl: urls.abs('feed.xml'),
      categoriesUrl: urls.rel('categories/'),
      tagsUrl: urls.rel('tags/'),
      menu: site.pages.map((page) => ({ name: page.frontMatter.title, url: postUrl(page) })),
      year: Number(new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: config.timeZone }).format(now)),
      params: config.extra,
    },
    post: (source) => post(source),
    fullPost: (source, prev, next) => ({
      ...post(source),
      content: source.rendered.html,
      toc: tocTree(source.rendered.toc),
      prev: link(prev),
      next: link(next),
    }),
    postUrl,
    taxonomy: (taxonomy) => ({
      key: taxonomy.key,
      title: taxonomy.key === 'categories' ? i18n.categories : i18n.tags,
      url: urls.rel(`${taxonomy.key}/`),
    }),
    term: (taxonomy, term) => ({
      name: term.name,
      slug: term.slug,
      url: urls.rel(termDir(taxonomy.key, term.slug)),
      count: term.posts.length,
    }),
    termDir,
  };
}
