import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { VFile } from 'vfile';
import { addError, addWarning } from './report.js';
import { sourceTextDigest, type SourceSnapshot } from './source-snapshot.js';

declare module 'vfile' {
  interface DataMap {
    /**
     * The digest of the source's text (`sourceTextDigest`), which keys the post cache. Set by
     * `loadContent` when a snapshot is given, for every file, including those whose text is
     * not read until something asks for it.
     */
    textDigest: string;
  }
}

/** The source files of a site, each a VFile whose path is relative to the project root. */
export interface SourceFiles {
  /** `site.toml` (empty when the project has none). */
  config: VFile;
  /** `content/posts/**\/*.md`. */
  posts: VFile[];
  /** `content/*.md` and `content/<name>/index.md`: standalone pages. */
  pages: VFile[];
  /**
   * Other markdown files under `content/` (a Hugo section, `content/notes/a.md`), which are
   * not published, each with a warning saying so. Left out by the dev server's rebuilds.
   */
  unread?: VFile[];
}

/**
 * Read `site.toml` and every markdown file under `content/`. Paths are NFC: macOS writes
 * Korean file names decomposed (NFD), and a slug must not depend on the writer's machine.
 * Files and folders starting with `_` or `.` are skipped, as Hugo skips `_index.md`.
 */
export async function loadContent(root: string, snapshot?: SourceSnapshot): Promise<SourceFiles> {
  const configPath = path.join(root, 'site.toml');
  const config = new VFile({ path: 'site.toml', cwd: root, value: '' });
  try {
    config.value = readFileSync(configPath, 'utf8');
  } catch (error) {
    // No site.toml: the defaults. One that cannot be read (a folder of that name) is an error of its own.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') addError(config, `cannot read site.toml: ${(error as Error).message}`, { line: 1, column: 1 });
  }
  const [posts, pages, unread] = await Promise.all([
    readMarkdown(root, POSTS, snapshot),
    readMarkdown(root, PAGES, snapshot),
    unreadMarkdown(root),
  ]);
  return { config, posts, pages, unread };
}

/**
 * Markdown under content/ that is neither a post nor a page nor inside a page's bundle (where
 * Hugo too keeps markdown as a resource): a Hugo site's other sections. Hugo publishes them;
 * geul does not, and says so rather than lose a migrated page without a word.
 */
async function unreadMarkdown(root: string): Promise<VFile[]> {
  const [all, pages] = await Promise.all([listMarkdown(root, ['content/**/*.md', '!content/posts/**']), listMarkdown(root, PAGES)]);
  const bundles = pages.filter((page) => page.endsWith('/index.md')).map((page) => page.slice(0, -'index.md'.length));
  return all
    .filter((file) => !pages.includes(file) && !bundles.some((bundle) => file.startsWith(bundle)))
    .map((relative) => {
      const file = new VFile({ path: relative.normalize('NFC'), cwd: root });
      addWarning(file, 'not published: posts are read from content/posts/ and pages from content/<name>.md or content/<name>/index.md; move the file there to publish it', { line: 1, column: 1 });
      return file;
    });
}

/** Paths of the markdown files `loadContent` reads, relative to the root, NFC (for the dev server's relisting). */
export async function listContent(root: string): Promise<{ posts: string[]; pages: string[] }> {
  const [posts, pages] = await Promise.all([listMarkdown(root, POSTS), listMarkdown(root, PAGES)]);
  return { posts: posts.map((file) => file.normalize('NFC')), pages: pages.map((file) => file.normalize('NFC')) };
}

const POSTS = ['content/posts/**/*.md'];
// A page may be a Hugo page bundle, `content/about/index.md` with its photo beside it, as a
// post may: Hugo publishes it at /about/, and a migrated site must not lose it unseen.
// content/posts/ holds posts only.
const PAGES = ['content/*.md', 'content/*/index.md', '!content/posts/**'];

async function listMarkdown(root: string, patterns: string[]): Promise<string[]> {
  // Symbolic links are not followed: two links back up the tree (`a -> .`, `b -> .`) made
  // paths without end, a build that never finished.
  const paths = await glob(patterns, { cwd: root, ignore: ['**/_*', '**/.*'], onlyFiles: true, expandDirectories: false, followSymbolicLinks: false });
  return paths.sort();
}

async function readMarkdown(root: string, pattern: string[], snapshot: SourceSnapshot | undefined): Promise<VFile[]> {
  const files: VFile[] = [];
  // Read one after another, synchronously: a few kilobytes each, a thousand files take half
  // the time they take as a thousand promises through libuv's four threads.
  for (const relative of await listMarkdown(root, pattern)) {
    const full = path.join(root, relative);
    const name = relative.normalize('NFC');
    // Stat first: a write after it changes the stat the next build compares.
    const stats = snapshot && statSync(full, { bigint: true, throwIfNoEntry: false });
    if (snapshot && !stats) continue;
    const known = stats && snapshot.digestOf(name, stats);
    if (known !== undefined) {
      files.push(unreadFile(root, name, full, known));
      continue;
    }
    let value: string;
    try {
      value = readFileSync(full, 'utf8');
    } catch (error) {
      // Deleted between the listing and the read (an editor's save, a `git checkout`):
      // the file is simply not there for this build.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const file = new VFile({ path: name, cwd: root, value });
    if (stats) {
      file.data.textDigest = sourceTextDigest(value);
      snapshot.record(name, stats, file.data.textDigest);
    }
    files.push(file);
  }
  return files;
}

/**
 * A source the snapshot knows unchanged: its text is read when first asked for (a post to
 * compile again, a warning's excerpt), as it is then; a file gone by then reads as empty.
 */
function unreadFile(root: string, name: string, full: string, digest: string): VFile {
  const file = new VFile({ path: name, cwd: root });
  let value: string | undefined;
  Object.defineProperty(file, 'value', {
    enumerable: true,
    configurable: true,
    get: () => {
      if (value === undefined) {
        try {
          value = readFileSync(full, 'utf8');
        } catch {
          value = '';
        }
      }
      return value;
    },
    set: (given: string) => {
      value = given;
    },
  });
  file.data.textDigest = digest;
  return file;
}
