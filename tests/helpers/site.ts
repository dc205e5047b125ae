/**
 * Shared helpers for the tests that build whole sites: copy a fixture into a temp folder
 * with the repo's real templates, run the CLI as a child process, and read what it wrote.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Element, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { selectAll } from 'hast-util-select';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(REPO_ROOT, 'tests', 'fixtures');
const CLI = path.join(REPO_ROOT, 'bin', 'geul.js');

/** A fresh temp folder; removed by `cleanup()`. */
export async function tempDir(prefix = 'geul-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/**
 * Copy `tests/fixtures/sites/<name>` into a temp folder, with the repo's `templates/` beside
 * it (fixtures never carry their own copy, so template changes are tested as they are).
 */
export async function copySite(name: string): Promise<string> {
  const dir = await tempDir(`geul-${name}-`);
  await cp(path.join(FIXTURES, 'sites', name), dir, { recursive: true });
  await cp(path.join(REPO_ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true });
  return dir;
}

export async function cleanup(...dirs: (string | undefined)[]): Promise<void> {
  await Promise.all(dirs.filter((dir): dir is string => Boolean(dir)).map((dir) => rm(dir, { recursive: true, force: true })));
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `node bin/geul.js <args>` in a child process. */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return runNode([CLI, ...args], options);
}

/** Run `node <args>` in a child process, in the repository unless told otherwise, collecting its output. */
export function runNode(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The `path:line:col: message` lines of CLI output (code frames and summaries left out). */
export function problemLines(stderr: string): string[] {
  return stderr.split(/\r?\n/).filter((line) => /^\S+:\d+:\d+: /.test(line));
}

/** Every file under `dir`, dotfiles included, as sorted POSIX paths relative to `dir`. */
export function listFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else files.push(child.normalize('NFC'));
    }
  };
  walk('');
  return files.sort();
}

/** sha256 of every file under `dir`, keyed by relative path: equal maps mean byte-for-byte equal trees. */
export function hashTree(dir: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const file of listFiles(dir)) {
    hashes[file] = createHash('sha256').update(readFileSync(path.join(dir, file))).digest('hex');
  }
  return hashes;
}

/** A hashTree of an output folder without its `.geul` marker, which records how the build ran (with or without cache, which outputs it kept). */
export function withoutMarker(tree: Record<string, string>): Record<string, string> {
  const { ['.geul']: _marker, ...rest } = tree;
  return rest;
}

/** Parse an HTML file of the output. */
export function readHtml(file: string): Root {
  return fromHtml(readFileSync(file, 'utf8'));
}

/** Text content of an element, without markup. */
export function textOf(node: Element | Root): string {
  let text = '';
  const walk = (child: Element | Root | Root['children'][number]) => {
    if (child.type === 'text') text += child.value;
    else if (child.type === 'element' || child.type === 'root') child.children.forEach(walk);
  };
  walk(node);
  return text;
}

/** The URL path a file of the output is served at: `posts/a/index.html` → `/posts/a/`. */
function urlPathOf(file: string): string {
  return `/${file.replace(/(^|\/)index\.html$/, '$1')}`;
}

/**
 * Every internal link or resource of every HTML file in `outDir` that points at nothing:
 * a missing file, or a `#fragment` that is no id in the target page. External links are
 * skipped; absolute links to `baseURL` itself are checked like site-relative ones.
 * Returns `page: url (why)` lines, empty when every link resolves.
 */
export function brokenLinks(outDir: string, baseURL: string): string[] {
  const base = new URL(baseURL);
  const trees = new Map<string, Root>();
  const treeOf = (file: string) => {
    let tree = trees.get(file);
    if (!tree) {
      tree = readHtml(path.join(outDir, file));
      trees.set(file, tree);
    }
    return tree;
  };
  const idsOf = new Map<string, Set<string>>();
  const hasId = (file: string, id: string) => {
    let ids = idsOf.get(file);
    if (!ids) {
      ids = new Set(
        selectAll('[id], a[name]', treeOf(file)).map((node) => String(node.properties.id ?? node.properties.name)),
      );
      idsOf.set(file, ids);
    }
    return ids.has(id);
  };

  const broken: string[] = [];
  const htmlFiles = listFiles(outDir).filter((file) => file.endsWith('.html'));
  for (const page of htmlFiles) {
    const pageUrl = new URL(`${base.pathname.replace(/\/$/, '')}${urlPathOf(page)}`, base.origin);
    const refs = selectAll('[href], [src]', treeOf(page)).flatMap((node) =>
      (['href', 'src'] as const)
        .map((key) => node.properties[key])
        .filter((value): value is string => typeof value === 'string'),
    );
    for (const ref of refs) {
      const why = checkLink(ref);
      if (why) broken.push(`${page}: ${ref} (${why})`);
    }
    function checkLink(ref: string): string | undefined {
      if (ref.startsWith('data:')) return undefined;
      let url: URL;
      try {
        url = new URL(ref, pageUrl);
      } catch {
        return 'unparsable URL';
      }
      if (url.origin !== base.origin) return undefined;
      if (!url.pathname.startsWith(base.pathname)) return `outside the base path ${base.pathname}`;
      let relative: string;
      try {
        relative = decodeURIComponent(url.pathname.slice(base.pathname.length)).normalize('NFC');
      } catch {
        return 'bad percent-encoding';
      }
      const file = relative === '' || relative.endsWith('/') ? `${relative}index.html` : relative;
      if (!existsSync(path.join(outDir, file))) return `no file ${file}`;
      if (url.hash.length > 1) {
        const id = decodeURIComponent(url.hash.slice(1));
        if (!file.endsWith('.html')) return 'fragment on a non-HTML file';
        if (!hasId(file, id)) return `no id "${id}" in ${file}`;
      }
      return undefined;
    }
  }
  return broken;
}

/** Every `url(...)` in a CSS file that does not resolve to a file next to it. */
export function missingCssUrls(cssFile: string): string[] {
  const css = readFileSync(cssFile, 'utf8');
  const urls = [...css.matchAll(/url\(\s*(['"]?)([^'")]+)\1\s*\)/g)].map((match) => match[2]!);
  return urls.filter((url) => !url.startsWith('data:') && !existsSync(path.join(path.dirname(cssFile), url.split(/[?#]/)[0]!)));
}

/**
 * Build a fixture in-process with `build()` (no CLI, nothing written) and give its text
 * outputs by path. `siteToml` replaces the fixture's settings, e.g. to try a sub-path baseURL.
 */
export async function buildInProcess(
  name: string,
  options: { drafts?: boolean; siteToml?: string } = {},
): Promise<{ outputs: Map<string, string>; problems: string[] }> {
  const { build } = await import('../../src/build.ts');
  const { formatProblem } = await import('../../src/report.ts');
  const root = await copySite(name);
  try {
    if (options.siteToml !== undefined) writeFileSync(path.join(root, 'site.toml'), options.siteToml);
    const result = await build({ root, drafts: Boolean(options.drafts) });
    const outputs = new Map<string, string>();
    for (const output of result.outputs) {
      if ('content' in output) outputs.set(output.path, typeof output.content === 'string' ? output.content : Buffer.from(output.content).toString('utf8'));
      else if ('copyFrom' in output) outputs.set(output.path, `copy of ${path.relative(root, output.copyFrom)}`);
    }
    return { outputs, problems: result.problems.map(formatProblem) };
  } finally {
    await cleanup(root);
  }
}

/**
 * Problems with an XML document's well-formedness, checked without an XML parser: the
 * declaration first, tags balanced and properly nested, one root, no raw `<` or stray `&`
 * in text or attribute values. Empty when well-formed.
 */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  if (!xml.startsWith('<?xml version="1.0" encoding="utf-8"?>')) problems.push('no XML declaration first');
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  let roots = 0;
  const token = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
  // `]]>` may not stand in character data (XML 1.0, section 2.4).
  // Characters XML 1.0 allows nowhere (section 2.2): control characters, lone surrogates, U+FFFE, U+FFFF.
  const notXml = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
  const badText = (text: string) => /</.test(text) || text.includes(']]>') || /&(?!(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);)/.test(text) || notXml.test(text);
  let index = 0;
  while (index < body.length) {
    const next = body.indexOf('<', index);
    const text = body.slice(index, next === -1 ? body.length : next);
    if (badText(text)) problems.push(`bad character in text near ${JSON.stringify(text.slice(0, 40))}`);
    if (text.trim() && stack.length === 0) problems.push(`text outside the root: ${JSON.stringify(text.slice(0, 40))}`);
    if (next === -1) break;
    token.lastIndex = next;
    const match = token.exec(body);
    if (!match) {
      problems.push(`malformed tag near ${JSON.stringify(body.slice(next, next + 40))}`);
      break;
    }
    const [whole, closing, name, attributes = '', selfClosing] = match;
    for (const value of attributes.matchAll(/="([^"]*)"/g)) {
      if (badText(value[1]!)) problems.push(`bad character in attribute of <${name}>`);
    }
    if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`);
    } else {
      if (stack.length === 0) roots++;
      if (!selfClosing) stack.push(name!);
    }
    index = next + whole.length;
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(' > ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
