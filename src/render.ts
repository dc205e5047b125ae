import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { Liquid } from 'liquidjs';
import { VFile } from 'vfile';
import { openFragmentStore, pruneFragmentStores, type FragmentStore } from './fragments.js';
import { addError } from './report.js';
import type { Output, Page } from './types.js';
import type { Urls } from './urls.js';

/** The rendered pages, and the template files with any problems recorded on them. */
export interface RenderResult {
  outputs: Output[];
  /** HTML pages given to `emit` rather than returned. */
  emitted: number;
  templateFiles: VFile[];
}

/**
 * Page[] → Output[] through LiquidJS: the only module that knows the template engine.
 * Output is HTML-escaped unless a template says `| raw` (only the post body does), and an
 * unknown variable or filter is an error at its place in the template, not an empty string.
 */
export async function render(
  pages: Page[],
  root: string,
  urls: Urls,
  globals: Record<string, unknown> = {},
  previous: ReadonlyMap<string, string> = new Map(),
  /** Awaited every PAUSE_EVERY_MS of rendering: a caller's chance to let other work run, or to stop. */
  pause?: () => Promise<void>,
  /** Given each page as it is rendered, instead of returning it (`geul build` writes it at once). */
  emit?: (output: Output) => Promise<void>,
  /** Where list items rendered by earlier builds are kept (`.cache/geul/partials/`); none without cache. */
  partialsDir?: string,
): Promise<RenderResult> {
  const templatesDir = path.join(root, 'templates');
  const templatesDigest = digestTemplates(templatesDir);
  const { liquid, call } = engineFor(templatesDir, templatesDigest);
  call.urls = urls;
  call.globals = globals;
  call.partials = new WeakMap();
  call.context = undefined;
  call.store = partialsDir === undefined ? undefined : partialStore(partialsDir, templatesDigest);

  const templateFiles = new Map<string, VFile>();
  const fileOf = (absolute: string) => {
    const relative = path.relative(root, absolute).split(path.sep).join('/');
    let file = templateFiles.get(relative);
    if (!file) {
      file = new VFile({ path: relative, cwd: root, value: existsSync(absolute) ? readFileSync(absolute, 'utf8') : '' });
      templateFiles.set(relative, file);
    }
    return file;
  };
  const reported = new Set<string>();

  const outputs: Output[] = [];
  let emitted = 0;
  const done = async (output: Output) => {
    if (!emit) return void outputs.push(output);
    await emit(output);
    if (output.path.endsWith('.html')) emitted++;
  };
  let paused = performance.now();
  const sharedDigests = new WeakMap<object, string>();
  for (const page of pages) {
    if (pause && performance.now() - paused >= PAUSE_EVERY_MS) {
      await pause();
      paused = performance.now();
    }
    const key = pageKey(templatesDigest, page, sharedDigests);
    if (previous.get(page.outputPath) === key) {
      await done({ path: page.outputPath, unchanged: true, key });
      continue;
    }
    let content: string;
    try {
      content = liquid.renderFileSync(page.template, page.data, { globals });
    } catch (error) {
      const located = locate(error, path.join(templatesDir, `${page.template}.liquid`));
      const key = `${located.file}:${located.line}:${located.column}:${located.message}`;
      if (reported.has(key)) continue;
      reported.add(key);
      addError(fileOf(located.file), located.message, { line: located.line, column: located.column }, 'template');
      continue;
    }
    await done({ path: page.outputPath, content, key });
  }
  call.store?.flush();
  return { outputs, emitted, templateFiles: [...templateFiles.values()] };
}

/**
 * What a page's bytes are made of: every template (a page may include any partial) and its
 * data. JSON of the data costs far less than rendering it; a post's body is not in it (a
 * non-enumerable getter), its digest is (`PostView.contentDigest`). Most of that JSON is
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
  token?: { file?: string; getPosition(): [number, number] };
  originalError?: unknown;
  errors?: LiquidLikeError[];
}

/** The template file, line, column and plain message of a LiquidJS error. */
function locate(error: unknown, fallbackFile: string) {
  const liquidError = (error as LiquidLikeError)?.errors?.[0] ?? (error as LiquidLikeError);
  const token = liquidError?.token;
  const [line, column] = token?.getPosition?.() ?? [1, 1];
  const message = String(liquidError?.message ?? error)
    .replace(/, file:.*$/s, '')
    .replace(/, line:\d+, col:\d+$/s, '');
  return { file: token?.file ?? fallbackFile, line, column, message: `template error: ${message}` };
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
  });
  const call: RenderCall = { urls: undefined as unknown as Urls, globals: {}, partials: new WeakMap(), context: undefined, store: undefined };
  liquid.registerFilter('relURL', (value: unknown) => call.urls.rel(String(value ?? '')));
  liquid.registerFilter('absURL', (value: unknown) => call.urls.abs(String(value ?? '')));
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

/** A hash of every template file's path and text. */
function digestTemplates(dir: string): string {
  const hash = createHash('sha256');
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
      else if (entry.name.endsWith('.liquid')) hash.update(full).update('\0').update(readFileSync(full)).update('\0');
    }
  };
  walk(dir);
  return hash.digest('base64url');
}

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
