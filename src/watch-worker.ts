import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { watch } from 'chokidar';
import { isIgnored, type WatchMessage } from './watch.js';

/**
 * The dev server's watcher, on a thread of its own: on every change inside a watched folder
 * chokidar lists the folder again and stats each entry (1,000 posts: 1,000 stats), work that
 * would otherwise hold up the rebuild of the post just saved. Posts back paths only.
 */
const { root } = workerData as { root: string };
const post = (message: WatchMessage) => parentPort!.postMessage(message);

// Links not followed, as the build does not follow them (load.ts).
const watcher = watch(root, { ignoreInitial: true, followSymlinks: false, ignored: (file) => isIgnored(path.relative(root, file)) });
watcher.on('all', (_event, file) => post({ type: 'change', path: path.relative(root, file) }));
watcher.on('error', (error) => post({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
watcher.once('ready', () => post({ type: 'ready' }));
parentPort!.on('message', (message: 'close') => {
  if (message === 'close') void watcher.close().then(() => post({ type: 'closed' }));
});
