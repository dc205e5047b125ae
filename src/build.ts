import type { VFile } from 'vfile';
import { assets, imagesFolderProblem, replacedPages, unreadableCopies } from './assets.js';
import { collect, isPublished } from './collect.js';
import { compactHtml, isHtmlOnDisk, knownHtmlDigest, type HtmlSpool } from './compact-html.js';
import { readConfig } from './config.js';
import { feed } from './feed.js';
import { makeVariants } from './images.js';
import { pauses } from './abandon.js';
import { reached } from './publish.js';
import { instantOf } from './zone.js';
import { messages } from './i18n.js';
import { lastModified } from './lastmod.js';
import { loadContent, type SourceFiles } from './load.js';
import { availableParallelism } from 'node:os';
import { openCache } from './cache.js';
import { openFragmentStore, partialStoreDir, useFragmentStore } from './fragments.js';
import type { CompiledPost, CompileInput } from './compile.js';
import type { MarkdownSettings } from './markdown.js';
import { createPool } from './pool.js';
import { paginatingLists, render } from './render.js';
import { addWarning, problemsOf, replayMessages, sortProblems, type Problem } from './report.js';
import { keyPlace } from './toml.js';
import { routes } from './routes.js';
import { robots, sitemap } from './sitemap.js';
import { staticFiles } from './static-files.js';
import type { BuildOptions, Output, ParsedPost, Site, SiteConfig } from './types.js';
import { createUrls, hrefPath } from './urls.js';
import { createViews, relatedChoicesData, useRelatedChoices } from './view.js';

/** What one build produced; nothing is written yet. */
export interface BuildResult {
  /** Every file of the site. Only meaningful when `problems` holds no error. */
  outputs: Output[];
  /** Every error and warning, sorted by file and place. */
  problems: Problem[];
  /** The collected site, for summaries and the dev server. */
  site: Site | undefined;
  stats: BuildStats;
  /**
   * When the same sources would make a different site, in milliseconds since the epoch: the
   * instants (`instantOf`) at which a post still to come is published or a post expires, and
   * the next new year in the site's time zone (the footer's year). Until the first of them,
   * an unchanged site builds the same.
   */
  upcoming: number[];
  /**
   * Since when the same sources make this site, in milliseconds since the epoch: the latest of
   * the instants like `upcoming`'s that the build's clock has passed. A build at an earlier
   * clock (`--clock`) makes another site.
   */
  since: number;
}

export interface BuildStats {
  posts: number;
  pages: number;
  terms: number;
  images: number;
  /** Distinct images resized with sharp in this build, and those whose variants came from `.cache/geul/images/`. */
  resized: { made: number; reused: number };
  errors: number;
  warnings: number;
  milliseconds: number;
}

/**
 * The pipeline, one line per stage: load → front matter + markdown → collect → routes →
 * render → outputs. Reads files, writes none: the caller decides whether to replace `dist/`
 * (the CLI) or serve from memory (the dev server).
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  // One instant for the whole build: what is published is decided alike everywhere.
  options = { ...options, now: options.now ?? new Date() };
  const sources = await loadContent(options.root, options.sourceSnapshot);
  const config = readConfig(sources.config);
  options.onConfig?.(config);
  const urls = createUrls(config);
  const published = isPublished(config, options);
  const onPost = options.onPost;
  // For the sitemap: asked of git while the markdown compiles.
  const modified = lastModified(options.root, [...sources.posts, ...sources.pages].map((file) => file.path));

  const compiled = await compileAll(
    [...sources.posts.map((file) => ({ file, kind: 'post' as const })), ...sources.pages.map((file) => ({ file, kind: 'page' as const }))],
    { root: options.root, basePath: hrefPath(urls.basePath), language: config.language },
    options,
    onPost && ((kind, result) => {
      if (kind === 'post' && result.post && published(result.post)) onPost(result.post, config, sources.posts.length);
    }),
  );
  return assemble({ sources, config, compiled, modified, started }, options);
}

/** What `assemble` starts from: the sources, read and compiled. */
export interface Compiled {
  sources: SourceFiles;
  /** `sources.config`, read (once: reading records its problems on the file). */
  config: SiteConfig;
  /** Every post and page file with its compiled result, in `sources` order. */
  compiled: { file: VFile; kind: ParsedPost['kind']; result: CompiledPost }[];
  /** When each source file last changed, for the sitemap. */
  modified: Promise<ReadonlyMap<string, Date>>;
  /** `performance.now()` when the build started. */
  started: number;
}

/**
 * Everything after the markdown: collect → routes → render → outputs. The dev server calls
 * it directly with the sources and compiled posts it keeps in memory.
 */
export async function assemble({ sources, config, compiled, modified, started }: Compiled, options: BuildOptions): Promise<BuildResult> {
  // Between stages, the event loop runs (a save, a request) and the build may be called off.
  const pause = pauses(options.abandon);
  const urls = createUrls(config);
  const i18n = messages(config.language);
  const files = new Map<ParsedPost, VFile>();
  const posts: ParsedPost[] = [];
  const pages: ParsedPost[] = [];
  for (const { file, kind, result } of compiled) {
    replayMessages(file, result.messages);
    if (!result.post) continue;
    files.set(result.post, file);
    (kind === 'post' ? posts : pages).push(result.post);
  }

  const now = options.now ?? new Date();
  const site = collect(config, posts, pages, (post) => files.get(post)!, { now, future: options.future, expired: options.expired, paginated: paginatingLists(options.root, options.cache) });
  options.onSite?.(site);
  // The related posts chosen by an earlier build, should the site have the same shape.
  if (options.cache) useRelatedChoices(options.cache.readNote('related'));
  const views = createViews(site, urls, i18n, now);
  // Started before rendering: sharp resizes images on its own threads while templates render.
  const resizing = makeVariants([...site.posts, ...site.pages].flatMap((post) => post.rendered.assets), {
    root: options.root,
    // Only `--no-cache` remakes them; a build without a post cache still reuses checked entries.
    fresh: options.cache ? !options.cache.enabled : false,
  });
  // Awaited below unless the build is abandoned first: then its failure must not go unhandled.
  resizing.catch(() => {});
  await pause();
  const routed = routes(site, views, urls, i18n);
  const related = relatedChoicesData();
  if (related) options.cache?.writeNote('related', related);
  await pause();
  const rendered = await render(routed, options.root, urls, { dev: Boolean(options.dev), site: views.site, i18n }, {
    previous: options.previous,
    pause,
    emit: options.emit,
    partialsDir: options.cache?.enabled ? partialStoreDir(options.root) : undefined,
    // As many threads render as compile; not for the dev server, which renders a page or two
    // per save and may call a build off between any two pages.
    helpers: options.dev || options.abandon ? 0 : (options.workers ?? defaultWorkers()) - 1,
    // An explicit --workers is obeyed even for a few pages (tests compare 1 and 3 workers).
    helpersFrom: options.workers === undefined ? undefined : 1,
  });
  await pause();
  const outputs: Output[] = [
    ...rendered.outputs,
    { path: 'feed.xml', content: feed(site, views, urls) },
    { path: 'sitemap.xml', content: sitemap(site, views, urls, await modified) },
    { path: 'robots.txt', content: robots(urls) },
    ...(await assets(options.root, [...site.posts, ...site.pages])),
  ];
  const variants = await resizing;
  outputs.push(...variants.outputs);
  // Last, so that a static file never takes a path geul's own files need.
  // Pages given to `emit` are not in `outputs`: their paths are the routes'.
  const copied = await staticFiles(options.root, [...routed.map((page) => page.outputPath), ...outputs.map((output) => output.path)]);
  outputs.push(...copied.outputs);
  checkSiteImage(sources.config, config, outputs);

  const year = Number(views.site.year);
  const newYear = (year: number) => instantOf({ year, month: 1, day: 1, iso: `${String(year).padStart(4, '0')}-01-01` }, config.timeZone);
  const upcoming = [newYear(year + 1)];
  let since = newYear(year);
  for (const { result } of compiled) {
    const front = result.post?.frontMatter;
    if (!front) continue;
    for (const date of [front.publishDate ?? front.date, front.expiryDate]) {
      if (!date) continue;
      const instant = instantOf(date, config.timeZone);
      if (reached(date, config.timeZone, now)) since = Math.max(since, instant);
      else upcoming.push(instant);
    }
  }

  // Problems of copied files and folders, which no VFile holds.
  const copyProblems = [...replacedPages(new Set(routed.map((page) => page.outputPath)), outputs, options.root), ...[imagesFolderProblem(options.root) ?? []].flat(), ...unreadableCopies(outputs, options.root)];

  const problems = sortProblems([...problemsOf([sources.config, ...sources.posts, ...sources.pages, ...(sources.unread ?? []), ...copied.skipped, ...rendered.templateFiles]), ...variants.problems, ...copyProblems]);
  const errors = problems.filter((problem) => problem.severity === 'error').length;
  return {
    outputs,
    problems,
    site,
    upcoming,
    since,
    stats: {
      posts: site.posts.length,
      pages: outputs.filter((output) => output.path.endsWith('.html')).length + rendered.emitted,
      terms: site.taxonomies.reduce((sum, taxonomy) => sum + taxonomy.terms.length, 0),
      // Resized copies are not counted: they are the same images again.
      images: outputs.filter((output) => !output.path.startsWith('assets/') && /\.(?:png|jpe?g|gif|webp|avif|svg)$/i.test(output.path)).length - variants.outputs.length,
      resized: { made: variants.made, reused: variants.reused },
      errors,
      warnings: problems.length - errors,
      milliseconds: Math.round(performance.now() - started),
    },
  };
}

/**
 * site.toml's `image` (the link preview of pages without one) should be a URL or a file the
 * site has (`images/og.png` from the top-level images/ folder): a missing one is a warning
 * (an error under --strict), not a broken preview on every shared link found later. Not an
 * error: a setting copied from another site must not stop a build that is otherwise fine.
 */
function checkSiteImage(file: VFile, config: SiteConfig, outputs: Output[]): void {
  const image = config.image;
  if (!image || /^https?:\/\//i.test(image)) return;
  // Under the site's root, as the pages link it (`urls.abs`): `images/og.png` or `/images/og.png`.
  const wanted = image.replace(/^\/+/, '').split(/[?#]/, 1)[0]!;
  let output = wanted;
  try {
    output = decodeURI(wanted);
  } catch {
    // a stray "%": looked for as written
  }
  if (outputs.some((candidate) => candidate.path === output)) return;
  addWarning(file, `image: "${image}" names no file of the built site (looked for ${output}), so link previews point at a missing file; put the file in images/, or give a full URL`, keyPlace(String(file.value), ['image']));
}

/** Fewer cache misses than this compile in the main thread: starting workers would cost more. */
const POOL_THRESHOLD = 24;

/**
 * Front matter and markdown of every file, from the cache where it holds a valid entry, else
 * compiled: on worker threads when there is enough to do, in this thread otherwise. Results
 * come back in input order, so the output is the same whatever the number of workers.
 */
export async function compileAll(
  inputs: { file: VFile; kind: ParsedPost['kind'] }[],
  settings: MarkdownSettings,
  options: BuildOptions,
  /** Called with each result in input order, as soon as it and all before it are there. */
  onResult?: (kind: ParsedPost['kind'], result: CompiledPost) => void,
): Promise<{ file: VFile; kind: ParsedPost['kind']; result: CompiledPost }[]> {
  const cache = options.cache ?? openCache(options.root, false);
  // Formulas and code blocks made by earlier builds, for the posts compiled in this thread.
  useFragmentStore(cache.fragments && openFragmentStore(cache.fragments));
  const jobs: { file: VFile; kind: ParsedPost['kind']; input?: CompileInput; key: string; result: CompiledPost | undefined }[] = inputs.map(({ file, kind }) => {
    const digest = file.data.textDigest;
    // A source the snapshot knows unchanged is keyed by its digest, its text left unread.
    const key = cache.keyOf(digest === undefined ? { sourcePath: file.path, kind, text: String(file.value) } : { sourcePath: file.path, kind, textDigest: digest }, settings);
    const cached = cache.get(key, options.drafts);
    return { file, kind, key, result: cached && held(cached, options.htmlSpool) };
  });
  let reported = 0;
  const report = () => {
    for (; reported < jobs.length && jobs[reported]!.result; reported++) onResult?.(jobs[reported]!.kind, jobs[reported]!.result!);
  };
  report();
  const misses = jobs.filter((job) => !job.result);
  for (const job of misses) {
    job.input = { sourcePath: job.file.path, kind: job.kind, text: String(job.file.value) };
    // The text of an unread source, read now, is what is compiled and keyed: the file may have
    // changed since its stat, and an entry must never hold the result of another text.
    if (job.file.data.textDigest !== undefined) job.key = cache.keyOf(job.input, settings);
  }
  const workers = options.workers ?? defaultWorkers();
  if (misses.length > 0) {
    // An explicit --workers is obeyed even for a few files (tests compare 1 and 3 workers).
    if (workers > 1 && (options.workers !== undefined || misses.length >= POOL_THRESHOLD)) {
      const pool = createPool(Math.min(workers, Math.ceil(misses.length / 8)), settings, options.drafts, cache.fragments);
      try {
        await Promise.all(
          misses.map(async (job) => {
            job.result = held(await pool.compile(job.input!), options.htmlSpool);
            // Each result is cached as it comes: written while the other posts compile.
            cache.set(job.key, job.result);
            report();
          }),
        );
      } finally {
        await pool.close();
      }
    } else {
      // Loaded only when something must be compiled here: a warm build never pays for the
      // markdown chain's modules.
      const [{ compile }, { createMarkdownProcessor }] = await Promise.all([import('./compile.js'), import('./markdown.js')]);
      const processor = createMarkdownProcessor(settings);
      for (const job of misses) {
        cache.set(job.key, (job.result = held(await compile(job.input!, processor, options.drafts), options.htmlSpool)));
        report();
      }
    }
  }
  return jobs.map(({ file, kind, result }) => ({ file, kind, result: result! }));
}

/**
 * A result with its HTML held as bytes until a page reads it (`src/compact-html.ts`), in the
 * build's spool when it has one. The result is changed in place: a fresh one is this build's
 * own, and a cached one is the cache's entry, which reads the same either way.
 */
function held(result: CompiledPost, spool: HtmlSpool | undefined): CompiledPost {
  // A cache entry read lazily keeps its HTML on disk already.
  if (result.post && !isHtmlOnDisk(result.post.rendered)) {
    result.post.rendered = spool ? spool.keep(result.post.rendered) : compactHtml(result.post.rendered);
    if (result.htmlDigest) knownHtmlDigest(result.post.rendered, result.htmlDigest);
  }
  return result;
}

/** One worker per core; the main thread mostly waits while they compile. */
function defaultWorkers(): number {
  return availableParallelism();
}
