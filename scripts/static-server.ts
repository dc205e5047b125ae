/**
 * A built `dist/` served on 127.0.0.1 the way a static host serves it (GitHub Pages,
 * Netlify, an nginx): files from disk, `index.html` for folders, `404.html` for the rest,
 * text gzipped and assets cacheable. Used by the browser audit test and `npm run audit`, so
 * Lighthouse measures what readers will get, not a dev server's `no-store`, uncompressed
 * responses. Paths are resolved through `resolve()` of src/serve.ts over the listing of the
 * folder, so nothing outside it can be reached.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { contentType, resolve } from '../src/serve.ts';
import type { Output } from '../src/types.ts';

export interface StaticServer {
  /** `http://127.0.0.1:<port>/`, with the site's base path when it has one. */
  url: string;
  close(): Promise<void>;
}

/** Serve `dir` under `basePath` (`/` or `/blog/`) on an ephemeral loopback port. */
export async function serveDist(dir: string, basePath = '/'): Promise<StaticServer> {
  const outputs = new Map<string, Output>();
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else outputs.set(child.normalize('NFC'), { path: child, copyFrom: path.join(dir, child) });
    }
  };
  walk('');
  const gzipped = new Map<string, Buffer>();

  const server: Server = createServer((req, res) => {
    const found = resolve(req.url ?? '/', outputs, basePath);
    if (found.status === 301) {
      res.writeHead(301, { Location: found.location }).end();
      return;
    }
    const [status, file] = found.status === 200 ? [200, found.path] : [404, '404.html'];
    const output = outputs.get(file);
    if (!output || !('copyFrom' in output)) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    const type = contentType(file);
    const headers: Record<string, string | number> = {
      'Content-Type': type,
      'X-Content-Type-Options': 'nosniff',
      // HTML revalidates; everything else (fonts, CSS, images) may be kept, as hosts do for assets.
      'Cache-Control': file.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000',
    };
    let body: Buffer = readFileSync(output.copyFrom);
    const compressible = /^(?:text\/|application\/(?:json|xml|atom\+xml)|image\/svg\+xml)/.test(type);
    if (compressible && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      let zipped = gzipped.get(file);
      if (!zipped) gzipped.set(file, (zipped = gzipSync(body)));
      body = zipped;
      headers['Content-Encoding'] = 'gzip';
      headers.Vary = 'Accept-Encoding';
    }
    headers['Content-Length'] = body.byteLength;
    res.writeHead(status, headers).end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}
