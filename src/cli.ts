import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build, type BuildStats } from './build.js';
import type { DevServer } from './dev.js';
import { openCache, ownPackage, type PostCache } from './cache.js';
import { openHtmlSpool } from './compact-html.js';
import { readConfig } from './config.js';
import { kindOf } from './content-files.js';
import { loadContent } from './load.js';
import { formatProblem, problemsOf, sortProblems, type Problem } from './report.js';
import { RESERVED_POST_FILE_SLUGS, titleSlug, unsafeSlugReason } from './slug.js';
import { openSourceSnapshot, type SourceSnapshot } from './source-snapshot.js';
import { openStaging, outputStateFile, readOutputFolder, unsafeOutDirReason } from './write.js';
import { buildSearchIndex, closeSearchService, createSearchFeed, openIndexAhead, SEARCH_BUNDLE_DIR, type IndexAhead, type SearchIndex } from './search.js';
import type { Site, SiteConfig } from './types.js';
import { readClock } from './clock.js';
import { buildRecordOf, inputStamp, stillCurrent, type BuildRecord } from './up-to-date.js';
import { aliasedBy, newPostText, takenBy } from './new-post.js';

const USAGE = `Usage:
  geul build [--drafts] [--future] [--expired] [--out <dir>] [--root <dir>] [--no-cache] [--workers <n>] [--strict] [--clock <time>]
                                                      build the site into dist/ (a relative --out is
                                                      inside --root); --strict also checks links and
                                                      makes every warning an error; --clock builds as
                                                      at that date or time (2025-03-01T09:00+09:00)
  geul check [--drafts] [--root <dir>]                build in memory and check links, anchors, alt text
  geul dev [--port <n>] [--host <addr>] [--root <dir>] [--future] [--expired] [--clock <time>]
                                                      preview with drafts and live reload
  geul new "<title>" [--slug <slug>] [--root <dir>]     start a new draft post (its slug made from the title)
  geul --version                                      geul's version and Node's`;

/** Run the command line; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `geul build --help` (before a `--`, which ends the options): the usage, as `geul --help` gives it.
  const options = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (command !== undefined && (options.includes('--help') || options.includes('-h'))) {
    console.log(USAGE);
    return 0;
  }
  try {
    switch (command) {
      case 'build':
        return await buildCommand(rest);
      case 'check':
        return await checkCommand(rest);
      case 'dev':
        return await devCommand(rest);
      case 'new':
        return await newCommand(rest);
      // As `hugo version`, `npx eleventy --version`: what a bug report or a CI log names.
      case '-v':
      case '--version':
      case 'version':
        console.log(`geul ${ownPackage().version} (Node ${process.version})`);
        return 0;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        console.log(USAGE);
        return command === undefined ? 1 : 0;
      default:
        console.error(`geul: unknown command "${command}"\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`geul: ${error.message}\n${USAGE}`);
      return 2;
    }
    // The system refused something (a full disk, a folder not writable): its message says
    // what and where; a stack would only hide it. Anything else is geul's bug, stack and all.
    if (error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string') {
      console.error(`geul: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/** Whether the project folder `--root` names is there and is a project; says so when it is not. Nothing is made in its place. */
function isProjectFolder(root: string, given: string): boolean {
  const stats = statSync(root, { throwIfNoEntry: false });
  if (!stats?.isDirectory()) {
    console.error(`geul: --root ${given}: ${stats ? 'not a folder' : 'no such folder'}`);
    return false;
  }
  if (isProject(root)) return true;
  // Run from a subfolder (`content/posts/`), `geul new` wrote `content/posts/content/posts/x.md`
  // there and `geul build` left a `.cache/` in it: neither is a site. Hugo refuses too.
  let parent = path.dirname(root);
  while (parent !== path.dirname(parent) && !isProject(parent)) parent = path.dirname(parent);
  const hint = isProject(parent) ? `; the project seems to be ${path.relative(process.cwd(), parent) || '.'}` : '';
  console.error(`geul: ${path.relative(process.cwd(), root) || '.'} is no geul project (it has no site.toml, content/ or templates/): run geul in the project folder or give --root <dir>${hint}`);
  return false;
}

/** Whether a folder holds what a site is made of: any of site.toml (optional, with its defaults), content/ or templates/. */
function isProject(folder: string): boolean {
  return ['site.toml', 'content', 'templates'].some((name) => existsSync(path.join(folder, name)));
}

async function buildCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      drafts: { type: 'boolean', default: false },
      future: { type: 'boolean', default: false },
      expired: { type: 'boolean', default: false },
      out: { type: 'string' },
      root: { type: 'string', default: '.' },
      'no-cache': { type: 'boolean', default: false },
      workers: { type: 'string' },
      strict: { type: 'boolean', default: false },
      clock: { type: 'string' },
    },
  });
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) {
    console.error(`geul: --workers must be a whole number of at least 1, got "${values.workers}"`);
    return 2;
  }
  const root = path.resolve(values.root);
  if (!isProjectFolder(root, values.root)) return 1;
  // The instant the build counts as now: `--clock`, else the machine's time.
  const now = values.clock === undefined ? new Date() : readClock(values.clock, root);
  if (typeof now === 'string') {
    console.error(`geul: ${now}`);
    return 2;
  }
  const outDir = path.resolve(root, values.out ?? 'dist');
  const unsafe = unsafeOutDirReason(outDir, root);
  if (unsafe) {
    console.error(`geul: ${unsafe}`);
    return 1;
  }
  // Nothing a build reads has changed since the last one into this folder: it stays as it is.
  const started = performance.now();
  const stamp = values['no-cache'] ? undefined : await inputStamp(root, { drafts: values.drafts, future: values.future, expired: values.expired, strict: values.strict });
  // Without the cache, no file of the previous build is taken as it is: all are written.
  const stateFile = values['no-cache'] ? undefined : outputStateFile(root, outDir);
  const folder = readOutputFolder(outDir, stateFile);
  const record = stamp === undefined ? undefined : buildRecordOf(folder);
  if (stamp !== undefined && record && stillCurrent(record, stamp, now)) {
    for (const line of record.printed) console.error(line);
    const stats = { ...record.stats, milliseconds: Math.round(performance.now() - started), resized: { made: 0, reused: 0 } };
    const outLabel = path.relative(process.cwd(), outDir) || outDir;
    console.log(`${summary(stats, outLabel, { posts: record.searchPosts, reused: true, milliseconds: 0, outputs: [] })}; nothing changed since the last build, so ${outLabel}/ is as it was`);
    return 0;
  }
  const cache = openCache(root, !values['no-cache'], { lazyHtml: true });
  // The sources as the last build found them: unchanged files are not read (src/source-snapshot.ts).
  const sourceSnapshot = values['no-cache'] ? undefined : openSourceSnapshot(root);
  // A cache entry found damaged (or pruned by another build) only when a page read its HTML
  // has given that page wrong bytes: the build is made again, which compiles that post anew.
  for (let attempt = 1; ; attempt++) {
    const lostBefore = cache.lost();
    const code = await buildInto({ root, outDir, values, workers, now, stamp, stateFile, folder, started, cache, sourceSnapshot });
    sourceSnapshot?.save();
    if (cache.lost() === lostBefore) return code;
    if (attempt === 3) {
      console.error(`geul: the post cache in .cache/geul/ kept changing under this build (another build pruning it?); ${path.relative(process.cwd(), outDir) || outDir} left as it was`);
      return 1;
    }
  }
}

interface BuildInto {
  root: string;
  outDir: string;
  values: { drafts: boolean; future: boolean; expired: boolean; strict: boolean; 'no-cache': boolean };
  workers: number | undefined;
  now: Date;
  stamp: string | undefined;
  stateFile: string | undefined;
  folder: ReturnType<typeof readOutputFolder>;
  started: number;
  cache: PostCache;
  sourceSnapshot: SourceSnapshot | undefined;
}

/** One build into `outDir`: its exit code. Nothing is printed or written when the cache lost an entry meanwhile. */
async function buildInto({ root, outDir, values, workers, now, stamp, stateFile, folder, started, cache, sourceSnapshot }: BuildInto): Promise<number> {
  const lostBefore = cache.lost();
  const lostAny = () => cache.lost() !== lostBefore;
  // Compiled posts' HTML waits in a file of this build's own until pages read it.
  const htmlSpool = openHtmlSpool(path.dirname(outDir));
  try {
    // With the cache on, pages whose template and data are unchanged since the last build into
    // this folder are neither rendered nor rewritten.
    const previous = values['no-cache'] ? undefined : folder.keys;
    // The search index needs only the posts: Pagefind indexes them in its own process, on one
    // core. With no index to reuse, it is fed each post as it compiles; otherwise, once the site
    // is collected, it checks whether the previous index still holds and indexes beside the
    // rendering if not.
    const feed = [...(previous ?? [])].some(([file]) => file.startsWith(`${SEARCH_BUNDLE_DIR}/`)) ? undefined : createSearchFeed();
    let searching: Promise<SearchIndex> | undefined;
    // Pagefind's process starts while the posts are read, in case their index must be made again.
    let ahead: IndexAhead | undefined;
    const onConfig = feed ? undefined : (config: SiteConfig) => void (ahead = openIndexAhead(config.language));
    const onSite = (site: Site) => {
      searching = feed ? feed.finish(site) : buildSearchIndex(site, previous, { ahead });
      // Awaited below; if the build fails first, its failure must not go unhandled.
      searching.catch(() => {});
    };
    // Pages go into the staging folder as they render, not all kept in memory until the end.
    // Under --strict the link checker reads every page first, so they are kept.
    const staging = await openStaging(outDir, folder, stateFile);
    const stop = async () => {
      await searching?.catch(() => undefined);
      await feed?.close();
      if (ahead) await closeSearchService(ahead);
      await staging.discard();
    };
    const emit = values.strict ? undefined : staging.put;
    const result = await build({ root, now, drafts: values.drafts, future: values.future, expired: values.expired, workers, cache, sourceSnapshot, previous, onConfig, onSite, onPost: feed?.add, emit, htmlSpool }).catch(
      async (error: unknown) => {
        await stop();
        if (lostAny()) return undefined;
        throw error;
      },
    );
    // A build that met a damaged entry is made again: nothing of this one is printed or kept.
    if (!result) return 1;
    if (lostAny()) {
      await stop();
      return 1;
    }
    if (values.strict) {
      // The link checker parses every page, which costs a good part of a build: only here and
      // in `geul check`. Under --strict every warning is an error, so nothing is written.
      const { checkBuild } = await import('./check.js');
      const outputLabel = path.relative(root, outDir).split(path.sep).join('/') || '.';
      let links: Problem[];
      try {
        links = checkBuild(result, { root, outputLabel, readUnchanged: (file) => readOptional(path.join(outDir, file)) });
      } catch (error) {
        await stop();
        if (lostAny()) return 1;
        throw error;
      }
      result.problems = sortProblems([...result.problems, ...links]).map((problem) => ({ ...problem, severity: 'error' as const }));
      result.stats.errors = result.problems.length;
      result.stats.warnings = 0;
    }
    const printed = problemLines(result.problems);
    for (const line of printed) console.error(line);
    // Good results are kept even when another file failed: fixing it need not recompile the rest.
    const unsaved = await cache.flush({ prune: result.stats.errors === 0 });
    if (unsaved) console.error(`geul: ${unsaved}`);
    if (result.stats.errors > 0) {
      // Pagefind's process is closed when the index is done; only then can geul exit.
      await stop();
      console.error(`geul: ${plural(result.stats.errors, 'error')}; ${path.relative(process.cwd(), outDir) || outDir} left as it was`);
      return 1;
    }
    // The search index goes into the same staging folder as the pages: a failure here leaves
    // the previous output as it was, like any other error.
    let search: SearchIndex;
    try {
      search = await (searching ?? buildSearchIndex(result.site!, previous, { ahead }));
    } catch (error) {
      await staging.discard();
      if (lostAny()) return 1;
      console.error(`geul: search index: ${error instanceof Error ? error.message : String(error)}; ${path.relative(process.cwd(), outDir) || outDir} left as it was`);
      return 1;
    }
    if (lostAny()) {
      await staging.discard();
      return 1;
    }
    const made: BuildRecord | undefined = stamp === undefined ? undefined : {
      stamp,
      upcoming: result.upcoming,
      since: result.since,
      printed,
      // What varies from run to run (the time taken, images made or taken from the cache) is
      // not kept, and not reused: the marker is the same bytes whenever the site is the same.
      stats: { ...result.stats, milliseconds: 0, resized: { made: 0, reused: 0 } },
      searchPosts: search.posts,
    };
    await staging.commit([...result.outputs, ...search.outputs], made);
    // The whole command, the search index and the writing included: what the writer waited.
    const stats = { ...result.stats, milliseconds: Math.round(performance.now() - started) };
    console.log(summary(stats, path.relative(process.cwd(), outDir) || outDir, search));
    return 0;
  } finally {
    htmlSpool.close();
  }
}

async function checkCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { drafts: { type: 'boolean', default: false }, root: { type: 'string', default: '.' } },
  });
  const root = path.resolve(values.root);
  if (!isProjectFolder(root, values.root)) return 1;
  const cache = openCache(root, true);
  // Every page rendered (no previous build to reuse), nothing written but the post cache.
  const result = await build({ root, drafts: values.drafts, cache });
  const unsaved = await cache.flush({ prune: false });
  if (unsaved) console.error(`geul: ${unsaved}`);
  const { checkBuild } = await import('./check.js');
  const problems = sortProblems([...result.problems, ...checkBuild(result, { root })]);
  printProblems(problems);
  const errors = problems.filter((problem) => problem.severity === 'error').length;
  const pages = result.outputs.filter((output) => output.path.endsWith('.html')).length;
  const line = `geul check: ${plural(pages, 'page')}, ${plural(errors, 'error')}, ${plural(problems.length - errors, 'warning')}`;
  if (errors > 0) {
    console.error(line);
    return 1;
  }
  console.log(line);
  return 0;
}

/** A file's text, or undefined when it cannot be read. */
function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function devCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '4000' },
      host: { type: 'string', default: '127.0.0.1' },
      root: { type: 'string', default: '.' },
      future: { type: 'boolean', default: false },
      expired: { type: 'boolean', default: false },
      clock: { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`geul: --port must be a number from 0 to 65535, got "${values.port}"`);
    return 2;
  }
  if (!isProjectFolder(path.resolve(values.root), values.root)) return 1;
  const clock = values.clock === undefined ? undefined : readClock(values.clock, path.resolve(values.root));
  if (typeof clock === 'string') {
    console.error(`geul: ${clock}`);
    return 2;
  }
  // Loaded only here: `geul build` need not pay for the watcher and the server.
  const { startDevServer } = await import('./dev.js');
  let server: DevServer;
  try {
    server = await startDevServer({ root: path.resolve(values.root), port, host: values.host, log: console.log, logProblem: console.error, future: values.future, expired: values.expired, clock });
  } catch (error) {
    console.error(`geul: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const stop = () => void server.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

async function newCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { root: { type: 'string', default: '.' }, slug: { type: 'string' } },
  });
  // A title typed on macOS may arrive decomposed (NFD); the file name and the title are NFC.
  const title = positionals.join(' ').trim().normalize('NFC');
  if (!title) {
    console.error('geul new: give the title, e.g. geul new "트랜스포머 논문 리뷰"');
    return 2;
  }
  const root = path.resolve(values.root);
  if (!isProjectFolder(root, values.root)) return 1;
  const sources = await loadContent(root);
  const config = readConfig(sources.config);
  // A site.toml the build would refuse (its timeZone among the settings read) is told now,
  // rather than a post dated on the default clock.
  const configErrors = problemsOf([sources.config]).filter((problem) => problem.severity === 'error');
  if (configErrors.length > 0) {
    printProblems(sortProblems(configErrors));
    return 1;
  }
  const slug = values.slug ?? (titleSlug(title) || 'post');
  // The slug names the file: one that climbs out of content/posts/ is refused, as in front matter.
  const unsafe = unsafeSlugReason(slug);
  if (unsafe) {
    console.error(`geul new: ${unsafe}`);
    return 2;
  }
  // A name the build skips (`_notes`, `.draft`: Hugo's habit for files kept out) would be a
  // post the writer fills in and never sees, in `geul dev` or the site.
  if (kindOf(`content/posts/${slug}.md`) !== 'post') {
    console.error(`geul new: slug "${slug}" would name a file the build skips (names starting with "_" or "." are not read); choose another --slug`);
    return 2;
  }
  // `--slug index` or `index.html` made a file the next build publishes at /posts/posts/ or refuses.
  if (RESERVED_POST_FILE_SLUGS.has(slug.toLowerCase())) {
    console.error(`geul new: slug "${slug}" is taken by geul's own pages (content/posts/index.md would be the post /posts/posts/, posts/index.html is the list of posts); choose another --slug`);
    return 2;
  }
  const file = path.join(root, 'content', 'posts', `${slug}.md`);
  if (existsSync(file)) {
    console.error(`geul new: ${path.relative(process.cwd(), file)} already exists; not overwriting it`);
    return 1;
  }
  const others = sources.posts.map((post) => ({ path: post.path, text: String(post.value) }));
  const taken = takenBy(slug, others);
  if (taken) {
    console.error(`geul new: ${taken} already has the slug "${slug}"; choose another title or --slug`);
    return 1;
  }
  const aliased = aliasedBy(slug, others);
  if (aliased) {
    console.error(`geul new: ${aliased} has the alias /posts/${slug}/, the page this post would have; choose another title or --slug`);
    return 1;
  }
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, newPostText(title, new Date(), config.timeZone), { flag: 'wx' });
  console.log(`created ${path.relative(process.cwd(), file)}`);
  return 0;
}

/** Print problems to stderr, each as `path:line:col: message` followed by its code frame. */
export function printProblems(problems: Problem[]): void {
  for (const line of problemLines(problems)) console.error(line);
}

/** Each problem as `path:line:col: message`, followed by its code frame. */
function problemLines(problems: Problem[]): string[] {
  return problems.flatMap((problem) => (problem.frame ? [formatProblem(problem), problem.frame] : [formatProblem(problem)]));
}

/** ` (2 resized, 5 from cache)`: whether sharp ran, or the image cache served. */
function resizedNote(stats: BuildStats): string {
  const { made, reused } = stats.resized;
  return made + reused === 0 ? '' : ` (${made} resized, ${reused} from cache)`;
}

function summary(stats: BuildStats, outDir: string, search: SearchIndex): string {
  return [
    `built ${outDir}/ in ${stats.milliseconds} ms:`,
    plural(stats.posts, 'post') + ',',
    plural(stats.pages, 'page') + ',',
    plural(stats.terms, 'term') + ',',
    plural(stats.images, 'image') + resizedNote(stats) + ',',
    `search index of ${plural(search.posts, 'post')} (${search.reused ? 'unchanged' : `${search.milliseconds} ms`}),`,
    plural(stats.warnings, 'warning'),
  ].join(' ');
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
