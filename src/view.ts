import { createHash } from 'node:crypto';
import { htmlBytes, htmlDigest } from './compact-html.js';
import { formatDate } from './date.js';
import { PREVIEW_IMAGE } from './images.js';
import type { Messages } from './i18n.js';
import { outputDirOf } from './urls.js';
import { bibtex, displayName, jsonForScript, paperLinks, scholarlyArticle } from './paper.js';
import { cutAtSentence } from './remark-reading.js';
import { termSlug } from './slug.js';
import type { CalendarDate, Heading, Paper, ParsedPost, Series, Site, Taxonomy, Term } from './types.js';
import type { Urls } from './urls.js';
import { latestTimestamp, timestampOf } from './zone.js';

/** Most related posts listed at the end of a post. */
const RELATED_LIMIT = 4;

/** Longest meta description, in characters: about what search results show. */
const DESCRIPTION_LIMIT = 160;


/**
 * On a full post view, beside its `content` getter: a function giving the body as UTF-8
 * bytes, for a page rendered on another thread (`src/render-helpers.ts`), which a getter
 * does not cross to. Neither JSON nor structured cloning carries it.
 */
export const BODY_BYTES = Symbol('geul.bodyBytes');

/** Where the default sharing image is when site.toml names none: shipped with the theme. */
export const DEFAULT_SITE_IMAGE = 'assets/og-default.png';

/**
 * What templates see. Templates get views built for them, not the pipeline's internal
 * records: plain values, links already made, dates already formatted.
 */

export interface DateView {
  /** For `<time datetime>`: the date or datetime as written. */
  iso: string;
  /** As a reader of the site's language expects it: `2024년 1월 1일`. */
  display: string;
  /** RFC 3339 instant, a date alone being midnight in the site's time zone: for Open Graph and JSON-LD. */
  timestamp: string;
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
  /** Marked as a draft where it is listed (only `--drafts` and geul dev list drafts). */
  draft: boolean;
}

export interface PostView {
  title: string;
  url: string;
  permalink: string;
  draft: boolean;
  date: DateView | null;
  lastmod: DateView | null;
  description: string;
  /** For lists and feeds: the text before `<!--more-->`, else `description`, else the first paragraph cut at a sentence. */
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
  /** The body's HTML: a getter, left out of JSON (see `contentDigest`). */
  content: string;
  /** A digest of the body's HTML: what a page's key holds in place of it. */
  contentDigest: string;
  /** The reviewed paper (front matter `[paper]`), for the citation card. */
  paper: PaperView | null;
  /** The post's series, when it is in one. */
  series: SeriesView | null;
  /** Posts sharing the most tags or categories (the newer of equals), shown newest first; the series' own posts left out. */
  related: RelatedLink[];
  /**
   * schema.org JSON-LD: a BlogPosting for every post (citing the reviewed paper when there is
   * a `[paper]`), "" for standalone pages. Already escaped for a `<script>` element: output it
   * with `| raw`.
   */
  jsonLd: string;
  /** Meta description: `description`, else the summary; plain text of at most 160 characters. */
  metaDescription: string;
  /** The image link previews show: the first raster image of the body; null when none. */
  image: ImageView | null;
  /** The body holds a formula: the page needs KaTeX's stylesheet. */
  math: boolean;
  /** Headings as a tree: an h3 after an h2 is its child. */
  toc: TocItem[];
  /** The older neighbour. */
  prev: PostLink | null;
  /** The newer neighbour. */
  next: PostLink | null;
}

/** An image for link previews (Open Graph, X cards, JSON-LD). */
export interface ImageView {
  /** Absolute URL. */
  url: string;
  /** Pixel size, when known. */
  width?: number;
  height?: number;
  /** Alt text; may be empty. */
  alt: string;
}

export interface PaperView {
  title: string;
  authors: string[];
  /** Authors joined for display, each `First Last`: "A, B, C". */
  authorsText: string;
  venue: string;
  year: number | null;
  /** Venue and year as one line: "NeurIPS 2017". */
  venueLine: string;
  /** Where the title links: `url`, else the arXiv page, else the DOI. */
  link: string | null;
  arxiv: string;
  arxivUrl: string | null;
  doi: string;
  doiUrl: string | null;
  url: string | null;
  /** A BibTeX entry for the paper, to copy. */
  bibtex: string;
}

export interface SeriesView {
  name: string;
  /** 1-based place of this post in the series. */
  index: number;
  total: number;
  /** Every post of the series, oldest first. */
  posts: { title: string; url: string; current: boolean; draft: boolean }[];
}

export interface RelatedLink extends PostLink {
  date: DateView | null;
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

/** The related posts chosen by the last build, by source path, and (a digest of) the site shape they hold for. */
let relatedChoices: { shape: string; bySource: Map<string, string[]> } = { shape: '', bySource: new Map() };

/**
 * The related posts chosen so far, as plain data, for the cache (`.cache/geul/`): a new
 * process whose site has the same shape takes them instead of choosing again (0.4 s at 4,000
 * posts).
 */
export function relatedChoicesData(): { shape: string; choices: [string, string[]][] } | undefined {
  if (!relatedChanged) return undefined;
  relatedChanged = false;
  return { shape: relatedChoices.shape, choices: [...relatedChoices.bySource] };
}

/** Whether choices were made since `relatedChoicesData` last gave them. */
let relatedChanged = false;

/** Take choices kept by an earlier process, unless this process has its own. Anything malformed is ignored. */
export function useRelatedChoices(data: unknown): void {
  if (relatedChoices.bySource.size > 0 || typeof data !== 'object' || data === null) return;
  const { shape, choices } = data as { shape?: unknown; choices?: unknown };
  if (typeof shape !== 'string' || !Array.isArray(choices)) return;
  const bySource = new Map<string, string[]>();
  for (const entry of choices as unknown[]) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1]) || !entry[1].every((item) => typeof item === 'string')) return;
    bySource.set(entry[0], entry[1] as string[]);
  }
  relatedChoices = { shape, bySource };
}

export function createViews(site: Site, urls: Urls, i18n: Messages, now: Date): Views {
  const { config } = site;
  const dateView = (date: CalendarDate | undefined): DateView | null =>
    date
      ? {
          iso: date.iso,
          display: formatDate(date, config.language),
          timestamp: timestampOf(date, config.timeZone),
          year: date.year,
          month: date.month,
          day: date.day,
        }
      : null;
  const siteImage: ImageView = !config.image
    ? { url: urls.abs(DEFAULT_SITE_IMAGE), width: 1200, height: 630, alt: '' }
    : { url: /^https?:\/\//i.test(config.image) ? config.image : urls.abs(config.image), alt: '' };
  // The post's sharing card: remark-images picks its first image a link preview can show, in
  // a copy of sharing size; a post whose only images are SVG has none.
  const firstImage = (source: ParsedPost): ImageView | null => {
    const { figure } = source.rendered;
    return figure && PREVIEW_IMAGE.test(figure.output) ? { url: urls.abs(figure.output), width: figure.width, height: figure.height, alt: figure.alt } : null;
  };
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
      summary: source.rendered.more ? source.rendered.excerpt : fm.description || source.rendered.excerpt,
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
    source ? { title: source.frontMatter.title, url: postUrl(source), draft: source.frontMatter.draft } : null;

  const seriesOf = new Map<ParsedPost, Series>(site.series.flatMap((series) => series.posts.map((member) => [member, series] as const)));
  const seriesView = (source: ParsedPost): SeriesView | null => {
    const series = seriesOf.get(source);
    if (!series) return null;
    return {
      name: series.name,
      index: series.posts.indexOf(source) + 1,
      total: series.posts.length,
      posts: series.posts.map((member) => ({
        title: member.frontMatter.title,
        url: postUrl(member),
        current: member === source,
        draft: member.frontMatter.draft,
      })),
    };
  };

  // Related posts through an index of term → posts, so a site of thousands of posts is not
  // compared pair by pair.
  // Which posts are related depends only on every post's place, terms and series: while those
  // stay the same (a dev server's save that changed a body), the last build's choice stands.
  const shape = site.posts.map((post) => `${post.sourcePath}\0${termKeysOf(post).join('\0')}\0${seriesOf.get(post)?.name ?? ''}`).join('\n');
  const shapeDigest = createHash('sha256').update(shape).digest('base64url');
  if (relatedChoices.shape !== shapeDigest) relatedChoices = { shape: shapeDigest, bySource: new Map() };
  const choices = relatedChoices.bySource;
  // Made on the first choice not already known: a dev server's save seldom needs them.
  // Posts are numbered by their place in site.posts (newest first), and each term lists the
  // numbers of its posts: counting shared terms is adding into an array, not a map, because
  // every post of a big category is a candidate of every other.
  let index: { postsWithTerm: Map<string, Int32Array>; order: Map<ParsedPost, number>; bySource: Map<string, ParsedPost>; scores: Uint16Array } | undefined;
  const indexed = () => {
    if (index) return index;
    const lists = new Map<string, number[]>();
    site.posts.forEach((post, at) => {
      for (const key of termKeysOf(post)) {
        const list = lists.get(key);
        if (list) list.push(at);
        else lists.set(key, [at]);
      }
    });
    index = {
      postsWithTerm: new Map([...lists].map(([key, list]) => [key, Int32Array.from(list)])),
      order: new Map(site.posts.map((post, at) => [post, at])),
      bySource: new Map(site.posts.map((post) => [post.sourcePath, post])),
      scores: new Uint16Array(site.posts.length),
    };
    return index;
  };
  const related = (source: ParsedPost): RelatedLink[] => {
    if (source.kind !== 'post') return [];
    const known = choices.get(source.sourcePath);
    // Choices kept on disk are checked against the site: a post they name must be there.
    const bySource = known && indexed().bySource;
    const reused = known !== undefined && known.every((path) => bySource!.has(path));
    const chosen = reused ? known.map((path) => bySource!.get(path)!) : relatedTo(source);
    if (!reused) relatedChanged = true;
    choices.set(source.sourcePath, chosen.map((other) => other.sourcePath));
    // Dates from the posts' own views, made once each (a time zone offset is costly to work out).
    return chosen.map((other) => ({ title: other.frontMatter.title, url: postUrl(other), draft: other.frontMatter.draft, date: post(other).date }));
  };
  const relatedTo = (source: ParsedPost): ParsedPost[] => {
    const { postsWithTerm, order, scores } = indexed();
    const excluded = new Set([source, ...(seriesOf.get(source)?.posts ?? [])].map((post) => order.get(post)));
    const candidates: number[] = [];
    for (const key of termKeysOf(source)) {
      const list = postsWithTerm.get(key);
      if (!list) continue;
      for (let i = 0; i < list.length; i++) {
        const other = list[i]!;
        const score = scores[other]!;
        if (score === 0) candidates.push(other);
        scores[other] = score + 1;
      }
    }
    // Picked by more shared terms, among equals the newer (lower number). Only the first few
    // are kept, so they are picked in one pass rather than by sorting every candidate.
    const before = (a: number, b: number) => scores[b]! - scores[a]! || a - b;
    const best: number[] = [];
    for (const other of candidates) {
      if (excluded.has(other)) continue;
      if (best.length === RELATED_LIMIT && before(other, best[RELATED_LIMIT - 1]!) >= 0) continue;
      let at = best.length;
      while (at > 0 && before(other, best[at - 1]!) < 0) at--;
      best.splice(at, 0, other);
      if (best.length > RELATED_LIMIT) best.pop();
    }
    for (const other of candidates) scores[other] = 0;
    // Chosen by what they share, shown newest first, as issue 7 asks of the list.
    return best.sort((a, b) => a - b).map((other) => site.posts[other]!);
  };

  const paperView = (paper: Paper | undefined): PaperView | null => {
    if (!paper) return null;
    const links = paperLinks(paper);
    return {
      title: paper.title,
      authors: paper.authors,
      // `Devlin, Jacob` reads as two people in a list: "Jacob Devlin".
      authorsText: paper.authors.map(displayName).join(', '),
      venue: paper.venue ?? '',
      year: paper.year ?? null,
      // An arXiv preprint names arXiv as its venue: "arXiv 2016".
      venueLine: [paper.venue || (paper.arxiv ? 'arXiv' : undefined), paper.year].filter((part) => part !== undefined && part !== '').join(' '),
      link: paper.url ?? links.arxiv ?? links.doi ?? null,
      arxiv: paper.arxiv ?? '',
      arxivUrl: links.arxiv ?? null,
      doi: paper.doi ?? '',
      doiUrl: links.doi ?? null,
      url: paper.url ?? null,
      bibtex: bibtex(paper),
    };
  };

  /**
   * One BlogPosting per post, for search engines and reference managers; a review names the
   * paper it is about as its `citation` (a ScholarlyArticle), in the same object, so a page
   * has one JSON-LD block whatever it holds.
   */
  const jsonLd = (source: ParsedPost, view: PostView, description: string, image: ImageView): string => {
    const fm = source.frontMatter;
    if (source.kind !== 'post') return '';
    const published = view.date?.timestamp;
    // Modified no earlier than published, as in the feed: a lastmod written before the date is a slip.
    const modified = latestTimestamp([published, view.lastmod?.timestamp].filter((stamp): stamp is string => stamp !== undefined));
    return jsonForScript({
      '@context': 'https://schema.org',
      '@type': 'BlogPosting',
      headline: view.title,
      ...(description ? { description } : {}),
      url: view.permalink,
      mainEntityOfPage: view.permalink,
      image: image.url,
      ...(published ? { datePublished: published } : {}),
      ...(modified ? { dateModified: modified } : {}),
      ...(view.author ? { author: { '@type': 'Person', name: view.author } } : {}),
      inLanguage: config.language,
      ...(view.tags.length > 0 ? { keywords: view.tags.map((tag) => tag.name) } : {}),
      ...(fm.paper ? { citation: scholarlyArticle(fm.paper) } : {}),
    });
  };
  const metaDescription = (view: PostView) => cutAtSentence((view.description || view.summary).replace(/\s+/g, ' ').trim(), DESCRIPTION_LIMIT);

  return {
    site: {
      title: config.title,
      description: config.description,
      language: config.language,
      author: config.author,
      /** The site's clock (site.toml `timeZone`): Liquid's date filters read dates written without an offset in it. */
      timeZone: config.timeZone,
      baseURL: config.baseURL,
      home: urls.rel(''),
      feedUrl: urls.abs('feed.xml'),
      /** The sharing image of pages that have none of their own (site.toml `image`, else the theme's). */
      image: siteImage,
      /** Open Graph locale: `ko` → `ko_KR`. */
      ogLocale: ogLocale(config.language),
      categoriesUrl: urls.rel('categories/'),
      tagsUrl: urls.rel('tags/'),
      menu: site.pages.map((page) => ({ name: page.frontMatter.title, url: postUrl(page), draft: page.frontMatter.draft })),
      year: yearIn(now, config.timeZone),
      params: siteParams(config.extra),
    },
    post: (source) => post(source),
    fullPost: (source, prev, next) => {
      const view = post(source);
      const image = firstImage(source);
      const description = metaDescription(view);
      const full = {
        ...view,
        content: '',
        // What the page's key takes in place of the body (`src/render.ts`).
        contentDigest: htmlDigest(source.rendered),
        toc: tocTree(source.rendered.toc),
        prev: link(prev),
        next: link(next),
        paper: paperView(source.frontMatter.paper),
        series: seriesView(source),
        related: related(source),
        jsonLd: jsonLd(source, view, description, image ?? siteImage),
        metaDescription: description,
        image,
        math: source.rendered.math,
      };
      // The body is read when the page renders, not held decoded for every page at once; left
      // out of JSON, so keying a page does not decode it.
      Object.defineProperty(full, 'content', { get: () => source.rendered.html, enumerable: false });
      Object.defineProperty(full, BODY_BYTES, { value: () => htmlBytes(source.rendered), enumerable: false });
      return full;
    },
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

/** The `t:`/`c:` keys of a post's tags and categories, made once per compiled post. */
const termKeys = new WeakMap<ParsedPost, string[]>();
function termKeysOf(post: ParsedPost): string[] {
  let keys = termKeys.get(post);
  if (!keys) {
    keys = [...new Set([...post.frontMatter.tags.map((name) => `t:${termSlug(name)}`), ...post.frontMatter.categories.map((name) => `c:${termSlug(name)}`)])];
    termKeys.set(post, keys);
  }
  return keys;
}

/**
 * site.toml's other keys, and the keys of its `[params]` table beside them: Hugo keeps a
 * site's own settings in that table (`.Site.Params.x`), so a Hugo site.toml and a theme ported
 * from Hugo find `site.params.x`. A key written at the top level wins; the table itself stays
 * as `site.params.params`.
 */
function siteParams(extra: Record<string, unknown>): Record<string, unknown> {
  const table = extra.params;
  if (typeof table !== 'object' || table === null || Array.isArray(table)) return extra;
  return { ...table, ...extra };
}

/** Intl formatters cost far more to make than to use: one per time zone. */
const yearFormats = new Map<string, Intl.DateTimeFormat>();
function yearIn(now: Date, timeZone: string): number {
  let format = yearFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en', { year: 'numeric', timeZone });
    yearFormats.set(timeZone, format);
  }
  return Number(format.format(now));
}

/** Regions Open Graph expects for a language given without one. */
const DEFAULT_REGIONS: Record<string, string> = { ko: 'KR', en: 'US', ja: 'JP', zh: 'CN', sv: 'SE', da: 'DK', el: 'GR', uk: 'UA', cs: 'CZ', he: 'IL', vi: 'VN' };

/** Open Graph's `language_TERRITORY` for a BCP 47 tag: `ko` → `ko_KR`, `en-GB` → `en_GB`. */
export function ogLocale(language: string): string {
  const [lang = 'ko', ...rest] = language.split('-');
  const region = rest.find((part) => /^[a-z]{2}$/i.test(part));
  const code = lang.toLowerCase();
  return `${code}_${(region ?? DEFAULT_REGIONS[code] ?? code).toUpperCase()}`;
}
