import { randomBytes } from 'node:crypto';
import { BuildAbandoned } from './abandon.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { openCache, type PostCache } from './cache.js';
import type { BuildResult } from './build.js';
import { createSiteBuilder, kindOf, type NewerChanges, type SiteBuilder } from './incremental.js';
import { EVENTS_PATH, HELLO_PATH, injectClient, LiveReload, problemView, type ClientState, type ProblemView } from './live-reload.js';
import { formatProblem, type Problem } from './report.js';
import { serveSite } from './serve.js';
import { buildSearchIndex, SEARCH_BUNDLE_DIR } from './search.js';
import type { Output, Site } from './types.js';
import { createUrls, hrefPath } from './urls.js';
import { watchSources, type SourceWatcher } from './watch.js';

/** Options of `geul dev`. */
export interface DevServerOptions {
  /** Project root (where site.toml lives). */
  root: string;
  /** Port to try first; the next 20 are tried when it is taken. 0 picks a free one. @default 4000 */
  port: number;
  /** Address to listen on. @default "127.0.0.1" (loopback only) */
  host: string;
  /** Where terminal lines go. */
  log: (line: string) => void;
  /** Where the problems of a build go (`path:line:col: …` and their code frames), as `geul build` prints them to stderr; `log` when not given. */
  logProblem?: (line: string) => void;
  /** Posts still to come (`--future`) and expired ones (`--expired`) are served too, as `geul build` takes them. */
  future?: boolean;
  expired?: boolean;
  /**
   * The time the preview starts at (`--clock`, as `hugo server --clock`), its clock running on
   * from there: to watch a scheduled post come out. @default the machine's time
   */
  clock?: Date;
  /** Rebuild when sources change. @default true */
  watch?: boolean;
}

/** What one build of the dev server did. */
export interface RebuildReport {
  /** Paths relative to the root that triggered it, POSIX separators; empty for the first build. */
  changed: string[];
  /** True when the new outputs are being served; false when the last good ones still are. */
  ok: boolean;
  problems: Problem[];
  milliseconds: number;
  /**
   * When only post bodies changed, their pages are served before the rest of the site is
   * rebuilt: milliseconds from the start until then.
   */
  servedAfter?: number;
  /** Saves came in while the rest of the site waited: it is left to the next build. */
  partial?: boolean;
  /** `performance.now()` when it started and finished; builds never overlap. */
  startedAt: number;
  finishedAt: number;
}

/** A running dev server. */
export interface DevServer {
  /** Where the site is served, e.g. `http://127.0.0.1:4000/`. */
  url: string;
  /** True while a build runs. */
  readonly building: boolean;
  /** Resolves when the next build that starts after this call has finished. */
  rebuilt(): Promise<RebuildReport>;
  /** Rebuild now (after any build in progress), whether or not anything changed. */
  rebuild(): Promise<RebuildReport>;
  /** Stop watching, end the event streams, close the server. */
  close(): Promise<void>;
}

/**
 * Long enough to fold an editor's rename-and-replace save (its events come within a
 * millisecond), or a burst of saves, into one build; short next to the 100 ms a save may
 * take to show. A write that lands after the build read the file builds again
 * (SiteBuilder.changedSinceRead).
 */
const DEBOUNCE_MS = 10;
/** chokidar drops a file's second change within 50 ms of its first: checked again after this. */
const RECHECK_MS = 60;
/**
 * The search index is rebuilt this long after the last successful build, in the background:
 * a burst of saves costs one index, and a page reload never waits for it.
 */
const SEARCH_DEBOUNCE_MS = 1000;
/** How many ports above the requested one are tried when it is taken. */
const PORT_ATTEMPTS = 20;

/** The search page's output path (routes.ts), reloaded when a new search bundle is served. */
const SEARCH_PAGE = 'search/index.html';

/** How long after a scheduled post's time the site is built again: past it, whatever the clocks' rounding. */
const UPCOMING_SLACK_MS = 250;

/** The longest delay setTimeout keeps (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Build the site in memory, serve it over HTTP, and rebuild on every change. Never writes
 * `dist/`. A failed build never stops the server: the last good site stays up, with the
 * problems over it in the browser and in the terminal.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const server = new GeulDevServer(options);
  try {
    await server.start();
  } catch (error) {
    await server.close();
    throw error;
  }
  return server;
}

/** The last good build, as served. */
interface Snapshot {
  outputs: Map<string, Output>;
  basePath: string;
  version: string;
}

class GeulDevServer implements DevServer {
  url = '';
  readonly #root: string;
  readonly #options: DevServerOptions;
  readonly #log: (line: string) => void;
  readonly #logProblem: (line: string) => void;
  readonly #http: Server;
  readonly #live = new LiveReload();
  /** Sources and compiled posts, kept across rebuilds: a save recompiles only the file it touched. */
  #builder: SiteBuilder | undefined;
  #cache: PostCache | undefined;
  /** New cache entries being written, after the build that made them has been served. */
  #flushing: Promise<void> = Promise.resolve();
  #cacheWarned = false;
  /** Changes a restart of `geul dev` apart, so that open pages reload once on reconnect. */
  readonly #boot = randomBytes(4).toString('hex');
  #watcher: SourceWatcher | undefined;
  #snapshot: Snapshot = { outputs: new Map(), basePath: '/', version: '' };
  /** Problems of the latest build when it failed; empty while the site is good. */
  #broken: Problem[] = [];
  /** Warnings of the build being served: the browser shows them as the terminal does. */
  #warnings: ProblemView[] = [];

  #pending = new Set<string>();
  #forced = false;
  #timer: NodeJS.Timeout | undefined;
  /** Builds the site again when its next scheduled post comes out (or expires). */
  #upcomingTimer: NodeJS.Timeout | undefined;
  #current: Promise<void> | undefined;
  #again = false;
  #started = 0;
  #waiters: { after: number; resolve: (report: RebuildReport) => void }[] = [];
  #closed = false;
  /** The Pagefind bundle of the latest indexed build; carried into each new snapshot until replaced. */
  #search = new Map<string, Output>();
  /** The newest site not indexed yet. */
  #unindexed: Site | undefined;
  #searchTimer: NodeJS.Timeout | undefined;
  #recheckTimer: NodeJS.Timeout | undefined;
  #indexing: Promise<void> | undefined;

  /** The preview's now: the machine's time, or `clock` and the time since the start. */
  readonly #now: () => Date;

  constructor(options: DevServerOptions) {
    this.#options = options;
    const ahead = options.clock ? options.clock.getTime() - Date.now() : 0;
    this.#now = () => new Date(Date.now() + ahead);
    this.#root = path.resolve(options.root);
    this.#log = options.log;
    this.#logProblem = options.logProblem ?? options.log;
    this.#http = createServer((req, res) => this.#handle(req, res));
  }

  get building(): boolean {
    return this.#current !== undefined;
  }

  async start(): Promise<void> {
    // The watcher scans the tree while the site builds: a change during the build is
    // pending, and builds again after it.
    const watching = this.#options.watch !== false ? this.#watch() : undefined;
    const first = this.rebuilt();
    this.#flush(true);
    const [report, watcher] = await Promise.all([first, watching]);
    this.#watcher = watcher;
    const port = await listen(this.#http, this.#options.port, this.#options.host);
    const host = this.#options.host;
    const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
    this.url = `http://${shownHost}:${port}${hrefPath(this.#snapshot.basePath)}`;
    const notes = ['drafts included'];
    if (this.#options.future) notes.push('posts still to come included');
    if (this.#options.expired) notes.push('expired posts included');
    if (this.#options.clock) notes.push(`clock set to ${this.#options.clock.toISOString()}`);
    if (this.#options.port !== 0 && port !== this.#options.port) notes.push(`port ${this.#options.port} was in use`);
    if (shownHost !== host) notes.push(`listening on all interfaces (${host})`);
    this.#log(`geul dev: serving ${this.url} (${notes.join('; ')})`);
    this.#report(report);
  }

  rebuilt(): Promise<RebuildReport> {
    return new Promise((resolve) => this.#waiters.push({ after: this.#started, resolve }));
  }

  rebuild(): Promise<RebuildReport> {
    const next = this.rebuilt();
    this.#flush(true);
    return next;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#searchTimer);
    clearTimeout(this.#recheckTimer);
    clearTimeout(this.#upcomingTimer);
    await this.#watcher?.close();
    this.#live.close();
    await new Promise<void>((resolve) => {
      if (!this.#http.listening) return resolve();
      this.#http.close(() => resolve());
      this.#http.closeAllConnections();
    });
    // Let a build in progress finish reading files before the caller removes them.
    await this.#current;
    await this.#flushing;
    await this.#indexing;
  }

  #watch(): Promise<SourceWatcher> {
    return watchSources(
      this.#root,
      (file) => this.#changed(file),
      (message) => this.#log(`geul dev: watcher error: ${message}`),
    );
  }

  /** For the build running: whether changes came after it started, and a wait they cut short. */
  readonly #newer: NewerChanges = {
    arrived: () => this.#pending.size > 0,
    wait: (ms) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.#onChange.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        this.#onChange.add(done);
      }),
  };
  readonly #onChange = new Set<() => void>();

  /** `file`: relative to the root, with `/` separators. */
  #changed(file: string): void {
    this.#pending.add(file);
    for (const wake of [...this.#onChange]) wake();
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#flush(false), DEBOUNCE_MS);
  }

  /**
   * Start a build for everything pending, unless one is running: then exactly one more runs
   * after it, for every change that arrived meanwhile.
   */
  #flush(force: boolean): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#forced ||= force;
    if (this.#closed) return;
    if (this.#current) {
      this.#again = true;
      return;
    }
    if (this.#pending.size === 0 && !this.#forced) return;
    const changed = [...this.#pending].sort();
    this.#pending.clear();
    this.#forced = false;
    const first = this.#started === 0;
    this.#current = this.#build(changed).then((report) => {
      this.#current = undefined;
      // A build called off before serving anything is reported by the one taking its changes on.
      const silent = report.partial && report.servedAfter === undefined;
      if (!first && !this.#closed && !silent) this.#report(report);
      const waiting = this.#waiters;
      this.#waiters = waiting.filter((waiter) => waiter.after >= this.#started);
      for (const waiter of waiting) if (waiter.after < this.#started) waiter.resolve(report);
      if (this.#again) {
        this.#again = false;
        // A debounce still running means the burst is not over: its timer starts the build.
        if (!this.#timer) this.#flush(false);
      }
    }).catch((error: unknown) => {
      this.#current = undefined;
      this.#log(`geul dev: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    });
  }

  async #build(changed: string[]): Promise<RebuildReport> {
    this.#started++;
    const startedAt = performance.now();
    let problems: Problem[];
    let result: BuildResult | undefined;
    let servedAt: number | undefined;
    let superseded = false;
    try {
      this.#cache ??= openCache(this.#root, true);
      this.#builder ??= createSiteBuilder(this.#root, this.#cache, { future: Boolean(this.#options.future), expired: Boolean(this.#options.expired), now: this.#now });
      result = await this.#builder.update(
        changed,
        this.#snapshot.outputs,
        (outputs) => {
          if (this.#serveQuick(outputs)) servedAt = performance.now();
        },
        // The first build is never called off: until it ends there is nothing to serve.
        this.#snapshot.version ? this.#newer : undefined,
      );
      superseded = result === undefined;
      // Called off before serving anything: the next build takes these changes on.
      if (superseded && servedAt === undefined) for (const file of changed) this.#pending.add(file);
      problems = result?.problems ?? [];
    } catch (error) {
      problems = [crashProblem(error)];
    }
    const ok = superseded || (result !== undefined && !problems.some((problem) => problem.severity === 'error'));
    if (superseded) {
      // Served by the quick pass; lists, feed and sitemap come with the next build.
    } else if (ok && result) {
      const previous = this.#snapshot.outputs;
      const outputs = new Map<string, Output>();
      // Unchanged pages keep the bytes served before (from the quick pass, if there was one).
      const pages: string[] = [];
      for (const output of result.outputs) {
        const file = output.path.normalize('NFC');
        const kept = 'unchanged' in output ? previous.get(file) : undefined;
        if (!kept && file.endsWith('.html') && !sameContent(output, previous.get(file))) pages.push(file);
        outputs.set(file, kept ?? output);
      }
      for (const [file, output] of this.#search) outputs.set(file, output);
      for (const file of previous.keys()) if (file.endsWith('.html') && !outputs.has(file)) pages.push(file);
      // Only markdown changed: just the pages whose bytes changed reload. Anything else
      // (an image, a stylesheet, a template, the first build, a recovery) reloads every page.
      const targeted = this.#broken.length === 0 && changed.length > 0 && changed.every((file) => kindOf(file) !== undefined);
      const basePath = basePathOf(result) ?? this.#snapshot.basePath;
      const reload = !targeted || basePath !== this.#snapshot.basePath || pages.length > 0 || servedAt === undefined;
      this.#snapshot = { outputs, basePath, version: reload ? `${this.#boot}.${this.#started}` : this.#snapshot.version };
      this.#broken = [];
      if (reload) this.#live.reload(this.#snapshot.version, targeted ? pages : undefined);
      // A good build's problems are all warnings. Pages not reloaded learn of them too.
      const warnings = problems.map(problemView);
      if (JSON.stringify(warnings) !== JSON.stringify(this.#warnings)) this.#live.warnings(warnings);
      this.#warnings = warnings;
      if (result.site) {
        this.#indexLater(result.site, this.#started === 1);
        this.#wakeForUpcoming(result.upcoming);
      }
      if (this.#started === 1) void this.#builder?.warm().catch(() => {});
    } else {
      this.#broken = problems;
      this.#live.error(this.#clientState());
    }
    for (const file of this.#builder?.changedSinceRead() ?? []) this.#changed(file);
    // And once more when chokidar's 50 ms window has passed, for a save that lands now.
    clearTimeout(this.#recheckTimer);
    this.#recheckTimer = setTimeout(() => {
      if (this.#closed) return;
      for (const file of this.#builder?.changedSinceRead() ?? []) this.#changed(file);
    }, RECHECK_MS);
    // New results go to disk too, so the next `geul dev` or `geul build` starts warm; after
    // serving, so no page waits for the disk.
    const cache = this.#cache;
    if (cache) {
      this.#flushing = this.#flushing
        .then(() => cache.flush({ prune: false }))
        .then((unsaved) => {
          // Said once a session: every save would say it again.
          if (unsaved && !this.#cacheWarned) console.error(`geul dev: ${unsaved}`);
          this.#cacheWarned ||= unsaved !== undefined;
        })
        .catch(() => {});
    }
    const finishedAt = performance.now();
    return {
      changed,
      ok,
      problems,
      milliseconds: Math.round(finishedAt - startedAt),
      ...(servedAt !== undefined ? { servedAfter: Math.round(servedAt - startedAt) } : {}),
      ...(superseded ? { partial: true } : {}),
      startedAt,
      finishedAt,
    };
  }

  /**
   * A post dated later (its `date`, `publishDate` or `expiryDate`), or the new year the
   * footer shows: when that time comes the site is built again, as `geul build` would make it
   * then, though no file changed.
   */
  #wakeForUpcoming(upcoming: readonly number[]): void {
    clearTimeout(this.#upcomingTimer);
    const now = this.#now().getTime();
    const next = Math.min(...upcoming.filter((instant) => instant > now));
    if (next === Infinity) return;
    // A timer waits at most 2³¹ − 1 ms (24.8 days); a later time is aimed at again then.
    this.#upcomingTimer = setTimeout(() => this.#flush(true), Math.min(next - now + UPCOMING_SLACK_MS, MAX_TIMER_MS));
  }

  /**
   * Serve the pages of a body-only change at once and reload open pages; the rest of the
   * site is still being rebuilt. Not while the site is broken: its problems stay shown
   * until a whole build clears them.
   */
  #serveQuick(outputs: Output[]): boolean {
    if (this.#broken.length > 0 || !this.#snapshot.version || this.#closed) return false;
    const served = new Map(this.#snapshot.outputs);
    const pages = outputs.map((output) => output.path.normalize('NFC'));
    for (const output of outputs) served.set(output.path.normalize('NFC'), output);
    this.#snapshot = { ...this.#snapshot, outputs: served, version: `${this.#boot}.${this.#started}q` };
    this.#live.reload(this.#snapshot.version, pages);
    return true;
  }

  /**
   * Index `site` for the search page (drafts included, as served): at once after the first
   * build, else once saves have paused. The new bundle replaces the old one in the snapshot.
   */
  #indexLater(site: Site, now: boolean): void {
    this.#unindexed = site;
    clearTimeout(this.#searchTimer);
    this.#searchTimer = setTimeout(() => this.#index(), now ? 0 : SEARCH_DEBOUNCE_MS);
  }

  #index(): void {
    const site = this.#unindexed;
    // One index at a time; the one running starts the next when it ends.
    if (this.#closed || this.#indexing || !site) return;
    this.#unindexed = undefined;
    const current = new Map([...this.#search].map(([file, output]) => [file, output.key ?? '']));
    // Called off by a save (or a build under way): a save must not wait for an index.
    this.#indexing = buildSearchIndex(site, current, { abandon: () => this.#pending.size > 0 || this.#current !== undefined })
      .then((index) => {
        // A save that changed no post's text (a template, an image) keeps the bundle.
        if (this.#closed || index.reused) return;
        this.#search = keptFiles(index.outputs, this.#search);
        const outputs = new Map([...this.#snapshot.outputs].filter(([file]) => !file.startsWith(`${SEARCH_BUNDLE_DIR}/`)));
        for (const [file, output] of this.#search) outputs.set(file, output);
        this.#snapshot = { ...this.#snapshot, outputs };
        // A search page open meanwhile would ask for the old bundle's chunks, which are gone:
        // it reloads (its query is in its URL). Other pages are as they were.
        this.#live.searchChanged(SEARCH_PAGE);
      })
      .catch((error: unknown) => {
        // The next successful build schedules a newer site; until then, this one again.
        if (error instanceof BuildAbandoned) this.#unindexed ??= site;
        else this.#log(`geul dev: search index: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => {
        this.#indexing = undefined;
        if (this.#unindexed) this.#indexLater(this.#unindexed, false);
      });
  }

  /** Problems first, as a compiler prints them, then one line for the build. */
  #report(report: RebuildReport): void {
    for (const problem of report.problems) {
      this.#logProblem(formatProblem(problem));
      if (problem.frame) this.#logProblem(problem.frame);
    }
    const errors = report.problems.filter((problem) => problem.severity === 'error').length;
    const warnings = report.problems.length - errors;
    const what = report.changed.length > 0 ? `${listChanged(report.changed)} changed: rebuilt` : 'built';
    const outcome = report.ok
      ? ''
      : this.#snapshot.version
        ? '; still serving the last good build'
        : '; nothing to serve until it is fixed';
    this.#log(
      `geul dev: ${what} in ${report.milliseconds} ms, ${plural(errors, 'error')}, ${plural(warnings, 'warning')}${outcome}` +
        (report.servedAfter !== undefined
          ? ` (changed pages served after ${report.servedAfter} ms${report.partial ? '; lists follow with the next build' : ''})`
          : ''),
    );
  }

  #clientState(): ClientState {
    return {
      version: this.#snapshot.version,
      problems: this.#broken.map(problemView),
      warnings: this.#warnings,
      base: this.#snapshot.basePath,
    };
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const pathname = (req.url ?? '/').split('?', 1)[0];
    if (pathname === EVENTS_PATH && req.method === 'GET') {
      this.#live.connect(req, res, this.#clientState());
      return;
    }
    if (pathname === HELLO_PATH && req.method === 'GET') {
      this.#live.hello(res, this.#clientState());
      return;
    }
    const state = this.#clientState();
    serveSite(req, res, {
      outputs: this.#snapshot.outputs,
      basePath: this.#snapshot.basePath,
      html: (text) => injectClient(text, state),
    }).catch((error: unknown) => {
      this.#log(`geul dev: ${req.method} ${req.url}: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end();
    });
  }
}

/** Listen on `port`, or on the next free one up to PORT_ATTEMPTS above it; the port taken. */
async function listen(server: Server, port: number, host: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port + attempt, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return (server.address() as AddressInfo).port;
    } catch (error) {
      const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!inUse || port === 0 || attempt >= PORT_ATTEMPTS || port + attempt >= 65535) {
        if (inUse) throw new Error(`ports ${port}–${port + attempt} on ${host} are all in use; pass --port`, { cause: error });
        throw error;
      }
    }
  }
}

function basePathOf(result: BuildResult): string | undefined {
  if (!result.site) return undefined;
  try {
    return createUrls(result.site.config).basePath;
  } catch {
    return undefined;
  }
}

/** A build that threw is a bug in geul, not in the writer's files; say so, with the stack. */
function crashProblem(error: unknown): Problem {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? error.stack?.split('\n').slice(1, 8).join('\n') : undefined;
  return {
    path: '(geul)',
    line: 1,
    column: 1,
    message: `the build crashed: ${message}`,
    severity: 'error',
    ...(stack ? { frame: stack } : {}),
  };
}

/**
 * The files of a new search bundle. A part of the index whose posts did not change comes back
 * as `{ unchanged: true }` entries (a big site's index is in parts, src/search-parts.ts): they
 * keep the files served now, which are what `buildSearchIndex` was given as the previous bundle.
 */
function keptFiles(outputs: readonly Output[], served: ReadonlyMap<string, Output>): Map<string, Output> {
  const files = new Map<string, Output>();
  for (const output of outputs) {
    const file = 'unchanged' in output ? served.get(output.path) : output;
    if (!file) throw new Error(`${output.path} was not indexed again, and the file served before is gone`);
    files.set(output.path, file);
  }
  return files;
}

/** Whether a newly rendered output has the bytes of the one served before. */
function sameContent(output: Output, before: Output | undefined): boolean {
  if (!before || !('content' in output) || !('content' in before)) return false;
  return typeof output.content === 'string' && typeof before.content === 'string'
    ? output.content === before.content
    : Buffer.from(output.content).equals(Buffer.from(before.content));
}

/** `a.md, b.md, c.md +2 more`. */
function listChanged(changed: string[]): string {
  const shown = changed.slice(0, 3).join(', ');
  return changed.length > 3 ? `${shown} +${changed.length - 3} more` : shown;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
