import type { VFile } from 'vfile';
import { frontMatterItemPlace } from './frontmatter.js';
import { addError } from './report.js';
import { folderNameReason } from './slug.js';
import type { Alias, ListPageSizes, ParsedPost, Taxonomy } from './types.js';
import { listDirs, outputDirOf, outputFileOf } from './urls.js';

/** Top-level folders and files geul writes besides pages; no alias may take their place. */
const RESERVED_TOP = new Set(['assets', 'images', 'pagefind', 'feed.xml', 'sitemap.xml', 'robots.txt', '404.html', '.geul']);

/**
 * The site-relative path an alias as written stands for: `/old/path/` → `old/path/`,
 * `old/page.html` → `old/page.html` (a file of that name), percent-escapes decoded, NFC.
 * Gives a reason instead when it is no path of this site or would leave the output folder.
 */
export function aliasPath(written: string): { path: string } | { error: string } {
  const text = written.normalize('NFC').trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(text) || text.startsWith('//')) {
    return { error: `alias "${written}" is a URL: write a path on this site, e.g. "/old/path/"` };
  }
  if (/[?#]/.test(text)) return { error: `alias "${written}" contains "?" or "#": write the path only, e.g. "/old/path/"` };
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\\\u0000-\u001f\u007f]/.test(text)) return { error: `alias "${written}" contains a backslash or control character` };
  const segments: string[] = [];
  for (const raw of text.split('/').filter(Boolean)) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw).normalize('NFC');
    } catch {
      return { error: `alias "${written}" has a broken percent-escape` };
    }
    if (segment === '..' || segment === '.' || /[/\\]/.test(segment)) {
      return { error: `alias "${written}" would escape the site: "." and ".." segments are not allowed` };
    }
    // Written as an escape (`%00`, `%0a`), a control character would still name the folder.
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    if (/[\u0000-\u001f\u007f]/.test(segment)) return { error: `alias "${written}" contains a control character (as a percent-escape)` };
    // A segment is a folder or file name on disk: one past 255 bytes failed the whole build with ENAMETOOLONG.
    const tooLong = folderNameReason(segment, `alias "${written}" has a segment that`);
    if (tooLong) return { error: tooLong };
    segments.push(segment);
  }
  if (segments.length === 0) return { path: '' };
  const last = segments.at(-1)!;
  const isFile = /\.html?$/i.test(last) && !text.endsWith('/');
  return { path: segments.join('/') + (isFile ? '' : '/') };
}

/** The output file of a normalised alias path: `old/` → `old/index.html`; `a.html` stays. */
export function aliasOutputPath(path: string): string {
  return path === '' || path.endsWith('/') ? outputFileOf(path) : path;
}

/**
 * Output files of every page geul makes of its own: home pages, posts, pages, the `/posts/`
 * list, taxonomy pages, search, and the `page/1/` redirects of each list. Mirrors routes();
 * a test holds the two together.
 */
export function pageOutputPaths(posts: ParsedPost[], pages: ParsedPost[], taxonomies: Taxonomy[], sizes: ListPageSizes): string[] {
  return [
    ...listDirs('', posts.length, sizes.home),
    ...[...posts, ...pages].map((post) => `${outputDirOf(post.kind, post.slug)}/`),
    ...listDirs('posts/', posts.length, sizes.section),
    ...taxonomies.flatMap((taxonomy) => [`${taxonomy.key}/`, ...taxonomy.terms.flatMap((term) => listDirs(`${taxonomy.key}/${term.slug}/`, term.posts.length, sizes.term))]),
    'search/',
  ].map(outputFileOf);
}

/**
 * The redirect pages of the site. An alias that takes the place of a real page, of one of
 * geul's own files or of another alias is an error at the alias in the front matter; every
 * file involved in a clash between aliases is told. Paths are compared case-insensitively,
 * as on macOS and Windows disks.
 */
export function collectAliases(
  posts: ParsedPost[],
  occupied: string[],
  fileOf: (post: ParsedPost) => VFile,
): Alias[] {
  const key = (outputPath: string) => outputPath.normalize('NFC').toLowerCase();
  const real = new Set(occupied.map(key));
  const candidates: { alias: Alias; index: number }[] = [];
  for (const post of posts) {
    (post.frontMatter.aliases ?? []).forEach((path, index) => {
      candidates.push({ alias: { path, outputPath: aliasOutputPath(path), target: post }, index });
    });
  }
  const byPath = new Map<string, typeof candidates>();
  for (const candidate of candidates) {
    const group = byPath.get(key(candidate.alias.outputPath)) ?? [];
    group.push(candidate);
    byPath.set(key(candidate.alias.outputPath), group);
  }

  const aliases: Alias[] = [];
  for (const candidate of candidates) {
    const { alias, index } = candidate;
    const post = alias.target;
    const file = fileOf(post);
    const place = frontMatterItemPlace(file, 'aliases', index);
    const shown = `"/${alias.path}"`;
    const top = alias.outputPath.split('/')[0]!.toLowerCase();
    const group = byPath.get(key(alias.outputPath)) ?? [];
    if (real.has(key(alias.outputPath))) {
      addError(file, `alias ${shown} collides with a page of the site (${alias.outputPath})`, place, 'alias');
    } else if (RESERVED_TOP.has(top)) {
      addError(file, `alias ${shown} would overwrite geul's own files under "${top}"`, place, 'alias');
    } else if (group.length > 1) {
      const first = group[0]!;
      if (first.alias.target === post && group.every((other) => other.alias.target === post)) {
        // The same path twice in one post: the repeats are the mistake.
        if (first !== candidate) addError(file, `alias ${shown} is listed twice`, place, 'alias');
        else aliases.push(alias);
      } else {
        const others = [...new Set(group.filter((other) => other.alias.target !== post).map((other) => other.alias.target.sourcePath))];
        addError(file, `alias ${shown} is also an alias of ${others.join(', ')}`, place, 'alias');
      }
    } else {
      aliases.push(alias);
    }
  }
  return aliases;
}
