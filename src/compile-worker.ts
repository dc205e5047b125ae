import { parentPort, workerData } from 'node:worker_threads';
import { compile, type CompileInput } from './compile.js';
import { openFragmentStore, useFragmentStore, type FragmentStoreLocation } from './fragments.js';
import { createMarkdownProcessor, type MarkdownSettings } from './markdown.js';

/**
 * A worker of the compile pool: builds the markdown processor once, then compiles the files
 * it is sent. Posts back plain data only.
 */
const { settings, includeDrafts, fragments } = workerData as { settings: MarkdownSettings; includeDrafts: boolean; fragments?: FragmentStoreLocation };
useFragmentStore(fragments && openFragmentStore(fragments));
const processor = createMarkdownProcessor(settings);

/**
 * One file at a time, in the order sent. A compile awaits here and there (Shiki, image files),
 * and a handler per message would start every queued file at once: thousands of syntax trees
 * alive together, a worker heap of 700 MB at 2,000 posts, most of its time spent in GC.
 */
let queue = Promise.resolve();

parentPort!.on('message', (task: { id: number; input: CompileInput }) => {
  queue = queue.then(async () => {
    try {
      const result = await compile(task.input, processor, includeDrafts);
      const rendered = result.post?.rendered;
      if (!rendered) parentPort!.postMessage({ id: task.id, result });
      else {
        // The body crosses as UTF-8 bytes, moved rather than copied: cloned as a string,
        // Korean HTML is two bytes a character, and the main thread keeps bodies as UTF-8
        // anyway (compact-html.ts). A fresh array of its own, so moving it takes nothing else.
        const html = new TextEncoder().encode(rendered.html);
        rendered.html = '';
        parentPort!.postMessage({ id: task.id, result, html }, [html.buffer]);
      }
    } catch (error) {
      parentPort!.postMessage({ id: task.id, error: error instanceof Error ? error.stack ?? error.message : String(error) });
    }
  });
});
