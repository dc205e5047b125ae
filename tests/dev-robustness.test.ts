/**
 * The dev server under abuse: a burst of 200 saves in a second, files deleted while a build
 * reads them, clients that hang up in the middle of a big response, and event streams that
 * disconnect. After each, the server is still up and serves the right content.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { startDevServer, type DevServer } from '../src/dev.ts';
import { cleanup, copySite } from './helpers/site.ts';

const POST = 'content/posts/트랜스포머-읽기.md';
const POST_URL = `posts/${encodeURIComponent('트랜스포머-읽기')}/`;

let root: string | undefined;
let server: DevServer | undefined;
let lines: string[] = [];

afterEach(async () => {
  await server?.close();
  await cleanup(root);
  root = undefined;
  server = undefined;
  lines = [];
});

async function start(prepare?: (root: string) => Promise<void>): Promise<DevServer> {
  root = await copySite('dev');
  await prepare?.(root);
  server = await startDevServer({ root, port: 0, host: '127.0.0.1', log: (line) => lines.push(line) });
  return server;
}

async function get(url: string): Promise<{ status: number; body: string; length: number | null }> {
  const response = await fetch(new URL(url, server!.url), { redirect: 'manual' });
  const body = await response.text();
  const header = response.headers.get('content-length');
  return { status: response.status, body, length: header === null ? null : Number(header) };
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Wait until no build runs or is pending, then one more build to be sure the last state is the one served. */
async function settled(): Promise<void> {
  await vi.waitFor(() => expect(server!.building).toBe(false), { timeout: 30_000, interval: 20 });
  await sleep(150);
  const report = await server!.rebuild();
  expect(report.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
}

/** Lines of the log that say geul itself failed, not the writer's files. */
function crashLines(): string[] {
  return lines.filter((line) => /crashed|Error:|ERR_|EPIPE|ECONNRESET/.test(line));
}

/**
 * Send a raw GET and hang up after the first bytes of the response (or before any, when
 * `after` is 0): what a browser does when the reader clicks away mid-download.
 */
function hangUp(url: string, after: number): Promise<number> {
  const { port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      socket.write(`GET ${pathname} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`);
      if (after === 0) {
        socket.destroy();
        resolve(0);
      }
    });
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= after) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
}

describe('geul dev under abuse', () => {
  test('a burst of 200 saves within a second: the server stays up and ends serving the last save', async () => {
    await start();
    const file = path.join(root!, POST);
    const original = readFileSync(file, 'utf8');
    // Ten rounds of twenty saves, 100 ms apart: builds start and finish during the burst.
    const served: number[] = [];
    const polling = (async () => {
      for (let n = 0; n < 20; n++) {
        served.push((await get('')).status);
        await sleep(50);
      }
    })();
    // No timing is asserted: on a busy machine the burst itself may stretch, and speed is the bench's job.
    for (let round = 0; round < 10; round++) {
      for (let n = 1; n <= 20; n++) writeFileSync(file, original.replace('마지막 문단이다.', `저장 ${round * 20 + n}번째.`));
      await sleep(100);
    }
    await polling;
    expect(served.every((status) => status === 200)).toBe(true);

    await vi.waitFor(async () => expect((await get(POST_URL)).body).toContain('저장 200번째.'), { timeout: 30_000, interval: 50 });
    await settled();
    const page = await get(POST_URL);
    expect(page.body).toContain('저장 200번째.');
    expect(page.body).not.toContain('저장 199번째.');
    expect(crashLines()).toEqual([]);
  }, 60_000);

  test('posts deleted while a build reads them: no crash, and they are gone once it settles', async () => {
    // Forty more posts make each build take a while, and cross the worker-pool threshold.
    await start(async (dir) => {
      for (let n = 0; n < 40; n++) {
        await writeFile(path.join(dir, `content/posts/채움-${n}.md`), `+++\ntitle = "채움 ${n}"\ndate = 2024-01-${String((n % 28) + 1).padStart(2, '0')}\n+++\n\n본문 $x_{${n}}$ 이다.\n`);
      }
    });
    expect((await get(POST_URL)).status).toBe(200);

    // The post being rebuilt is deleted once the build has started.
    const file = path.join(root!, POST);
    writeFileSync(file, readFileSync(file, 'utf8').replace('마지막 문단이다.', '고친 문단.'));
    await vi.waitFor(() => expect(server!.building).toBe(true), { timeout: 10_000, interval: 1 });
    await rm(file);

    // New posts appearing and vanishing at every moment of a build.
    for (let n = 0; n < 15; n++) {
      const racer = path.join(root!, `content/posts/경주-${n}.md`);
      await writeFile(racer, `+++\ntitle = "경주 ${n}"\ndate = 2024-02-01\n+++\n\n잠깐 있다 사라진다.\n`);
      void server!.rebuild();
      await sleep(n * 3);
      await rm(racer);
    }
    await settled();

    expect((await get(POST_URL)).status).toBe(404);
    for (let n = 0; n < 15; n++) expect((await get(`posts/${encodeURIComponent(`경주-${n}`)}/`)).status).toBe(404);
    expect((await get(`posts/${encodeURIComponent('채움-7')}/`)).status).toBe(200);
    const home = await get('');
    expect(home.status).toBe(200);
    expect(home.body).not.toContain('트랜스포머 다시 읽기');
    // A file deleted between load.ts listing it and reading it fails that one build with
    // "the build crashed: ENOENT" (the server goes on, and the deletion's own build recovers);
    // anything else would be a new failure.
    expect(crashLines().filter((line) => !/the build crashed: ENOENT/.test(line))).toEqual([]);
  }, 90_000);

  test('clients that hang up mid-response: the server keeps serving pages and files whole', async () => {
    await start(async (dir) => {
      // A page of about 3 MB and a copied file of 8 MB: far more than socket buffers hold.
      const paragraph = '긴 글의 한 문단이다. 읽는 사람은 중간에 다른 곳을 누른다. '.repeat(40);
      await writeFile(path.join(dir, 'content/posts/긴-글.md'), `+++\ntitle = "긴 글"\ndate = 2024-05-01\n+++\n\n${Array.from({ length: 800 }, () => paragraph).join('\n\n')}\n`);
      await mkdir(path.join(dir, 'images'), { recursive: true });
      await writeFile(path.join(dir, 'images/big.bin'), randomBytes(8 * 1024 * 1024));
    });
    const pageUrl = new URL(`posts/${encodeURIComponent('긴-글')}/`, server!.url).href;
    const fileUrl = new URL('images/big.bin', server!.url).href;
    const whole = await get(pageUrl);
    expect(whole.status).toBe(200);
    expect(Buffer.byteLength(whole.body)).toBeGreaterThan(2_500_000);

    // Hang-ups before the response, after the headers, and partway through the body; many at once.
    const hangUps: Promise<number>[] = [];
    for (let n = 0; n < 10; n++) {
      for (const url of [pageUrl, fileUrl]) hangUps.push(hangUp(url, 0), hangUp(url, 100), hangUp(url, 200_000));
    }
    await Promise.all(hangUps);

    const page = await get(pageUrl);
    expect(page.status).toBe(200);
    expect(page.body).toBe(whole.body);
    const image = await fetch(fileUrl);
    expect(image.status).toBe(200);
    expect((await image.arrayBuffer()).byteLength).toBe(8 * 1024 * 1024);
    expect((await get(POST_URL)).status).toBe(200);
    expect(crashLines()).toEqual([]);
  }, 60_000);

  test('event streams that disconnect: later builds still reach the pages that stay', async () => {
    await start();
    const eventsUrl = new URL('/__geul/events', server!.url).href;
    // Twenty streams hang up after the greeting, ten before it.
    await Promise.all([
      ...Array.from({ length: 20 }, () => hangUp(eventsUrl, 40)),
      ...Array.from({ length: 10 }, () => hangUp(eventsUrl, 0)),
    ]);

    const abort = new AbortController();
    const response = await fetch(eventsUrl, { signal: abort.signal });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    const until = async (text: string) => {
      while (!received.includes(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before "${text}"; got ${received}`);
        received += decoder.decode(value, { stream: true });
      }
    };
    try {
      await until('event: hello');
      // A stream that disconnects while a build is being announced.
      const late = hangUp(eventsUrl, 40);
      const file = path.join(root!, POST);
      writeFileSync(file, readFileSync(file, 'utf8').replace('마지막 문단이다.', '스트림 뒤의 문단.'));
      await late;
      await until('event: reload');
      expect((await get(POST_URL)).body).toContain('스트림 뒤의 문단.');
      // Announcing a failed build to the streams that are left works as well.
      writeFileSync(file, readFileSync(file, 'utf8').replace('title = "트랜스포머 다시 읽기"', 'title = "unclosed'));
      await until('event: error');
    } finally {
      abort.abort();
    }
    expect((await get('')).status).toBe(200);
    expect(crashLines()).toEqual([]);
  }, 60_000);
});
