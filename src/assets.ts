import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import type { Output, ParsedPost } from './types.js';

const require = createRequire(import.meta.url);

/** Where KaTeX's stylesheet and fonts land in the output; templates link `assets/katex/katex.min.css`. */
export const KATEX_OUTPUT_DIR = 'assets/katex';

/** Where Pretendard's stylesheet and subsets land; templates link `assets/fonts/pretendard/pretendard.css`. */
export const PRETENDARD_OUTPUT_DIR = 'assets/fonts/pretendard';

/**
 * Files copied as they are: the top-level `images/` folder, images next to posts (page
 * bundles), the theme's `templates/assets/`, and KaTeX's CSS and fonts from the installed
 * katex package — the same version rehype-katex renders with, so class names match, and
 * served from the site itself rather than a CDN.
 */
export async function assets(root: string, posts: ParsedPost[]): Promise<Output[]> {
  const outputs: Output[] = [];
  const copyTree = async (sourceDir: string, outputDir: string, pattern = '**/*') => {
    const files = await glob(pattern, { cwd: sourceDir, onlyFiles: true, dot: false, expandDirectories: false });
    for (const file of files.sort()) {
      outputs.push({ path: `${outputDir}/${file.normalize('NFC')}`, copyFrom: path.join(sourceDir, file) });
    }
  };
  await copyTree(path.join(root, 'images'), 'images');
  await copyTree(path.join(root, 'templates', 'assets'), 'assets');
  const katexDist = path.join(path.dirname(require.resolve('katex/package.json')), 'dist');
  const css = await readFile(path.join(katexDist, 'katex.min.css'), 'utf8');
  outputs.push({ path: `${KATEX_OUTPUT_DIR}/katex.min.css`, content: woff2Only(css) });
  await copyTree(path.join(katexDist, 'fonts'), `${KATEX_OUTPUT_DIR}/fonts`, '*.woff2');
  outputs.push(...(await pretendard()));

  const seen = new Set(outputs.map((output) => output.path));
  for (const post of posts) {
    for (const asset of post.rendered.assets) {
      if (seen.has(asset.output)) continue;
      seen.add(asset.output);
      outputs.push({ path: asset.output, copyFrom: path.join(root, asset.source) });
    }
  }
  return outputs;
}

/**
 * Pretendard, the variable font split by its authors into 92 subsets, each an `@font-face`
 * with a `unicode-range`: a browser fetches only the subsets whose characters the page
 * shows, so a Korean post loads a fraction of the 3 MB. The stylesheet and the subsets sit
 * side by side and the CSS names them relatively, like KaTeX's, so a site under a sub-path
 * (`/blog/`) needs no rewriting at build time.
 */
async function pretendard(): Promise<Output[]> {
  const web = path.join(path.dirname(require.resolve('pretendard/package.json')), 'dist', 'web', 'variable');
  const css = await readFile(path.join(web, 'pretendardvariable-dynamic-subset.css'), 'utf8');
  const subsets = path.join(web, 'woff2-dynamic-subset');
  const files = await glob('*.woff2', { cwd: subsets, onlyFiles: true });
  return [
    { path: `${PRETENDARD_OUTPUT_DIR}/pretendard.css`, content: flattenFontUrls(css) },
    ...files.sort().map((file) => ({ path: `${PRETENDARD_OUTPUT_DIR}/${file}`, copyFrom: path.join(subsets, file) })),
  ];
}

/** `url(./woff2-dynamic-subset/X.woff2)` → `url(X.woff2)`: the subsets are copied beside the CSS. */
export function flattenFontUrls(css: string): string {
  return css.replace(/url\(\s*(['"]?)(?:\.\/)?woff2-dynamic-subset\//g, 'url($1');
}

/**
 * Keep only the woff2 sources of KaTeX's @font-face rules. Every browser that runs KaTeX's
 * CSS reads woff2, so the woff and ttf copies would only be dead weight in `dist/`.
 */
export function woff2Only(css: string): string {
  return css.replace(/,\s*url\([^)]*\.(?:woff|ttf)\)\s*format\("(?:woff|truetype)"\)/g, '');
}
