import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { HelperPage, HelperResult, HelperSetup } from './render-helpers.js';
import { locate, prepareEngine } from './render.js';
import { createUrls } from './urls.js';

/**
 * A render helper (`src/render-helpers.ts`): the main thread's templates and globals, set up
 * once; then chunks of pages, each answered with every page's HTML as UTF-8 bytes (moved,
 * not copied) or where its template failed.
 */
const setup = workerData as HelperSetup;
const { liquid, call } = prepareEngine(setup.templatesDir, setup.templatesDigest, createUrls({ baseURL: setup.baseURL }), setup.globals, setup.partialsDir);
const decoder = new TextDecoder();
const encoder = new TextEncoder();

parentPort!.on('message', (message: { chunk: number; pages: HelperPage[] } | 'close') => {
  if (message === 'close') {
    // The list items rendered here go to the store for the next build, as the main thread's do.
    call.store?.flush();
    parentPort!.postMessage('closed');
    return;
  }
  const results: HelperResult[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const page of message.pages) {
    const data = page.data;
    for (const name of page.shared) data[name] = setup.globals[name];
    for (const [name, bytes] of page.bodies) {
      // As on the main thread: the body is the view's `content`, left out of enumeration.
      Object.defineProperty(data[name] as object, 'content', { value: decoder.decode(bytes), enumerable: false });
    }
    try {
      const html = encoder.encode(liquid.renderFileSync(page.template, data, { globals: setup.globals }));
      results.push({ index: page.index, html });
      transfer.push(html.buffer);
    } catch (error) {
      results.push({ index: page.index, error: locate(error, path.join(setup.templatesDir, `${page.template}.liquid`)) });
    }
  }
  parentPort!.postMessage({ chunk: message.chunk, results }, transfer);
});
