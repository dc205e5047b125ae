import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cp, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { build } from '../src/build.js';
import { startDevServer, type DevServer } from '../src/dev.js';
import { resolve } from '../src/serve.js';
import type { Output } from '../src/types.js';
import { cleanup, copySite, tempDir } from './helpers/site.js';

const POST = 'content/posts/트랜스포머-읽기.md';
const POST_URL = `posts/${encodeURIComponent('트랜스포머-읽기')}/`;
const DRAFT_URL = `posts/${encodeURIComponent('쓰는-중')}/`;
const TAG_URL = 'tags/%EC%9E%90%EC%97%B0%EC%96%B4-%EC%B2%98%EB%A6%AC/';

let root: string | undefined;
let server: DevServer | undefined;
let streams: EventStream[] = [];
let lines: string[] = [];

afterEach(async () => {
  for (const stream of streams) stream.close();
  await server?.close();
  await cleanup(root);
  root = undefined;
  server = undefined;
  streams = [];
  lines = [];
});

/** Copy the `dev` fixture into a temp folder and serve it on a free port. */
async function start(prepare?: (root: string) => Promise<void>, port = 0): Promise<DevServer> {
  root = await copySite('dev');
  await prepare?.(root);
  server = await startDevServer({ root, port, host: '127.0.0.1', log: (line) => lines.push(line) });
  return server;
}

async function edit(file: string, change: (text: string) => string): Promise<void> {
  const full = path.join(root!, file);
  await writeFile(full, change(await readFile(full, 'utf8')));
}

async function get(url: string, init: RequestInit = {}) {
  const response = await fetch(new URL(url, server!.url), { redirect: 'manual', ...init });
  return { response, body: await response.text() };
}

/** An SSE connection read with fetch, keeping every event it received. */
class EventStream {
  readonly events: { event: string; data: any }[] = [];
  readonly ended: Promise<void>;
  readonly #abort = new AbortController();
  #notify = () => {};

  static async open(url: string): Promise<EventStream> {
    const stream = new EventStream();
    const response = await fetch(url, { signal: stream.#abort.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    (stream as { ended: Promise<void> }).ended = stream.#read(response.body!);
    streams.push(stream);
    return stream;
  }

  private constructor() {
    this.ended = Promise.resolve();
  }

  /** How many events arrived so far: pass it to next() to wait for a later one. */
  get mark(): number {
    return this.events.length;
  }

  /** The first event named `event` at index `from` or later, as soon as it arrives. */
  next(event: string, from = 0, timeout = 20_000): Promise<{ event: string; data: any }> {
    return new Promise((resolveEvent, reject) => {
      const timer = setTimeout(() => {
        this.#notify = () => {};
        reject(new Error(`no "${event}" event after #${from} within ${timeout} ms; got ${JSON.stringify(this.events)}`));
      }, timeout);
      this.#notify = () => {
        const found = this.events.slice(from).find((candidate) => candidate.event === event);
        if (found) {
          clearTimeout(timer);
          this.#notify = () => {};
          resolveEvent(found);
        }
      };
      this.#notify();
    });
  }

  close(): void {
    this.#abort.abort();
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data !== undefined) {
            this.events.push({ event, data: JSON.parse(data) });
            this.#notify();
          }
        }
      }
    } catch (error) {
      if (!this.#abort.signal.aborted) throw error;
    }
  }
}

/** A request sent exactly as written: fetch would resolve `..` and `%2e%2e` before sending. */
function rawGet(port: number, rawPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolveResponse, reject) => {
    const req = request({ host: '127.0.0.1', port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolveResponse({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const rebuildLine = /^geul dev: (.+) changed: rebuilt in \d+ ms, (\d+) errors?, (\d+) warnings?/;

describe('geul dev: serving', () => {
  it("keeps geul's package fonts cacheable and everything else no-store, so a reload does not fetch every font again", async () => {
    await start();
    // A Pretendard subset, as the theme's stylesheet names it.
    const pretendard = /fonts\/pretendard\/[^)'"]+\.woff2/.exec((await get('/assets/style.css')).body)?.[0];
    expect(pretendard).toBeDefined();
    for (const font of ['assets/katex/fonts/KaTeX_Main-Regular.woff2', `assets/${pretendard}`]) {
      const { response } = await get(`/${font}`);
      expect(response.status, font).toBe(200);
      expect(response.headers.get('cache-control'), font).toBe('max-age=3600');
    }
    for (const file of ['/assets/katex/katex.min.css', '/']) expect((await get(file)).response.headers.get('cache-control'), file).toBe('no-store');
  });

  it('serves the site from memory, drafts included, with the live-reload client in HTML only', async () => {
    await start();
    expect(server!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(lines[0]).toBe(`geul dev: serving ${server!.url} (drafts included)`);
    expect(lines[1]).toMatch(/^geul dev: built in \d+ ms, 0 errors, 0 warnings$/);

    const home = await get('/');
    expect(home.response.status).toBe(200);
    expect(home.response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(home.response.headers.get('cache-control')).toBe('no-store');
    expect(home.body).toContain('트랜스포머 다시 읽기');
    expect(home.body).toContain('아직 쓰는 중인 초안');
    expect(home.body).toMatch(/<script data-geul-dev>[^]*\/__geul\/events[^]*<\/script>\n<\/body>/);

    const post = await get(POST_URL);
    expect(post.response.status).toBe(200);
    expect(post.body).toContain('class="katex"');
    expect(post.body).toContain('data-geul-dev');
    expect(post.body.match(/data-geul-dev/g)).toHaveLength(1);

    const draft = await get(DRAFT_URL);
    expect(draft.response.status).toBe(200);
    expect(draft.body).toContain('초안 본문');

    const head = await get(POST_URL, { method: 'HEAD' });
    expect(head.response.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.response.headers.get('content-length'))).toBe(Buffer.byteLength(post.body));

    const css = await get('assets/katex/katex.min.css');
    expect(css.response.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.body).not.toContain('__geul');

    // Copied files are streamed from their source.
    const svg = await get('images/diagram.svg');
    expect(svg.response.status).toBe(200);
    expect(svg.response.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(svg.body).toBe(await readFile(path.join(root!, 'images/diagram.svg'), 'utf8'));

    const feed = await get('feed.xml');
    expect(feed.response.status).toBe(200);
    expect(feed.body).not.toContain('__geul');
    expect(existsSync(path.join(root!, 'dist'))).toBe(false);
  });

  it('redirects a folder without its slash, decodes Hangul, and answers unknown paths with 404.html', async () => {
    await start();
    const bare = await get(POST_URL.replace(/\/$/, ''));
    expect(bare.response.status).toBe(301);
    expect(bare.response.headers.get('location')).toBe(`/${POST_URL}`);

    const tag = await get(TAG_URL);
    expect(tag.response.status).toBe(200);
    expect(tag.body).toContain('트랜스포머 다시 읽기');
    // A decomposed (NFD) spelling of the same tag, as a page written on macOS may link it.
    const nfd = await get(`tags/${encodeURIComponent('자연어-처리'.normalize('NFD'))}/`);
    expect(nfd.response.status).toBe(200);

    const missing = await get('posts/없는-글/');
    expect(missing.response.status).toBe(404);
    expect(missing.response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(missing.body).toContain('class="not-found"');
    expect(missing.body).toContain('data-geul-dev');

    const post = await fetch(new URL(POST_URL, server!.url), { method: 'POST' });
    expect(post.status).toBe(405);
    await post.body?.cancel();
  });

  it('never serves a file outside the outputs, however the path is spelled', async () => {
    await start(async (dir) => {
      await writeFile(path.join(dir, 'package.json'), '{"name": "secret-package"}\n');
    });
    const port = Number(new URL(server!.url).port);
    const attempts = [
      '/../package.json',
      '/%2e%2e/package.json',
      '/%2E%2E/%2E%2E/package.json',
      '/posts/..%2f..%2fpackage.json',
      '/%2e%2e%2fsite.toml',
      '/posts/..%5c..%5csite.toml',
      '/posts/%2e%2e/%2e%2e/site.toml',
      '/site.toml',
      '/package.json',
      '/content/posts/%ED%8A%B8%EB%9E%9C%EC%8A%A4%ED%8F%AC%EB%A8%B8-%EC%9D%BD%EA%B8%B0.md',
      '/index.html%00.md',
      '/%00',
      '/%E0%A4%A',
    ];
    for (const attempt of attempts) {
      for (const { status, body } of [await rawGet(port, attempt), await fetchAsIs(attempt)]) {
        expect([400, 404], attempt).toContain(status);
        expect(body, attempt).not.toContain('secret-package');
        expect(body, attempt).not.toContain('paginate = 10');
        expect(body, attempt).not.toContain('첫 문단: scaled');
      }
    }
    expect((await rawGet(port, '/../package.json')).status).toBe(400);
    expect((await rawGet(port, '/posts/..%2f..%2fpackage.json')).status).toBe(400);

    async function fetchAsIs(attempt: string) {
      const { response, body } = await get(`${server!.url.replace(/\/$/, '')}${attempt}`);
      return { status: response.status, body };
    }
  });

  it('resolves only keys of the output map', () => {
    const outputs = new Map<string, Output>([
      ['index.html', { path: 'index.html', content: 'home' }],
      ['posts/글/index.html', { path: 'posts/글/index.html', content: 'post' }],
    ]);
    expect(resolve('/', outputs)).toMatchObject({ status: 200, path: 'index.html' });
    expect(resolve('/posts/%EA%B8%80/?x=1', outputs)).toMatchObject({ status: 200, path: 'posts/글/index.html' });
    expect(resolve('/posts/%EA%B8%80', outputs)).toEqual({ status: 301, location: '/posts/%EA%B8%80/' });
    expect(resolve('//evil.example/posts/%EA%B8%80', outputs)).toEqual({ status: 404 });
    expect(resolve('/posts/./%EA%B8%80/', outputs)).toMatchObject({ status: 400 });
    expect(resolve('http://127.0.0.1/', outputs)).toMatchObject({ status: 400 });
    // Under `baseURL = "https://example.com/blog/"` the site lives under /blog/.
    // The query goes along, as on a static host: the search page reads `?q=` from its address.
    expect(resolve('/posts/%EA%B8%80?q=%EC%9E%90#top', outputs)).toEqual({ status: 301, location: '/posts/%EA%B8%80/?q=%EC%9E%90' });
    expect(resolve('/blog?q=1', outputs, '/blog/')).toEqual({ status: 301, location: '/blog/?q=1' });
    expect(resolve('/?q=1', outputs, '/blog/')).toEqual({ status: 301, location: '/blog/?q=1' });
    expect(resolve('/blog/posts/%EA%B8%80/', outputs, '/blog/')).toMatchObject({ status: 200 });
    expect(resolve('/', outputs, '/blog/')).toEqual({ status: 301, location: '/blog/' });
    expect(resolve('/blog', outputs, '/blog/')).toEqual({ status: 301, location: '/blog/' });
    expect(resolve('/blog/', outputs, '/blog/')).toMatchObject({ status: 200, path: 'index.html' });
    expect(resolve('/posts/%EA%B8%80/', outputs, '/blog/')).toEqual({ status: 404 });
  });

  it('serves a site published under a sub-path at that path, so its links work', async () => {
    await start(async (dir) => {
      const file = path.join(dir, 'site.toml');
      await writeFile(file, (await readFile(file, 'utf8')).replace('https://example.com/', 'https://example.com/blog/'));
    });
    expect(server!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/blog\/$/);
    const home = await get(server!.url);
    expect(home.response.status).toBe(200);
    expect(home.body).toContain('href="/blog/posts/트랜스포머-읽기/"');
    expect((await get(`/blog/${POST_URL}`)).response.status).toBe(200);
    expect((await get('/')).response.headers.get('location')).toBe('/blog/');
  });

  it('leaves the client out of the build output', async () => {
    root = await copySite('dev');
    const result = await build({ root, drafts: true, dev: true });
    const html = result.outputs.filter((output): output is Output & { content: string } => 'content' in output && output.path.endsWith('.html'));
    expect(html.length).toBeGreaterThan(3);
    for (const output of html) expect(output.content).not.toContain('__geul');
  });

  it('takes the next port when the one asked for is in use, and says so', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const taken = (blocker.address() as AddressInfo).port;
    try {
      await start(undefined, taken);
      const port = Number(new URL(server!.url).port);
      expect(port).toBeGreaterThan(taken);
      expect(port).toBeLessThanOrEqual(taken + 20);
      expect(lines[0]).toBe(`geul dev: serving ${server!.url} (drafts included; port ${taken} was in use)`);
    } finally {
      await new Promise((done) => blocker.close(done));
    }
  });
});

describe('geul dev: rebuilding', () => {
  it('rebuilds on a change and tells open pages to reload', async () => {
    await start();
    const events = await EventStream.open(new URL('/__geul/events', server!.url).href);
    const hello = await events.next('hello');
    expect(hello.data.problems).toEqual([]);

    const mark = events.mark;
    await edit(POST, (text) => text.replace('마지막 문단이다.', '고쳐 쓴 마지막 문단.'));
    const reload = await events.next('reload', mark);
    expect(reload.data.version).not.toBe(hello.data.version);
    expect((await get(POST_URL)).body).toContain('고쳐 쓴 마지막 문단.');
    // The edited page reloads as soon as it is rendered; the line comes when the whole site is.
    await vi.waitFor(() => expect(lines.at(-1)).toMatch(rebuildLine), { timeout: 10_000, interval: 10 });
    expect(lines.at(-1)).toContain(`${POST} changed: rebuilt in`);

    // close() ends the event streams, so pages and vitest are not left hanging.
    await server!.close();
    await events.ended;
  });

  it('tells the search page to reload when a new search index is served (its old chunks are gone)', async () => {
    await start();
    const events = await EventStream.open(new URL('/__geul/events', server!.url).href);
    await events.next('hello');
    const mark = events.mark;
    await writeFile(path.join(root!, 'content/posts/새-글.md'), '+++\ntitle = "새 글"\ndate = 2024-04-01\n+++\n\n무지개떡볶이는 맛있다.\n');
    const search = await events.next('search', mark);
    expect(search.data).toEqual({ page: 'search/index.html' });
    // The new bundle is what is served: its entry names the chunks it has.
    const entry = JSON.parse((await get('pagefind/pagefind-entry.json')).body) as { languages: Record<string, { hash: string }> };
    for (const { hash } of Object.values(entry.languages)) expect(hash).toMatch(/\w/);
    const client = (await get('search/')).body;
    expect(client).toContain('search: function (text)');
  }, 30_000);

  it('a site of more than 256 posts keeps its whole search bundle served after a save re-indexes one part', async () => {
    await start(async (dir) => {
      for (let n = 0; n < 300; n++) {
        const day = String((n % 28) + 1).padStart(2, '0');
        await writeFile(
          path.join(dir, `content/posts/글-${String(n).padStart(3, '0')}.md`),
          `+++\ntitle = "글 ${n}"\ndate = 2024-02-${day}\ntags = ["태그${n % 5}"]\n+++\n\n이 글은 ${n}번째 글이다. 모델은 데이터를 배운다.\n`,
        );
      }
    });
    // The files the search page fetches: the bundle, and each part's entry and metadata (mergeIndex).
    const bundleStatuses = async () => {
      const parts = JSON.parse((await get('pagefind/geul-parts.json')).body) as string[];
      const statuses: Record<string, number> = {};
      for (const dir of ['', ...parts]) {
        const files = dir === '' ? ['pagefind.js', 'pagefind-worker.js', 'wasm.unknown.pagefind'] : [];
        const entry = await get(`pagefind/${dir}pagefind-entry.json`);
        statuses[`${dir}pagefind-entry.json`] = entry.response.status;
        if (entry.response.ok) {
          const { languages } = JSON.parse(entry.body) as { languages: Record<string, { hash: string }> };
          files.push(...Object.values(languages).map(({ hash }) => `pagefind.${hash}.pf_meta`));
        }
        for (const file of files) statuses[`${dir}${file}`] = (await get(`pagefind/${dir}${file}`)).response.status;
      }
      return { parts, statuses, missing: Object.keys(statuses).filter((file) => statuses[file] !== 200) };
    };
    // The index follows the first build in the background.
    await vi.waitFor(async () => expect((await get('pagefind/pagefind.js')).response.status).toBe(200), { timeout: 20_000, interval: 100 });
    const before = await bundleStatuses();
    expect(before.parts.length).toBeGreaterThanOrEqual(2);
    expect(before.missing).toEqual([]);

    const events = await EventStream.open(new URL('/__geul/events', server!.url).href);
    await events.next('hello');
    const mark = events.mark;
    await edit('content/posts/글-150.md', (text) => text.replace('150번째 글이다.', '무지개떡볶이 이야기다.'));
    await events.next('search', mark);
    // One part was indexed again (its metadata has a new name); the others keep their files, still served.
    const after = await bundleStatuses();
    expect(after.parts).toEqual(before.parts);
    expect(after.missing).toEqual([]);
    expect(Object.keys(after.statuses).filter((file) => !(file in before.statuses))).toHaveLength(1);
  }, 60_000);

  it('publishes a scheduled post when its time comes, and withdraws an expiring one, with no file changed', async () => {
    // Whole seconds from now, written with an offset: out once that instant has passed.
    const at = (seconds: number) => `${new Date(Math.ceil(Date.now() / 1000) * 1000 + seconds * 1000).toISOString().slice(0, 19)}Z`;
    const publishAt = at(3);
    const expireAt = at(4);
    await start(async (dir) => {
      await writeFile(path.join(dir, 'content/posts/예약.md'), `+++\ntitle = "예약 글"\ndate = ${publishAt}\n+++\n\n때가 되면 나온다.\n`);
      await writeFile(path.join(dir, 'content/posts/만료.md'), `+++\ntitle = "만료 글"\ndate = 2024-01-01\nexpiryDate = ${expireAt}\n+++\n\n곧 내려간다.\n`);
    });
    const scheduled = `posts/${encodeURIComponent('예약')}/`;
    const expiring = `posts/${encodeURIComponent('만료')}/`;
    expect((await get(scheduled)).response.status).toBe(404);
    expect((await get(expiring)).response.status).toBe(200);
    const events = await EventStream.open(new URL('/__geul/events', server!.url).href);
    await events.next('hello');
    let mark = events.mark;
    await events.next('reload', mark);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(publishAt));
    expect((await get(scheduled)).body).toContain('때가 되면 나온다.');
    mark = events.mark;
    await events.next('reload', mark);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expireAt));
    expect((await get(expiring)).response.status).toBe(404);
  }, 30_000);

  it('picks up new and deleted posts, and folders that did not exist at start', async () => {
    await start(async (dir) => rm(path.join(dir, 'images'), { recursive: true }));
    expect(lines.at(-1)).toMatch(/^geul dev: built in \d+ ms, 1 error, 0 warnings; nothing to serve until it is fixed$/);
    const events = await EventStream.open(new URL('/__geul/events', server!.url).href);
    await events.next('hello');

    let mark = events.mark;
    await mkdir(path.join(root!, 'images'));
    await writeFile(path.join(root!, 'images/diagram.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await events.next('reload', mark);
    expect((await get('images/diagram.svg')).response.status).toBe(200);

    mark = events.mark;
    const added = 'content/posts/새-글.md';
    await writeFile(path.join(root!, added), '+++\ntitle = "새 글"\ndate = 2024-04-01\n+++\n\n새로 쓴 글.\n');
    await events.next('reload', mark);
    expect((await get(`posts/${encodeURIComponent('새-글')}/`)).body).toContain('새로 쓴 글.');

    mark = events.mark;
    await rm(path.join(root!, added));
    await events.next('reload', mark);
    expect((await get(`posts/${encodeURIComponent('새-글')}/`)).response.status).toBe(404);
    expect(lines.at(-1)).toContain(`${added} changed: rebuilt`);
  });

  it('follows images/ replaced by another folder in two renames, as an export script swaps its output in', async () => {
    const aside = await tempDir('geul-images-swap-');
    try {
      await start();
      const fresh = path.join(aside, 'new');
      await mkdir(fresh);
      await writeFile(path.join(fresh, 'diagram.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"/>');
      const seen = lines.length;
      // Same names inside: chokidar reports nothing, and kept watching the folder moved away.
      await rename(path.join(root!, 'images'), path.join(aside, 'old'));
      await rename(fresh, path.join(root!, 'images'));
      await vi.waitFor(() => expect(lines.slice(seen).some((line) => /images\S* changed: rebuilt/.test(line))).toBe(true), { timeout: 8_000, interval: 50 });
      // A save in the new folder is seen.
      await writeFile(path.join(root!, 'images/later.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
      await vi.waitFor(async () => expect((await get('images/later.svg')).response.status).toBe(200), { timeout: 8_000, interval: 100 });
    } finally {
      await cleanup(aside);
    }
  });

  it('sees a file saved in a shared folder that images/ links to, as the build copies it', async () => {
    const shared = await tempDir('geul-shared-images-');
    try {
      await start(async (dir) => {
        await cp(path.join(dir, 'images'), shared, { recursive: true });
        await rm(path.join(dir, 'images'), { recursive: true });
        await symlink(shared, path.join(dir, 'images'));
      });
      const events = await EventStream.open(new URL('/__geul/events', server!.url).href);
      await events.next('hello');
      await writeFile(path.join(shared, 'new.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
      await vi.waitFor(() => expect(lines.some((line) => line.includes('images/new.svg changed: rebuilt'))).toBe(true), { timeout: 8_000, interval: 50 });
      expect((await get('images/new.svg')).response.status).toBe(200);
    } finally {
      await cleanup(shared);
    }
  });

  it.each([
    ['a folder elsewhere (a notes vault)', 'outside'],
    ['a folder of the project', 'inside'],
  ])('sees a post saved in %s that content/ links to, as the build reads it', async (_, where) => {
    const vault = where === 'outside' ? await tempDir('geul-shared-content-') : undefined;
    try {
      await start(async (dir) => {
        const target = vault ?? path.join(dir, 'posts-ko');
        await cp(path.join(dir, 'content'), target, { recursive: true });
        await rm(path.join(dir, 'content'), { recursive: true });
        await symlink(target, path.join(dir, 'content'));
      });
      const file = path.join(vault ?? path.join(root!, 'posts-ko'), 'posts/트랜스포머-읽기.md');
      await writeFile(file, (await readFile(file, 'utf8')).replace('마지막 문단이다.', '링크 너머에서 고쳤다.'));
      await vi.waitFor(async () => expect((await get(POST_URL)).body).toContain('링크 너머에서 고쳤다.'), { timeout: 8_000, interval: 100 });
      // Seen as saved, not only re-read by the build chokidar's news of the link itself starts.
      await vi.waitFor(() => expect(lines.some((line) => line.includes('content/posts/트랜스포머-읽기.md changed: rebuilt'))).toBe(true), { timeout: 8_000, interval: 50 });
    } finally {
      await cleanup(vault);
    }
  });

  it('sees site.toml saved where it leads when it is a link (settings shared by several blogs), as the build reads it', async () => {
    const shared = await tempDir('geul-shared-config-');
    try {
      await start(async (dir) => {
        await cp(path.join(dir, 'site.toml'), path.join(shared, 'site.toml'));
        await rm(path.join(dir, 'site.toml'));
        await symlink(path.join(shared, 'site.toml'), path.join(dir, 'site.toml'));
      });
      // chokidar tells the link itself once after its scan; let that build pass first.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      while (server!.building) await server!.rebuilt();
      const seen = lines.length;
      const config = path.join(shared, 'site.toml');
      await writeFile(config, (await readFile(config, 'utf8')).replace(/^title = .*/m, 'title = "공유한 설정의 제목"'));
      await vi.waitFor(() => expect(lines.slice(seen).some((line) => line.includes('site.toml changed: rebuilt'))).toBe(true), { timeout: 8_000, interval: 50 });
      expect((await get('')).body).toContain('공유한 설정의 제목');
    } finally {
      await cleanup(shared);
    }
  });

  it('sees a post that is a link saved where it leads, and a .markdown post added, as the build reads them', async () => {
    await start(async (dir) => {
      await mkdir(path.join(dir, 'drafts'));
      await writeFile(path.join(dir, 'drafts/linked.md'), '+++\ntitle = "링크된 글"\ndate = 2024-01-05\n+++\n\n처음 본문\n');
      await symlink('../../drafts/linked.md', path.join(dir, 'content/posts/linked.md'));
    });
    expect((await get('posts/linked/')).body).toContain('처음 본문');
    // Past the recheck after a build (RECHECK_MS), which would catch any save: only the watcher sees these.
    const settle = () => new Promise((done) => setTimeout(done, 500));
    await settle();
    await writeFile(path.join(root!, 'drafts/linked.md'), '+++\ntitle = "링크된 글"\ndate = 2024-01-05\n+++\n\n고친 본문\n');
    await vi.waitFor(async () => expect((await get('posts/linked/')).body).toContain('고친 본문'), { timeout: 8_000, interval: 100 });
    // A link added while geul dev runs is watched too.
    await writeFile(path.join(root!, 'drafts/second.md'), '+++\ntitle = "둘째"\ndate = 2024-01-06\n+++\n\n둘째 본문\n');
    await symlink('../../drafts/second.md', path.join(root!, 'content/posts/second.md'));
    await vi.waitFor(async () => expect((await get('posts/second/')).body).toContain('둘째 본문'), { timeout: 8_000, interval: 100 });
    await settle();
    await writeFile(path.join(root!, 'drafts/second.md'), '+++\ntitle = "둘째"\ndate = 2024-01-06\n+++\n\n둘째 고침\n');
    await vi.waitFor(async () => expect((await get('posts/second/')).body).toContain('둘째 고침'), { timeout: 8_000, interval: 100 });
    await writeFile(path.join(root!, 'content/posts/other.markdown'), '+++\ntitle = "다른 확장자"\ndate = 2024-01-07\n+++\n\n마크다운 본문\n');
    await vi.waitFor(async () => expect((await get('posts/other/')).body).toContain('마크다운 본문'), { timeout: 8_000, interval: 100 });
  });

  it('sees the file a post linking to nothing leads to when it is written, as the build reads it then', async () => {
    await start(async (dir) => {
      await mkdir(path.join(dir, 'drafts'));
      await symlink('../../drafts/later.md', path.join(dir, 'content/posts/later.md'));
    });
    expect(lines.some((line) => line.includes('content/posts/later.md:1:1: warning: not read: a link to ../../drafts/later.md, which does not exist'))).toBe(true);
    expect((await get('posts/later/')).response.status).toBe(404);
    // Past the recheck after a build (RECHECK_MS), which would catch any save: only the watcher sees this.
    await new Promise((done) => setTimeout(done, 500));
    await writeFile(path.join(root!, 'drafts/later.md'), '+++\ntitle = "나중 글"\ndate = 2024-01-05\n+++\n\n이제 쓴 본문\n');
    await vi.waitFor(async () => expect((await get('posts/later/')).body).toContain('이제 쓴 본문'), { timeout: 8_000, interval: 100 });
    // And it is watched from then on, as any linked post.
    await new Promise((done) => setTimeout(done, 500));
    await writeFile(path.join(root!, 'drafts/later.md'), '+++\ntitle = "나중 글"\ndate = 2024-01-05\n+++\n\n고친 본문\n');
    await vi.waitFor(async () => expect((await get('posts/later/')).body).toContain('고친 본문'), { timeout: 8_000, interval: 100 });
  });

  it('serves parts of a file asked for by range, as a browser seeking in a video asks (pages whole)', async () => {
    const video = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    await start(async (dir) => {
      await mkdir(path.join(dir, 'static'), { recursive: true });
      await writeFile(path.join(dir, 'static/demo.mp4'), video);
    });
    const part = async (url: string, range: string) => {
      const response = await fetch(new URL(url, server!.url), { headers: { Range: range } });
      return { response, bytes: Buffer.from(await response.arrayBuffer()) };
    };
    const whole = await part('demo.mp4', '');
    expect(whole.response.status).toBe(200);
    expect(whole.response.headers.get('accept-ranges')).toBe('bytes');
    const cases: [string, number, string, Buffer][] = [
      ['bytes=0-99', 206, 'bytes 0-99/1000', video.subarray(0, 100)],
      ['bytes=990-', 206, 'bytes 990-999/1000', video.subarray(990)],
      ['bytes=-10', 206, 'bytes 990-999/1000', video.subarray(990)],
      ['bytes=500-5000', 206, 'bytes 500-999/1000', video.subarray(500)],
    ];
    for (const [range, status, contentRange, bytes] of cases) {
      const { response, bytes: got } = await part('demo.mp4', range);
      expect(response.status, range).toBe(status);
      expect(response.headers.get('content-range'), range).toBe(contentRange);
      expect(got.equals(bytes), range).toBe(true);
    }
    const beyond = await part('demo.mp4', 'bytes=1000-');
    expect(beyond.response.status).toBe(416);
    expect(beyond.response.headers.get('content-range')).toBe('bytes */1000');
    // Files made in memory too (a stylesheet); a page, which the server adds its client to, whole.
    const css = await part('assets/style.css', 'bytes=0-9');
    expect(css.response.status).toBe(206);
    expect(css.bytes.byteLength).toBe(10);
    expect((await part('', 'bytes=0-9')).response.status).toBe(200);
  });

  it("serves static/'s dot files as they are saved, as the build copies them", async () => {
    await start();
    const events = await EventStream.open(new URL('/__geul/events', server!.url).href);
    await events.next('hello');
    // Each save alone: a watcher that skips such names never rebuilds for it.
    for (const [file, text] of [
      ['static/.well-known/security.txt', 'Contact: mailto:me@example.com\n'],
      ['static/.nojekyll', ''],
    ] as const) {
      const mark = events.mark;
      await mkdir(path.dirname(path.join(root!, file)), { recursive: true });
      await writeFile(path.join(root!, file), text);
      await events.next('reload', mark, 8_000);
      const served = await get(file.slice('static/'.length));
      expect(served.response.status, file).toBe(200);
      expect(served.body, file).toBe(text);
    }
  });

  it('keeps serving the last good build with the problems over it, and recovers', async () => {
    await start();
    const events = await EventStream.open(new URL('/__geul/events', server!.url).href);
    await events.next('hello');

    let mark = events.mark;
    await edit(POST, (text) => text.replace('title = "트랜스포머 다시 읽기"', 'title = "unclosed'));
    const error = await events.next('error', mark);
    const [problem] = error.data.problems;
    expect(problem.text).toMatch(/^content\/posts\/트랜스포머-읽기\.md:2:18: invalid TOML/);
    expect(problem.frame).toContain('> 2 | title = "unclosed');

    // The terminal gets the same line and frame, and the summary says what is served.
    expect(lines).toContain(problem.text);
    expect(lines).toContain(problem.frame);
    expect(lines.at(-1)).toMatch(/1 error, 0 warnings; still serving the last good build$/);

    const broken = await get(POST_URL);
    expect(broken.response.status).toBe(200);
    expect(broken.body).toContain('<h1');
    expect(broken.body).toContain('트랜스포머 다시 읽기');
    expect(broken.body).toContain('"text":"content/posts/트랜스포머-읽기.md:2:18: invalid TOML');
    // A page opened now learns about the problems as soon as it connects, too.
    const late = await EventStream.open(new URL('/__geul/events', server!.url).href);
    expect((await late.next('hello')).data.problems[0].text).toBe(problem.text);
    // And so does a tab that gets its events from another tab's stream, asking once.
    const hello = await get('/__geul/hello');
    expect(hello.response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect((JSON.parse(hello.body) as { problems: { text: string }[] }).problems[0]!.text).toBe(problem.text);

    mark = events.mark;
    await edit(POST, (text) => text.replace('title = "unclosed', 'title = "트랜스포머 고쳐 읽기"'));
    await events.next('reload', mark);
    const fixed = await get(POST_URL);
    expect(fixed.body).toContain('트랜스포머 고쳐 읽기');
    expect(fixed.body).toContain('"problems":[]');
    expect(lines.at(-1)).toMatch(/changed: rebuilt in \d+ ms, 0 errors, 0 warnings$/);
  });

  it('tells every page of the warnings of the build it serves (invalid math), with place and frame, until they are fixed', async () => {
    await start();
    const events = await EventStream.open(new URL('/__geul/events', server!.url).href);
    expect((await events.next('hello')).data.warnings).toEqual([]);

    let mark = events.mark;
    await edit(POST, (text) => text.replace('마지막 문단이다.', '문장 $\\frac{1}{$ 끝'));
    const { data } = await events.next('warnings', mark);
    expect(data.warnings).toHaveLength(1);
    const [warning] = data.warnings;
    expect(warning).toMatchObject({ severity: 'warning', path: POST });
    expect(warning.text).toMatch(/^content\/posts\/트랜스포머-읽기\.md:17:4: warning: Could not render math with KaTeX: /);
    expect(warning.frame).toContain('> 17 | 문장 $\\frac{1}{$ 끝');
    // The terminal says the same, and the page is served as built, with the warning for its client.
    await vi.waitFor(() => expect(lines.at(-1)).toMatch(/changed: rebuilt in \d+ ms, 0 errors, 1 warning/), { timeout: 10_000, interval: 10 });
    expect(lines).toContain(warning.text);
    expect(lines).toContain(warning.frame);
    const page = await get(POST_URL);
    expect(page.response.status).toBe(200);
    expect(page.body).toContain('문장');
    expect(page.body).toContain('"problems":[]');
    expect(page.body).toContain(`"warnings":[{"text":${JSON.stringify(warning.text).replace(/</g, '\\u003c')}`);
    // A page opened now is told at once, too.
    const late = await EventStream.open(new URL('/__geul/events', server!.url).href);
    expect((await late.next('hello')).data.warnings).toEqual(data.warnings);

    mark = events.mark;
    await edit(POST, (text) => text.replace('문장 $\\frac{1}{$ 끝', '마지막 문단이다.'));
    expect((await events.next('warnings', mark)).data.warnings).toEqual([]);
    expect((await get(POST_URL)).body).toContain('"warnings":[]');
  });

  it('a save that comes right after the rebuild of the one before is not lost (chokidar drops a second change within 50 ms)', async () => {
    await start();
    const events = await EventStream.open(new URL('/__geul/events', server!.url).href);
    await events.next('hello');
    for (let n = 1; n <= 3; n++) {
      const mark = events.mark;
      await edit(POST, (text) => text.replace(/첫 문단|빠른 저장 \d+/, `빠른 저장 ${n}`));
      await events.next('reload', mark);
      // At once, while the watcher still throttles this file.
      await edit(POST, (text) => text.replace(`빠른 저장 ${n}`, `빠른 저장 ${n}${n}`));
      await vi.waitFor(async () => expect((await get(POST_URL)).body).toContain(`빠른 저장 ${n}${n}`), { timeout: 10_000, interval: 20 });
      await edit(POST, (text) => text.replace(`빠른 저장 ${n}${n}`, `빠른 저장 ${n}`));
      await vi.waitFor(async () => expect((await get(POST_URL)).body).not.toContain(`빠른 저장 ${n}${n}`), { timeout: 10_000, interval: 20 });
    }
  });

  it('starts even when the first build fails, and shows the problems until it is fixed', async () => {
    await start(async (dir) => {
      const file = path.join(dir, POST);
      await writeFile(file, (await readFile(file, 'utf8')).replace('date = 2024-03-02', 'date = "2024-13-02"'));
    });
    expect(lines.some((line) => line.startsWith(`${POST}:3:`))).toBe(true);
    const home = await get('/');
    expect(home.response.status).toBe(404);
    expect(home.body).toContain(`"text":"${POST}:3:`);

    const events = await EventStream.open(new URL('/__geul/events', server!.url).href);
    await events.next('hello');
    const mark = events.mark;
    await edit(POST, (text) => text.replace('date = "2024-13-02"', 'date = 2024-03-02'));
    await events.next('reload', mark);
    expect((await get('/')).response.status).toBe(200);
  });

  it('serves an edited body at once, reloads only its page, and brings the lists up to date when saves pause', async () => {
    await start();
    const events = await EventStream.open(new URL('/__geul/events', server!.url).href);
    await events.next('hello');
    const DRAFT = 'content/posts/쓰는-중.md';
    const postFile = `posts/쓰는-중/index.html`;

    // The draft has no description: its first paragraph is its summary on the home page, so
    // this body-only change still changes a list.
    let mark = events.mark;
    await edit(DRAFT, (text) => text.replace('초안 본문:', '고친 본문:'));
    const quick = await events.next('reload', mark);
    expect(quick.data.pages).toEqual([postFile]);
    expect((await get(DRAFT_URL)).body).toContain('고친 본문:');
    // The home page follows with a reload of its own; the post page is not reloaded again.
    const lists = await events.next('reload', events.mark);
    expect(lists.data.pages).toContain('index.html');
    expect(lists.data.pages).not.toContain(postFile);
    expect((await get('/')).body).toContain('고친 본문:');
    await vi.waitFor(() => expect(lines.at(-1)).toMatch(/changed: rebuilt in \d+ ms, 0 errors, 0 warnings \(changed pages served after \d+ ms\)$/), { timeout: 10_000, interval: 10 });

    // Saves in a row: each is served at once, and the lists catch up after the last one
    // (a save while the rest of the site waits takes over from it).
    mark = events.mark;
    await edit(DRAFT, (text) => text.replace('고친 본문:', '다시 고친 본문:'));
    await events.next('reload', mark);
    await edit(DRAFT, (text) => text.replace('다시 고친 본문:', '세 번 고친 본문:'));
    await vi.waitFor(async () => expect((await get(DRAFT_URL)).body).toContain('세 번 고친 본문:'), { timeout: 10_000, interval: 5 });
    await vi.waitFor(async () => expect((await get('/')).body).toContain('세 번 고친 본문:'), { timeout: 10_000, interval: 20 });
    // A template change reloads every page.
    mark = events.mark;
    await writeFile(path.join(root!, 'templates/404.liquid'), `${await readFile(path.join(root!, 'templates/404.liquid'), 'utf8')}\n`);
    expect((await events.next('reload', mark)).data.pages).toBeUndefined();
  });

  it('folds a burst of saves into one build and never runs two builds at once', async () => {
    await start();
    const events = await EventStream.open(new URL('/__geul/events', server!.url).href);
    await events.next('hello');

    // An editor saving 100 times in a row. Written synchronously: the server shares this
    // process, so awaited writes would be spread out over the builds they trigger.
    const file = path.join(root!, POST);
    const original = readFileSync(file, 'utf8');
    const mark = events.mark;
    for (let n = 1; n <= 100; n++) writeFileSync(file, original.replace('마지막 문단이다.', `저장 ${n}번째.`));
    await events.next('reload', mark);
    await vi.waitFor(async () => expect((await get(POST_URL)).body).toContain('저장 100번째.'), { timeout: 20_000, interval: 50 });
    await vi.waitFor(() => expect(server!.building).toBe(false), { timeout: 10_000, interval: 10 });
    const burstBuilds = lines.filter((line) => rebuildLine.test(line)).length;
    expect(burstBuilds).toBeGreaterThanOrEqual(1);
    expect(burstBuilds).toBeLessThanOrEqual(2);

    // Changes that arrive while a build runs give exactly one more build, after it.
    const first = server!.rebuilt();
    await edit(POST, (text) => text.replace('첫 문단', '첫째 문단'));
    await vi.waitFor(() => expect(server!.building).toBe(true), { timeout: 10_000, interval: 2 });
    const second = server!.rebuilt();
    const draft = path.join(root!, 'content/posts/쓰는-중.md');
    writeFileSync(draft, readFileSync(draft, 'utf8').replace('초안 본문', '초안 본문 하나'));
    writeFileSync(draft, readFileSync(draft, 'utf8').replace('초안 본문 하나', '초안 본문 둘'));
    const one = await first;
    const two = await second;
    expect(one.changed).toEqual([POST]);
    // (On a loaded machine the watcher may see the first edit's write twice, as its truncation
    // and its bytes: the second build then lists that post again, its text the same.)
    expect(two.changed.filter((file) => file !== POST)).toEqual(['content/posts/쓰는-중.md']);
    expect(two.startedAt).toBeGreaterThanOrEqual(one.finishedAt);
    expect((await get(DRAFT_URL)).body).toContain('초안 본문 둘');
    // Nothing else is pending: no third build follows (an absence can only be waited out).
    await new Promise((done) => setTimeout(done, 300));
    expect(server!.building).toBe(false);
    expect(lines.filter((line) => rebuildLine.test(line))).toHaveLength(burstBuilds + 2);
  });
});
