import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { VFile } from 'vfile';

/** The source files of a site, each a VFile whose path is relative to the project root. */
export interface SourceFiles {
  /** `site.toml` (empty when the project has none). */
  config: VFile;
  /** `content/posts/**\/*.md`. */
  posts: VFile[];
  /** `content/*.md`: standalone pages. */
  pages: VFile[];
}

/**
 * Read `site.toml` and every markdown file under `content/`. Paths are NFC: macOS writes
 * Korean file names decomposed (NFD), and a slug must not depend on the writer's machine.
 * Files and folders starting with `_` or `.` are skipped, as Hugo skips `_index.md`.
 */
export async function loadContent(root: string): Promise<SourceFiles> {
  const configPath = path.join(root, 'site.toml');
  const config = new VFile({
    path: 'site.toml',
    cwd: root,
    value: existsSync(configPath) ? readFileSync(configPath, 'utf8') : '',
  });
  const [posts, pages] = await Promise.all([
    readMarkdown(root, POSTS),
    readMarkdown(root, PAGES),
  ]);
  return { config, posts, pages };
}

/** Paths of the markdown files `loadContent` reads, relative to the root, NFC (for the dev server's relisting). */
export async function listContent(root: string): Promise<{ posts: string[]; pages: string[] }> {
  const [posts, pages] = await Promise.all([listMarkdown(root, POSTS), listMarkdown(root, PAGES)]);
  return { posts: posts.map((file) => file.normalize('NFC')), pages: pages.map((file) => file.normalize('NFC')) };
}

const POSTS = 'content/posts/**/*.md';
const PAGES = 'content/*.md';

async function listMarkdown(root: string, pattern: string): Promise<string[]> {
  const paths = await glob(pattern, { cwd: root, ignore: ['**/_*', '**/.*'], onlyFiles: true, expandDirectories: false });
  return paths.sort();
}

async function readMarkdown(root: string, pattern: string): Promise<VFile[]> {
  const files: VFile[] = [];
  // Read one after another, synchronously: a few kilobytes each, a thousand files take half
  // the time they take as a thousand promises through libuv's four threads.
  for (const relative of await listMarkdown(root, pattern)) {
    let value: string;
    try {
      value = readFileSync(path.join(root, relative), 'utf8');
    } catch (error) {
      // Deleted between the listing and the read (an editor's save, a `git checkout`):
      // the file is simply not there for this build.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    files.push(new VFile({ path: relative.normalize('NFC'), cwd: root, value }));
  }
  return files;
}
