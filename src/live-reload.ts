import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatProblem, type Problem } from './report.js';

/** Where pages of the dev server listen for server-sent events. */
export const EVENTS_PATH = '/__geul/events';
/**
 * Where a page asks once for the greeting a stream of its own would give (the current state),
 * when another tab's stream brings it the events.
 */
export const HELLO_PATH = '/__geul/hello';

/** A problem as the browser shows it. */
export interface ProblemView {
  /** `path:line:col: message`, as in the terminal. */
  text: string;
  /** Code frame under it, when known. */
  frame?: string;
  severity: Problem['severity'];
  path: string;
  line: number;
  column: number;
  message: string;
}

/** What a page knows about the server: the build it was served from, and what is broken now. */
export interface ClientState {
  /**
   * Identifies the last good build: a boot id plus a counter. A page compares it with the
   * server's on every (re)connect, so it also reloads after an event it missed while the
   * connection was down, or after `geul dev` was restarted.
   */
  version: string;
  /** Problems of the current build when it failed, else empty. */
  problems: ProblemView[];
  /**
   * Warnings of the build being served (invalid math, an unknown code language), shown in a
   * panel the writer can close, over a page that stays usable; empty once they are fixed.
   */
  warnings: ProblemView[];
  /** Path part of baseURL (`/` or `/blog/`), for a page to find its own output path. */
  base: string;
}

export function problemView(problem: Problem): ProblemView {
  const { path, line, column, message, severity, frame } = problem;
  return { text: formatProblem(problem), ...(frame ? { frame } : {}), severity, path, line, column, message };
}

/**
 * Add the live-reload client to one HTML page, just before `</body>` (or at the end when the
 * page has none). Only the dev server calls this, on the way out: build output never has it.
 */
export function injectClient(html: string, state: ClientState): string {
  const script = `<script data-geul-dev>(${CLIENT})(${scriptJson({ ...state, events: EVENTS_PATH, hello: HELLO_PATH })});</script>\n`;
  let at = -1;
  for (const match of html.matchAll(/<\/body\s*>/gi)) at = match.index;
  return at === -1 ? html + script : html.slice(0, at) + script + html.slice(at);
}

/** JSON that cannot end the script element it sits in, whatever a problem message holds. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The open event streams of every page showing the site. */
export class LiveReload {
  readonly #clients = new Set<ServerResponse>();

  /** Take over one request to EVENTS_PATH and greet it with the current state. */
  connect(req: IncomingMessage, res: ServerResponse, hello: ClientState): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    res.write('retry: 500\n\n');
    this.#clients.add(res);
    const forget = () => this.#clients.delete(res);
    req.once('close', forget);
    res.once('close', forget);
    res.once('error', forget);
    res.write(message('hello', hello));
  }

  /** Answer one request to HELLO_PATH with the state a new stream would be greeted with. */
  hello(res: ServerResponse, hello: ClientState): void {
    const body = JSON.stringify(hello);
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  /**
   * After a good build: pages reload, all of them, or with `pages` only those showing one of
   * these output paths (`posts/글/index.html`): a save reloads the post being written,
   * not every tab open on the site.
   */
  reload(version: string, pages?: readonly string[]): void {
    this.#broadcast(message('reload', pages ? { version, pages } : { version }));
  }

  /** A new search index is served: the page at `page` (the search page) reloads, no other. */
  searchChanged(page: string): void {
    this.#broadcast(message('search', { page }));
  }

  /** After a failed build: every page shows the problems over the last good content. */
  error(state: ClientState): void {
    this.#broadcast(message('error', state));
  }

  /**
   * The warnings of the build being served changed: every page shows them (or stops showing
   * them), without reloading. A page reloaded by the same build gets them with its HTML too.
   */
  warnings(warnings: readonly ProblemView[]): void {
    this.#broadcast(message('warnings', { warnings }));
  }

  get clients(): number {
    return this.#clients.size;
  }

  /** End every stream (the pages keep retrying until a server is back). */
  close(): void {
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }

  #broadcast(text: string): void {
    for (const res of this.#clients) res.write(text);
  }
}

function message(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The browser side, kept as plain text (not a function's source) so that no compiler helper
 * ends up in it. It saves `scrollY` before reloading and restores it after, so a writer
 * checking a formula halfway down a long post stays there. Note that `error` is also the
 * name EventSource gives its own connection errors; ours are the ones that carry data.
 */
const CLIENT = `function (state) {
  var key = 'geul:scroll:' + location.pathname;
  try {
    var saved = sessionStorage.getItem(key);
    if (saved) {
      sessionStorage.removeItem(key);
      var position = JSON.parse(saved);
      // 'instant': a theme's scroll-behavior: smooth would otherwise glide down from the top.
      var restore = function () { window.scrollTo({ left: position.x, top: position.y, behavior: 'instant' }); };
      restore();
      var reached = window.scrollY;
      // Images and fonts can grow or shrink the page after this script runs; follow them
      // unless the reader has scrolled on their own in the meantime. Until the page has
      // settled, the browser's scroll anchoring is off: when a font arrives it shifts the page
      // by what reflowed above the fold, which looks like the reader scrolling, and leaves
      // them that far from where they were (65 px on a long post with formulas).
      var html = document.documentElement;
      html.style.overflowAnchor = 'none';
      var again = function () { if (Math.abs(window.scrollY - reached) < 2) { restore(); reached = window.scrollY; } };
      if (document.fonts) document.fonts.addEventListener('loadingdone', again);
      window.addEventListener('load', function () {
        again();
        var settled = function () {
          again();
          html.style.overflowAnchor = '';
          if (document.fonts) document.fonts.removeEventListener('loadingdone', again);
        };
        if (document.fonts) document.fonts.ready.then(settled);
        else settled();
      }, { once: true });
    }
  } catch (error) {}

  function reload() {
    try { sessionStorage.setItem(key, JSON.stringify({ x: window.scrollX, y: window.scrollY })); } catch (error) {}
    location.reload();
  }

  // The blocking overlay of a failed build and the warnings panel of a good one show each
  // problem alike: \`path:line:col: message\` and the code frame, as the terminal does.
  var STYLE = ':host{all:initial}'
    + '.box{position:fixed;z-index:2147483647;overflow:auto;box-sizing:border-box;color:#eee;'
    + 'font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}'
    + '.backdrop{inset:0;padding:32px;background:rgba(24,24,28,.94)}'
    + '.panel{right:16px;bottom:16px;width:min(760px,calc(100vw - 32px));max-height:min(50vh,480px);padding:16px 20px;'
    + 'background:rgba(24,24,28,.96);border-left:4px solid #ffca28;border-radius:6px;box-shadow:0 6px 24px rgba(0,0,0,.35);font-size:13px}'
    + 'h2{margin:0 32px 16px 0;font-size:16px;color:#ff8a80}.panel h2{color:#ffe082;font-size:14px;margin-bottom:12px}'
    + '.problem{margin:0 0 20px}.panel .problem{margin-bottom:14px}.where{margin:0 0 6px;white-space:pre-wrap;color:#ffcdd2}'
    + '.warning .where{color:#ffe082}pre{margin:0;padding:12px;overflow:auto;background:#000;border-radius:4px}'
    + 'button{position:absolute;top:12px;right:16px;font:inherit;color:inherit;background:none;border:0;cursor:pointer;font-size:20px}'
    + '.panel button{top:8px;right:10px}';

  function plural(count, noun) {
    return count + ' ' + noun + (count === 1 ? '' : 's');
  }

  /** A shadow-rooted element holding a box with a close button, a title and the problems. */
  function problemBox(tag, kind, label, heading, problems, close) {
    var host = document.createElement(tag);
    var root = host.attachShadow({ mode: 'open' });
    var style = document.createElement('style');
    style.textContent = STYLE;
    root.appendChild(style);
    var box = document.createElement('div');
    box.className = 'box ' + kind;
    box.setAttribute('role', kind === 'panel' ? 'region' : 'alertdialog');
    box.setAttribute('aria-label', label);
    var button = document.createElement('button');
    button.textContent = '\\u00d7';
    button.setAttribute('aria-label', 'Close');
    button.addEventListener('click', close);
    box.appendChild(button);
    var title = document.createElement('h2');
    title.textContent = heading;
    box.appendChild(title);
    problems.forEach(function (problem) {
      var item = document.createElement('div');
      item.className = 'problem ' + problem.severity;
      var where = document.createElement('p');
      where.className = 'where';
      where.textContent = problem.text;
      item.appendChild(where);
      if (problem.frame) {
        var frame = document.createElement('pre');
        frame.textContent = problem.frame;
        item.appendChild(frame);
      }
      box.appendChild(item);
    });
    root.appendChild(box);
    document.documentElement.appendChild(host);
    return host;
  }

  var overlay = null;
  function hide() {
    if (overlay) overlay.remove();
    overlay = null;
  }
  function show(problems) {
    hide();
    hideWarnings();
    var errors = problems.filter(function (p) { return p.severity === 'error'; }).length;
    // The version is empty until a build has been good: there is no last good build to show.
    var heading = plural(errors, 'error') + (state.version ? ': showing the last good build' : ': nothing to show until it is fixed');
    overlay = problemBox('geul-error-overlay', 'backdrop', 'geul build errors', heading, problems, hide);
  }

  // Warnings leave the page usable: a panel in a corner, closed for as long as they stay the
  // same (in this tab, across reloads); a new or changed warning opens it again.
  var dismissedKey = 'geul:warnings-dismissed';
  var panel = null;
  function hideWarnings() {
    if (panel) panel.remove();
    panel = null;
  }
  function showWarnings(warnings) {
    hideWarnings();
    var seen = JSON.stringify(warnings.map(function (w) { return w.text; }));
    var dismissed = null;
    try {
      if (warnings.length) dismissed = sessionStorage.getItem(dismissedKey);
      else sessionStorage.removeItem(dismissedKey);
    } catch (error) {}
    if (!warnings.length || dismissed === seen) return;
    panel = problemBox('geul-warnings', 'panel', 'geul build warnings', plural(warnings.length, 'warning') + ': the page is shown as built', warnings, function () {
      try { sessionStorage.setItem(dismissedKey, seen); } catch (error) {}
      hideWarnings();
    });
  }

  if (state.problems.length) show(state.problems);
  else showWarnings(state.warnings);
  if (!window.EventSource) return;
  var handlers = {
    hello: function (data) {
      var now = JSON.parse(data);
      if (now.problems.length) show(now.problems);
      else if (now.version !== state.version) reload();
      else {
        hide();
        showWarnings(now.warnings);
      }
    },
    reload: function (text) {
      var data = {};
      try { data = JSON.parse(text); } catch (error) {}
      hide();
      if (!data.pages || shows(data.pages)) reload();
      // This page is as built: the next hello must not reload it.
      else state.version = data.version;
    },
    search: function (text) {
      var data = {};
      try { data = JSON.parse(text); } catch (error) {}
      if (shows([data.page])) reload();
    },
    warnings: function (data) {
      if (!overlay) showWarnings(JSON.parse(data).warnings);
    },
    error: function (data) {
      show(JSON.parse(data).problems);
    }
  };
  // The output paths this page may be served from: \`/blog/posts/%EA%B8%80/\` → \`posts/글/index.html\`.
  // Without its slash, the folder's page too: \`/posts/글\` is a 404 until the post is written,
  // then a redirect to it, and the writer who typed it waits for that page.
  function ownPaths() {
    var here = location.pathname;
    try { here = decodeURIComponent(here).normalize('NFC'); } catch (error) {}
    if (here.indexOf(state.base) === 0) here = here.slice(state.base.length);
    return here === '' || here.slice(-1) === '/' ? [here + 'index.html'] : [here, here + '/index.html'];
  }
  function shows(pages) {
    return ownPaths().some(function (page) { return pages.indexOf(page) !== -1; });
  }
  function listen(relay) {
    var source = new EventSource(state.events);
    Object.keys(handlers).forEach(function (name) {
      source.addEventListener(name, function (event) {
        // \`error\` is also the name EventSource gives its own connection errors; ours carry data.
        if (typeof event.data !== 'string') return;
        if (relay) relay.postMessage({ name: name, data: event.data });
        handlers[name](event.data);
      });
    });
  }
  // A browser keeps at most six HTTP/1.1 connections to a host for all its tabs, and a stream
  // holds one for as long as its page is open: with six tabs of the preview open, a seventh
  // never loaded. So one tab, the holder of a Web Lock, listens and passes each event on to
  // the others; when it closes or reloads, the next tab waiting for the lock takes over.
  var channel = null;
  try {
    if (window.BroadcastChannel && navigator.locks) channel = new BroadcastChannel('geul:events');
  } catch (error) {}
  if (!channel) return listen(null);
  channel.onmessage = function (message) {
    var event = message.data || {};
    if (Object.prototype.hasOwnProperty.call(handlers, event.name)) handlers[event.name](event.data);
  };
  navigator.locks.request('geul:events', function () {
    listen(channel);
    return new Promise(function () {});
  }).catch(function () {});
  // The greeting a stream of its own would give: a build may have ended between serving this
  // page and this tab joining.
  fetch(state.hello, { cache: 'no-store' }).then(function (response) {
    return response.ok ? response.text() : null;
  }).then(function (text) {
    if (text) handlers.hello(text);
  }).catch(function () {});
}`;
