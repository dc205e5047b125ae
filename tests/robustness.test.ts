/**
 * Posts far bigger or deeper than anyone writes: a 1 MB paragraph, 5,000 formulas, lists and
 * blockquotes nested 500 deep, a 10,000-row table. Each builds (`build()`, one worker, no
 * cache) in a child process of its own, so that its time and peak memory are its own; the
 * test asserts only that it completes and that the page has the expected structure. The
 * measurements are printed (the README states them); speed is not asserted.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import path from 'node:path';
import type { Element, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { afterAll, describe, expect, test } from 'vitest';
import { cleanup, REPO_ROOT, runNode, tempDir } from './helpers/site.ts';

const made: string[] = [];
const measured: string[] = [];
afterAll(async () => {
  if (measured.length > 0) console.log(`robustness (build() in a child, workers: 1, no cache):\n${measured.join('\n')}`);
  await cleanup(...made);
});

interface Measurement {
  /** Problems of the build, formatted. */
  problems: string[];
  /** Wall time of build() alone. */
  milliseconds: number;
  /** Peak RSS of the child before and after the build, in MB. */
  rssBeforeMb: number;
  peakRssMb: number;
  /** The post's page, as built. */
  html: string;
}

/**
 * Build a one-post site in a child process and measure it. The child imports build() first,
 * so `rssBeforeMb` is the process with geul loaded and `peakRssMb` what the build added to it.
 */
async function buildPost(name: string, body: string): Promise<Measurement> {
  const root = await tempDir(`geul-robust-${name}-`);
  made.push(root);
  mkdirSync(path.join(root, 'content', 'posts'), { recursive: true });
  await cp(path.join(REPO_ROOT, 'templates'), path.join(root, 'templates'), { recursive: true });
  writeFileSync(path.join(root, 'site.toml'), 'title = "견고함"\nbaseURL = "https://example.com/"\nlanguage = "ko"\n');
  writeFileSync(path.join(root, 'content', 'posts', `${name}.md`), `+++\ntitle = "${name}"\ndate = 2024-01-01\n+++\n\n${body}\n`);
  const htmlFile = path.join(root, 'post.html');
  const script = `
    import { writeFileSync } from 'node:fs';
    const { build } = await import(${JSON.stringify(path.join(REPO_ROOT, 'src', 'build.ts'))});
    const { formatProblem } = await import(${JSON.stringify(path.join(REPO_ROOT, 'src', 'report.ts'))});
    const rssBeforeMb = process.resourceUsage().maxRSS / 1024;
    const started = performance.now();
    const result = await build({ root: ${JSON.stringify(root)}, drafts: false, workers: 1 });
    const milliseconds = performance.now() - started;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    const page = result.outputs.find((output) => output.path === ${JSON.stringify(`posts/${name}/index.html`)});
    writeFileSync(${JSON.stringify(htmlFile)}, page && 'content' in page ? page.content : '');
    process.stdout.write(JSON.stringify({ problems: result.problems.map(formatProblem), milliseconds, rssBeforeMb, peakRssMb }));
  `;
  const { code, stdout, stderr } = await runNode(['--import', 'tsx', '--input-type=module', '-e', script]);
  expect(stderr, `the build of ${name} crashed`).toBe('');
  expect(code).toBe(0);
  const result = JSON.parse(stdout) as Omit<Measurement, 'html'>;
  const html = readFileSync(htmlFile, 'utf8');
  const bodyMb = Buffer.byteLength(body) / 1024 / 1024;
  measured.push(
    `  ${name.padEnd(16)} ${bodyMb.toFixed(2).padStart(5)} MB of markdown → ${(Buffer.byteLength(html) / 1024 / 1024).toFixed(2).padStart(5)} MB page: ` +
      `${(result.milliseconds / 1000).toFixed(1)} s, peak RSS ${Math.round(result.peakRssMb)} MB (${Math.round(result.rssBeforeMb)} MB before the build)`,
  );
  return { ...result, html };
}

/** The post body of a page: what markdown made, without the template around it. */
function prose(html: string): Element {
  const body = select('.prose', fromHtml(html));
  expect(body).toBeDefined();
  return body!;
}

/** How deep `tagName` elements nest inside `node`, counting only chains of that tag (through other elements). */
function nesting(node: Root | Element, tagName: string): number {
  // Iterative: the trees here are deeper than a recursive walk would like.
  let deepest = 0;
  const stack: [Root | Element, number][] = [[node, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    const here = current.type === 'element' && current.tagName === tagName ? depth + 1 : depth;
    deepest = Math.max(deepest, here);
    for (const child of current.children) if (child.type === 'element') stack.push([child, here]);
  }
  return deepest;
}

const TIMEOUT = 180_000;

describe('huge and deep posts build', () => {
  test(
    'a 1 MB paragraph',
    async () => {
      const sentence = '한국어 문장에 **"강조"**와 `코드`, [링크](/posts/big/)가 섞인다 ';
      const repeats = Math.ceil((1024 * 1024) / Buffer.byteLength(sentence));
      const { problems, html } = await buildPost('big', sentence.repeat(repeats).trim());
      expect(problems).toEqual([]);
      const body = prose(html);
      const paragraphs = selectAll('p', body);
      expect(paragraphs).toHaveLength(1);
      expect(selectAll('strong', paragraphs[0])).toHaveLength(repeats);
      expect(selectAll('code', paragraphs[0])).toHaveLength(repeats);
    },
    TIMEOUT,
  );

  test(
    '5,000 formulas, each distinct',
    async () => {
      const lines: string[] = [];
      for (let n = 0; n < 5000; n++) {
        lines.push(n % 5 === 4 ? `$$\n\\sum_{i=1}^{${n}} \\frac{x_i^{${n}}}{\\sqrt{${n} + 1}}\n$$\n` : `식 $\\alpha_{${n}} = \\frac{${n}}{2}$ 이다.\n`);
      }
      const { problems, html } = await buildPost('formulas', lines.join('\n'));
      expect(problems).toEqual([]);
      expect(html.match(/<span class="katex">/g)).toHaveLength(5000);
      expect(html.match(/<span class="katex-display"[ >]/g)).toHaveLength(1000);
      expect(html.match(/<math /g)).toHaveLength(5000);
      expect(html).not.toContain('katex-error');
    },
    TIMEOUT,
  );

  test(
    'a list nested 500 levels deep, indented as writers nest',
    async () => {
      const body = Array.from({ length: 500 }, (_, level) => `${'  '.repeat(level)}- 항목 ${level}`).join('\n');
      const { problems, html } = await buildPost('nested-list', body);
      expect(problems).toEqual([]);
      const tree = prose(html);
      expect(nesting(tree, 'ul')).toBe(500);
      expect(selectAll('li', tree)).toHaveLength(500);
    },
    TIMEOUT,
  );

  test(
    'blockquotes nested 1,000 deep, and a list nested 500 deep on one line',
    async () => {
      const body = `${'> '.repeat(1000)}가장 안쪽 인용\n\n${'- '.repeat(500)}가장 안쪽 항목`;
      const { problems, html } = await buildPost('nested-quote', body);
      expect(problems).toEqual([]);
      const tree = prose(html);
      expect(nesting(tree, 'blockquote')).toBe(1000);
      expect(nesting(tree, 'ul')).toBe(500);
    },
    TIMEOUT,
  );

  test(
    'a table of 10,000 rows',
    async () => {
      const rows = Array.from({ length: 10_000 }, (_, n) => `| ${n} | 행 ${n} | $x_{${n % 50}}$ | **${n * 2}** |`);
      const body = `| 번호 | 이름 | 식 | 값 |\n|--:|:--|:-:|--:|\n${rows.join('\n')}`;
      const { problems, html } = await buildPost('table', body);
      expect(problems).toEqual([]);
      const tree = prose(html);
      expect(selectAll('table', tree)).toHaveLength(1);
      expect(selectAll('thead tr', tree)).toHaveLength(1);
      const bodyRows = selectAll('tbody tr', tree);
      expect(bodyRows).toHaveLength(10_000);
      expect(selectAll('td', bodyRows[9_999])).toHaveLength(4);
      expect(selectAll('td .katex', tree)).toHaveLength(10_000);
    },
    TIMEOUT,
  );
});

describe('nesting beyond what the markdown libraries can recurse', () => {
  // mdast-util-to-hast, hast-util-to-html and unist-util-visit recurse per level and overflow
  // the stack around 1,500 nested blockquotes: that is an error of the post, not a crash.
  test(
    'blockquotes nested 3,000 deep are an error of the post, not a crash',
    async () => {
      const root = await tempDir('geul-robust-deep-');
      made.push(root);
      mkdirSync(path.join(root, 'content', 'posts'), { recursive: true });
      await cp(path.join(REPO_ROOT, 'templates'), path.join(root, 'templates'), { recursive: true });
      writeFileSync(path.join(root, 'site.toml'), 'title = "견고함"\nbaseURL = "https://example.com/"\n');
      writeFileSync(path.join(root, 'content', 'posts', 'deep.md'), `+++\ntitle = "깊은 인용"\ndate = 2024-01-01\n+++\n\n${'> '.repeat(3000)}인용\n`);
      const { build } = await import('../src/build.ts');
      const result = await build({ root, drafts: false, workers: 1 });
      expect(result.problems.some((problem) => problem.path === 'content/posts/deep.md' && problem.severity === 'error')).toBe(true);
    },
    TIMEOUT,
  );
});

describe('symbolic links are not followed', () => {
  test('two links back up the tree in content/ and images/ (a loop without end if followed): the build and a no-change rebuild finish', async () => {
    const { copySite, runCli } = await import('./helpers/site.ts');
    const { symlinkSync } = await import('node:fs');
    const root = await copySite('basic');
    made.push(root);
    for (const folder of ['content/posts', 'images']) {
      symlinkSync('.', path.join(root, folder, 'loop-a'));
      symlinkSync('..', path.join(root, folder, 'loop-b'));
    }
    for (const attempt of ['first', 'no change']) {
      const run = await runCli(['build', '--root', root]);
      expect(run.code, `${attempt}: ${run.stderr}`).toBe(0);
      // Told, not followed: a link to a folder under content/ is a warning of its own.
      expect(run.stderr.split('\n').filter((line) => /^\S+:\d+:\d+: /.test(line)), attempt).toEqual(
        ['loop-a', 'loop-b'].map((name) => `content/posts/${name}:1:1: warning: not read: a link to a folder, which geul does not follow under content/ (two links up the tree made paths without end); move the folder here, or link its files one by one`),
      );
    }
  }, 60_000);
});
