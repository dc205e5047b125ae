/**
 * Property tests (fast-check): whatever a writer puts in a post's markdown or front matter,
 * the build does not crash, reports problems as data, and every output path stays inside the
 * output folder. Most runs call `build()` in-process on one temp site whose post is
 * rewritten each time; a few run the CLI into `out/` and check nothing was written elsewhere.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { build } from '../src/build.ts';
import type { Output } from '../src/types.ts';
import { cleanup, hashTree, listFiles, REPO_ROOT, runCli, tempDir } from './helpers/site.ts';

const SITE_TOML = 'title = "속성 테스트"\nbaseURL = "https://example.com/"\nlanguage = "ko"\ntimeZone = "Asia/Seoul"\n';
/** Marks front matter that must reach pages escaped: it may never stand in HTML as a tag. */
const MARKER = '<script>geul-xss</script>';

let temp: string;
let root: string;
beforeAll(async () => {
  temp = await tempDir('geul-property-');
  root = path.join(temp, 'site');
  mkdirSync(path.join(root, 'content', 'posts'), { recursive: true });
  mkdirSync(path.join(root, 'images'));
  writeFileSync(path.join(root, 'site.toml'), SITE_TOML);
  writeFileSync(path.join(root, 'images', 'dot.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>');
  await cp(path.join(REPO_ROOT, 'templates'), path.join(root, 'templates'), { recursive: true });
});
afterAll(() => cleanup(temp));

// --- Generators -------------------------------------------------------------------------

/** Pieces of markdown, math and HTML that tend to meet in odd ways. */
const TOKENS = [
  '$', '$$', '$$\n', '\\$', '**', '*', '_', '__', '~~', '`', '```', '```math\n', '[', ']', '(', ')', '![', '](', '|', '|---|', '| a | b |\n',
  '#', '## ', '### 서론', '> ', '>> ', '- ', '* ', '1. ', '   ', '\t', '\n', '\n\n', '\r\n', '---\n', '+++', '+++\n', '[^1]', '[^1]: 주석',
  '<', '>', '&', '&amp;', '&#0;', '&#x110000;', '<div>', '</div>', '<span class="katex">', '</span>', '<!--', '-->', '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>', '<a href="javascript:alert(1)">', '\\frac{1}{', '\\frac{a}{b}', '\\sum_{i=1}^n', '\\begin{aligned}', '\\end{aligned}',
  '\\href{javascript:alert(1)}{x}', '\\includegraphics{x}', '\\url{x}', '{', '}', '^', '_{', '\\\\', '\\', '한글', '자연어 처리', '서론', '“인용”',
  '(images/dot.svg)', '(images/없는.png)', '(../../../etc/passwd)', '(/posts/x/#서론)', '(#서론)', 'https://example.com', '<https://x.y>',
  '\u0000', '\u200b', '\ufeff', '\ud800', 'e\u0301', '가'.normalize('NFD'), '😀', ':', '{{ site.title }}', '{% raw %}', '{%', '%}',
];

const markdownPiece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TOKENS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom('가', '나', '글', ' ', 'a', '1') },
);
const markdown = fc.oneof(
  { weight: 3, arbitrary: fc.array(markdownPiece, { maxLength: 60 }).map((pieces) => pieces.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);

const hostileString = fc.oneof(
  fc.constantFrom(
    '', ' ', '"', "'", '\\', '\n', '"""', "'''", '+++', '\n+++\n', MARKER, `제목 ${MARKER}`, '"><img src=x onerror=alert(1)>',
    '</script><script>alert(1)</script>', ']]>', '{{ site }}', '{% include "x" %}', '../../x', '..', '.', '/', 'a/b', 'a\\b',
    '%2e%2e', '?', '#', '%', 'CON', 'nul', '.git', '.geul', 'index.html', '자연어 처리', 'NLP', 'e\u0301', '\u0000', '\ud800',
  ),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);
/** A TOML value as written: a string, often hostile, sometimes not a string at all, sometimes not TOML. */
const tomlValue = fc.oneof(
  { weight: 5, arbitrary: hostileString.map((text) => JSON.stringify(text)) },
  { weight: 1, arbitrary: hostileString.map((text) => `'${text}'`) },
  { weight: 1, arbitrary: hostileString.map((text) => `"""${text}"""`) },
  { weight: 1, arbitrary: fc.constantFrom('1', 'true', '2024-01-01', '[]', '{}', '[1, "a"]', '{ a = 1 }', '') },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 4 }).map((list) => JSON.stringify(list)) },
);
const frontMatter = fc.record(
  {
    title: tomlValue,
    date: fc.constantFrom('2024-01-01', '"2024-02-30"', '"2024-13-01"', '2024-01-01T09:00:00+09:00', '"어제"', '1e9', '"2024-01-01"', '9999-12-31'),
    description: tomlValue,
    slug: tomlValue,
    draft: fc.constantFrom('true', 'false', '"yes"'),
    tags: fc.array(hostileString, { maxLength: 5 }).map((list) => JSON.stringify(list)),
    categories: fc.oneof(fc.array(hostileString, { maxLength: 3 }).map((list) => JSON.stringify(list)), tomlValue),
    extra: tomlValue,
    raw: fc.oneof(fc.constant(''), fc.string({ maxLength: 30 })),
  },
  { requiredKeys: ['title', 'date'] },
);

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** A hostile string that is still a fine title or term: well-formed, with a letter or digit in it. */
const hostileText = hostileString
  .filter((text) => !LONE_SURROGATE.test(text))
  .map((text) => (/[\p{L}\p{N}]/u.test(text) ? text : `${text}글`));
/** Front matter every field of which is valid and of the right type, with hostile text in it. */
const plausibleFrontMatter = fc.record(
  {
    title: fc.tuple(hostileText, fc.boolean()).map(([text, marked]) => JSON.stringify(marked ? `${text}${MARKER}` : text)),
    date: fc.constantFrom('2024-01-01', '"2023-12-31"', '2024-01-01T09:00:00+09:00', '2020-02-29'),
    description: hostileText.map((text) => JSON.stringify(text)),
    slug: hostileText.filter((text) => !/[/\\?#%\p{Cc}]/u.test(text)).map((text) => JSON.stringify(text)),
    draft: fc.constantFrom('true', 'false'),
    tags: fc.array(fc.oneof(hostileText, fc.constant(`태그${MARKER}`)), { maxLength: 4 }).map((list) => JSON.stringify(list)),
    categories: fc.array(fc.oneof(hostileText, fc.constant(`분류${MARKER}`)), { maxLength: 3 }).map((list) => JSON.stringify(list)),
    author: hostileText.map((text) => JSON.stringify(text)),
    extra: hostileText.map((text) => JSON.stringify(text)),
  },
  { requiredKeys: ['title', 'date', 'draft'] },
);

function frontMatterText(fields: Partial<Record<string, string>>): string {
  const lines = Object.entries(fields)
    .filter(([key]) => key !== 'raw')
    .map(([key, value]) => `${key} = ${value}`);
  if (fields.raw) lines.push(fields.raw);
  return `+++\n${lines.join('\n')}\n+++\n`;
}

// --- Checks ---------------------------------------------------------------------------

/** Why an output path could land outside the output folder, or undefined. */
function escapes(file: string): string | undefined {
  if (file === '') return 'empty path';
  if (path.isAbsolute(file) || path.win32.isAbsolute(file)) return 'absolute';
  if (file.split(/[/\\]/).some((segment) => segment === '..')) return '".." segment';
  if (file.includes('\0')) return 'NUL';
  const out = path.join(temp, 'out');
  if (!path.resolve(out, file).startsWith(out + path.sep)) return 'resolves outside';
  return undefined;
}

function textOf(output: Output): string | undefined {
  if (!('content' in output)) return undefined;
  return typeof output.content === 'string' ? output.content : Buffer.from(output.content).toString('utf8');
}

/** Put exactly these posts in the site. */
function writePosts(posts: Record<string, string>): void {
  const dir = path.join(root, 'content', 'posts');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(posts)) writeFileSync(path.join(dir, name), text);
}

async function buildChecked(drafts: boolean) {
  const result = await build({ root, drafts, workers: 1 });
  for (const output of result.outputs) expect(escapes(output.path), output.path).toBeUndefined();
  for (const problem of result.problems) {
    expect(problem.path).not.toMatch(/^\/|\.\./);
    expect(problem.line).toBeGreaterThanOrEqual(1);
    expect(problem.column).toBeGreaterThanOrEqual(1);
  }
  return result;
}

const PROPERTY_TIMEOUT = 60_000;
/** `GEUL_PROPERTY_RUNS=500` hunts longer (raise the timeout with --testTimeout too). */
const runs = (count: number) => ({ numRuns: Number(process.env.GEUL_PROPERTY_RUNS ?? count) });

describe('arbitrary markdown', () => {
  test(
    'never crashes the build, and every output stays inside the output folder',
    async () => {
      await fc.assert(
        fc.asyncProperty(markdown, fc.boolean(), async (body, withFrontMatter) => {
          const text = withFrontMatter ? `+++\ntitle = "글"\ndate = 2024-01-01\n+++\n\n${body}` : body;
          writePosts({ 'post.md': text, 'other.md': '+++\ntitle = "다른 글"\ndate = 2024-01-02\ntags = ["태그"]\n+++\n\n[글](/posts/post/)\n' });
          const result = await buildChecked(true);
          if (result.stats.errors === 0) {
            expect(result.outputs.map((output) => output.path)).toContain('posts/other/index.html');
          }
        }),
        runs(40),
      );
    },
    PROPERTY_TIMEOUT,
  );
});

describe('arbitrary front matter', () => {
  test(
    'anything between the +++ lines: never crashes the build, outputs stay inside the output folder',
    async () => {
      await fc.assert(
        fc.asyncProperty(frontMatter, fc.boolean(), async (fields, drafts) => {
          writePosts({ 'post.md': `${frontMatterText(fields)}\n본문 $x^2$ 이다.\n` });
          await buildChecked(drafts);
        }),
        runs(30),
      );
    },
    PROPERTY_TIMEOUT,
  );

  test(
    'valid fields with hostile text: never crash, stay inside, and never reach a page as markup',
    async () => {
      await fc.assert(
        fc.asyncProperty(plausibleFrontMatter, async (fields) => {
          writePosts({ 'post.md': `${frontMatterText(fields)}\n본문 $x^2$ 이다.\n` });
          const result = await buildChecked(true);
          if (result.stats.errors > 0) return;
          for (const output of result.outputs) {
            const text = textOf(output);
            if (text !== undefined) expect(text, output.path).not.toContain(MARKER);
          }
        }),
        runs(40),
      );
    },
    PROPERTY_TIMEOUT,
  );

  test(
    'two posts with hostile slugs and terms still give distinct paths inside the output folder',
    async () => {
      await fc.assert(
        fc.asyncProperty(hostileString, hostileString, fc.array(hostileString, { maxLength: 4 }), async (slugA, slugB, tags) => {
          const post = (slug: string) => `+++\ntitle = "글"\ndate = 2024-01-01\nslug = ${JSON.stringify(slug)}\ntags = ${JSON.stringify(tags)}\n+++\n\n본문\n`;
          writePosts({ 'a.md': post(slugA), 'b.md': post(slugB) });
          const result = await buildChecked(false);
          if (result.stats.errors > 0) return;
          const paths = result.outputs.map((output) => output.path.normalize('NFC'));
          expect(new Set(paths).size, 'two outputs share a path').toBe(paths.length);
        }),
        runs(30),
      );
    },
    PROPERTY_TIMEOUT,
  );
});

describe('the CLI', () => {
  test(
    'exits 0 or 1 without a stack trace, writes only into out/, and leaves the sources as they were',
    async () => {
      const cases = [
        ...fc.sample(fc.tuple(frontMatter, markdown), { numRuns: 3 }).map(([fields, body]) => `${frontMatterText(fields)}\n${body}`),
        `+++\ntitle = ${JSON.stringify(MARKER)}\ndate = 2024-01-01\nslug = "../../x"\ntags = ["..", "a/../../b", "."]\n+++\n\n![](../../../etc/passwd)\n`,
        `+++\ntitle = "바른 글"\ndate = 2024-01-01\ntags = ["a/b", "v1.0", "..x", "C++", "자연어/처리"]\ncategories = ["../../../x"]\n+++\n\n본문\n`,
      ];
      const out = path.join(temp, 'out');
      for (const text of cases) {
        writePosts({ 'post.md': text });
        const before = hashTree(root);
        const run = await runCli(['build', '--root', root, '--out', out, '--no-cache', '--drafts']);
        expect([0, 1], `${run.stderr}\n--- for ---\n${text}`).toContain(run.code);
        expect(run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
        expect(run.stderr).not.toMatch(/\b(?:TypeError|RangeError|ReferenceError|SyntaxError)\b/);
        // Nothing beside the site and out/ (no staging or retired folder left), nothing new in the site.
        expect(readdirSync(temp).filter((name) => name !== 'out' && name !== 'site')).toEqual([]);
        if (run.code === 0) expect(readdirSync(temp)).toContain('out');
        expect(hashTree(root)).toEqual(before);
        if (run.code === 0) {
          const files = listFiles(out);
          expect(files).toContain('index.html');
          for (const file of files) expect(escapes(file), file).toBeUndefined();
        }
      }
      // The last case is valid: its odd terms were written, inside out/.
      expect(listFiles(out).some((file) => file.startsWith('tags/'))).toBe(true);
    },
    PROPERTY_TIMEOUT * 2,
  );
});
