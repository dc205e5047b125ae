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
 * measures the time from the save to the rebuilt page being served (polling the page until
 * the new text is in it). Also times the server's first start, cold and on a site built
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
  const latencies: number[] = [];
  for (let n = 0; n < saves; n++) {
    const marker = `저장-${n}-${Date.now()}`;
    const started = performance.now();
    await writeFile(post, `${original}\n\n${marker} $x_{${n}}$\n`);
    await waitFor(`${cold.url}posts/post-00010/`, marker);
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  cold.stop();
  await writeFile(post, original);
  const warm = await startServer(site);
  warm.stop();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(0);
  console.log(`| ${size} | cold \`geul build\` (for comparison) | ${(buildMs / 1000).toFixed(2)} s |`);
  console.log(`| ${size} | dev: first start, cold cache | ${(cold.startMs / 1000).toFixed(2)} s |`);
  console.log(`| ${size} | dev: first start, site built before | ${(warm.startMs / 1000).toFixed(2)} s |`);
  console.log(`| ${size} | dev: save → rebuilt page served (median of ${saves}) | ${at(0.5)} ms (min ${latencies[0]!.toFixed(0)}, p90 ${at(0.9)}) |`);
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

async function waitFor(url: string, text: string): Promise<void> {
  for (let failures = 0; ; ) {
    try {
      const response = await fetch(url);
      if ((await response.text()).includes(text)) return;
    } catch (error) {
      // A kept-alive connection the server closed as it was reused: poll again, as a browser
      // retries; a server that is gone fails for good.
      if (++failures > 20) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
