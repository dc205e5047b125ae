import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { lookup as mimeLookup } from 'mrmime';
import parseRange from 'range-parser';
import type { Output } from './types.js';

/** What one request asks for, decided from the URL and the output map alone. */
export type Resolution =
  | { status: 200; path: string; output: Output }
  | { status: 301; location: string }
  | { status: 400; reason: string }
  | { status: 404 };

/** The site being served: outputs by NFC path, and what the server does to HTML on the way out. */
export interface ServedSite {
  /** Every output of the last good build, keyed by its NFC path (`posts/글/index.html`). */
  outputs: ReadonlyMap<string, Output>;
  /** Path part of baseURL, `/` or `/blog/`: the site is served under it, as it will be published. */
  basePath: string;
  /** Applied to every HTML response (the dev server injects its client here). */
  html(text: string): string;
}

/**
 * Map a request URL to an output, a redirect or an error. Only keys of `outputs` can ever
 * come out, so nothing outside the built site is reachable; on top of that a segment that
 * decodes to `.`, `..`, or to anything holding `/`, `\` or NUL is refused outright, however
 * it was encoded.
 */
export function resolve(url: string, outputs: ReadonlyMap<string, Output>, basePath = '/'): Resolution {
  const rawPath = url.split(/[?#]/, 1)[0] ?? '';
  // A redirect keeps the query, as static hosts and Go's file server (hugo server) do:
  // `/search?q=…` is a linked search, and the search page reads it from its address.
  const query = url.slice(rawPath.length).split('#', 1)[0] ?? '';
  if (!rawPath.startsWith('/')) return { status: 400, reason: 'the path must start with "/"' };
  const parts: string[] = [];
  for (const raw of rawPath.slice(1).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return { status: 400, reason: 'malformed percent-encoding' };
    }
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) {
      return { status: 400, reason: 'the path must not climb out of the site' };
    }
    // Browsers send what they were given; a page written on macOS may link decomposed Hangul.
    if (segment !== '') parts.push(segment.normalize('NFC'));
  }
  const asDirectory = rawPath.endsWith('/');

  const base = basePath.split('/').filter(Boolean);
  if (!base.every((segment, index) => parts[index] === segment)) {
    // `/` or `/blog` under `baseURL = ".../blog/"`: send the writer to the site's home.
    const insideBase = parts.every((segment, index) => base[index] === segment);
    return insideBase ? { status: 301, location: directoryHref(base) + query } : { status: 404 };
  }
  const rest = parts.slice(base.length);
  if (rest.length === 0 && !asDirectory && base.length > 0) return { status: 301, location: directoryHref(base) + query };

  if (asDirectory || rest.length === 0) {
    const key = [...rest, 'index.html'].join('/');
    const output = outputs.get(key);
    return output ? { status: 200, path: key, output } : { status: 404 };
  }
  const key = rest.join('/');
  const output = outputs.get(key);
  if (output) return { status: 200, path: key, output };
  if (outputs.has(`${key}/index.html`)) return { status: 301, location: directoryHref(parts) + query };
  return { status: 404 };
}

/** The URL path of a folder from its decoded segments, each percent-encoded again: `/posts/%EA%B8%80/`. */
function directoryHref(segments: string[]): string {
  return segments.length === 0 ? '/' : `/${segments.map((segment) => encodeURIComponent(segment)).join('/')}/`;
}

/** `text/html; charset=utf-8` and the like: the type of an output path, with a charset for text. */
export function contentType(file: string): string {
  const type = mimeLookup(file) ?? 'application/octet-stream';
  const textual =
    type.startsWith('text/') || type === 'application/json' || type === 'image/svg+xml' || /\+xml$|\/xml$/.test(type);
  return textual ? `${type}; charset=utf-8` : type;
}

const NO_STORE = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };

/**
 * The fonts geul copies from its packages (KaTeX's, Pretendard's) may be kept for an hour:
 * they do not change while the preview runs (no static/ file can take their paths), and
 * fetched again on every reload, all 20-odd of them, each save showed the page in the
 * fallback font and reflowed it when they came.
 */
const PACKAGE_FONT = /^assets\/(?:katex\/fonts|fonts\/pretendard)\/[^/]+\.woff2?$/;
const KEPT_FONT = { 'Cache-Control': 'max-age=3600', 'X-Content-Type-Options': 'nosniff' };

/** The caching headers of a file: `no-store`, but for geul's package fonts. */
function caching(file: string): Record<string, string> {
  return PACKAGE_FONT.test(file) ? KEPT_FONT : NO_STORE;
}

/**
 * Answer one request from the in-memory site: GET and HEAD only, every response `no-store`
 * (a preview must never show yesterday's formula from the browser cache), unknown paths get
 * the site's own 404.html with status 404.
 */
export async function serveSite(req: IncomingMessage, res: ServerResponse, site: ServedSite): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...NO_STORE, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Method not allowed\n');
    return;
  }
  const resolution = resolve(req.url ?? '/', site.outputs, site.basePath);
  switch (resolution.status) {
    case 200:
      return sendOutput(req, res, 200, resolution.path, resolution.output, site);
    case 301:
      res.writeHead(301, { ...NO_STORE, Location: resolution.location, 'Content-Length': 0 });
      res.end();
      return;
    case 400:
      return sendText(req, res, 400, `Bad request: ${resolution.reason}\n`);
    case 404:
      return sendNotFound(req, res, site);
  }
}

async function sendNotFound(req: IncomingMessage, res: ServerResponse, site: ServedSite): Promise<void> {
  const page = site.outputs.get('404.html');
  if (page) return sendOutput(req, res, 404, '404.html', page, site);
  // No build has succeeded yet: a bare page still carries the client, so the error overlay
  // shows and the page reloads itself once the site builds.
  const html = site.html('<!doctype html>\n<html><head><meta charset="utf-8"><title>404</title></head><body><p>Not found.</p></body></html>\n');
  send(req, res, 404, 'text/html; charset=utf-8', html);
}

async function sendOutput(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  file: string,
  output: Output,
  site: ServedSite,
): Promise<void> {
  const type = contentType(file);
  if ('content' in output) {
    if (file.endsWith('.html')) {
      const text = typeof output.content === 'string' ? output.content : new TextDecoder().decode(output.content);
      return send(req, res, status, type, site.html(text));
    }
    const bytes = typeof output.content === 'string' ? Buffer.from(output.content, 'utf8') : output.content;
    const range = status === 200 ? byteRange(req, bytes.byteLength) : undefined;
    if (range === 'unsatisfiable') return sendUnsatisfiable(res, bytes.byteLength);
    if (range) {
      res.writeHead(206, { ...partialHeaders(range, bytes.byteLength), 'Content-Type': type });
      res.end(req.method === 'HEAD' ? undefined : bytes.subarray(range.start, range.end + 1));
      return;
    }
    return send(req, res, status, type, bytes, status === 200);
  }
  if ('unchanged' in output) return sendNotFound(req, res, site); // never in a snapshot: dev.ts fills them in
  let size: number;
  try {
    size = (await stat(output.copyFrom)).size;
  } catch {
    // Deleted since the last build; the rebuild it triggers will drop it from the outputs.
    return file === '404.html' ? sendText(req, res, 404, 'Not found\n') : sendNotFound(req, res, site);
  }
  const range = status === 200 ? byteRange(req, size) : undefined;
  if (range === 'unsatisfiable') return sendUnsatisfiable(res, size);
  if (range) res.writeHead(206, { ...partialHeaders(range, size), 'Content-Type': type });
  else res.writeHead(status, { ...caching(file), 'Content-Type': type, 'Content-Length': size, ...(status === 200 ? ACCEPT_RANGES : {}) });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  try {
    await pipeline(createReadStream(output.copyFrom, range ? { start: range.start, end: range.end } : {}), res);
  } catch {
    res.destroy();
  }
}

/**
 * Files other than pages answer a `Range: bytes=…` request with that part, as a static host
 * and hugo server do: a browser seeks in a video (`static/demo.mp4`) only by asking for its
 * parts, and Safari plays none that is not served so. One range only; for several (which
 * browsers do not ask for) the whole file is sent, as RFC 9110 allows.
 */
const ACCEPT_RANGES = { 'Accept-Ranges': 'bytes' };

interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

function byteRange(req: IncomingMessage, size: number): ByteRange | 'unsatisfiable' | undefined {
  const header = req.headers.range;
  if (header === undefined) return undefined;
  // range-parser (as Express's `send` reads it): -1 unsatisfiable, -2 no range header at all.
  const ranges = parseRange(size, header, { combine: true });
  if (ranges === -1) return 'unsatisfiable';
  if (ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return undefined;
  return { start: ranges[0]!.start, end: ranges[0]!.end };
}

function partialHeaders(range: ByteRange, size: number): Record<string, string | number> {
  return { ...NO_STORE, ...ACCEPT_RANGES, 'Content-Range': `bytes ${range.start}-${range.end}/${size}`, 'Content-Length': range.end - range.start + 1 };
}

function sendUnsatisfiable(res: ServerResponse, size: number): void {
  res.writeHead(416, { ...NO_STORE, 'Content-Range': `bytes */${size}`, 'Content-Length': 0 });
  res.end();
}

function sendText(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
  send(req, res, status, 'text/plain; charset=utf-8', text);
}

function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string | Uint8Array, ranges = false): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...NO_STORE, 'Content-Type': type, 'Content-Length': bytes.byteLength, ...(ranges ? ACCEPT_RANGES : {}) });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}
