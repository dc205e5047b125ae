import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCorpus } from './corpus.js';

/**
 * `npm run bench -- --dev [--sizes 1000]`: the writer's loop in `geul dev`. Starts the dev
 * server as its own process on a generated site, then saves a post again and again and
 * measures the time from the save to the rebuilt page being served (the reload event for
 * the page, then the page with the new text in it): saves 150 ms apart, as while typing with
 * autosave, and 1.5 s apart, so the rest of the site and the search index are rebuilt in
 * the background between them. Also times the server's first start, cold and on a site built
 * before (warm cache), to compare with a cold `geul build`.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');

export async function benchDev(size: number, saves = 20): Promise<void> {
  const site = path.join(os.tmpdir(), `geul-bench-dev-${size}`);
  await writeCorpus(site, size, path.join(repo, 'templates'));
  // The yardstick: a cold `geul build` of the same site, then its cache removed again.
  const buildStarted = performance.now();
  const built = spawnSync(process.execPath, [path.join(repo, 'bin', 'geul.js'), 'build', '--root', site, '--out', path.join(site, 'dist')], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`geul build failed: ${built.stderr}`);
  const buildMs = performance.now() - buildStarted;
  await rm(path.join(site, '.cache'), { recursive: true, force: true });
  await rm(path.join(site, 'dist'), { recursive: true, force: true });
  const cold = await startServer(site);
  // The search index is made in the background right after the first build; a writer's
  // first save comes later than that, so the saves start once it is done.
  await cold.quiet;
  const post = path.join(site, 'content', 'posts', 'post-00010.md');
  const original = await readFile(post, 'utf8');
  // As a browser tab on the post sees it: a reload event that concerns the page, then one
  // request for it (polling would spend the server's time answering polls).
  const reloads = await openEvents(`${cold.url}__geul/events`);
  const series = async (pause: number): Promise<number[]> => {
    const latencies: number[] = [];
    for (let n = 0; n < saves; n++) {
      const marker = `저장-${pause}-${n}-${Date.now()}`;
      const started = performance.now();
      await writeFile(post, `${original}\n\n${marker} $x_{${n}}$\n`);
      for (;;) {
        const pages = await reloads.next();
        if (pages && !pages.includes('posts/post-00010/index.html')) continue;
        if ((await (await fetch(`${cold.url}posts/post-00010/`)).text()).includes(marker)) break;
      }
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
    return latencies.sort((a, b) => a - b);
  };
  // Saving again and again (the lists wait for a pause), then saves far enough apart that
  // the whole site and the search index are rebuilt between them, in the background.
  const typing = await series(150);
  const pausing = await series(1500);
  reloads.close();
  cold.stop();
  await writeFile(post, original);
  const warm = await startServer(site);
  warm.stop();
  const summary = (latencies: number[]) => {
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(0);
    return `${at(0.5)} ms (min ${latencies[0]!.toFixed(0)}, p90 ${at(0.9)})`;
  };
  console.log(`| ${size} | cold \`geul build\` (for comparison) | ${(buildMs / 1000).toFixed(2)} s |`);
  console.log(`| ${size} | dev: first start, cold cache | ${(cold.startMs / 1000).toFixed(2)} s |`);
  console.log(`| ${size} | dev: first start, site built before | ${(warm.startMs / 1000).toFixed(2)} s |`);
  console.log(`| ${size} | dev: save → rebuilt page served, saves 150 ms apart (median of ${saves}) | ${summary(typing)} |`);
  console.log(`| ${size} | dev: save → rebuilt page served, saves 1.5 s apart, lists and search rebuilt between (median of ${saves}) | ${summary(pausing)} |`);
  await rm(site, { recursive: true, force: true });
}

async function startServer(site: string): Promise<{ url: string; startMs: number; quiet: Promise<void>; stop(): void }> {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(repo, 'bin', 'geul.js'), 'dev', '--root', site, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const match = /serving (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('exit', (code) => {
      if (code !== null) console.error(`geul dev exited with ${code}:\n${output.slice(-4000)}`);
      reject(new Error(`geul dev exited with ${code}: ${output}`));
    });
  });
  const startMs = performance.now() - started;
  // Idle: no CPU used by the server for half a second (search index and cache writes done).
  const quiet = (async () => {
    let last = -1;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const ticks = cpuTicks(child.pid!);
      if (ticks === last) return;
      last = ticks;
    }
  })();
  return { url, startMs, quiet, stop: () => child.kill('SIGTERM') };
}

/** User plus system CPU ticks of a process so far (Linux); -1 elsewhere. */
function cpuTicks(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return -1;
  }
}

/** The dev server's reload events: `next()` gives the pages of the next one (undefined: every page). */
async function openEvents(url: string): Promise<{ next(): Promise<string[] | undefined>; close(): void }> {
  const abort = new AbortController();
  const response = await fetch(url, { signal: abort.signal });
  const queue: (string[] | undefined)[] = [];
  let wake = () => {};
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body!) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!/^event: reload$/m.test(block)) continue;
          queue.push((JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as { pages?: string[] }).pages);
          wake();
        }
      }
    } catch {
      // closed
    }
  })();
  return {
    async next() {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return queue.shift();
    },
    close: () => abort.abort(),
  };
}
