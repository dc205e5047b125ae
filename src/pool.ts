import { Worker } from 'node:worker_threads';
import type { CompiledPost, CompileInput } from './compile.js';
import type { MarkdownSettings } from './markdown.js';

/** Compiles files on worker threads. */
export interface CompilePool {
  compile(input: CompileInput): Promise<CompiledPost>;
  close(): Promise<void>;
}

interface Pending {
  resolve(result: CompiledPost): void;
  reject(error: Error): void;
}

/**
 * A pool of `size` worker threads, each with its own markdown processor. Tasks go to the
 * worker with the fewest in flight. Workers load the same code as the thread that starts
 * them (the CLI's bundle, or the sources through tsx); each costs some hundred milliseconds
 * to start, so small builds compile in the main thread instead (see build.ts).
 */
export function createPool(size: number, settings: MarkdownSettings, includeDrafts: boolean): CompilePool {
  const pending = new Map<number, Pending>();
  let nextId = 0;
  const workers = Array.from({ length: size }, () => {
    const worker = startWorker({ settings, includeDrafts });
    const state = { worker, inFlight: 0 };
    worker.on('message', (message: { id: number; result?: CompiledPost; error?: string }) => {
      const task = pending.get(message.id);
      if (!task) return;
      pending.delete(message.id);
      state.inFlight--;
      if (message.error !== undefined) task.reject(new Error(`compile worker: ${message.error}`));
      else task.resolve(message.result!);
    });
    worker.on('error', (error) => {
      for (const [id, task] of pending) {
        pending.delete(id);
        task.reject(error);
      }
    });
    return state;
  });

  return {
    compile(input) {
      const state = workers.reduce((best, candidate) => (candidate.inFlight < best.inFlight ? candidate : best));
      const id = nextId++;
      state.inFlight++;
      return new Promise<CompiledPost>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        state.worker.postMessage({ id, input });
      });
    },
    async close() {
      await Promise.all(workers.map((state) => state.worker.terminate()));
    },
  };
}

/**
 * A compile worker. From the bundle bin/geul.js runs (see there), the worker's own bundled
 * entry sits beside this code; from the TypeScript sources (tests, GEUL_FROM_SOURCE), an eval'd
 * bootstrap registers tsx in the worker first.
 */
function startWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./compile-worker.js', import.meta.url), { workerData });
  const workerModule = new URL('./compile-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(workerModule)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
