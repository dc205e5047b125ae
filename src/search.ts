import { createHash } from 'node:crypto';
import { pauses } from './abandon.js';
import { htmlDigest } from './compact-html.js';
import { spanEnd } from './html-spans.js';
import { packageVersion, versions } from './cache.js';
import { formatDate } from './date.js';
import { particleRules, stripParticles } from './korean-particles.js';
import { createPartChunker, PART_FILTER, partSize, searchParts, type PartChunker, type SearchPart } from './search-parts.js';
import type { Output, ParsedPost, Site, SiteConfig } from './types.js';
import { hrefPath, outputDirOf, type Urls } from './urls.js';

/** Where the Pagefind bundle lands in the output: the search page loads `pagefind/pagefind.js`. */
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
  /**
   * The Pagefind bundle: index, fragments, its scripts and WebAssembly, under `pagefind/`;
   * `{ unchanged: true }` entries when the previous bundle is still right.
   */
  outputs: Output[];
  /** Posts indexed. */
  posts: number;
  /** True when nothing that goes into the index changed, and the previous bundle stands. */
  reused: boolean;
  milliseconds: number;
}

/**
 * Build the Pagefind index of the site's posts, in memory (Pagefind's `getFiles`): the caller
 * writes it with the rest of the site, or serves it. Only posts are indexed, each from its
 * own title, description and body (no lists, menus or related posts), and only the posts the
 * build includes: drafts only when the build has them. A big site's index is made of parts
 * (`src/search-parts.ts`); a part whose posts did not change keeps its previous files.
 */
export async function buildSearchIndex(
  site: Site,
  previous: ReadonlyMap<string, string> = new Map(),
  {
    abandon,
    ahead,
  }: {
    /** Asked every POSTS_PER_PAUSE posts, with the event loop let run: true stops with `BuildAbandoned`. */
    abandon?: () => boolean;
    /** An index opened while the posts were read, used for the first part to index; closed either way. */
    ahead?: IndexAhead;
  } = {},
): Promise<SearchIndex> {
  const pause = pauses(abandon);
  const started = performance.now();
  const parts = searchParts(indexOrder(site.posts), partSize(site.postFiles));
  // A site with no post yet (only drafts, as `geul new` starts one) still gets Pagefind's
  // bundle, which the search page loads: an empty index, not a missing one.
  if (parts.length === 0) parts.push({ dir: '', posts: [] });
  const outputs: Output[] = [partsFile(parts)];
  // Indexing costs Pagefind several seconds per thousand posts; a part in which no post's
  // text, title or date changed keeps its previous files (every file of it, or none).
  const stale: { part: SearchPart; key: string }[] = [];
  for (const part of parts) {
    const key = `search:${partDigest(site, part)}`;
    const kept = [...previous].filter(([, previousKey]) => previousKey.startsWith(`${key}:`));
    if (kept.length > 0 && kept.every(([, previousKey]) => previousKey === `${key}:${kept.length}`)) {
      outputs.push(...kept.map(([file, previousKey]): Output => ({ path: file, unchanged: true, key: previousKey })));
    } else stale.push({ part, key });
  }
  const elapsed = () => Math.round(performance.now() - started);
  if (stale.length === 0) {
    if (ahead) await closeSearchService(ahead);
    return { outputs: sorted(outputs), posts: site.posts.length, reused: true, milliseconds: elapsed() };
  }
  const pagefind = await import('pagefind');
  let opened = ahead?.language === site.config.language ? ahead.index : undefined;
  const adding: Promise<{ errors: string[] }>[] = [];
  try {
    let sent = 0;
    // One part at a time: Pagefind holds one part's words in memory, not the whole site's.
    for (const { part, key } of stale) {
      const index = await (opened ?? openIndex(site.config.language));
      opened = undefined;
      for (const post of part.posts) {
        // Pauses are for a build that may be called off (the dev server's). Otherwise every
        // document goes to Pagefind's pipe now: paused, they waited for the main thread's
        // next turn, which views and page keys held for a tenth of a second and more, while
        // Pagefind had nothing to index.
        if (abandon && sent > 0 && sent % POSTS_PER_PAUSE === 0) await pause();
        sent++;
        adding.push(index.addHTMLFile({ url: postUrl(post), content: inPart(indexDocument(post, site.config.language), part) }));
      }
      const added = await Promise.all(adding.splice(0));
      const failed = added.flatMap((result) => result.errors);
      if (failed.length > 0) throw new Error(`Pagefind could not index every post: ${failed.join('; ')}`);
      outputs.push(...(await partFiles(index, part, key)));
    }
    return { outputs: sorted(outputs), posts: site.posts.length, reused: false, milliseconds: elapsed() };
  } finally {
    // Stopped halfway (abandoned, failed): the service answers what it was sent before it
    // stops, or it complains of a closed pipe.
    await Promise.allSettled(adding);
    // The service is a child process; left running it would keep `geul build` from exiting.
    await pagefind.close();
  }
}

/**
 * A search index fed post by post while the build compiles, for a build with no index to
 * reuse: Pagefind indexes on one core as posts come, instead of all of them after the last,
 * and writes out each part as soon as its last post is in. `finish` checks that exactly the
 * site's posts were fed; should they differ, it indexes the site's posts again from the start.
 */
export interface SearchFeed {
  /**
   * Index a post; the first post opens the index, in the site's language. `postFiles` is how
   * many post files the build reads (`Site.postFiles`), which sizes the parts.
   */
  add(post: ParsedPost, config: SiteConfig, postFiles: number): void;
  finish(site: Site): Promise<SearchIndex>;
  /** Stop Pagefind without an index (the build failed). */
  close(): Promise<void>;
}

/** A part being fed: its posts so far, its own Pagefind index, and its files once it is closed. */
interface FedPart {
  part: SearchPart;
  index?: Promise<PagefindIndex>;
  /** Posts waiting or in flight. */
  pending: number;
  closed: boolean;
  files?: Promise<Output[]>;
}

export function createSearchFeed(): SearchFeed {
  const started = performance.now();
  let language = '';
  let chunker: PartChunker | undefined;
  const fed: FedPart[] = [];
  const added = new Set<ParsedPost>();
  const waiting: { post: ParsedPost; part: FedPart }[] = [];
  const adding = new Set<Promise<void>>();
  const failed: string[] = [];
  let closed = false;
  let service: Promise<unknown> | undefined;
  // A closed part is written out once Pagefind has answered for each of its posts; its key
  // is known only at `finish`, so it is named there.
  const settle = (part: FedPart) => {
    if (!part.closed || part.pending > 0 || part.files || !part.index) return;
    part.files = part.index.then((index) => partFiles(index, part.part, ''));
    part.files.catch(() => {});
  };
  const send = () => {
    // Some posts in flight keep Pagefind busy; the rest wait as posts, not as documents.
    while (!closed && waiting.length > 0 && adding.size < FEED_IN_FLIGHT) {
      const { post, part } = waiting.shift()!;
      // Parts open in order, as their first post is sent.
      if (!part.index) {
        part.index = openIndex(language);
        part.index.catch(() => {});
        service ??= part.index;
      }
      const sent: Promise<void> = part.index
        .then((open) => open.addHTMLFile({ url: postUrl(post), content: inPart(makeIndexDocument(post, language), part.part) }))
        .then(
          (result) => void failed.push(...result.errors),
          (error: unknown) => void failed.push(error instanceof Error ? error.message : String(error)),
        )
        .finally(() => {
          adding.delete(sent);
          part.pending--;
          settle(part);
          send();
        });
      adding.add(sent);
    }
  };
  const close = async () => {
    closed = true;
    await Promise.allSettled([...adding, ...fed.map((part) => part.files)]);
    if (service) await (await import('pagefind')).close();
  };
  return {
    add(post, config, postFiles) {
      language ||= config.language;
      chunker ??= createPartChunker(partSize(postFiles));
      added.add(post);
      const { part, last } = chunker(post);
      if (fed.at(-1)?.part !== part) fed.push({ part, pending: 0, closed: false });
      const feeding = fed.at(-1)!;
      feeding.pending++;
      waiting.push({ post, part: feeding });
      if (last) feeding.closed = true;
      send();
    },
    async finish(site) {
      const last = fed.at(-1);
      if (last && !last.closed) {
        last.closed = true;
        settle(last);
      }
      const expected = searchParts(indexOrder(site.posts), partSize(site.postFiles));
      const same =
        site.posts.length === added.size &&
        site.posts.every((post) => added.has(post)) &&
        language === site.config.language &&
        expected.length === fed.length &&
        expected.every((part, at) => part.dir === fed[at]!.part.dir && part.posts.every((post, i) => post === fed[at]!.part.posts[i]));
      if (!same || fed.length === 0) {
        await close();
        return buildSearchIndex(site);
      }
      try {
        while (waiting.length > 0 || adding.size > 0) await Promise.all([...adding]);
        if (failed.length > 0) throw new Error(`Pagefind could not index every post: ${failed.join('; ')}`);
        const outputs: Output[] = [partsFile(expected)];
        for (const part of fed) {
          const key = `search:${partDigest(site, part.part)}`;
          const files = await part.files!;
          outputs.push(...files.map((file) => ({ ...file, key: `${key}:${files.length}` })));
        }
        return { outputs: sorted(outputs), posts: site.posts.length, reused: false, milliseconds: Math.round(performance.now() - started) };
      } finally {
        await close();
      }
    },
    close,
  };
}

/**
 * A Pagefind index asked for before the site is collected. Pagefind's process starts in some
 * 20 ms, but its answer is read only when the main thread next waits: asked for once the site
 * was collected, beside the rendering, the index was ready ~300 ms later, on the path of every
 * edit. Asked for when site.toml is read, it is ready by the time the posts are.
 */
export interface IndexAhead {
  language: string;
  index: Promise<PagefindIndex>;
}

export function openIndexAhead(language: string): IndexAhead {
  const index = openIndex(language);
  // Awaited by buildSearchIndex; a build that fails first closes the service instead.
  index.catch(() => {});
  return { language, index };
}

/** Stop Pagefind's process, and with it any index it holds (one opened ahead and not needed). */
/**
 * Stop Pagefind's process, once the index asked for ahead (if any) has been answered: closed
 * while it still writes an answer, Pagefind panics on the broken pipe and prints its panic on
 * the terminal this process shares with it.
 */
export async function closeSearchService(ahead?: IndexAhead): Promise<void> {
  await ahead?.index.catch(() => undefined);
  await (await import('pagefind')).close();
}

/** Posts sent to Pagefind and not yet answered: enough to keep it busy, few in memory. */
const FEED_IN_FLIGHT = 32;

async function openIndex(language: string): Promise<PagefindIndex> {
  const pagefind = await import('pagefind');
  const created = await pagefind.createIndex({ forceLanguage: language.split(/[-_]/, 1)[0] || 'ko', excludeSelectors: EXCLUDED_SELECTORS });
  if (!created.index) throw new Error(`Pagefind could not start: ${created.errors.join('; ')}`);
  return created.index;
}

type PagefindIndex = NonNullable<Awaited<ReturnType<typeof import('pagefind').createIndex>>['index']>;

/**
 * The list of parts after the first, which the search page merges into the first
 * (`templates/assets/search.js`): `pagefind/geul-parts.json`.
 */
export const SEARCH_PARTS_FILE = 'geul-parts.json';

function partsFile(parts: readonly SearchPart[]): Output {
  const content = `${JSON.stringify(parts.slice(1).map((part) => part.dir))}\n`;
  return { path: `${SEARCH_BUNDLE_DIR}/${SEARCH_PARTS_FILE}`, content, key: `search-parts:${createHash('sha256').update(content).digest('base64url')}` };
}

/**
 * A part's files as outputs, each keyed `<key>:<count>`. The first part is Pagefind's whole
 * bundle; the others keep only their index data, the scripts and WebAssembly being the
 * first's. Pagefind's own index is dropped from its memory once its files are out.
 */
async function partFiles(index: PagefindIndex, part: SearchPart, key: string): Promise<Output[]> {
  try {
    const files = await index.getFiles();
    if (files.errors.length > 0) throw new Error(`Pagefind could not write its index: ${files.errors.join('; ')}`);
    const kept = part.dir === '' ? files.files : files.files.filter((file) => INDEX_DATA.test(file.path));
    return kept.map((file) => ({ path: `${SEARCH_BUNDLE_DIR}/${part.dir}${file.path}`, content: file.content, key: `${key}:${kept.length}` }));
  } finally {
    await index.deleteIndex().catch(() => undefined);
  }
}

/** What `mergeIndex` reads of a part: its entry, metadata, word index, fragments and filters. */
const INDEX_DATA = /^(?:pagefind-entry\.json|[^/]+\.pf_meta|(?:index|fragment|filter)\/)/u;

function sorted(outputs: Output[]): Output[] {
  return outputs.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** The URL Pagefind gives a post: Pagefind prefixes the folder its bundle is served from (`/blog/`), so it starts at the site root. */
function postUrl(post: ParsedPost): string {
  return `/${hrefPath(`${outputDirOf('post', post.slug)}/`)}`;
}

/**
 * The order posts are given to Pagefind, which shapes its files: by source path, the order
 * a build compiles them in, so an index fed while compiling is the same as one made after.
 */
export function indexOrder(posts: readonly ParsedPost[]): ParsedPost[] {
  return [...posts].sort((a, b) => (a.sourcePath < b.sourcePath ? -1 : a.sourcePath > b.sourcePath ? 1 : 0));
}

/** About 10 ms of work each: what a save waits at most for an index it makes useless. */
const POSTS_PER_PAUSE = 20;

/**
 * A digest of everything a part of the index is made of: where it lands, each of its posts'
 * URL, metadata and HTML, the site's language, geul's sources (the particle rules among them)
 * and Pagefind's version.
 */
function partDigest(site: Site, part: SearchPart): string {
  const hash = createHash('sha256').update(
    JSON.stringify({ versions: versions(), pagefind: packageVersion('pagefind'), language: site.config.language, EXCLUDED_SELECTORS, dir: part.dir, filter: part.filter }),
  );
  for (const post of part.posts) {
    const front = post.frontMatter;
    hash.update('\0').update(JSON.stringify([post.slug, front.title, front.description, front.date?.iso, front.draft]));
    hash.update('\0').update(htmlDigest(post.rendered));
  }
  return hash.digest('base64url');
}

/**
 * What Pagefind leaves out of a post: formula glyphs (inline math is read from its TeX
 * annotation instead, so `길이 $n$인` reads `길이 n인`), display formulas (a block of TeX is no
 * excerpt), heading anchors, footnote marks and code blocks' language labels ("Python" would
 * find every post with such a block). Pagefind applies these while it parses.
 */
export const EXCLUDED_SELECTORS = [
  '.katex-html',
  'semantics > :not(annotation)',
  '.katex-display',
  '.heading-anchor',
  '[data-footnote-ref]',
  '[data-footnote-backref]',
  '.code-label',
];

/**
 * The HTML Pagefind reads for one post: title, description and body, each word that ends in
 * a particle preceded by its stem. Metadata (title, date) is given as written, so results
 * show it without stems. Built as a string, never parsed here: Pagefind's own parser is
 * fast, a hast round trip of 1,000 formula-heavy posts took longer than the whole index.
 */
export function indexDocument(post: ParsedPost, language: string): string {
  // A post is the same object from build to build until it is compiled again (the dev
  // server's rebuilds), so its document is made once.
  const made = documents.get(post);
  if (made?.language === language) return made.html;
  const html = makeIndexDocument(post, language);
  documents.set(post, { language, html });
  return html;
}

const documents = new WeakMap<ParsedPost, { language: string; html: string }>();

function makeIndexDocument(post: ParsedPost, language: string): string {
  const front = post.frontMatter;
  const meta = [metaTag('title', front.title)];
  if (front.date) meta.push(metaTag('date', formatDate(front.date, language)), metaTag('datetime', front.date.iso));
  if (front.draft) meta.push(metaTag('draft', 'true'));
  const description = front.description ? `<p>${withStems(escapeHtml(front.description))}</p>` : '';
  return (
    `<!doctype html><html lang="${escapeHtml(language)}"><head></head><body><article>${meta.join('')}` +
    `<h1>${withStems(escapeHtml(front.title))}</h1>${description}${withStemsInHtml(withoutFormulaLayout(post.rendered.html))}</article></body></html>`
  );
}

/** A post's index document, its part named by a filter on a site of several parts (`SearchPart.filter`). */
function inPart(html: string, part: SearchPart): string {
  return part.filter === undefined ? html : html.replace('<article>', `<article data-pagefind-filter="${PART_FILTER}:${part.filter}">`);
}

/**
 * `withStems` applied to the text between tags of an HTML string. Only letters and
 * `STEM_JOINER` are ever inserted, so even text a tag-splitting regex misreads (a `>` inside
 * an attribute value) stays well-formed HTML.
 */
export function withStemsInHtml(html: string): string {
  return html.replace(/(^|>)([^<]+)/gu, (_, open: string, text: string) => open + withStems(text));
}

/**
 * Written where a formula's TeX meets a bracket, an operator or a command, so that
 * `\sqrt{d_k}` is the words `\sqrt`, `{`, `d_k`, `}`: Pagefind matches a query word as the
 * start of a whole word, and found neither `d_k` nor `n^2` inside a formula. The space splits;
 * the invisible separator after it (U+2063, dropped from indexed words) tells the search page
 * to take the space out of excerpts again.
 */
export const TEX_SEPARATOR = ' \u2063';
const TEX_EDGE = /(?<=[^\s\\])(?=[\\{}()[\]=+,|])|(?<=[{}()[\]=+,|])(?=[^\s])/gu;

const MATHML = /<span class="katex-mathml">[\s\S]*?<annotation encoding="application\/x-tex">([\s\S]*?)<\/annotation><\/semantics><\/math><\/span>/gu;
const LAYOUT_START = '<span class="katex-html"';

/**
 * KaTeX's output reduced to the TeX of each formula: the MathML becomes its TeX annotation and
 * the glyph layout (`.katex-html`, most of a formula's bytes) is cut out, matching its `<span>`s.
 * Only for speed: `EXCLUDED_SELECTORS` says the same to Pagefind, should KaTeX's markup change.
 */
export function withoutFormulaLayout(html: string): string {
  const text = html.replace(MATHML, (_, tex: string) => tex.replace(TEX_EDGE, TEX_SEPARATOR));
  let out = '';
  let from = 0;
  for (let start = text.indexOf(LAYOUT_START); start !== -1; start = text.indexOf(LAYOUT_START, from)) {
    out += text.slice(from, start);
    const end = spanEnd(text, start);
    // Unbalanced: leave the rest as it is, Pagefind's selectors still skip it.
    if (end === -1) return out + text.slice(start);
    from = end;
  }
  return out + text.slice(from);
}

function metaTag(key: string, value: string): string {
  return `<meta data-pagefind-meta="${key}[content]" content="${escapeHtml(value)}">`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/gu, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * Each word that ends in a particle, preceded by its stem and `STEM_JOINER`:
 * `이 모델은 크다` → `이 모델_^모델은 크다`. Words are runs of letters and digits, so
 * `(모델은)` and `Transformer는` work too.
 */
export function withStems(text: string): string {
  // ASCII text (most code, numbers, English) has neither wide punctuation nor Hangul.
  if (!/[^\p{ASCII}]/u.test(text)) return text;
  const split = text.replace(WIDE_PUNCTUATION_EDGE, STEM_JOINER);
  if (!/[\uAC00-\uD7A3\u1100-\u11FF]/u.test(split)) return split;
  return split.normalize('NFC').replace(/[\p{L}\p{N}]+/gu, (word) => {
    let marked = marks.get(word);
    if (marked === undefined) {
      const stem = stripParticles(word);
      marked = stem === word ? word : `${stem}${STEM_JOINER}${word}`;
      // Words repeat across posts; the memo is dropped now and then so it cannot grow without end.
      if (marks.size >= 200_000) marks.clear();
      marks.set(word, marked);
    }
    return marked;
  });
}

const marks = new Map<string, string>();

/**
 * Where a word meets punctuation or a symbol outside ASCII (`토큰화·정규화·임베딩`,
 * `모델（model）`, `저자의「딥러닝」`): the joiner goes there. Pagefind splits a word into parts
 * at ASCII punctuation only, so `정규화` and `model` were not words of the index at all, only
 * letters inside `토큰화정규화임베딩`; Korean joins words with `·` all the time. The search
 * page takes these joiners out of excerpts as it does the stems'.
 */
const WIDE_PUNCTUATION_EDGE = /(?<=[\p{L}\p{N}])(?=(?![\p{ASCII}])[\p{P}\p{S}])|(?<=(?![\p{ASCII}])[\p{P}\p{S}])(?=[\p{L}\p{N}])/gu;

/**
 * What `templates/search.liquid` needs: where the bundle is, the particle rules as JSON, and
 * whether the index holds no post. Pagefind's script cannot open an index of no page (it
 * finds no language in it), so the page answers every query with "no results" itself.
 */
export function searchPageData(urls: Urls, posts: number): { bundle: string; rules: string; joiner: string; empty: boolean } {
  return { bundle: urls.rel(`${SEARCH_BUNDLE_DIR}/`), rules: JSON.stringify(particleRules()), joiner: STEM_JOINER, empty: posts === 0 };
}
