import { createRequire } from 'node:module';
import { accessSync, constants, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { isBundleIndex, isMarkdown } from './content-files.js';
import { onDisk } from './on-disk.js';
import type { Problem } from './report.js';
import type { Output, ParsedPost } from './types.js';
import { outputDirOf } from './urls.js';

const require = createRequire(import.meta.url);

/**
 * Editors' backups (`index.md~`, `paper.pdf~`), skipped as Hugo skips them: a bundle's
 * `index.md~` is the post's source as it was, a draft paragraph or a note included. Hidden
 * files (`.x.swp`, macOS's `._x.png`) are skipped anyway (`dot: false`).
 */
export const EDITOR_BACKUPS = ['**/*~'];

/** Where KaTeX's stylesheet and fonts land in the output; templates link `assets/katex/katex.min.css`. */
export const KATEX_OUTPUT_DIR = 'assets/katex';

/** Where Pretendard's subsets land; their `@font-face` rules open the theme's `assets/style.css`. */
export const PRETENDARD_OUTPUT_DIR = 'assets/fonts/pretendard';

/**
 * Files copied as they are: the top-level `images/` folder, the files of page bundles (images
 * and any others), the theme's `templates/assets/`, and KaTeX's CSS and fonts from the installed
 * katex package — the same version rehype-katex renders with, so class names match, and
 * served from the site itself rather than a CDN.
 */
export async function assets(root: string, posts: ParsedPost[]): Promise<Output[]> {
  const outputs: Output[] = [];
  const copyTree = async (sourceDir: string, outputDir: string, pattern = '**/*', ignore: string[] = []) => {
    // Links not followed, as for the sources (load.ts): a loop of them has no end.
    const files = await glob(pattern, { cwd: sourceDir, ignore: [...ignore, ...EDITOR_BACKUPS], onlyFiles: true, dot: false, expandDirectories: false, followSymbolicLinks: false });
    for (const file of files.sort()) {
      outputs.push({ path: `${outputDir}/${file.normalize('NFC')}`, copyFrom: path.join(sourceDir, file) });
    }
  };
  if (!imagesFolderProblem(root)) await copyTree(path.join(root, 'images'), 'images');
  const theme = path.join(root, 'templates', 'assets');
  await copyTree(theme, 'assets', '**/*', ['style.css']);
  const themeCss = await readFile(path.join(theme, 'style.css'), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return ''; // a theme without a stylesheet still gets the font
    throw error;
  });
  outputs.push({ path: 'assets/style.css', content: `${await pretendardFaces()}\n${themeCss}` });
  const katexDist = path.join(path.dirname(require.resolve('katex/package.json')), 'dist');
  const css = await readFile(path.join(katexDist, 'katex.min.css'), 'utf8');
  outputs.push({ path: `${KATEX_OUTPUT_DIR}/katex.min.css`, content: woff2Only(css) });
  await copyTree(path.join(katexDist, 'fonts'), `${KATEX_OUTPUT_DIR}/fonts`, '*.woff2');
  outputs.push(...(await pretendardSubsets()));

  const seen = new Set(outputs.map((output) => output.path));
  for (const post of posts) {
    for (const asset of post.rendered.assets) {
      if (seen.has(asset.output)) continue;
      seen.add(asset.output);
      outputs.push({ path: asset.output, copyFrom: path.join(root, asset.source) });
    }
    for (const resource of await bundleResources(root, post)) {
      if (seen.has(resource.path)) continue;
      seen.add(resource.path);
      outputs.push(resource);
    }
  }
  return outputs;
}

/**
 * The other files of a page bundle (`content/posts/<name>/index.md`, `content/<name>/index.md`): a PDF, a data
 * file, an image no figure shows, copied beside the post's page as Hugo publishes a bundle's
 * resources, so `[논문](paper.pdf)` works. Markdown files are posts of their own, and so is a
 * subfolder with an `index.md` (a bundle of its own), with everything in it.
 */
async function bundleResources(root: string, post: ParsedPost): Promise<Output[]> {
  if (!isBundleIndex(post.sourcePath)) return [];
  const dir = onDisk(root, path.posix.dirname(post.sourcePath));
  const files = await glob('**/*', { cwd: dir, ignore: EDITOR_BACKUPS, onlyFiles: true, dot: false, expandDirectories: false, followSymbolicLinks: false });
  const bundles = files.filter((file) => file.includes('/') && isBundleIndex(file)).map((file) => `${path.posix.dirname(file)}/`);
  const outputDir = outputDirOf(post.kind, post.slug);
  return files
    .filter((file) => !isMarkdown(file) && !bundles.some((bundle) => file.startsWith(bundle)))
    .sort()
    .map((file) => ({ path: `${outputDir}/${file.normalize('NFC')}`, copyFrom: path.join(dir, file) }));
}

/**
 * The top-level images/ may be a link to a shared folder, and is copied whole; but a link to
 * the project itself or a folder holding it (`images -> .`, `-> ..`, `-> /`) published the
 * sources (drafts, site.toml) or the whole disk, and the previous dist/ inside it, one level
 * deeper on every build. Such a folder is not copied, and is an error.
 */
export function imagesFolderProblem(root: string): Problem | undefined {
  let images: string;
  let project: string;
  try {
    images = realpathSync(path.join(root, 'images'));
    project = realpathSync(root);
  } catch {
    return undefined;
  }
  const relative = path.relative(images, project);
  if (relative.startsWith(`..${path.sep}`) || relative === '..' || path.isAbsolute(relative)) return undefined;
  return { path: 'images', line: 1, column: 1, message: `images/ is a link to ${images}, which holds the project itself: link it to a folder of images`, severity: 'error' };
}

/**
 * Files of the project to be copied (an image, a file of `static/` or of a page bundle) that
 * the build may not read (`chmod 000`, another user's): each an error at its path, told with
 * the other problems. Found only at the copy, one was the system's EACCES ending the run
 * alone, after a whole build. One `access` each, no read.
 */
export function unreadableCopies(outputs: readonly Output[], root: string): Problem[] {
  const problems: Problem[] = [];
  for (const output of outputs) {
    if (!('copyFrom' in output)) continue;
    const relative = path.relative(root, output.copyFrom);
    if (relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) continue;
    try {
      accessSync(output.copyFrom, constants.R_OK);
    } catch (error) {
      // Gone since it was listed: the copy fails as it did before, with the system's message.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      const reason = (error as Error).message.replace(/, \w+ '.*'$/s, '');
      problems.push({ path: relative.split(path.sep).join('/').normalize('NFC'), line: 1, column: 1, message: `cannot read this file: ${reason}`, severity: 'error' });
    }
  }
  return problems;
}

/**
 * Copied files that would take a page's place: a page bundle's own `index.html` (a saved
 * copy, an exported notebook) was written over the post's page, which vanished without a
 * word. One error per file, named from the project root.
 */
export function replacedPages(pagePaths: ReadonlySet<string>, outputs: readonly Output[], root: string): Problem[] {
  const problems: Problem[] = [];
  // Compared in lower case, as static/ files are: on the case-insensitive disks of macOS and
  // Windows a bundle's `INDEX.HTML` is the post's `index.html`.
  const pages = new Map([...pagePaths].map((page) => [page.normalize('NFC').toLowerCase(), page]));
  for (const output of outputs) {
    if (!('copyFrom' in output)) continue;
    const page = pages.get(output.path.normalize('NFC').toLowerCase());
    if (page === undefined) continue;
    const source = path.relative(root, output.copyFrom).split(path.sep).join('/').normalize('NFC');
    problems.push({ path: source, line: 1, column: 1, message: `would take the place of the page ${page}: rename it`, severity: 'error' });
  }
  return problems;
}

const pretendardWeb = () => path.join(path.dirname(require.resolve('pretendard/package.json')), 'dist', 'web', 'variable');

/**
 * Pretendard, the variable font split by its authors into 92 subsets, each an `@font-face`
 * with a `unicode-range`: a browser fetches only the subsets whose characters the page
 * shows, so a Korean post loads a fraction of the 3 MB. The rules open the theme's
 * stylesheet rather than a stylesheet of their own, so a page waits for one stylesheet, not
 * two, before its first paint and the font requests start one step earlier. They name the
 * subsets relatively (`fonts/pretendard/…` from `assets/style.css`), like KaTeX's CSS, so a
 * site under a sub-path (`/blog/`) needs no rewriting at build time.
 */
async function pretendardFaces(): Promise<string> {
  const css = await readFile(path.join(pretendardWeb(), 'pretendardvariable-dynamic-subset.css'), 'utf8');
  return flattenFontUrls(css, 'fonts/pretendard/');
}

async function pretendardSubsets(): Promise<Output[]> {
  const subsets = path.join(pretendardWeb(), 'woff2-dynamic-subset');
  const files = await glob('*.woff2', { cwd: subsets, onlyFiles: true });
  return files.sort().map((file) => ({ path: `${PRETENDARD_OUTPUT_DIR}/${file}`, copyFrom: path.join(subsets, file) }));
}

/** `url(./woff2-dynamic-subset/X.woff2)` → `url(<folder>X.woff2)`: where the subsets are copied. */
export function flattenFontUrls(css: string, folder = ''): string {
  return css.replace(/url\(\s*(['"]?)(?:\.\/)?woff2-dynamic-subset\//g, `url($1${folder}`);
}

/**
 * Keep only the woff2 sources of KaTeX's @font-face rules. Every browser that runs KaTeX's
 * CSS reads woff2, so the woff and ttf copies would only be dead weight in `dist/`.
 */
export function woff2Only(css: string): string {
  return css.replace(/,\s*url\([^)]*\.(?:woff|ttf)\)\s*format\("(?:woff|truetype)"\)/g, '');
}
