import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Processor } from 'unified';
import { VFile } from 'vfile';
import { BuildAbandoned } from './abandon.js';
import { assemble, compileAll, type BuildResult } from './build.js';
import type { PostCache } from './cache.js';
import type { CompiledPost, CompileInput, FileStamp } from './compile.js';
import { readConfig } from './config.js';
import { messages } from './i18n.js';
import { gitDates, lastModified } from './lastmod.js';
import { kindOf } from './content-files.js';
import { linkProblem, listContent, loadContent, unreadableFile } from './load.js';
import { onDisk } from './on-disk.js';
import type { MarkdownSettings } from './markdown.js';
import { stampAt, stampOf } from './remark-images.js';
import { render } from './render.js';
import { routes } from './routes.js';
import type { Output, ParsedPost, Site } from './types.js';
import { createUrls, hrefPath } from './urls.js';
import { createViews } from './view.js';
import { partialStoreDir } from './fragments.js';

/**
 * The dev server's builds. Sources and compiled posts stay in memory between builds: a change
 * re-reads and recompiles only the files it touched (and the posts whose images it touched),
 * then the site is assembled again from memory, where pages whose template and data did not
 * change are not rendered. When nothing but the bodies of some posts changed, their own pages
 * are rendered first and handed to `quick`, before the rest of the site is assembled.
 */
export interface SiteBuilder {
  /**
   * Build after `changed`. With `quick`, pages of a body-only change are handed to it first,
   * and the rest waits SETTLE_MS. With `newer`, a build that more changes have overtaken (in
   * that wait, or while it assembles the site) stops and gives undefined, leaving its work to
   * the next build: a writer saving again and again sees each save at once, and the lists
   * catch up when they pause.
   */
  update(
    changed: readonly string[],
    previous: ReadonlyMap<string, Output>,
    quick?: (outputs: Output[]) => void,
    newer?: NewerChanges,
  ): Promise<BuildResult | undefined>;
  /** Load the markdown chain ahead of the first save, so that save does not wait for it. */
  warm(): Promise<void>;
  /**
   * Files the last update read that have changed since it read them, or since the last call
   * that reported them. A watcher reports a burst of writes to one file as one event (chokidar
   * drops a file's second change within 50 ms), so a write that lands after the read is
   * caught here.
   */
  changedSinceRead(): string[];
}

/** What the dev server tells a build about the changes that came after it started. */
export interface NewerChanges {
  /** Whether another change has come. */
  arrived(): boolean;
  /** Resolves after `ms`, or as soon as another change comes. */
  wait(ms: number): Promise<void>;
}

/** One markdown source, as last read and compiled. */
interface Source {
  kind: ParsedPost['kind'];
  text: string;
  result: CompiledPost;
}

/** Fewer files than this compile in this thread, with a processor kept across builds; more go to the worker pool. */
const POOL_THRESHOLD = 24;

/** How long the rest of the site waits after a quick pass for the next save to supersede it. */
const SETTLE_MS = 250;

/** Builds are always dev builds: drafts in, templates told `dev`. */
const OPTIONS = { drafts: true, dev: true } as const;

/** Which posts the dev server's site holds, and when. */
export interface Publishing {
  /** Posts still to come and expired ones are in the site, as with `geul build --future`/`--expired`. */
  future: boolean;
  expired: boolean;
  /** The instant that counts as now at each build (`geul dev --clock`). @default the machine's time */
  now?: () => Date;
}

export function createSiteBuilder(root: string, cache: PostCache, publishing: Publishing = { future: false, expired: false }): SiteBuilder {
  const { now = () => new Date(), ...taken } = publishing;
  /** Undefined until the first build reads it. */
  let configText: string | undefined;
  let settingsKey = '';
  let sources = new Map<string, Source>();
  let modified = new Map<string, Date>();
  /** The site of the last build without errors: where a body-only change can be slotted in. */
  let lastSite: Site | undefined;
  let processor: { key: string; processor: Promise<Processor<any, any, any, any, string>> } | undefined;
  /**
   * Git's dates, asked once per session: starting a process on every save costs the main
   * thread tens of milliseconds (the fork of a large process), and a commit made meanwhile
   * only moves the preview's sitemap dates, which the next `geul dev` picks up.
   */
  let committed: Promise<ReadonlyMap<string, Date>> | undefined;
  /** size:mtime of each file the last update read, taken before reading it. */
  const read = new Map<string, string>();
  /** Markdown under content/ left out, each with its warning or error (load.ts), as the last listing found it. */
  let unread: VFile[] = [];
  /** Posts and pages a change made unreadable (`chmod 000`), each with its error, until read again or gone. */
  const unreadable = new Map<string, VFile>();

  const processorFor = (settings: MarkdownSettings) => {
    const key = JSON.stringify(settings);
    if (processor?.key !== key) {
      processor = {
        key,
        processor: import('./markdown.js').then(({ createMarkdownProcessor }) => createMarkdownProcessor(settings)),
      };
    }
    return processor.processor;
  };

  /** Compile `paths` (already in `sources`), from the cache where it holds them. */
  const compile = async (paths: string[], settings: MarkdownSettings): Promise<void> => {
    if (paths.length >= POOL_THRESHOLD) {
      const inputs = paths.map((file) => ({ file: new VFile({ path: file, cwd: root, value: sources.get(file)!.text }), kind: sources.get(file)!.kind }));
      const compiled = await compileAll(inputs, settings, { root, ...OPTIONS, cache });
      for (const { file, result } of compiled) sources.get(file.path)!.result = result;
      return;
    }
    const { compile: compileOne } = await import('./compile.js');
    for (const file of paths) {
      const source = sources.get(file)!;
      const input: CompileInput = { sourcePath: file, text: source.text, kind: source.kind };
      const key = cache.keyOf(input, settings);
      let result = cache.get(key, OPTIONS.drafts);
      if (!result) {
        result = await compileOne(input, await processorFor(settings), OPTIONS.drafts);
        cache.set(key, result);
      }
      source.result = result;
    }
  };

  /** Read every markdown file again: the first build, or settings that change every result. */
  const loadAll = async (): Promise<string[]> => {
    const files = await loadContent(root);
    // Those that cannot be read are among loadContent's unread files.
    unreadable.clear();
    unread = files.unread ?? [];
    const next = new Map<string, Source>();
    for (const [kind, list] of [['post', files.posts], ['page', files.pages]] as const) {
      for (const file of list) next.set(file.path, { kind, text: String(file.value), result: { messages: [], dependencies: [] } });
    }
    sources = next;
    return [...sources.keys()];
  };

  /**
   * Bring `sources` up to date with the changed paths; the paths whose text changed, plus
   * those whose images changed, are returned to be compiled.
   */
  const applyChanges = async (changed: readonly string[]): Promise<{ stale: string[]; edited: string[]; bodiesOnly: boolean }> => {
    const reread = new Set<string>();
    let relist = false;
    let checkImages = false;
    for (const file of changed) {
      if (file === 'site.toml' || file.startsWith('templates/')) continue;
      if (kindOf(file)) {
        reread.add(file);
        // A link the build does not follow, or one no longer there that it did not follow: told or no more told.
        if (unread.some((left) => left.path === file) || linkProblem(root, path.relative(root, onDisk(root, file)))) relist = true;
        // A new name may be a rename, whose old name chokidar reports 100 ms later (its `atomic`
        // wait): listed now, the old one is gone at once, not a duplicate slug meanwhile.
        if (!sources.has(file)) relist = true;
      } else if (file === 'content' || file.startsWith('content/')) relist = checkImages = true;
      else checkImages = true;
    }
    // A folder appeared, vanished or was renamed: compare the listing with what is known.
    if (relist) {
      const listing = await listContent(root);
      unread = listing.unread;
      const listed = new Set([...listing.posts, ...listing.pages]);
      for (const file of listed) if (!sources.has(file)) reread.add(file);
      for (const file of sources.keys()) if (!listed.has(file)) reread.add(file);
    }
    const stale: string[] = [];
    const touched: string[] = [];
    let bodiesOnly = !relist && !checkImages;
    for (const file of [...reread].sort()) {
      const kind = kindOf(file)!;
      let text: string | undefined;
      // Named NFC here; on disk maybe NFD (a file from macOS).
      const full = onDisk(root, file);
      read.set(file, stampOf(full));
      unreadable.delete(file);
      try {
        // A link the build does not follow (out of the project, to a folder) is no source here either.
        text = linkProblem(root, path.relative(root, full)) ? undefined : await readFile(full, 'utf8');
      } catch (error) {
        // As in the build: an error of the file at its path, not a crash of the whole build.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') unreadable.set(file, unreadableFile(root, file, error));
      }
      if (text === undefined) {
        bodiesOnly &&= !sources.has(file);
        sources.delete(file);
        continue;
      }
      const known = sources.get(file);
      // Saved without a change: nothing to compile, but its date (the sitemap's) moved.
      touched.push(file);
      if (known?.text === text) continue;
      if (!known) bodiesOnly = false;
      sources.set(file, { kind, text, result: known?.result ?? { messages: [], dependencies: [] } });
      stale.push(file);
    }
    // An image added, replaced or removed changes the posts that looked at it (and only those);
    // a post's file changed, the posts that link to it (its slug gives their links' address).
    const changedPosts = new Set(changed.filter((file) => kindOf(file)));
    if (checkImages || changedPosts.size > 0) {
      for (const [file, source] of sources) {
        if (stale.includes(file)) continue;
        const looked = (dependency: FileStamp) => checkImages || changedPosts.has(dependency.path);
        if (source.result.dependencies.some((dependency) => looked(dependency) && stampAt(root, dependency.path) !== dependency.stamp)) stale.push(file);
      }
    }
    return { stale, edited: touched, bodiesOnly };
  };

  return {
    changedSinceRead() {
      const moved: string[] = [];
      for (const [file, stamp] of read) {
        const now = stampOf(onDisk(root, file));
        if (now === stamp) continue;
        moved.push(file);
        read.set(file, now);
      }
      return moved;
    },

    async warm() {
      if (configText === undefined) return;
      const config = readConfig(new VFile({ path: 'site.toml', cwd: root, value: configText }));
      const { compile: compileOne } = await import('./compile.js');
      const settings = { root, basePath: hrefPath(createUrls(config).basePath), language: config.language };
      await compileOne({ sourcePath: 'content/posts/warm-up.md', kind: 'post', text: WARM_UP }, await processorFor(settings), true);
    },

    async update(changed, previous, quick, newer) {
      const started = performance.now();
      read.clear();
      const first = configText === undefined;
      if (first || changed.includes('site.toml')) configText = await readOptional(path.join(root, 'site.toml'));
      const configFile = new VFile({ path: 'site.toml', cwd: root, value: configText });
      const config = readConfig(configFile);
      const urls = createUrls(config);
      const settings: MarkdownSettings = { root, basePath: hrefPath(urls.basePath), language: config.language };
      const key = JSON.stringify(settings);

      let stale: string[];
      let bodiesOnly = false;
      // For the sitemap: asked of git while the markdown compiles, and awaited only by it.
      let dates: Promise<ReadonlyMap<string, Date>>;
      if (first || key !== settingsKey) {
        stale = await loadAll();
        committed ??= gitDates(root);
        dates = lastModified(root, stale, committed).then((all) => (modified = new Map(all)));
      } else {
        let touched: string[];
        ({ stale, edited: touched, bodiesOnly } = await applyChanges(changed));
        bodiesOnly &&= !changed.some((file) => file === 'site.toml' || file.startsWith('templates/'));
        dates = touched.length === 0 ? Promise.resolve(modified) : lastModified(root, touched, committed).then((some) => {
          for (const [file, date] of some) modified.set(file, date);
          return modified;
        });
      }
      settingsKey = key;
      // Keys of the pages served now: a page whose key is the same is not rendered again.
      const keys = new Map<string, string>();
      for (const [file, output] of previous) if (output.key !== undefined) keys.set(file, output.key);
      const before = new Map(stale.map((file) => [file, sources.get(file)?.result]));
      await compile(stale, settings);

      // Only bodies changed: the site keeps its shape (order, terms, series, links), so the
      // changed posts' own pages can be made from the last site with the new posts slotted
      // in, and served before the rest of the site (lists showing their summaries, the feed)
      // is assembled.
      let servedQuick = false;
      if (quick && bodiesOnly && lastSite && stale.length > 0) {
        const replaced = new Map<ParsedPost, ParsedPost>();
        for (const file of stale) {
          const old = before.get(file)?.post;
          const now = sources.get(file)!.result;
          if (!old || !now.post || now.messages.some((message) => message.fatal) || !sameShape(old, now.post)) {
            replaced.clear();
            break;
          }
          replaced.set(old, now.post);
        }
        if (replaced.size > 0) {
          const site = substitute(lastSite, replaced);
          const i18n = messages(config.language);
          const views = createViews(site, urls, i18n, now());
          const pages = routes(site, views, urls, i18n, new Set(replaced.values()));
          const rendered = await render(pages, root, urls, { dev: OPTIONS.dev, site: views.site, i18n }, { previous: keys, partialsDir: partialStoreDir(root) });
          const fine = rendered.templateFiles.every((file) => file.messages.length === 0);
          if (fine && rendered.outputs.length === pages.length) {
            const fresh = rendered.outputs.filter((output) => !('unchanged' in output));
            quick(fresh);
            servedQuick = true;
            for (const output of fresh) if (output.key !== undefined) keys.set(output.path, output.key);
            // The site as collect would make it now: the next quick pass starts from here.
            lastSite = site;
            if (newer) {
              await newer.wait(SETTLE_MS);
              if (newer.arrived()) return undefined;
            }
          }
        }
      }

      const posts: VFile[] = [];
      const pages: VFile[] = [];
      const compiled: { file: VFile; kind: ParsedPost['kind']; result: CompiledPost }[] = [];
      for (const kind of ['post', 'page'] as const) {
        for (const [file, source] of [...sources].filter(([, source]) => source.kind === kind).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
          const vfile = new VFile({ path: file, cwd: root, value: source.text });
          (kind === 'post' ? posts : pages).push(vfile);
          compiled.push({ file: vfile, kind, result: source.result });
        }
      }
      let result: BuildResult;
      try {
        result = await assemble(
          { sources: { config: configFile, posts, pages, unread: [...unread, ...unreadable.values()] }, config, compiled, modified: dates, started },
          { root, ...OPTIONS, ...taken, now: now(), cache, previous: keys, ...(newer ? { abandon: () => newer.arrived() } : {}) },
        );
      } catch (error) {
        if (!(error instanceof BuildAbandoned)) throw error;
        // A quick pass has already moved lastSite on; otherwise the site's shape is unknown.
        if (!servedQuick) lastSite = undefined;
        return undefined;
      }
      lastSite = result.problems.some((problem) => problem.severity === 'error') ? undefined : result.site;
      return result;
    },
  };
}

export { kindOf } from './content-files.js';

/**
 * Whether two compiled versions of a post give the site the same shape: the same front matter
 * (title, date, terms, series, slug...) and the same files to copy. Body, headings, summary
 * and reading time may differ.
 */
function sameShape(a: ParsedPost, b: ParsedPost): boolean {
  const shape = (post: ParsedPost) => [post.kind, post.sourcePath, post.slug, post.frontMatter, post.rendered.assets];
  return isDeepStrictEqual(shape(a), shape(b));
}

/**
 * The site with some posts swapped for others, wherever it holds them (lists, terms, series,
 * aliases, and whatever else a later version keeps), sharing everything else.
 */
function substitute(site: Site, replaced: ReadonlyMap<ParsedPost, ParsedPost>): Site {
  const copies = new Map<object, unknown>();
  const walk = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    const swapped = replaced.get(value as ParsedPost);
    if (swapped) return swapped;
    // A post is a leaf: only whole posts are swapped.
    if ('frontMatter' in value && 'rendered' in value) return value;
    if (copies.has(value)) return copies.get(value);
    if (Array.isArray(value)) {
      const copy: unknown[] = [];
      copies.set(value, copy);
      for (const item of value) copy.push(walk(item));
      return copy;
    }
    if (Object.getPrototypeOf(value) !== Object.prototype) return value;
    const copy: Record<string, unknown> = {};
    copies.set(value, copy);
    for (const [key, item] of Object.entries(value)) copy[key] = walk(item);
    return copy;
  };
  return walk(site) as Site;
}

async function readOptional(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

/** A little of everything the chain handles, so each plugin has loaded its parts. */
const WARM_UP = `+++
title = "warm-up"
date = 2024-01-01
+++

## 제목 $x^2$

본문 $\\frac{a}{b}$ **굵게** [링크](https://example.com).

$$
\\sum_{i=1}^{n} i
$$

\`\`\`python
print(1)
\`\`\`

| a | b |
|---|---|
| 1 | 2 |
`;
