import type { VFile } from 'vfile';
import { assets } from './assets.js';
import { collect } from './collect.js';
import { readConfig } from './config.js';
import { feed } from './feed.js';
import { messages } from './i18n.js';
import { loadContent } from './load.js';
import { createMarkdownProcessor } from './markdown.js';
import { readPost } from './post.js';
import { render } from './render.js';
import { problemsOf, type Problem } from './report.js';
import { routes } from './routes.js';
import { robots, sitemap } from './sitemap.js';
import type { BuildOptions, Output, ParsedPost, Site } from './types.js';
import { createUrls } from './urls.js';
import { createViews } from './view.js';

/** What one build produced; nothing is written yet. */
export interface BuildResult {
  /** Every file of the site. Only meaningful when `problems` holds no error. */
  outputs: Output[];
  /** Every error and warning, sorted by file and place. */
  problems: Problem[];
  /** The collected site, for summaries and the dev server. */
  site: Site | undefined;
  stats: BuildStats;
}

export interface BuildStats {
  posts: number;
  pages: number;
  terms: number;
  images: number;
  errors: number;
  warnings: number;
  milliseconds: number;
}

/**
 * The pipeline, one line per stage: load → front matter + markdown → collect → routes →
 * render → outputs. Reads files, writes none: the caller decides whether to replace `dist/`
 * (the CLI) or serve from memory (the dev server).
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const sources = await loadContent(options.root);
  const config = readConfig(sources.config);
  const urls = createUrls(config);
  const i18n = messages(config.language);
  const processor = createMarkdownProcessor({ root: options.root, basePath: urls.basePath, language: config.language });

  const files = new Map<ParsedPost, VFile>();
  const readAll = async (list: VFile[], kind: ParsedPost['kind']) => {
    const parsed: ParsedPost[] = [];
    for (const file of list) {
      const post = await readPost(file, kind, processor, options.drafts);
      if (post) {
        parsed.push(post);
        files.set(post, file);
      }
    }
    return parsed;
  };
  const posts = await readAll(sources.posts, 'post');
  const pages = await readAll(sources.pages, 'page');

  const site = collect(config, posts, pages, (post) => files.get(post)!);
  const views = createViews(site, urls, i18n, new Date());
  const rendered = render(routes(site, views, urls, i18n), options.root, urls, { dev: Boolean(options.dev) });
  const outputs: Output[] = [
    ...rendered.outputs,
    { path: 'feed.xml', content: feed(site, views, urls) },
    { path: 'sitemap.xml', content: sitemap(site, views, urls) },
    { path: 'robots.txt', content: robots(urls) },
    ...(await assets(options.root, [...site.posts, ...site.pages])),
  ];

  const problems = problemsOf([sources.config, ...sources.posts, ...sources.pages, ...rendered.templateFiles]);
  const errors = problems.filter((problem) => problem.severity === 'error').length;
  return {
    outputs,
    problems,
    site,
    stats: {
      posts: site.posts.length,
      pages: outputs.filter((output) => output.path.endsWith('.html')).length,
      terms: site.taxonomies.reduce((sum, taxonomy) => sum + taxonomy.terms.length, 0),
      images: outputs.filter((output) => !output.path.startsWith('assets/') && /\.(?:png|jpe?g|gif|webp|avif|svg)$/i.test(output.path)).length,
      errors,
      warnings: problems.length - errors,
      milliseconds: Math.round(performance.now() - started),
    },
  };
}
