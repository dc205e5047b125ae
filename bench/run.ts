import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeCorpus } from './corpus.js';
import { benchDev } from './dev.js';

/**
 * `npm run bench [-- --sizes 1000,4000] [--large] [--runs 3] [--dev]`: generates a deterministic
 * corpus per size, then times whole `geul build` processes — cold, no-change rebuild, one post
 * edited, one template edited — and the bare unified chain as the in-run baseline. Prints
 * wall and CPU seconds, peak RSS and posts/s, each wall time also as a ratio to the baseline.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const USAGE = `Usage: npm run bench [-- [--sizes 1000,4000] [--large] [--runs 3] [--keep] [--dev]]
  --sizes <n,...>  post counts of the corpora to build (default 1000,4000)
  --large          add a corpus of 10,000 posts
  --runs <n>       runs of each measure, their median printed (default 3)
  --keep           keep the generated corpora (in the temporary folder, geul-bench-<n>)
  --dev            time the dev server instead (1,000 posts unless --sizes)`;
/** The options, or the usage and exit 2 for one it does not know: a stack trace told no one what to type. */
function readOptions() {
  try {
    return parseArgs({
      options: {
        sizes: { type: 'string', default: '1000,4000' },
        large: { type: 'boolean', default: false },
        runs: { type: 'string', default: '3' },
        keep: { type: 'boolean', default: false },
        dev: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
}
const values = readOptions();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
/** `--sizes` as post counts: whole numbers from 1 up, or the reason they are not. */
function parseSizes(text: string): number[] | string {
  const sizes = text.split(',').map((part) => part.trim()).filter((part) => part !== '');
  const bad = sizes.find((part) => !/^[1-9]\d*$/.test(part));
  if (bad !== undefined) return `--sizes takes post counts from 1 up, separated by commas: "${bad}" is not one`;
  return sizes.map(Number);
}
const parsedSizes = parseSizes(values.sizes);
const runs = Number(values.runs);
if (typeof parsedSizes === 'string' || !Number.isInteger(runs) || runs < 1) {
  console.error(`bench: ${typeof parsedSizes === 'string' ? parsedSizes : `--runs takes a whole number from 1 up, not "${values.runs}"`}`);
  process.exit(2);
}
if (values.dev) {
  console.log('| posts | scenario | time |\n|--:|---|--:|');
  for (const size of values.sizes === '1000,4000' ? [1000] : parsedSizes) await benchDev(size);
  process.exit(0);
}
const sizes = parsedSizes.concat(values.large ? [10_000] : []);
if (sizes.length === 0) {
  console.error('bench: no size to run (--sizes is empty)');
  process.exit(2);
}

interface Measure {
  wallS: number;
  cpuS: number;
  rssMb: number;
}

/**
 * CPU seconds of this process's finished children, their own finished children included
 * (Linux's /proc/self/stat): a build's Pagefind process, which the build waits for, counts in
 * the build's CPU. Undefined where /proc is not there.
 */
function childrenCpuS(): number | undefined {
  try {
    // Asked first: getconf is a child too.
    const ticks = clockTicks();
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    // cutime and cstime, fields 16 and 17 of proc(5), counted from `state` (field 3) here.
    return (Number(fields[13]) + Number(fields[14])) / ticks;
  } catch {
    return undefined;
  }
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
  return ticksPerSecond;
}

function measure(args: string[], env: Record<string, string> = {}): Measure {
  const usageFile = path.join(os.tmpdir(), `geul-bench-${process.pid}.json`);
  const childrenBefore = childrenCpuS();
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--import', path.join(here, 'rusage.mjs'), ...args], {
    cwd: repo,
    env: { ...process.env, ...env, GEUL_RUSAGE_FILE: usageFile },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallS = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed:\n${result.stderr}`);
  const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { cpuMs: number; maxRssKb: number };
  const childrenAfter = childrenCpuS();
  // The whole build's CPU where it can be had (Pagefind's process included), else the geul
  // process's own; peak RSS is the geul process's (its worker threads included).
  const cpuS = childrenBefore === undefined || childrenAfter === undefined ? usage.cpuMs / 1000 : Math.max(usage.cpuMs / 1000, childrenAfter - childrenBefore);
  return { wallS, cpuS, rssMb: usage.maxRssKb / 1024 };
}

function median(list: Measure[]): Measure {
  const mid = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { wallS: mid(list.map((m) => m.wallS)), cpuS: mid(list.map((m) => m.cpuS)), rssMb: mid(list.map((m) => m.rssMb)) };
}

function repeat(times: number, before: () => Promise<void>, args: string[]): Promise<Measure> {
  return (async () => {
    const list: Measure[] = [];
    for (let i = 0; i < times; i++) {
      await before();
      list.push(measure(args));
    }
    return median(list);
  })();
}

// The first run of bin/geul.js after a change to src/ bundles it (some seconds): done here,
// untimed, so that the first cold build measures a build.
spawnSync(process.execPath, ['bin/geul.js', 'help'], { cwd: repo, stdio: 'ignore' });

const rows: string[] = [];
const header = `| posts | scenario | wall s | CPU s | peak RSS MB | posts/s | × bare chain |\n|--:|---|--:|--:|--:|--:|--:|`;
console.log(`geul bench on ${os.cpus().length} cores, node ${process.version}, median of ${runs}\n`);
console.log(header);
for (const size of sizes) {
  const site = path.join(os.tmpdir(), `geul-bench-${size}`);
  const out = path.join(site, 'dist');
  await writeCorpus(site, size, path.join(repo, 'templates'));
  const geul = ['bin/geul.js', 'build', '--root', site, '--out', out];
  const cache = path.join(site, '.cache');
  const clean = async () => {
    await rm(out, { recursive: true, force: true });
    await rm(cache, { recursive: true, force: true });
  };
  const nothing = async () => {};
  const bare = await repeat(runs, nothing, ['--import', 'tsx', 'bench/bare-chain.ts', site]);
  const cold = await repeat(runs, clean, geul);
  const warm = await repeat(runs, nothing, geul);
  const postFile = path.join(site, 'content', 'posts', 'post-00000.md');
  const editPost = async () => appendFile(postFile, `\n\n편집 ${Date.now()} $x_{${Date.now() % 1000}}$\n`);
  const edited = await repeat(runs, editPost, geul);
  const templateFile = path.join(site, 'templates', 'post.liquid');
  const original = await readFile(templateFile, 'utf8');
  const editTemplate = async () => writeFile(templateFile, `${original}\n{% comment %}${Date.now()}{% endcomment %}\n`);
  const template = await repeat(runs, editTemplate, geul);
  await writeFile(templateFile, original);
  const line = (scenario: string, m: Measure) =>
    `| ${size} | ${scenario} | ${m.wallS.toFixed(2)} | ${m.cpuS.toFixed(2)} | ${m.rssMb.toFixed(0)} | ${(size / m.wallS).toFixed(0)} | ${(m.wallS / bare.wallS).toFixed(3)} |`;
  for (const [scenario, m] of [
    ['bare unified chain (baseline)', bare],
    ['cold build', cold],
    ['no-change rebuild', warm],
    ['one post edited', edited],
    ['one template edited', template],
  ] as const) {
    const row = line(scenario, m);
    rows.push(row);
    console.log(row);
  }
  if (!values.keep) await rm(site, { recursive: true, force: true });
}
