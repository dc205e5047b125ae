import { parentPort, workerData } from 'node:worker_threads';
import { compile, type CompileInput } from './compile.js';
import { createMarkdownProcessor, type MarkdownSettings } from './markdown.js';

/**
 * A worker of the compile pool: builds the markdown processor once, then compiles the files
 * it is sent. Posts back plain data only.
 */
const { settings, includeDrafts } = workerData as { settings: MarkdownSettings; includeDrafts: boolean };
const processor = createMarkdownProcessor(settings);

parentPort!.on('message', async (task: { id: number; input: CompileInput }) => {
  try {
    parentPort!.postMessage({ id: task.id, result: await compile(task.input, processor, includeDrafts) });
  } catch (error) {
    parentPort!.postMessage({ id: task.id, error: error instanceof Error ? error.stack ?? error.message : String(error) });
  }
});
