import path from 'node:path';
import { startWorker } from './worker.js';

/** The folders and file a site is made of; everything else under the root is ignored. */
const WATCHED = new Set(['content', 'images', 'static', 'templates', 'site.toml']);

/** What the watcher thread posts: changed paths are relative to the root, in the platform's form. */
export type WatchMessage = { type: 'ready' | 'closed' } | { type: 'change'; path: string } | { type: 'error'; message: string };

/** A running watcher of a site's sources. */
export interface SourceWatcher {
  close(): Promise<void>;
}

/**
 * Watch the sources of the site at `root` (content/, images/, static/, templates/, site.toml) with
 * chokidar on a worker thread (see watch-worker.ts): `onChange` gets each changed path,
 * relative to the root with `/` separators, NFC. Resolves once the initial scan is done.
 */
export async function watchSources(root: string, onChange: (file: string) => void, onError: (message: string) => void): Promise<SourceWatcher> {
  const worker = startWorker('watch-worker', { root });
  let closed: () => void = () => {};
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (message: WatchMessage) => {
      if (message.type === 'ready') resolve();
      else if (message.type === 'change') onChange(message.path.split(path.sep).join('/').normalize('NFC'));
      else if (message.type === 'error') onError(message.message);
      else closed();
    });
    worker.once('error', reject);
  });
  worker.on('error', (error) => onError(error.message));
  return {
    async close() {
      // Let chokidar release its handles, then end the thread whatever it says.
      const done = new Promise<void>((resolve) => (closed = resolve));
      worker.postMessage('close');
      await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 1000))]);
      await worker.terminate();
    },
  };
}

/** Whether a path relative to the root is none of the site's sources (or an editor's scratch file). */
export function isIgnored(relative: string): boolean {
  if (relative === '') return false;
  const parts = relative.split(path.sep);
  if (!WATCHED.has(parts[0] ?? '')) return true;
  if (relative.endsWith('~')) return true;
  // static/ publishes its dot files (static-files.ts): a save of static/.well-known/x or
  // static/.nojekyll must rebuild, or geul dev serves the bytes from before it.
  return parts[0] !== 'static' && parts.some((part) => part.startsWith('.'));
}
