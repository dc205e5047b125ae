import type { Worker } from 'node:worker_threads';
import type { LocatedError } from './render.js';
import type { Page } from './types.js';
import { BODY_BYTES } from './view.js';
import { startWorker } from './worker.js';

/**
 * Threads that render pages beside the main one (`src/render-worker.ts`). After the last
 * post compiles, rendering is the main thread's alone, with the other cores idle: a third
 * of a cold build's tail, most of a build after a template edit. A helper gets the same
 * templates, settings and globals once, then chunks of pages; each page's data crosses by
 * structured cloning, less what every page shares (the globals, sent once) and with the
 * post's body as its UTF-8 bytes. It answers with each page's HTML as UTF-8 bytes (what is
 * written anyway), or where its template failed.
 */
export interface RenderHelpers {
  /** True while some helper holds fewer than two chunks. */
  wants(): boolean;
  /** Give a chunk to the least busy helper; `lost` gets its pages back should that helper stop first. */
  send(chunk: { index: number; page: Page }[], answer: { done(results: HelperResult[]): void; lost(indexes: number[]): void }): void;
  /** True while a chunk is out. */
  busy(): boolean;
  /** Resolves when a chunk comes back (or is lost). */
  progress(): Promise<void>;
  /** Let the helpers keep what they rendered (their list items, in the partial store) and stop. */
  close(): Promise<void>;
}

/** What a helper needs, given once. */
export interface HelperSetup {
  templatesDir: string;
  templatesDigest: string;
  baseURL: string;
  globals: Record<string, unknown>;
  partialsDir: string | undefined;
}

/** One page as a helper gets it. */
export interface HelperPage {
  index: number;
  template: string;
  data: Record<string, unknown>;
  /** Names of the data's values that are the globals' of the same name (not sent again). */
  shared: string[];
  /** The data's values with a body (`BODY_BYTES`), and that body. */
  bodies: [string, Uint8Array][];
}

export type HelperResult = { index: number; html: Uint8Array } | { index: number; error: LocatedError };

interface Helper {
  worker: Worker;
  out: Map<number, { indexes: number[]; answer: { done(results: HelperResult[]): void; lost(indexes: number[]): void } }>;
  stopped: boolean;
}

export function startHelpers(count: number, setup: HelperSetup): RenderHelpers {
  let nextChunk = 0;
  let wake: (() => void) | undefined;
  const woken = () => {
    wake?.();
    wake = undefined;
  };
  const helpers: Helper[] = [];
  for (let i = 0; i < count; i++) {
    let worker: Worker;
    try {
      worker = startWorker('render-worker', setup);
    } catch {
      // Globals that cannot be cloned (a function, say): no helper, the caller renders alone.
      break;
    }
    const helper: Helper = { worker, out: new Map(), stopped: false };
    const stop = () => {
      if (helper.stopped) return;
      helper.stopped = true;
      for (const { indexes, answer } of helper.out.values()) answer.lost(indexes);
      helper.out.clear();
      woken();
    };
    helper.worker.on('message', (message: { chunk: number; results: HelperResult[] }) => {
      const sent = helper.out.get(message.chunk);
      if (!sent) return;
      helper.out.delete(message.chunk);
      sent.answer.done(message.results);
      woken();
    });
    helper.worker.on('error', stop);
    helper.worker.on('exit', stop);
    helpers.push(helper);
  }
  const working = () => helpers.filter((helper) => !helper.stopped);

  return {
    wants: () => working().some((helper) => helper.out.size < 2),
    send(chunk, answer) {
      const helper = working().reduce((best, candidate) => (candidate.out.size < best.out.size ? candidate : best));
      const id = nextChunk++;
      const pages: HelperPage[] = [];
      const transfer: ArrayBuffer[] = [];
      for (const { index, page } of chunk) {
        const data: Record<string, unknown> = {};
        const shared: string[] = [];
        const bodies: [string, Uint8Array][] = [];
        for (const [name, value] of Object.entries(page.data)) {
          if (value !== undefined && value === setup.globals[name]) shared.push(name);
          else data[name] = value;
          const body = (value as { [BODY_BYTES]?: () => Uint8Array } | null)?.[BODY_BYTES];
          if (body) {
            // A copy of just the body is moved. Cloning a view would copy all of the buffer it
            // is a view of (the spool's, say), and moving the post's own bytes would empty
            // them for the feed and the search index (a Buffer's slice() is a view, not a copy).
            const bytes = new Uint8Array(body());
            bodies.push([name, bytes]);
            transfer.push(bytes.buffer);
          }
        }
        pages.push({ index, template: page.template, data, shared, bodies });
      }
      const indexes = chunk.map(({ index }) => index);
      try {
        helper.worker.postMessage({ chunk: id, pages }, transfer);
      } catch {
        // Data that cannot be cloned (a function, say): these pages are rendered by the caller.
        answer.lost(indexes);
        return;
      }
      helper.out.set(id, { indexes, answer });
    },
    busy: () => helpers.some((helper) => helper.out.size > 0),
    progress: () => new Promise<void>((resolve) => (wake = resolve)),
    async close() {
      await Promise.all(
        working().map(
          (helper) =>
            new Promise<void>((resolve) => {
              helper.worker.once('message', () => resolve());
              helper.worker.once('exit', () => resolve());
              helper.worker.postMessage('close');
            }),
        ),
      );
      await Promise.all(helpers.map((helper) => helper.worker.terminate()));
    },
  };
}
