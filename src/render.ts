import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { IncludeTag, LayoutTag, Liquid, RenderTag, type Context, type Emitter } from 'liquidjs';
import { VFile } from 'vfile';
import { packageVersion, versions, type PostCache } from './cache.js';
import { openFragmentStore, pruneFragmentStores, type FragmentStore } from './fragments.js';
import { parseDate } from './date.js';
import { encodingProblem } from './encoding.js';
import { addError, addWarning } from './report.js';
import type { ListPageSizes, Output, Page } from './types.js';
import { startHelpers } from './render-helpers.js';
import type { Urls } from './urls.js';
import { BODY_BYTES } from './view.js';
import { timestampOf } from './zone.js';

/** The rendered pages, and the template files with any problems recorded on them. */
export interface RenderResult {
  outputs: Output[];
  /** HTML pages given to `emit` rather than returned. */
  emitted: number;
  templateFiles: VFile[];
}

/** How one render call runs, beyond its pages. */
export interface RenderOptions {
  /** Keys of the previous build's outputs by path: a page with the same key is not rendered again. */
  previous?: ReadonlyMap<string, string>;
  /** Awaited every PAUSE_EVERY_MS of rendering: a caller's chance to let other work run, or to stop. */
  pause?: () => Promise<void>;
  /**
   * Given each page as it is rendered, instead of returning it (`geul build` writes it at once):
   * in page order from this thread alone, as each finishes when helpers render too.
   */
  emit?: (output: Output) => Promise<void>;
  /** Where list items rendered by earlier builds are kept (`.cache/geul/partials/`); none without cache. */
  partialsDir?: string;
  /**
   * Threads that render pages beside this one (`src/render-worker.ts`), once at least
   * `helpersFrom` pages are to be rendered. @default 0: this thread alone
   */
  helpers?: number;
  /** @default HELPERS_FROM */
  helpersFrom?: number;
}

/**
 * Page[] → Output[] through LiquidJS: the only module that knows the template engine.
 * Output is HTML-escaped unless a template says `| raw` (only the post body does), and an
 * unknown variable or filter is an error at its place in the template, not an empty string.
 */
export async function render(pages: Page[], root: string, urls: Urls, globals: Record<string, unknown> = {}, options: RenderOptions = {}): Promise<RenderResult> {
  const { previous = new Map(), pause, emit, partialsDir } = options;
  const templatesDir = path.join(root, 'templates');
  const templatesDigest = digestTemplates(templatesDir);
  // A theme made before a template was added (`section.liquid`) renders those pages with the
  // template named as their fallback.
  const present = new Map<string, boolean>();
  const has = (name: string) => present.get(name) ?? present.set(name, existsSync(path.join(templatesDir, `${name}.liquid`))).get(name)!;
  pages = pages.map((page) => (page.fallback !== undefined && !has(page.template) ? { ...page, template: page.fallback } : page));
  // A theme without search.liquid (README's list of templates long left it out) has no search
  // page, as Hugo makes no page of a kind its theme has no layout for, rather than failing.
  pages = pages.filter((page) => !page.optional || has(page.template));
  const { liquid, call } = prepareEngine(templatesDir, templatesDigest, urls, globals, partialsDir);

  const templateFiles = new Map<string, VFile>();
  const fileOf = (absolute: string) => {
    const relative = path.relative(root, absolute).split(path.sep).join('/');
    let file = templateFiles.get(relative);
    if (!file) {
      const bytes = existsSync(absolute) ? readable(absolute) : '';
      file = new VFile({ path: relative, cwd: root, value: typeof bytes === 'string' ? '' : bytes.toString('utf8') });
      templateFiles.set(relative, file);
    }
    return file;
  };
  const reported = new Set<string>();
  const report = (located: LocatedError) => {
    const key = `${located.file}:${located.line}:${located.column}:${located.message}`;
    if (reported.has(key)) return;
    reported.add(key);
    addError(fileOf(located.file), located.message, { line: located.line, column: located.column }, 'template');
  };
  // Every template is parsed, used or not: an unknown filter in term.liquid is told before
  // the site's first tag would find it.
  for (const problem of parseProblems(liquid, templatesDir, templatesDigest)) {
    if (problem.warning) addWarning(fileOf(problem.file), problem.message, { line: problem.line, column: problem.column }, 'encoding');
    else report(problem);
  }

  // Keyed first: the pages to render are known before any is, and helpers started only when
  // there are enough of them.
  const sharedDigests = new WeakMap<object, string>();
  // Keyed in slices, letting the event loop run between them: keying a big site's pages
  // takes a third of a second, in which the pipes of Pagefind's process (indexing beside it)
  // would be neither fed nor drained.
  const keys: string[] = [];
  let keyed = performance.now();
  for (const page of pages) {
    keys.push(pageKey(templatesDigest, page, sharedDigests));
    if (pause && performance.now() - keyed >= PAUSE_EVERY_MS) {
      await pause();
      keyed = performance.now();
    }
  }
  // Pages are given to `emit` as they are made, in whatever order the threads finish them;
  // returned, they are in page order.
  const finished: { index: number; output: Output }[] = [];
  const stale: number[] = [];
  for (const [index, page] of pages.entries()) {
    if (previous.get(page.outputPath) === keys[index]) finished.push({ index, output: { path: page.outputPath, unchanged: true, key: keys[index]! } });
    else stale.push(index);
  }
  const kept: (Output | undefined)[] = [];
  let emitted = 0;
  const handOn = async () => {
    // Helpers' answers may be added while an emit is awaited: read to the end, then emptied.
    for (let at = 0; at < finished.length; at++) {
      const { index, output } = finished[at]!;
      if (!emit) kept[index] = output;
      else {
        await emit(output);
        if (output.path.endsWith('.html')) emitted++;
      }
    }
    finished.length = 0;
  };

  const renderHere = (index: number) => {
    const page = pages[index]!;
    try {
      finished.push({ index, output: { path: page.outputPath, content: liquid.renderFileSync(page.template, page.data, { globals }), key: keys[index] } });
    } catch (error) {
      report(locate(error, path.join(templatesDir, `${page.template}.liquid`)));
    }
  };

  // Never more threads than pages to render: `--workers 1000` on a small site started 999
  // threads (8 GB, and a build that did not end).
  const helperCount = stale.length >= (options.helpersFrom ?? HELPERS_FROM) ? Math.min(options.helpers ?? 0, stale.length) : 0;
  const helpers = helperCount > 0 ? startHelpers(helperCount, { templatesDir, templatesDigest, baseURL: urls.baseURL, globals, partialsDir }) : undefined;
  try {
    // Helpers are sent chunks of the pages of posts (those whose data holds a body), up to two
    // chunks each; this thread renders the rest first, the lists: a post's list item, rendered
    // once, is reused on each list the post is on (the `partial` filter), so lists are best
    // rendered all in one thread. Then it takes posts' pages too, until none is left.
    const [lists, shareable] = helpers ? partition(stale, (index) => !hasBody(pages[index]!)) : [stale, []];
    let nextList = 0;
    let nextShared = 0;
    let paused = performance.now();
    let yielded = paused;
    for (;;) {
      while (helpers && nextShared < shareable.length && helpers.wants()) {
        const chunk = shareable.slice(nextShared, nextShared + CHUNK_PAGES);
        nextShared += chunk.length;
        helpers.send(chunk.map((index) => ({ index, page: pages[index]! })), {
          done(results) {
            for (const result of results) {
              const page = pages[result.index]!;
              // Bytes to write; decoded for a caller that keeps pages, as this thread gives them.
              if ('html' in result) finished.push({ index: result.index, output: { path: page.outputPath, content: emit ? result.html : decoder.decode(result.html), key: keys[result.index] } });
              else report(result.error);
            }
          },
          // A helper that stopped: its pages are rendered here.
          lost: (indexes) => indexes.forEach(renderHere),
        });
      }
      if (nextList < lists.length) renderHere(lists[nextList++]!);
      else if (nextShared < shareable.length) renderHere(shareable[nextShared++]!);
      else if (helpers?.busy()) await helpers.progress();
      else break;
      await handOn();
      const now = performance.now();
      if (pause && now - paused >= PAUSE_EVERY_MS) {
        await pause();
        paused = performance.now();
      }
      // Lets the helpers' answers in: awaiting what is already resolved runs no message handler.
      if (helpers && now - yielded >= YIELD_EVERY_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        yielded = performance.now();
      }
    }
    await handOn();
  } finally {
    await helpers?.close();
  }
  const outputs = kept.filter((output) => output !== undefined);
  call.store?.flush();
  return { outputs, emitted, templateFiles: [...templateFiles.values()] };
}

const decoder = new TextDecoder();

/** A page of a post or standalone page: its data holds a view with the body. */
function hasBody(page: Page): boolean {
  return Object.values(page.data).some((value) => typeof value === 'object' && value !== null && BODY_BYTES in value);
}

/** `items` split by `test`, each part in the order given. */
function partition<T>(items: T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}

/** Below this many pages to render, starting a helper (some 100 ms) would cost more than it saves. */
const HELPERS_FROM = 96;

/** Pages a helper is sent at once: some milliseconds of rendering. */
const CHUNK_PAGES = 8;

/** How often this thread, rendering, stops to take the helpers' answers and send them more. */
const YIELD_EVERY_MS = 3;

/**
 * What a page's bytes are made of: every template (a page may include any partial), the code
 * that renders them (both in `templatesDigest`) and the page's data. JSON of the data costs
 * far less than rendering it; a post's body is not in it (a non-enumerable getter), its
 * digest is (`PostView.contentDigest`). Most of that JSON is
 * the same objects on page after page (the site, the messages, a post's list item on the
 * home page and each of its term pages): an object at the top of the data, or in a list
 * there, is turned into JSON and digested once per render call (`shared`), and met again is
 * its digest. Nothing changes a page's data while pages render.
 */
function pageKey(templatesDigest: string, page: Page, shared: WeakMap<object, string>): string {
  const hash = createHash('sha256').update(templatesDigest).update(page.template).update('\0');
  // JSON holds no raw NUL: `\0` keeps the pieces apart.
  for (const [name, value] of Object.entries(page.data)) {
    hash.update(name).update('\0');
    if (Array.isArray(value)) {
      hash.update('[\0');
      for (const item of value) hash.update(digestOnce(item, shared)).update('\0');
      hash.update(']\0');
    } else hash.update(digestOnce(value, shared)).update('\0');
  }
  return hash.digest('base64url');
}

/** A primitive's JSON; an object's as a digest of its JSON, made once (`{` starts no JSON primitive). */
function digestOnce(value: unknown, shared: WeakMap<object, string>): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'undefined';
  let digest = shared.get(value);
  if (digest === undefined) {
    digest = `{${createHash('sha256').update(JSON.stringify(value) ?? '').digest('base64url')}`;
    shared.set(value, digest);
  }
  return digest;
}

/**
 * A save waits no longer than this for a build it supersedes, and Pagefind's pipes (64 KB,
 * some 6 posts of work) are refilled at least this often while the pages render.
 */
const PAUSE_EVERY_MS = 5;

interface LiquidLikeError {
  message: string;
  token?: { file?: string; input?: string; getPosition(): [number, number] };
  originalError?: unknown;
  errors?: LiquidLikeError[];
}

/** Where a template failed: its absolute path, line and column, and the message. */
export interface LocatedError {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** The template file, line, column and plain message of a LiquidJS error. */
export function locate(error: unknown, fallbackFile: string): LocatedError {
  const liquidError = (error as LiquidLikeError)?.errors?.[0] ?? (error as LiquidLikeError);
  const token = liquidError?.token;
  const [line, column] = token?.getPosition?.() ?? [1, 1];
  const message = String(liquidError?.message ?? error)
    .replace(/, file:.*$/s, '')
    .replace(/, line:\d+, col:\d+$/s, '')
    // LiquidJS names the folder it looked in by its absolute path: the file it wanted, as
    // every other path is told, relative to the project.
    .replace(/^ENOENT: Failed to lookup "(.*)" in ".*"$/s, (_, name: string) => `no template "${name}" (templates/${path.extname(name) ? name : `${name}.liquid`} is missing)`);
  // A variable's token knows the text of its template but not its file (LiquidJS parses
  // expressions apart): an error inside a partial or the layout is found by that text, not
  // put on the page's template at the partial's line.
  const file = token?.file ?? (typeof token?.input === 'string' ? templateHolding(path.dirname(fallbackFile), token.input) : undefined);
  return { file: file ?? fallbackFile, line, column, message: `template error: ${message}` };
}

/** The template under `dir` (its partials' folders too) whose text is `text`; found once per text. */
function templateHolding(dir: string, text: string): string | undefined {
  const key = `${dir}\0${text}`;
  if (holders.has(key)) return holders.get(key);
  const found = templateFiles(dir).find((file) => {
    const bytes = readable(file);
    return typeof bytes !== 'string' && withoutBom(bytes.toString('utf8')) === text;
  });
  if (holders.size > 1000) holders.clear();
  holders.set(key, found);
  return found;
}

const holders = new Map<string, string | undefined>();

/** Every `.liquid` file under `dir`, its folders included, in name order; none when there is no such folder. */
function templateFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (folder: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.liquid')) files.push(full);
    }
  };
  walk(dir);
  return files;
}

/** What the filters of an engine need from the render call in progress. */
interface RenderCall {
  urls: Urls;
  globals: Record<string, unknown>;
  /** This call's partials by value, then by partial and name. */
  partials: WeakMap<object, Map<string, string>>;
  /** A digest of the templates and globals, made on the first partial rendered. */
  context: string | undefined;
  /** Partials rendered by earlier builds with the same templates. */
  store: FragmentStore | undefined;
}

/**
 * The LiquidJS engine of a templates folder, kept while its templates stay the same: the dev
 * server renders a page or two per save, and parsing the templates again each time would
 * cost more than rendering them. Globals come with each render call.
 */
const engines = new Map<string, { digest: string; liquid: Liquid; call: RenderCall }>();

/** The engine of `templatesDir` (whose templates digest to `templatesDigest`), set up for one render call. */
export function prepareEngine(templatesDir: string, templatesDigest: string, urls: Urls, globals: Record<string, unknown>, partialsDir: string | undefined): { liquid: Liquid; call: RenderCall } {
  const engine = engineFor(templatesDir, templatesDigest);
  const { call } = engine;
  call.urls = urls;
  call.globals = globals;
  call.partials = new WeakMap();
  call.context = undefined;
  call.store = partialsDir === undefined ? undefined : partialStore(partialsDir, templatesDigest);
  return engine;
}

/** Layouts and partials open inside one another beyond this are taken for a template that includes itself. */
const NESTING_LIMIT = 100;

/**
 * `layout`, `render` and `include` that count how deep they are nested. LiquidJS follows a
 * template that includes itself (`{% layout "base" %}` in base.liquid, a partial rendering
 * itself) until the stack runs out, rendering the whole template at each level: 16 s for one
 * page with base.liquid its own layout, a build of minutes at a stack overflow per page. Past
 * the limit, the error names the cycle, at the tag that closes it.
 */
function guardNesting(liquid: Liquid, templatesDir: string): void {
  const open: string[] = [];
  // Each of the three as LayoutTag's type: their constructors and `render` take the same.
  const guarded = (Builtin: typeof LayoutTag | typeof RenderTag | typeof IncludeTag) =>
    class extends (Builtin as typeof LayoutTag) {
      override *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
        const file = path.relative(templatesDir, this.token.file ?? '').split(path.sep).join('/');
        if (open.length >= NESTING_LIMIT) {
          const cycle = open.slice(open.lastIndexOf(file));
          throw new Error(`templates include one another without end: ${[...cycle, file].join(' → ')}`);
        }
        open.push(file);
        try {
          yield* super.render(ctx, emitter);
        } finally {
          open.pop();
        }
      }
    };
  liquid.registerTag('layout', guarded(LayoutTag));
  liquid.registerTag('render', guarded(RenderTag));
  liquid.registerTag('include', guarded(IncludeTag));
}

/**
 * LiquidJS's own file access, less the byte order mark an editor (Windows Notepad) may put
 * at the start of a template: Liquid kept it as text, a U+FEFF in every page, once per list
 * item from a partial.
 */
const nodeFs = new Liquid().options.fs;
const templateFs = {
  ...nodeFs,
  readFileSync: (file: string) => withoutBom((regularFile(file), nodeFs.readFileSync(file))),
  readFile: async (file: string) => withoutBom((regularFile(file), await nodeFs.readFile(file))),
};

/**
 * Throws unless `file` is a regular file: a template that is a named pipe, or a link to one
 * or to a device (`x.liquid -> /dev/zero`), was read for ever and the build hung, as posts
 * were before load.ts refused them.
 */
function regularFile(file: string): void {
  if (!statSync(file).isFile()) throw Object.assign(new Error(`${path.basename(file)} is not a file (a pipe, a socket or a device)`), { code: 'ENOTFILE' });
}

function withoutBom(text: string): string {
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

function engineFor(templatesDir: string, digest: string): { liquid: Liquid; call: RenderCall } {
  const kept = engines.get(templatesDir);
  if (kept?.digest === digest) return kept;
  const liquid = new Liquid({
    root: templatesDir,
    extname: '.liquid',
    outputEscape: 'escape',
    strictFilters: true,
    strictVariables: true,
    // `{% if post.lastmod %}` may test a value that is not there.
    lenientIf: true,
    jsTruthy: false,
    cache: true,
    fs: templateFs,
    // A date written with its offset (`post.date.timestamp`) is formatted at that offset by
    // `date`; those written without one are given the site's below.
    preserveTimezones: true,
  });
  guardNesting(liquid, templatesDir);
  // `{{ post.date }}` printed `[object Object]`: a date view is an object, and what Liquid
  // shows of one is its toString, which a view sent to a render helper cannot carry. A date
  // view output on its own shows as readers of the site see it (`display`), as Hugo's
  // `{{ .Date }}` and Jekyll's `{{ page.date }}` print a date, not nothing.
  const escape = liquid.options.outputEscape!;
  liquid.options.outputEscape = function (this: unknown, value: unknown) {
    return escape.call(this as never, isDateView(value) ? value.display : value);
  };
  const call: RenderCall = { urls: undefined as unknown as Urls, globals: {}, partials: new WeakMap(), context: undefined, store: undefined };
  // As Hugo's: a URL that is already absolute (`page.image.url`, an https:// logo in
  // site.params, `//cdn…`, `mailto:`) is left as it is, not glued under baseURL's path; the
  // site's own absolute URL given to relURL (`page.permalink`) becomes its site-relative form.
  liquid.registerFilter('relURL', (value: unknown) => {
    const text = String(value ?? '');
    const own = call.urls.abs('');
    if (text.startsWith(own)) return call.urls.rel(decodedPath(text.slice(own.length)));
    if (underBasePath(text) || isAbsoluteURL(text)) return text;
    const [where, rest] = pathAndRest(text);
    return call.urls.rel(where) + rest;
  });
  liquid.registerFilter('absURL', (value: unknown) => {
    const text = String(value ?? '');
    if (isAbsoluteURL(text)) return text;
    const [where, rest] = pathAndRest(text);
    return call.urls.abs(underBasePath(where) ? decodedPath(where.slice(call.urls.rel('').length)) : where) + rest;
  });
  // A link geul made (`post.url`, `term.url`: `/blog/posts/a/` under a sub-path baseURL)
  // already holds baseURL's path: `{{ post.url | absURL }}`, Hugo's `.RelPermalink | absURL`,
  // gave `https://example.com/blog/blog/posts/a/`.
  const underBasePath = (text: string) => call.urls.basePath !== '/' && text.startsWith(call.urls.rel(''));
  // Liquid's date filters read a date without an offset (`2024-05-02`, as front matter and
  // site.toml dates reach templates) as UTC or in the machine's zone, and `now` in the
  // machine's zone: `{{ post.date.iso | date: "%Y-%m-%d" }}` showed 2024-05-01 on a machine in
  // Los Angeles. Such a date is read in the site's time zone, as geul reads it, and is shown as
  // written; a date view (`post.date`, Jekyll's `page.date | date: …`) is taken by its `iso`.
  for (const name of ['date', 'date_to_xmlschema', 'date_to_rfc822', 'date_to_string', 'date_to_long_string']) {
    const builtIn = liquid.filters[name] as (this: unknown, value: unknown, ...args: unknown[]) => unknown;
    liquid.registerFilter(name, function (this: unknown, value: unknown, ...args: unknown[]) {
      const timeZone = (call.globals.site as { timeZone?: string } | undefined)?.timeZone;
      const date = writtenDate(value, timeZone);
      // `date`'s second argument is a time zone: the template's, else the site's for `now`.
      if (name === 'date' && date === undefined && args[1] === undefined && timeZone) args = [args[0], timeZone];
      return builtIn.call(this, date ?? value, ...args);
    });
  }
  // `{{ post | partial: "partials/post-item" | raw }}` renders a partial with the value as
  // `post` (or the name given as second argument), once per value: a post listed on the
  // home page and on each of its term pages is rendered once. Only for partials whose output
  // depends on nothing but that value and the globals (site, i18n).
  liquid.registerFilter('partial', (value: unknown, name: unknown, as: unknown = 'post') => {
    const key = `${String(name)}\0${String(as)}`;
    const memo = typeof value === 'object' && value !== null ? (call.partials.get(value) ?? new Map<string, string>()) : undefined;
    const hit = memo?.get(key);
    if (hit !== undefined) return hit;
    // Across calls (the dev server's rebuilds), a partial is found by what it is made of: a
    // term page listing 250 posts, one of them edited, renders one item, not 250.
    call.context ??= createHash('sha256').update(digest).update(JSON.stringify(call.globals)).digest('base64url');
    const made = `${call.context}\0${key}\0${createHash('sha256').update(JSON.stringify(value) ?? '').digest('base64url')}`;
    let html = renderedPartials.get(made);
    if (html === undefined) {
      // Across processes too: a rebuild after one post's edit renders that post's list item
      // and takes the others of a long term page from the store.
      const stored = call.store?.get(made);
      if (typeof stored === 'string') html = stored;
      else {
        html = String(liquid.renderFileSync(String(name), { [String(as)]: value }, { globals: call.globals }));
        call.store?.put(made, html);
      }
    }
    if (renderedPartials.size > 50_000) renderedPartials.clear();
    renderedPartials.set(made, html);
    if (memo) {
      memo.set(key, html);
      call.partials.set(value as object, memo);
    }
    return html;
  });
  const engine = { digest, liquid, call };
  engines.set(templatesDir, engine);
  return engine;
}

/**
 * A date written in front matter or site.toml (or a date view, by its `iso`) as the date
 * filters should read it, with its offset: its own, else the site's on that day. Undefined
 * for anything else (`now`, a number).
 */
function writtenDate(value: unknown, timeZone: string | undefined): string | undefined {
  const text = typeof value === 'object' && value !== null && typeof (value as { iso?: unknown }).iso === 'string' ? (value as { iso: string }).iso : value;
  const date = typeof text === 'string' ? parseDate(text) : undefined;
  if (typeof date !== 'object') return undefined;
  return timeZone ? timestampOf(date, timeZone) : date.iso;
}

/** A `DateView` (view.ts): what `post.date`, `post.lastmod` and the like hold. */
function isDateView(value: unknown): value is { display: string } {
  if (typeof value !== 'object' || value === null) return false;
  const view = value as Record<string, unknown>;
  return typeof view.iso === 'string' && typeof view.display === 'string' && typeof view.timestamp === 'string';
}

/** A URL with a scheme (`https:`, `mailto:`) or a scheme-relative one (`//cdn.example.net/x`). */
function isAbsoluteURL(text: string): boolean {
  return /^[a-z][a-z\d+.-]*:/i.test(text) || text.startsWith('//');
}

/**
 * A template's link cut into its path and what follows it, kept as written: a query
 * (`assets/style.css?v=2`, a theme's cache-busting) or a fragment (`#top`), which the path's
 * escaping made part of the path (`/assets/style.css%3Fv=2`, a file that is not there).
 */
function pathAndRest(text: string): [string, string] {
  const at = text.search(/[?#]/);
  return at === -1 ? [text, ''] : [text.slice(0, at), text.slice(at)];
}

/** A percent-encoded path as `rel()` takes it (Hangul as letters); as given when it is not valid. */
function decodedPath(text: string): string {
  try {
    return decodeURI(text);
  } catch {
    return text;
  }
}

/**
 * Which lists' templates show page navigation: those using `pagination`, themselves, in their
 * layout or in a partial they render (LiquidJS's static analysis follows all three). Hugo cuts
 * a list into pages only when its template calls `.Paginator`; so does geul, so a theme's own
 * term.liquid, made before term pages were paginated, lists every post of a term on its one
 * page rather than the first ten with no way to the rest. A template that does not parse
 * counts as paginating: its error is told when it renders. Once per digest of the templates.
 */
export function paginatingLists(root: string, notes?: Pick<PostCache, 'readNote' | 'writeNote'>): PaginatingLists {
  const templatesDir = path.join(root, 'templates');
  const digest = digestTemplates(templatesDir);
  const key = `${templatesDir}\0${digest}`;
  let answer = paginating.get(key);
  if (!answer) {
    // Kept in the cache too: analysing the templates takes tens of milliseconds, which a
    // rebuild after one post's edit would otherwise spend each time.
    const noted = notes?.readNote('paginating') as { digest?: unknown; answer?: PaginatingLists } | undefined;
    if (noted?.digest === digest && noted.answer) answer = noted.answer;
  }
  if (!answer) {
    const { liquid } = engineFor(templatesDir, digest);
    const uses = (name: string) => {
      try {
        return liquid.globalVariablesSync(liquid.parseFileSync(name)).includes('pagination');
      } catch {
        return true;
      }
    };
    const home = uses('home');
    // `/posts/` renders with the home's template in a theme without section.liquid.
    answer = { home, section: existsSync(path.join(templatesDir, 'section.liquid')) ? uses('section') : home, term: uses('term') };
    notes?.writeNote('paginating', { digest, answer });
  }
  paginating.set(key, answer);
  return answer;
}

/** For each kind of list, whether its template shows page navigation. */
export type PaginatingLists = Record<keyof ListPageSizes, boolean>;

const paginating = new Map<string, PaginatingLists>();

/**
 * A hash of every template file's path and text, and of the code that renders them: geul's
 * sources (its filters, what its views give templates) and LiquidJS. Every page's key and
 * every stored list item starts from it, so a new version of either renders the site again
 * rather than keep pages the old one made from the same data.
 */
/**
 * Syntax errors of every template under `dir` (an unknown tag or filter, a tag left open): the
 * first of each file, as LiquidJS stops there. Parsed once per digest of the templates; the
 * engine keeps what it parsed for rendering.
 */
function parseProblems(liquid: Liquid, dir: string, digest: string): (LocatedError & { warning?: boolean })[] {
  const key = `${dir}\0${digest}`;
  let problems = parsedTemplates.get(key);
  if (problems === undefined) {
    problems = [];
    for (const file of templateFiles(dir)) {
      // Read as UTF-8, as posts are: a template saved as CP949 (Korean Windows) put rows of
      // U+FFFD into every page, with no word of it.
      const bytes = readable(file);
      const encoding = typeof bytes === 'string' ? undefined : encodingProblem(new VFile({ path: file, value: bytes.toString('utf8') }));
      if (encoding) problems.push({ file, line: encoding.line, column: encoding.column, message: encoding.reason, warning: !encoding.fatal });
      try {
        liquid.parseFileSync(path.relative(dir, file).slice(0, -'.liquid'.length));
      } catch (error) {
        problems.push(locate(error, file));
      }
    }
    parsedTemplates.set(key, problems);
  }
  return problems;
}

const parsedTemplates = new Map<string, (LocatedError & { warning?: boolean })[]>();

function digestTemplates(dir: string): string {
  rendererVersion ??= JSON.stringify({ ...versions(), liquidjs: packageVersion('liquidjs') });
  const hash = createHash('sha256').update(rendererVersion);
  for (const file of templateFiles(dir)) hash.update(file).update('\0').update(readable(file)).update('\0');
  return hash.digest('base64url');
}

/**
 * A template's bytes, or the reason it cannot be read (`chmod 000`): that template's parse
 * then fails with the same reason, told at its path with every other problem, where the
 * system's EACCES here ended the run alone.
 */
function readable(file: string): Buffer | string {
  try {
    regularFile(file);
    return readFileSync(file);
  } catch (error) {
    return `unreadable: ${(error as NodeJS.ErrnoException).code}`;
  }
}

/** geul's and LiquidJS's versions, read once: the dev server renders on every save. */
let rendererVersion: string | undefined;

/**
 * The store of rendered partials for the templates as they are now: a folder per digest of
 * the templates, the others removed when it is opened, so the store holds one set of
 * templates' items (a site's worth), however often they are edited.
 */
function partialStore(dir: string, templatesDigest: string): FragmentStore {
  const location = { dir, salt: templatesDigest };
  if (openedPartialStores.get(dir) !== templatesDigest) {
    pruneFragmentStores(location);
    openedPartialStores.set(dir, templatesDigest);
  }
  return openFragmentStore(location);
}

const openedPartialStores = new Map<string, string>();

/** Partials rendered by earlier calls, by templates, globals, partial and a digest of the value. */
const renderedPartials = new Map<string, string>();
