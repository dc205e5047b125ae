import type { CompiledPost, CompileInput } from './compile.js';
import type { MarkdownSettings } from './markdown.js';
import { startWorker } from './worker.js';

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
    const worker = startWorker('compile-worker', { settings, includeDrafts });
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
