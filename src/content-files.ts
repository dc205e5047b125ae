import path from 'node:path';

/**
 * Which files under `content/` are posts and pages, and what their names make of them: one
 * answer for the build (load.ts), the dev server's rebuilds (incremental.ts), page bundles'
 * files (assets.ts) and `geul new`. No imports beyond `node:path`: `geul new` loads it.
 */

/** Markdown as Hugo knows it: `.md`, `.markdown`, `.mdown`, in any letter case (`x.MD` from Windows). */
const MARKDOWN = /\.(?:md|markdown|mdown)$/i;

/** Whether a file name is markdown's. */
export function isMarkdown(file: string): boolean {
  return MARKDOWN.test(file);
}

/** The file name without its markdown extension: `a.markdown` → `a`. */
function stemOf(file: string): string {
  return path.posix.basename(file).replace(MARKDOWN, '');
}

/** Whether a markdown file is a bundle's own text, `index.md` (or `index.markdown`, `Index.md`). */
export function isBundleIndex(file: string): boolean {
  return isMarkdown(file) && stemOf(file).toLowerCase() === 'index';
}

/**
 * `post` for markdown under `content/posts/`, `page` for `content/<name>.md` and
 * `content/<name>/index.md`; undefined for anything else: files and folders starting with `_`
 * or `.`, markdown of other sections. Paths relative to the root, with `/`.
 */
export function kindOf(file: string): 'post' | 'page' | undefined {
  const parts = file.split('/');
  if (parts[0] !== 'content' || !isMarkdown(file) || parts.some((part) => part.startsWith('_') || part.startsWith('.'))) return undefined;
  if (parts.length === 2) return 'page';
  if (parts[1] === 'posts') return 'post';
  return parts.length === 3 && isBundleIndex(file) ? 'page' : undefined;
}

/**
 * The slug a file gets when its front matter names none: the file name without its markdown
 * extension, or the folder name of a page bundle (`content/posts/<name>/index.md`). NFC.
 */
export function fileSlug(sourcePath: string): string {
  const name = isBundleIndex(sourcePath) ? path.posix.basename(path.posix.dirname(sourcePath)) : stemOf(sourcePath);
  return name.normalize('NFC');
}

/**
 * Why a markdown file under `content/` that is neither post nor page is not published, in
 * words saying what to do; undefined for files left out without a word (`.obsidian/`, `_drafts/`,
 * the markdown of a page bundle, which Hugo too keeps as a resource). `pageBundles` are the
 * folders of page bundles, `content/<name>/`.
 */
export function unpublishedReason(file: string, pageBundles: readonly string[]): string | undefined {
  const parts = file.split('/');
  const name = parts.at(-1) ?? '';
  if (parts.slice(0, -1).some((part) => part.startsWith('_') || part.startsWith('.')) || name.startsWith('.')) return undefined;
  if (name.startsWith('_')) {
    if (!isBundleIndex(name.slice(1))) return undefined;
    const section = parts[1] === undefined || parts.length === 2 ? undefined : parts[1];
    const made = section === undefined
      ? "the home page from site.toml's title and description and the newest posts"
      : section === 'posts'
        ? 'the list of posts at /posts/ from templates/section.liquid'
        : section === 'tags' || section === 'categories'
          ? `the pages of ${section} (/${section}/) from its templates`
          : `no page for ${parts.slice(1, -1).join('/')}/`;
    return `not used: Hugo's _index.md gives a list page its title and text, and geul makes ${made}; delete the file, or move its text to a page (content/<name>.md)`;
  }
  if (pageBundles.some((bundle) => file.startsWith(bundle))) return undefined;
  return 'not published: posts are read from content/posts/ and pages from content/<name>.md or content/<name>/index.md; move the file there to publish it';
}

/**
 * Why a file's own name makes a poor address, when it has no `slug`: `content/index.md` and
 * `content/posts/index.md` are bundles of their folder, published at /content/ and
 * /posts/posts/, where a Hugo writer meant the home page or the list of posts. Undefined otherwise.
 */
export function folderIndexReason(sourcePath: string): string | undefined {
  const parts = sourcePath.split('/');
  if (!isBundleIndex(sourcePath) || parts[0] !== 'content') return undefined;
  if (parts.length === 2) {
    return `published at /content/, as an index.md takes its folder's name; geul makes the home page itself (site.toml's title and description, then the newest posts): rename the file content/<name>.md, or give it a slug`;
  }
  if (parts.length === 3 && parts[1] === 'posts') {
    return `published at /posts/posts/, as an index.md takes its folder's name; geul makes the list of posts at /posts/ itself (templates/section.liquid): rename the file content/posts/<name>.md, or give it a slug`;
  }
  return undefined;
}
