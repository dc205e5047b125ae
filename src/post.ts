import type { Processor } from 'unified';
import type { VFile } from 'vfile';
import { fileSlug, folderIndexReason } from './content-files.js';
import { encodingProblem } from './encoding.js';
import { frontMatterKeyPlace, frontMatterLineCount, readFrontMatter } from './frontmatter.js';
import { markdownLimits } from './markdown-limits.js';
import { renderMarkdown } from './markdown.js';
import { aliasPath } from './aliases.js';
import { addError, addWarning } from './report.js';
import { unsafeSlugReason } from './slug.js';
import type { FrontMatter, ParsedPost, RenderedMarkdown } from './types.js';
import { outputDirOf } from './urls.js';


export { fileSlug } from './content-files.js';

/**
 * Read one markdown file into a ParsedPost: front matter, then (unless it is a draft that
 * this build leaves out) the body. Problems are recorded on the file; undefined when the
 * file cannot be used or is left out.
 */
export async function readPost(
  file: VFile,
  kind: ParsedPost['kind'],
  processor: Processor<any, any, any, any, string>,
  includeDrafts: boolean,
): Promise<ParsedPost | undefined> {
  // Text that is not UTF-8 would only give errors (and a page) made of what it garbled.
  const encoding = encodingProblem(file);
  if (encoding?.fatal) {
    addError(file, encoding.reason, encoding, 'encoding');
    return undefined;
  }
  if (encoding) addWarning(file, encoding.reason, encoding, 'encoding');
  const frontMatter = readFrontMatter(file, kind === 'post');
  if (!frontMatter) {
    // The body's problems (a missing image, a bad label) are told in the same run.
    if (frontMatterLineCount(String(file.value)) > 0) await checkBody(file, kind, fileSlug(file.path), processor);
    return undefined;
  }
  // Drafts are not rendered at all when left out: a half-written formula in a draft must
  // not block publishing the finished posts.
  if (frontMatter.draft) file.data.draft = true;
  if (frontMatter.draft && !includeDrafts) {
    file.data.draftLeftOut = true;
    return undefined;
  }

  const slug = frontMatter.slug ?? fileSlug(file.path);
  const unsafe = unsafeSlugReason(slug);
  if (unsafe) {
    addError(file, unsafe, frontMatter.slug !== undefined ? frontMatterKeyPlace(file, 'slug') : { line: 1, column: 1 });
    await checkBody(file, kind, fileSlug(file.path), processor);
    return undefined;
  }
  hugoUrlWarning(file, kind, slug, frontMatter);
  const folderIndex = frontMatter.slug === undefined ? folderIndexReason(file.path) : undefined;
  if (folderIndex) addWarning(file, folderIndex, { line: 1, column: 1 });
  if (kind === 'page') pageTermsWarning(file, frontMatter);
  const rendered = await checkBody(file, kind, slug, processor);
  return rendered && { kind, sourcePath: file.path, slug, frontMatter, rendered };
}

/**
 * Hugo's `url` front matter gives a page its whole address; geul's come from the slug alone.
 * A migrated post would move without a word and every link to its old address break, so the
 * writer is told, with the alias that keeps it. The key still reaches templates as a param.
 */
function hugoUrlWarning(file: VFile, kind: ParsedPost['kind'], slug: string, frontMatter: FrontMatter): void {
  const key = Object.keys(frontMatter.extra).find((name) => name.toLowerCase() === 'url');
  const url = key === undefined ? undefined : frontMatter.extra[key];
  if (key === undefined || typeof url !== 'string' || url.trim() === '') return;
  const here = `/${outputDirOf(kind, slug)}/`;
  const written = aliasPath(url);
  // Not a path of this site (`https://…`, a link post's target): not Hugo's `url`, a param of the writer's own.
  if ('error' in written || `/${written.path}` === here || frontMatter.aliases?.includes(written.path)) return;
  addWarning(
    file,
    `${key} = "${url}" is Hugo's address for this page, which geul does not read: it is published at ${here} (from its ${frontMatter.slug === undefined ? 'file name' : 'slug'}); add "${url}" to aliases to keep the old address working`,
    frontMatterKeyPlace(file, key),
  );
}

/**
 * Hugo lists a page under its tags, categories and series; geul lists posts only, and a page's
 * terms would be lost without a word. The writer is told at the key, and the page is still published.
 */
function pageTermsWarning(file: VFile, frontMatter: FrontMatter): void {
  const what = { categories: 'category', tags: 'tag', series: 'series' } as const;
  for (const key of ['categories', 'tags', 'series'] as const) {
    if ((frontMatter[key]?.length ?? 0) === 0) continue;
    addWarning(
      file,
      `${key}: a page is listed under no ${what[key]} (geul lists only posts there): move the file to content/posts/ to list it, or remove ${key}`,
      frontMatterKeyPlace(file, key),
    );
  }
}

/**
 * The body of a post as HTML, its problems recorded on the file; undefined when it is past
 * the markdown limits. Markdown the parser would take minutes over is refused before it starts.
 */
async function checkBody(file: VFile, kind: ParsedPost['kind'], slug: string, processor: Processor<any, any, any, any, string>): Promise<RenderedMarkdown | undefined> {
  const tooBig = markdownLimits(String(file.value));
  if (tooBig.length > 0) {
    for (const problem of tooBig) addError(file, problem.reason, problem, 'markdown-limit');
    return undefined;
  }
  file.data.post = { sourcePath: file.path, outputDir: outputDirOf(kind, slug) };
  return renderMarkdown(processor, file);
}
