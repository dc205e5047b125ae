import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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
    value: existsSync(configPath) ? await readFile(configPath, 'utf8') : '',
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
  const paths = await listMarkdown(root, pattern);
  const files = await Promise.all(
    paths.map(async (relative) => {
      let value: string;
      try {
        value = await readFile(path.join(root, relative), 'utf8');
      } catch (error) {
        // Deleted between the listing and the read (an editor's save, a `git checkout`):
        // the file is simply not there for this build.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      return new VFile({ path: relative.normalize('NFC'), cwd: root, value });
    }),
  );
  return files.filter((file): file is VFile => file !== undefined);
}
