/**
 * Pages of posts rendered on helper threads (src/render-helpers.ts) come out as the main
 * thread renders them: the same bytes, the same problems, whatever cannot cross to a thread
 * rendered where it is.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { render } from '../src/render.ts';
import type { Output, Page } from '../src/types.ts';
import { createUrls } from '../src/urls.ts';
import { BODY_BYTES } from '../src/view.ts';
import { cleanup, tempDir } from './helpers/site.ts';

/** Threads started, counted through the module that starts them. */
let started = 0;
vi.mock('../src/worker.ts', async (original) => {
  const real = await original<typeof import('../src/worker.ts')>();
  return { ...real, startWorker: (...args: Parameters<typeof real.startWorker>) => (started++, real.startWorker(...args)) };
});

let root: string;
const urls = createUrls({ baseURL: 'https://example.com/블로그/' });
const globals = { dev: false, site: { title: '글 모음', params: { launched: '2024-03-01' } }, i18n: { posts: '글' } };

beforeAll(async () => {
  root = await tempDir('geul-render-helpers-');
  mkdirSync(path.join(root, 'templates', 'partials'), { recursive: true });
  const write = (name: string, text: string) => writeFileSync(path.join(root, 'templates', `${name}.liquid`), text);
  write('post', '<title>{{ post.title }} · {{ site.title }}</title><a href="{{ post.url | relURL }}">{{ i18n.posts }}</a>{% render "partials/tags", tags: post.tags %}<main>{{ post.content | raw }}</main>{{ site.params.launched }}');
  write('partials/tags', '{% for t in tags %}<b>{{ t }}</b>{% endfor %}');
  write('list', '{% for post in posts %}{{ post | partial: "partials/item" | raw }}{% endfor %}');
  write('partials/item', '<li>{{ post.title }}</li>');
  write('broken', '{{ post.title | nosuchfilter }}');
});
afterAll(() => cleanup(root));

/**
 * A post's view as view.ts makes it: the body behind a getter, and its bytes beside it, held
 * once as compact-html.ts holds a post compiled in this thread (a Buffer of its own: a body
 * over 4 KB).
 */
const bodyOf = (n: number) => `<p>본문 ${n} <span class="katex">x^${n}</span> &amp; “따옴표”</p>\n`.repeat(100);
function postView(n: number, extra: Record<string, unknown> = {}) {
  const held = Buffer.from(bodyOf(n));
  const view = { title: `글 ${n}`, url: `posts/${n}/`, tags: [`태그${n % 3}`, 'tag'], content: '', ...extra };
  Object.defineProperty(view, 'content', { get: () => held.toString('utf8'), enumerable: false });
  Object.defineProperty(view, BODY_BYTES, { value: () => held, enumerable: false });
  return view;
}

function pages(count: number, template = 'post', extra: (n: number) => Record<string, unknown> = () => ({})): Page[] {
  const posts = Array.from({ length: count }, (_, n) => postView(n, extra(n)));
  return [
    { outputPath: 'index.html', template: 'list', data: { ...globals, posts } },
    ...posts.map((post, n) => ({ outputPath: `posts/${n}/index.html`, template, data: { ...globals, post } })),
  ];
}

const text = (output: Output) => ('content' in output ? Buffer.from(output.content).toString('utf8') : output);

describe('render helpers', () => {
  test('never more threads than pages to render: --workers 1000 on a small site started 999', async () => {
    started = 0;
    const helped = await render(pages(2), root, urls, globals, { helpers: 20, helpersFrom: 1 });
    expect(helped.outputs).toHaveLength(3);
    expect(started).toBeLessThanOrEqual(3);
  }, 60_000);

  test('pages of posts rendered by two helpers are the bytes the main thread alone makes, in page order', async () => {
    const alone = await render(pages(40), root, urls, globals);
    const helped = await render(pages(40), root, urls, globals, { helpers: 2, helpersFrom: 1 });
    expect(alone.outputs).toHaveLength(41);
    expect(helped.outputs.map(text)).toEqual(alone.outputs.map(text));
    expect(String(text(helped.outputs[5]!))).toContain(`<main>${bodyOf(4)}</main>`);
    expect(String(text(helped.outputs[5]!))).toContain('href="/블로그/posts/4/"');
  }, 60_000);

  test('a body sent to a helper is copied, not moved: the post keeps it for the feed and the search index', async () => {
    const site = pages(30);
    await render(site, root, urls, globals, { helpers: 1, helpersFrom: 1 });
    const post = site[7]!.data.post as { content: string };
    expect(post.content).toBe(bodyOf(6));
  }, 60_000);

  test('given to emit, every page is given once, as bytes that read the same', async () => {
    const emitted = new Map<string, string>();
    const helped = await render(pages(30), root, urls, globals, {
      helpers: 1,
      helpersFrom: 1,
      emit: async (output) => void emitted.set(output.path, String(text(output))),
    });
    const alone = await render(pages(30), root, urls, globals);
    expect(helped.emitted).toBe(31);
    expect(new Map(alone.outputs.map((output) => [output.path, String(text(output))]))).toEqual(emitted);
  }, 60_000);

  test('a page whose data cannot cross to a thread is rendered here', async () => {
    const withFunction = pages(12, 'post', (n) => (n === 3 ? { helper: () => 'not cloneable' } : {}));
    const helped = await render(withFunction, root, urls, globals, { helpers: 1, helpersFrom: 1 });
    const alone = await render(pages(12), root, urls, globals);
    expect(helped.outputs.map(text)).toEqual(alone.outputs.map(text));
  }, 60_000);

  test('globals that cannot cross to a thread: no helper starts, and every page is rendered here', async () => {
    const odd = { ...globals, site: { ...globals.site, format: () => 'x' } };
    const withOdd = (list: Page[]) => list.map((page) => ({ ...page, data: { ...page.data, site: odd.site } }));
    const helped = await render(withOdd(pages(12)), root, urls, odd, { helpers: 1, helpersFrom: 1 });
    const alone = await render(withOdd(pages(12)), root, urls, odd);
    expect(helped.outputs).toHaveLength(13);
    expect(helped.outputs.map(text)).toEqual(alone.outputs.map(text));
  }, 60_000);

  test('a template error met by a helper is reported once, at its place, and its pages left out', async () => {
    const helped = await render(pages(20, 'broken'), root, urls, globals, { helpers: 2, helpersFrom: 1 });
    expect(helped.outputs.map((output) => output.path)).toEqual(['index.html']);
    const problems = helped.templateFiles.flatMap((file) => file.messages.map((message) => `${file.path}:${message.line}:${message.column}: ${message.reason}`));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^templates\/broken\.liquid:1:1: template error: undefined filter: nosuchfilter/);
  }, 60_000);

  test('a template no page uses is parsed too: its unknown filter is told before a page would meet it', async () => {
    const result = await render(pages(2), root, urls, globals);
    expect(result.outputs).toHaveLength(3);
    const problems = result.templateFiles.flatMap((file) => file.messages.map((message) => `${file.path}:${message.line}:${message.column}: ${message.reason}`));
    expect(problems).toEqual([expect.stringMatching(/^templates\/broken\.liquid:1:1: template error: undefined filter: nosuchfilter/)]);
  });
});
