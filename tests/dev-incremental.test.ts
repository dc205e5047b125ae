/**
 * The dev server's incremental builds against from-scratch builds: after any sequence of
 * changes (bodies, titles, tags, dates, drafts, series, new, deleted and renamed posts,
 * images, templates, site.toml), the site kept in memory is byte for byte the site that
 * `build()` makes from the same files. Pages served early by the quick pass for a body-only
 * change are the bytes the whole build makes for them.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { build } from '../src/build.ts';
import { openCache } from '../src/cache.ts';
import { createSiteBuilder, kindOf, type SiteBuilder } from '../src/incremental.ts';
import { formatProblem } from '../src/report.ts';
import type { Output } from '../src/types.ts';
import { cleanup, copySite, REPO_ROOT } from './helpers/site.ts';

const TAGS = ['NLP', '자연어 처리', 'Transformer', '최적화', 'nlp', '확률'];
const PNG = readFileSync(path.join(import.meta.dirname, 'fixtures/sites/basic/images/dot.png'));

let roots: string[] = [];
afterEach(async () => {
  await cleanup(...roots);
  roots = [];
});

/** The basic fixture plus posts in a series, with shared tags and an alias. */
async function makeSite(): Promise<string> {
  const root = await copySite('basic');
  roots.push(root);
  for (let n = 1; n <= 5; n++) {
    await writeFile(path.join(root, `content/posts/series-${n}.md`), post({ n, title: `연재 ${n}편`, tags: [TAGS[n % TAGS.length]!, TAGS[(n + 2) % TAGS.length]!] }));
  }
  return root;
}

function post({ n, title, tags, date = `2024-03-0${(n % 9) + 1}`, draft = false, body = '' }: { n: number; title: string; tags: string[]; date?: string; draft?: boolean; body?: string }): string {
  return `+++
title = "${title}"
date = ${date}
categories = ["${n % 2 ? '수학' : 'Paper Review'}"]
tags = ${JSON.stringify(tags)}
series = "연재"
draft = ${draft}
${n === 1 ? 'aliases = ["/old/series-one/"]\n' : ''}+++

${n}번째 글의 첫 문단. $\\alpha_${n} = ${n}$ 이고 **강조**가 있다.

## 소제목 ${n}

둘째 문단.${body}
`;
}

/** The served site as bytes by path: what the dev server keeps after a build. */
async function bytesOf(outputs: ReadonlyMap<string, Output>): Promise<Map<string, string>> {
  const bytes = new Map<string, string>();
  for (const [file, output] of outputs) {
    if ('unchanged' in output) throw new Error(`${file} unresolved`);
    const content = 'copyFrom' in output ? await readFile(output.copyFrom) : output.content;
    // Text as text, so that a difference reads as one.
    bytes.set(file, Buffer.from(content).toString(/\.(?:html|xml|txt|css|js|json)$/.test(file) ? 'utf8' : 'base64'));
  }
  return bytes;
}

/** One incremental build as the dev server does it: unchanged outputs keep the previous bytes. */
async function step(builder: SiteBuilder, served: Map<string, Output>, changed: string[]) {
  let quick: Output[] | undefined;
  const current = new Map(served);
  const result = (await builder.update(changed, current, (outputs) => {
    quick = outputs;
    for (const output of outputs) current.set(output.path, output);
  }))!;
  const next = new Map<string, Output>();
  for (const output of result.outputs) next.set(output.path, 'unchanged' in output ? current.get(output.path)! : output);
  return { result, served: next, quick };
}

async function scratch(root: string) {
  const result = await build({ root, drafts: true, dev: true });
  return { problems: result.problems.map(formatProblem), bytes: await bytesOf(new Map(result.outputs.map((output) => [output.path, output]))) };
}

/** A change a writer makes: edits files and says which paths a watcher would report. */
type Change = (root: string, count: number) => Promise<string[]>;

const at = (n: number) => `content/posts/series-${n}.md`;
async function edit(root: string, file: string, change: (text: string) => string): Promise<string[]> {
  const text = await readFile(path.join(root, file), 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  await writeFile(path.join(root, file), change(text));
  return [file];
}

const changes: Record<string, (n: number) => Change> = {
  body: (n) => (root, count) => edit(root, at(n), (text) => `${text}\n추가 문단 ${count}: $\\beta_{${count}}$\n`),
  heading: (n) => (root, count) => edit(root, at(n), (text) => text.replace(/## .*/, `## 바뀐 소제목 ${count} $x^${count % 9}$`)),
  title: (n) => (root, count) => edit(root, at(n), (text) => text.replace(/title = ".*"/, `title = "새 제목 ${count}"`)),
  tags: (n) => (root, count) => edit(root, at(n), (text) => text.replace(/tags = .*/, `tags = ${JSON.stringify([TAGS[count % TAGS.length]])}`)),
  date: (n) => (root, count) => edit(root, at(n), (text) => text.replace(/date = .*/, `date = 2023-12-${String((count % 28) + 1).padStart(2, '0')}`)),
  draft: (n) => (root) => edit(root, at(n), (text) => (text.includes('draft = false') ? text.replace('draft = false', 'draft = true') : text.replace('draft = true', 'draft = false'))),
  broken: (n) => (root) => edit(root, at(n), (text) => text.replace(/date = .*/, 'date = "2024-13-40"')),
  fix: (n) => (root) => edit(root, at(n), (text) => text.replace('date = "2024-13-40"', 'date = 2024-02-20')),
  add: (n) => async (root, count) => {
    const file = `content/posts/new-${count}.md`;
    await writeFile(path.join(root, file), post({ n: n + 10, title: `새 글 ${count}`, tags: [TAGS[count % TAGS.length]!] }));
    return [file];
  },
  remove: (n) => async (root) => {
    await rm(path.join(root, at(n)), { force: true });
    return [at(n)];
  },
  rename: (n) => async (root, count) => {
    const to = `content/posts/renamed-${count}.md`;
    try {
      await rename(path.join(root, at(n)), path.join(root, to));
    } catch {
      return [];
    }
    return [at(n), to];
  },
  folder: () => async (root, count) => {
    await mkdir(path.join(root, `content/posts/bundle-${count}`), { recursive: true });
    await writeFile(path.join(root, `content/posts/bundle-${count}/index.md`), post({ n: 7, title: `번들 ${count}`, tags: ['NLP'], body: '\n\n![점](dot.png)' }));
    await writeFile(path.join(root, `content/posts/bundle-${count}/dot.png`), PNG);
    return [`content/posts/bundle-${count}`];
  },
  image: (n) => async (root, count) => {
    const touched = await edit(root, at(n), (text) => `${text}\n![새 그림](images/new.png)\n`);
    if (count % 2) {
      await writeFile(path.join(root, 'images/new.png'), PNG);
      touched.push('images/new.png');
    }
    return touched;
  },
  imageAppears: () => async (root) => {
    await writeFile(path.join(root, 'images/new.png'), PNG);
    return ['images/new.png'];
  },
  imageGoes: () => async (root) => {
    await rm(path.join(root, 'images/new.png'), { force: true });
    return ['images/new.png'];
  },
  // Hugo's other markdown extension, a list page's _index.md, index.md where geul's pages are.
  addMarkdown: (n) => async (root, count) => {
    const file = `content/posts/other-${count}.Markdown`;
    await writeFile(path.join(root, file), post({ n: n + 20, title: `다른 확장자 ${count}`, tags: ['NLP'] }));
    return [file];
  },
  hugoIndex: () => async (root, count) => {
    const file = count % 2 ? 'content/posts/_index.md' : 'content/posts/index.md';
    await writeFile(path.join(root, file), '+++\ntitle = "글 목록"\n+++\n');
    return [file];
  },
  // A post that is a link into the project, then one that leads out of it (an error), then neither.
  link: (n) => async (root, count) => {
    await mkdir(path.join(root, 'drafts'), { recursive: true });
    await writeFile(path.join(root, `drafts/linked-${count}.md`), post({ n: n + 30, title: `링크 ${count}`, tags: ['링크'] }));
    await symlink(`../../drafts/linked-${count}.md`, path.join(root, `content/posts/linked-${count}.md`));
    return [`content/posts/linked-${count}.md`];
  },
  linkOut: () => async (root) => {
    await symlink(path.join(REPO_ROOT, 'README.md'), path.join(root, 'content/posts/readme.md')).catch(() => {});
    return ['content/posts/readme.md'];
  },
  unlinkOut: () => async (root) => {
    await rm(path.join(root, 'content/posts/readme.md'), { force: true });
    return ['content/posts/readme.md'];
  },
  // A link to another post's file, whose address follows that post's slug.
  linkTo: (n) => (root, count) => edit(root, at(n), (text) => `${text}\n[다음 편](series-${(n % 5) + 1}.md#소제목-${(n % 5) + 1}) ${count}\n`),
  slug: (n) => (root, count) => edit(root, at(n), (text) => (text.includes('slug = ') ? text.replace(/slug = .*/, `slug = "s-${count}"`) : text.replace('draft = ', `slug = "s-${count}"\ndraft = `))),
  template: () => (root, count) => edit(root, 'templates/post.liquid', (text) => `${text}\n<!-- 템플릿 ${count} -->\n`),
  config: () => (root, count) => edit(root, 'site.toml', (text) => text.replace(/^title = .*/m, `title = "블로그 ${count}"`)),
  page: () => (root, count) => edit(root, 'content/about.md', (text) => `${text}\n소개 추가 ${count}.\n`),
};

/** Apply changes one by one; after each, the incremental site must equal a fresh build. */
async function check(root: string, sequence: [keyof typeof changes, number][]): Promise<{ quick: number }> {
  const builder = createSiteBuilder(root, openCache(root, true));
  let served = new Map<string, Output>();
  ({ served } = await step(builder, served, []));
  let quickPasses = 0;
  for (const [index, [kind, n]] of sequence.entries()) {
    const changed = await changes[kind]!(n)(root, index + 1);
    const now = await step(builder, served, changed);
    served = now.served;
    const expected = await scratch(root);
    const label = `${kind}(${n}) at step ${index + 1}`;
    expect(now.result.problems.map(formatProblem), label).toEqual(expected.problems);
    if (expected.problems.some((line) => !line.includes(': warning: '))) continue; // served site stays the last good one
    const actual = await bytesOf(served);
    expect([...actual.keys()].sort(), label).toEqual([...expected.bytes.keys()].sort());
    for (const [file, bytes] of expected.bytes) expect(actual.get(file), `${label}: ${file}`).toBe(bytes);
    if (now.quick) {
      quickPasses++;
      for (const output of now.quick) expect((await bytesOf(new Map([[output.path, output]]))).get(output.path), `${label}: quick ${output.path}`).toBe(expected.bytes.get(output.path));
    }
  }
  return { quick: quickPasses };
}

describe('geul dev: incremental builds equal from-scratch builds', () => {
  test('every kind of change, one after another', async () => {
    const root = await makeSite();
    const { quick } = await check(root, [
      ['body', 2],
      ['heading', 3],
      ['title', 2],
      ['tags', 4],
      ['date', 5],
      ['body', 1],
      ['draft', 3],
      ['add', 1],
      ['rename', 4],
      ['remove', 2],
      ['folder', 1],
      ['image', 1],
      ['imageAppears', 1],
      ['body', 1],
      ['imageGoes', 1],
      ['imageAppears', 1],
      ['broken', 5],
      ['body', 1],
      ['fix', 5],
      ['draft', 3],
      ['template', 1],
      ['body', 3],
      ['config', 1],
      ['page', 1],
      ['body', 5],
    ]);
    // Body and heading edits while the site has no errors are served by the quick pass.
    expect(quick).toBe(7);
  }, 240_000);

  test("what a writer migrating from Hugo adds: .markdown posts, _index.md, index.md, posts that are links", async () => {
    const root = await makeSite();
    await check(root, [
      ['addMarkdown', 1],
      ['hugoIndex', 1],
      ['hugoIndex', 1],
      ['link', 2],
      ['body', 1],
      ['linkOut', 1],
      ['body', 2],
      ['unlinkOut', 1],
      ['addMarkdown', 3],
    ]);
  }, 240_000);

  test("a link to a post's file follows that post: its slug, its draft state, its removal", async () => {
    const root = await makeSite();
    await check(root, [
      ['linkTo', 1],
      ['slug', 2],
      ['body', 2],
      ['draft', 2],
      ['draft', 2],
      ['slug', 2],
      ['remove', 2],
      ['linkTo', 3],
      ['rename', 4],
    ]);
  }, 240_000);

  test('random sequences of changes', async () => {
    const kinds = Object.keys(changes) as (keyof typeof changes)[];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...kinds), fc.integer({ min: 1, max: 5 })), { minLength: 2, maxLength: 5 }), async (sequence) => {
        const root = await makeSite();
        await check(root, sequence);
      }),
      { numRuns: 4, seed: 20261127 },
    );
  }, 300_000);

  test('a save during the wait after a quick pass takes over, and the next whole build catches up', async () => {
    const root = await makeSite();
    const builder = createSiteBuilder(root, openCache(root, true));
    let { served } = await step(builder, new Map(), []);
    for (let n = 1; n <= 3; n++) {
      const changed = await changes.body!(2)(root, n);
      const current = new Map(served);
      let quick: Output[] = [];
      const result = await builder.update(changed, current, (outputs) => (quick = outputs), { arrived: () => true, wait: async () => {} });
      expect(result).toBeUndefined();
      // What was served at once is what a whole build makes for that page.
      const expected = await scratch(root);
      expect(quick.map((output) => output.path)).toEqual(['posts/series-2/index.html']);
      for (const output of quick) {
        current.set(output.path, output);
        expect((await bytesOf(new Map([[output.path, output]]))).get(output.path)).toBe(expected.bytes.get(output.path));
      }
      served = current;
    }
    const last = await step(builder, served, []);
    const expected = await scratch(root);
    expect(await bytesOf(last.served)).toEqual(expected.bytes);
  }, 120_000);

  test('a change that comes while a whole build assembles the site calls it off; the builds after it make what a fresh build makes', async () => {
    const root = await makeSite();
    const builder = createSiteBuilder(root, openCache(root, true));
    let { served } = await step(builder, new Map(), []);
    for (const [stage, calls] of [['between stages', 1], ['while rendering', 3]] as const) {
      // A new title is no body-only change: no quick pass, straight to the whole build.
      const changed = await changes.title!(1)(root, calls);
      let asked = 0;
      let quick = false;
      const result = await builder.update(changed, served, () => (quick = true), { arrived: () => ++asked > calls, wait: async () => {} });
      expect(result, stage).toBeUndefined();
      expect(quick, stage).toBe(false);
      // The save that called it off changes only a body, but the site it would be slotted
      // into is gone with the abandoned build: a whole build, as the next one.
      const next = await step(builder, served, await changes.body!(1)(root, calls));
      expect(next.quick, stage).toBeUndefined();
      served = next.served;
      expect(await bytesOf(served), stage).toEqual((await scratch(root)).bytes);
    }
  }, 120_000);

  test('a post renamed is built as renamed though the watcher tells the new name first (chokidar holds unlink back 100 ms)', async () => {
    const root = await makeSite();
    const builder = createSiteBuilder(root, openCache(root, true));
    let { served } = await step(builder, new Map(), []);
    for (const [from, to] of [[at(2), 'content/posts/series-2.markdown'], ['content/posts/series-2.markdown', 'content/posts/연재-둘.md']] as const) {
      await rename(path.join(root, from), path.join(root, to));
      // Only the new name: its unlink is not reported yet.
      const now = await step(builder, served, [to]);
      const expected = await scratch(root);
      expect(now.result.problems.map(formatProblem), to).toEqual(expected.problems);
      expect(await bytesOf(now.served), to).toEqual(expected.bytes);
      // Then the old name's unlink: nothing more to do.
      served = (await step(builder, now.served, [from])).served;
      expect(await bytesOf(served), to).toEqual(expected.bytes);
    }
  }, 120_000);

  test('a write that lands after the build read the file is reported, once', async () => {
    const root = await makeSite();
    const builder = createSiteBuilder(root, openCache(root, true));
    await builder.update([], new Map());
    await edit(root, at(1), (text) => `${text}\n하나\n`);
    await builder.update([at(1)], new Map());
    expect(builder.changedSinceRead()).toEqual([]);
    await builder.update([at(1)], new Map());
    // Same size, a later mtime: the second write of a save the watcher folded into the first.
    await new Promise((done) => setTimeout(done, 20));
    await edit(root, at(1), (text) => text.replace('하나', '둘'));
    expect(builder.changedSinceRead()).toEqual([at(1)]);
    expect(builder.changedSinceRead()).toEqual([]);
  });

  test('paths are sorted into posts and pages as the loader finds them', () => {
    expect(kindOf('content/posts/a.md')).toBe('post');
    expect(kindOf('content/posts/bundle/index.md')).toBe('post');
    expect(kindOf('content/about.md')).toBe('page');
    expect(kindOf('content/posts/_draft.md')).toBeUndefined();
    expect(kindOf('content/posts/.scratch/a.md')).toBeUndefined();
    expect(kindOf('content/about/index.md')).toBe('page');
    expect(kindOf('content/notes/a.md')).toBeUndefined();
    expect(kindOf('content/about/sub/index.md')).toBeUndefined();
    expect(kindOf('content/_about/index.md')).toBeUndefined();
    expect(kindOf('content/posts/a.txt')).toBeUndefined();
    expect(kindOf('images/a.md')).toBeUndefined();
    expect(kindOf('content/posts/a.markdown')).toBe('post');
    expect(kindOf('content/posts/a.MD')).toBe('post');
    expect(kindOf('content/about.mdown')).toBe('page');
    expect(kindOf('content/index.markdown')).toBe('page');
    expect(kindOf('content/posts/_index.md')).toBeUndefined();
  });
});
