/**
 * Posts for unit tests of collect() and the views: each made from real front matter text, as
 * readPost would make it, with its VFile so that problems can be read back with their place.
 */
import { VFile } from 'vfile';
import { collect, type CollectOptions } from '../../src/collect.ts';
import { readConfig } from '../../src/config.ts';
import { readFrontMatter } from '../../src/frontmatter.ts';
import type { ParsedPost, Site } from '../../src/types.ts';

/** A post or page from the lines of its front matter. */
export function postFrom(path: string, lines: string[], kind: ParsedPost['kind'] = 'post'): { post: ParsedPost; file: VFile } {
  const file = new VFile({ path, value: ['+++', ...lines, '+++', '', '본문.'].join('\n') });
  const frontMatter = readFrontMatter(file, kind === 'post');
  if (!frontMatter) throw new Error(`bad front matter in test post ${path}: ${file.messages.map(String).join('; ')}`);
  const slug = frontMatter.slug ?? path.replace(/^.*\//, '').replace(/\.md$/, '');
  const post: ParsedPost = {
    kind,
    sourcePath: path,
    slug,
    frontMatter,
    rendered: { html: '<p>본문.</p>', toc: [], excerpt: '본문.', readingMinutes: 1, wordCount: 2, math: false, assets: [] },
  };
  return { post, file };
}

/** Collect posts and pages made by postFrom; give the site and every message as `path:line:col: reason`. */
export function collectPosts(
  made: { post: ParsedPost; file: VFile }[],
  options: CollectOptions = {},
  siteToml = '',
): { site: Site; messages: string[] } {
  const config = readConfig(new VFile({ path: 'site.toml', value: siteToml }));
  const files = new Map(made.map(({ post, file }) => [post, file]));
  const site = collect(
    config,
    made.filter(({ post }) => post.kind === 'post').map(({ post }) => post),
    made.filter(({ post }) => post.kind === 'page').map(({ post }) => post),
    (post) => files.get(post)!,
    options,
  );
  const messages = made.flatMap(({ file }) => file.messages.map((m) => `${file.path}:${m.line}:${m.column}: ${m.reason}`));
  return { site, messages };
}
