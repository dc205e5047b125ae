import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Definition, Link, Root } from 'mdast';
import { visit } from 'unist-util-visit';
import { VFile } from 'vfile';
import type { FileStamp } from './compile.js';
import { fileSlug, isMarkdown, kindOf } from './content-files.js';
import { readFrontMatter } from './frontmatter.js';
import { onDisk } from './on-disk.js';
import { stampAt } from './remark-images.js';
import { addError, addWarning } from './report.js';
import { outputDirOf } from './urls.js';

/** A scheme (`https:`, `mailto:`), protocol-relative, site-absolute, or only a fragment: not a file of the site's sources. */
const NOT_RELATIVE = /^(?:[a-z][a-z\d+.-]*:|\/|#)/i;

/**
 * A link to another post's markdown file, `[앞 글](attention.md)` or `[저자](../about.md#소개)`,
 * as GitHub, VS Code's preview and Obsidian follow it in the sources: published as that
 * page's address (`/posts/<its slug>/#소개`), where as written it led to a file no host
 * serves. The slug comes from the target's own front matter, so the post depends on that
 * file (a dependency, as an image is: the post compiles again when it changes). A target
 * that does not exist or is not published is an error at the link, as a missing image is;
 * a draft is a warning, since `geul build` leaves it out and the link then leads nowhere.
 * Links outside `content/` and raw HTML are left as written.
 */
export function remarkPostLinks(options: { root: string }) {
  return function (tree: Root, file: VFile) {
    const post = file.data.post;
    // Most posts link no markdown file: not worth a walk of the tree.
    if (!post || !/\.(?:md|markdown|mdown)\b/i.test(String(file.value ?? ''))) return;
    const dependencies: FileStamp[] = [];
    const resolved = new Map<string, Target>();
    visit(tree, (node) => {
      if (node.type !== 'link' && node.type !== 'definition') return;
      const link = node as Link | Definition;
      const split = splitUrl(link.url);
      if (!split) return;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(post.sourcePath), split.path)).normalize('NFC');
      if (!target.startsWith('content/')) return;
      let found = resolved.get(target);
      if (!found) {
        const stamp = stampAt(options.root, target);
        dependencies.push({ path: target, stamp });
        found = stamp === 'missing' ? { error: `links to ${target}, which does not exist: link to a post's own file, or write the page's address` } : targetOf(options.root, target);
        resolved.set(target, found);
      }
      const place = link.position?.start;
      if ('error' in found) {
        addError(file, found.error, place, 'missing-link');
        return;
      }
      if (found.draft) addWarning(file, `links to ${target}, a draft: \`geul build\` leaves it out, so the link leads nowhere until it is published`, place, 'draft-link');
      link.url = `/${found.outputDir.split('/').map(encodeURIComponent).join('/')}/${split.rest}`;
    });
    if (dependencies.length > 0) file.data.dependencies = [...(file.data.dependencies ?? []), ...dependencies];
  };
}

type Target = { outputDir: string; draft: boolean } | { error: string };

/** A relative link's markdown file, decoded, and what follows it (`?…#…`), as written; undefined for any other link. */
function splitUrl(url: string): { path: string; rest: string } | undefined {
  if (NOT_RELATIVE.test(url)) return undefined;
  const end = url.search(/[?#]/);
  const written = end === -1 ? url : url.slice(0, end);
  let decoded: string;
  try {
    decoded = decodeURIComponent(written);
  } catch {
    return undefined;
  }
  if (!isMarkdown(decoded)) return undefined;
  return { path: decoded, rest: end === -1 ? '' : url.slice(end) };
}

/** Where the page made from `target`, an existing file under `content/`, is published: read from its front matter. */
function targetOf(root: string, target: string): Target {
  const kind = kindOf(target);
  if (!kind) return { error: `links to ${target}, which geul does not publish (posts are content/posts/**/*.md, pages content/<name>.md), so the link would lead nowhere` };
  let text: string;
  try {
    // A regular file (its stamp says so): no pipe that never ends.
    text = readFileSync(onDisk(root, target), 'utf8');
  } catch (error) {
    return { error: `links to ${target}, which cannot be read: ${error instanceof Error ? error.message : String(error)}` };
  }
  // The target's own problems are told by its own build; here only its address is wanted.
  const frontMatter = readFrontMatter(new VFile({ path: target, value: text }), false);
  return { outputDir: outputDirOf(kind, frontMatter?.slug ?? fileSlug(target)), draft: frontMatter?.draft === true };
}
