/**
 * The data that flows through the pipeline, stage by stage:
 * SiteConfig + VFile[] → ParsedPost[] → Site → Page[] → Output[].
 * Plain objects only: every stage is a function from one of these to the next.
 */
import type { HtmlSpool } from './compact-html.js';

/** Site settings read from `site.toml`. */
export interface SiteConfig {
  /** Site title, shown in the header and the feed. */
  title: string;
  /** Absolute URL where the site is published; its path part prefixes every link. @default "http://localhost:4000/" */
  baseURL: string;
  /** BCP 47 language of the site, used for `<html lang>` and generated text. @default "ko" */
  language: string;
  /** One-line description of the site for the home page and the feed. @default "" */
  description: string;
  /** Default author of posts that name none. @default "" */
  author: string;
  /** IANA time zone of the site, for "now" and for offset datetimes. @default "Asia/Seoul" */
  timeZone: string;
  /** Posts per page of a list: the home page, `/posts/`, each term. @default 10 */
  paginate: number;
  /** Sharing image of pages without one of their own: a path under the site (`images/card.png`) or an http(s) URL. @default the theme's `assets/og-default.png` */
  image: string;
  /** Unknown keys of site.toml, kept for templates. */
  extra: Record<string, unknown>;
}

/**
 * A calendar date as the writer wrote it. Never converted through the machine's time zone:
 * `2024-01-01` is January 1st everywhere.
 */
export interface CalendarDate {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
  /**
   * The date or datetime as written, in RFC 3339's spelling: `2024-01-01`,
   * `2024-01-01T09:00:00` (a wall-clock time in the site's time zone) or
   * `2024-01-01T09:00:00+09:00`. Its instant: `instantOf` (src/zone.ts).
   */
  iso: string;
}

/** Front matter of a post or page, validated. */
export interface FrontMatter {
  /** Title, plain text. */
  title: string;
  /** Publication date. Required for posts, optional for standalone pages. */
  date?: CalendarDate;
  /** Last modification date. */
  lastmod?: CalendarDate;
  /** Short description; also the meta description and the list summary. */
  description?: string;
  /** Category names as written. */
  categories: string[];
  /** Tag names as written. */
  tags: string[];
  /** Drafts are left out of `geul build` unless `--drafts`. @default false */
  draft: boolean;
  /** URL slug overriding the file name. */
  slug?: string;
  /** Author overriding the site's. */
  author?: string;
  /** Not published before this instant (else `date`'s), in the site's time zone; `--future` overrides. */
  publishDate?: CalendarDate;
  /** Not published from this instant on, in the site's time zone; `--expired` overrides. */
  expiryDate?: CalendarDate;
  /** Name of the series the post belongs to, NFC. */
  series?: string;
  /** Old URL paths that redirect here, site-relative and normalised: `old/path/` or `old/page.html`. */
  aliases?: string[];
  /** The paper a review is about, from the `[paper]` table. */
  paper?: Paper;
  /** Every key not listed above, kept as written for templates (`post.params`). */
  extra: Record<string, unknown>;
}

/** Bibliographic data of the paper a post reviews (front matter `[paper]`). */
export interface Paper {
  /** Title of the paper. */
  title: string;
  /** Authors in order, each as written ("Rishi Bommasani" or "Bommasani, Rishi"). */
  authors: string[];
  /** Year of publication. */
  year?: number;
  /** Journal, conference or "arXiv". */
  venue?: string;
  /** arXiv identifier, e.g. `2108.07258`. */
  arxiv?: string;
  /** DOI, e.g. `10.48550/arXiv.2108.07258`. */
  doi?: string;
  /** Any other URL of the paper (http or https). */
  url?: string;
}

/** A heading of a post, for the table of contents. */
export interface Heading {
  /** 2–6 */
  depth: number;
  /** The element id (Hangul kept). */
  id: string;
  /** Plain text of the heading; a formula as its TeX source. */
  text: string;
  /** Inner HTML of the heading, formulas rendered; for tables of contents. */
  html: string;
}

/** What the markdown stage produces for one file: a pure function of its text and settings. */
export interface RenderedMarkdown {
  /** The body as HTML. */
  html: string;
  /** Headings of depth 2–4, in order. */
  toc: Heading[];
  /** The text before `<!--more-->`, else the first paragraph cut at a sentence end; plain text. */
  excerpt: string;
  /** The excerpt is the text before `<!--more-->`: the writer's own cut, ahead of `description`. */
  more?: boolean;
  /** Estimated reading time in minutes (at least 1). */
  readingMinutes: number;
  /** Hangul syllables plus words of other scripts, code excluded. */
  wordCount: number;
  /** The body holds a formula KaTeX rendered: its pages need KaTeX's stylesheet. */
  math: boolean;
  /** Repo-relative paths of local images the body refers to, each to be copied. */
  assets: AssetRef[];
  /** The post's first local image, for sharing cards (Open Graph); it is also the one image not loaded lazily. */
  figure?: PostFigure;
}

/** A local file a post refers to, and where it lands in the output. */
export interface AssetRef {
  /** Path relative to the project root, POSIX separators. */
  source: string;
  /** Path relative to the output folder, POSIX separators. */
  output: string;
  /** sha256 of the file's bytes, hex; set for images that get variants (their cache key). */
  hash?: string;
  /** Resized copies to make with sharp (`src/images.ts`), beside `output`; absent for SVG, GIF and unreadable images. */
  variants?: ImageVariant[];
}

/** Output format of a resized image. */
export type VariantFormat = 'webp' | 'png' | 'jpeg' | 'avif';

/** One resized copy of an image. */
export interface ImageVariant {
  /** Path relative to the output folder: `images/figure1-800w.1a2b3c4d.webp`. */
  output: string;
  /** Pixel width (the height keeps the aspect ratio). */
  width: number;
  format: VariantFormat;
}

/** A post's first local image, as a sharing card wants it. */
export interface PostFigure {
  /**
   * Path relative to the output folder of a file in the image's own format (PNG, JPEG, GIF,
   * SVG; WebP for WebP and AVIF originals), at most 1200 px wide when variants exist.
   */
  output: string;
  /** MIME type of `output`: `image/png`, `image/svg+xml`, ... */
  type: string;
  /** Pixel size of `output`, when known. */
  width?: number;
  height?: number;
  /** The image's alt text (may be empty). */
  alt: string;
}

/** A post or standalone page after front matter and markdown, before collection. */
export interface ParsedPost {
  /** `post` for content/posts/**, `page` for content/*.md. */
  kind: 'post' | 'page';
  /** Path relative to the project root, POSIX separators, NFC. */
  sourcePath: string;
  /** URL slug, NFC. */
  slug: string;
  frontMatter: FrontMatter;
  rendered: RenderedMarkdown;
}

/** One term of a taxonomy: a category or a tag. */
export interface Term {
  /** The name as first written. */
  name: string;
  /** URL segment: NFC, lower-cased, Hangul kept. */
  slug: string;
  /** Posts with this term, newest first. */
  posts: ParsedPost[];
}

/** A taxonomy and its terms. */
export interface Taxonomy {
  /** URL segment and key: `categories` or `tags`. */
  key: 'categories' | 'tags';
  /** Terms sorted by name. */
  terms: Term[];
}

/**
 * Posts a page of a list shows: site.toml's `paginate`, or `null` for a list whose template
 * shows no page navigation, which is then one page of all its posts (Hugo too cuts a list
 * only when its template calls `.Paginator`).
 */
export type PageSize = number | null;

/** The page size of each kind of list: the home, `/posts/`, a term's posts. */
export interface ListPageSizes {
  home: PageSize;
  section: PageSize;
  term: PageSize;
}

/** Everything known about the site after collection. */
export interface Site {
  config: SiteConfig;
  /** How each kind of list is cut into pages, from site.toml and from what its template shows. */
  pageSizes: ListPageSizes;
  /** Included posts (drafts only with --drafts; future and expired ones only when asked), newest first. */
  posts: ParsedPost[];
  /** Standalone pages from content/*.md. */
  pages: ParsedPost[];
  taxonomies: Taxonomy[];
  /** Series with their posts, oldest first. */
  series: Series[];
  /** Redirect pages from old URLs, checked against every real page and each other. */
  aliases: Alias[];
  /**
   * Post files read, drafts and unpublished ones included: the search index is split into
   * parts by this count (`src/search-parts.ts`), known before any post is compiled.
   */
  postFiles: number;
}

/** Posts sharing a front matter `series`. */
export interface Series {
  /** The name as first written. */
  name: string;
  /** Posts of the series, oldest first. */
  posts: ParsedPost[];
}

/** An old URL path that redirects to a post or page. */
export interface Alias {
  /** Output file relative to the output folder: `old/path/index.html`. */
  outputPath: string;
  /** The URL path relative to the site root, as normalised: `old/path/`. */
  path: string;
  /** Where it leads. */
  target: ParsedPost;
}

/** One HTML or XML file to produce, as data: a template name and what it gets. */
export interface Page {
  /** Output path relative to the output folder, e.g. `posts/hello/index.html`. */
  outputPath: string;
  /** Template file name in templates/, without extension, e.g. `post`. */
  template: string;
  /** Template used instead when templates/ has no `template` (a theme made before that template was). */
  fallback?: string;
  /** Left out when templates/ has no `template` and no fallback: a page a theme may do without (the search page). */
  optional?: boolean;
  /** The variables the template sees. */
  data: Record<string, unknown>;
}

/**
 * One file of the finished site. `key` names what its bytes are made from (a hash of the
 * template and its data, or of the content, or the source file's size and mtime): a file whose
 * key is the same as in the previous build need not be rendered or written again.
 */
export type Output =
  | { path: string; content: string | Uint8Array; key?: string }
  | { path: string; copyFrom: string; key?: string }
  /** Same key as in the previous build, not rendered again: the previous bytes stand. */
  | { path: string; unchanged: true; key: string };

/** Options of one build. */
export interface BuildOptions {
  /** Project root (where site.toml lives). */
  root: string;
  /** Include drafts. */
  drafts: boolean;
  /** Include posts whose `publishDate` (or `date`) is still to come. @default false */
  future?: boolean;
  /** Include posts whose `expiryDate` has passed. @default false */
  expired?: boolean;
  /** The instant the build counts as now, for future and expired posts. @default new Date() */
  now?: Date;
  /** Building for the dev server (templates see `dev = true`). */
  dev?: boolean;
  /**
   * Worker threads for markdown, and threads rendering pages (the main one and `workers - 1`
   * helpers); 1 does both in the main thread. @default the number of cores
   */
  workers?: number;
  /**
   * Keys of the previous build's outputs by path. A page whose key is unchanged is not
   * rendered; it comes back as `{ unchanged: true }` and the caller keeps the previous bytes.
   */
  previous?: ReadonlyMap<string, string>;
  /** Compiled posts from earlier builds; the caller flushes it. @default none */
  cache?: import('./cache.js').PostCache;
  /**
   * The sources as the last build found them: a file whose stat is unchanged is keyed by the
   * digest recorded then and read only if it must be compiled. The caller saves it. @default every file is read
   */
  sourceSnapshot?: import('./source-snapshot.js').SourceSnapshot;
  /**
   * Asked between stages and every few pages while rendering, where the build lets other
   * work run: when it answers true, the build stops with `BuildAbandoned` (abandon.ts). The dev server
   * abandons a build that a newer save has made useless. @default never
   */
  abandon?: () => boolean;
  /**
   * Called with the collected site before its pages are rendered: what needs only the posts
   * (the CLI's search index) can start there and run beside the rendering. @default none
   */
  onSite?: (site: Site) => void;
  /**
   * Called with the site's settings as soon as site.toml is read, before any post is: what
   * needs only them (the CLI starts Pagefind's process) can start while the posts are read
   * and compiled. @default none
   */
  onConfig?: (config: SiteConfig) => void;
  /**
   * Called with each post the build will publish as soon as it is compiled, in source-path
   * order (the CLI's search index of a first build is fed so). A post may still be dropped
   * later (a duplicate slug, which is an error). @default none
   */
  onPost?: (post: ParsedPost, config: SiteConfig, postFiles: number) => void;
  /**
   * Given each rendered page instead of keeping it in `BuildResult.outputs`: `geul build`
   * writes pages into its staging folder as they come, so they are not all in memory at
   * once. Awaited: a slow disk holds rendering back. @default pages are returned
   */
  emit?: (output: Output) => Promise<void>;
  /**
   * Where compiled posts' HTML waits until pages read it (`geul build`: a file of its own, so
   * a big site's bodies are not all in memory). Read until the caller closes it. @default memory
   */
  htmlSpool?: HtmlSpool;
}
