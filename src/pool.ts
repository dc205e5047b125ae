import type { Worker } from 'node:worker_threads';
import { compactHtml } from './compact-html.js';
import type { CompiledPost, CompileInput } from './compile.js';
import type { FragmentStoreLocation } from './fragments.js';
import type { MarkdownSettings } from './markdown.js';
import { startWorker } from './worker.js';

/** Compiles files on worker threads. */
export interface CompilePool {
  compile(input: CompileInput): Promise<CompiledPost>;
  close(): Promise<void>;
}

interface Task {
  id: number;
  input: CompileInput;
  /** Workers that died with this task in flight. */
  losses: number;
  resolve(result: CompiledPost): void;
  reject(error: Error): void;
}

interface WorkerState {
  worker: Worker;
  tasks: Map<number, Task>;
  dead: boolean;
}

/**
 * How much old-generation heap a compile worker may hold, in MB. A worker holds one post at a
 * time and some 60 MB of chain and memo, but V8 lets a thread's heap grow far past what it
 * keeps alive before collecting: without a limit each worker grew to 350 MB on a 4,000-post
 * build; with this one the whole build peaked 30 % lower, as fast. A post too big for it
 * (the worker runs out of memory) is compiled again on a worker without the limit.
 */
export const WORKER_HEAP_MB = 192;

/**
 * A pool of `size` worker threads, each with its own markdown processor. Tasks go to the
 * worker with the fewest in flight. Workers load the same code as the thread that starts
 * them (the CLI's bundle, or the sources through tsx); each costs some hundred milliseconds
 * to start, so small builds compile in the main thread instead (see build.ts). A worker that
 * dies is replaced by one without the heap limit, which takes over its tasks; a task that
 * kills that one too fails.
 */
export function createPool(
  size: number,
  settings: MarkdownSettings,
  includeDrafts: boolean,
  fragments?: FragmentStoreLocation,
  heapMb: number = WORKER_HEAP_MB,
): CompilePool {
  let nextId = 0;
  let closing = false;
  const workers: WorkerState[] = [];
  // A worker that cannot even start would otherwise be replaced for ever.
  let replacements = size + 2;
  let lastDeath: Error | undefined;

  const start = (limited: boolean): WorkerState => {
    const worker = startWorker('compile-worker', { settings, includeDrafts, fragments }, limited ? { maxOldGenerationSizeMb: heapMb } : undefined);
    const state: WorkerState = { worker, tasks: new Map(), dead: false };
    worker.on('message', (message: { id: number; result?: CompiledPost; html?: Uint8Array; error?: string }) => {
      const task = state.tasks.get(message.id);
      if (!task) return;
      state.tasks.delete(message.id);
      if (message.error !== undefined) return task.reject(new Error(`compile worker: ${message.error}`));
      const result = message.result!;
      // The body came as UTF-8 bytes (compile-worker.ts): kept so, decoded when read.
      if (result.post && message.html) result.post.rendered = compactHtml(result.post.rendered, message.html);
      task.resolve(result);
    });
    const died = (error: Error) => {
      if (state.dead || closing) return;
      state.dead = true;
      workers.splice(workers.indexOf(state), 1);
      const orphans = [...state.tasks.values()];
      state.tasks.clear();
      lastDeath = error;
      const retried = replacements-- > 0 ? orphans.filter((task) => ++task.losses < 2) : [];
      for (const task of orphans) if (!retried.includes(task)) task.reject(error);
      if (retried.length === 0 && workers.length > 0) return;
      if (replacements < 0) return;
      const replacement = start(false);
      workers.push(replacement);
      for (const task of retried) send(replacement, task);
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`compile worker stopped (exit code ${code})`)));
    return state;
  };

  const send = (state: WorkerState, task: Task) => {
    state.tasks.set(task.id, task);
    state.worker.postMessage({ id: task.id, input: task.input });
  };

  for (let i = 0; i < size; i++) workers.push(start(true));

  return {
    compile(input) {
      if (workers.length === 0) return Promise.reject(lastDeath ?? new Error('no compile worker is left'));
      const state = workers.reduce((best, candidate) => (candidate.tasks.size < best.tasks.size ? candidate : best));
      return new Promise<CompiledPost>((resolve, reject) => send(state, { id: nextId++, input, losses: 0, resolve, reject }));
    },
    async close() {
      closing = true;
      await Promise.all(workers.map((state) => state.worker.terminate()));
    },
  };
}
