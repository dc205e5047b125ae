import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listContent, loadContent } from '../src/load.ts';
import { cleanup, tempDir } from './helpers/site.ts';

let root: string;
let outside: string;

const write = (base: string, file: string, text = '+++\ntitle = "x"\n+++\n') => {
  mkdirSync(path.dirname(path.join(base, file)), { recursive: true });
  writeFileSync(path.join(base, file), text);
};

beforeAll(async () => {
  root = await tempDir('geul-load-');
  outside = await tempDir('geul-load-outside-');
  write(root, 'content/posts/a.md');
  write(root, 'content/posts/bundle/index.md');
  write(root, 'content/posts/bundle/appendix.md');
  write(root, 'content/about.md');
  write(root, 'content/소개/index.md');
  // Markdown inside a page's bundle is one of its resources, as in Hugo.
  write(root, 'content/소개/draft-notes.md');
  // A Hugo section: published by Hugo, not by geul.
  write(root, 'content/notes/first.md');
  write(root, 'content/notes/2024/second.md');
  write(root, 'content/.obsidian/x.md');
  write(root, 'content/posts/_drafts/x.md');
  write(root, 'content/posts/_draft.md');
});

afterAll(() => cleanup(root, outside));

const told = (sources: Awaited<ReturnType<typeof loadContent>>) =>
  (sources.unread ?? []).flatMap((file) => file.messages.map((m) => `${file.path}:${m.line}:${m.column}: ${m.fatal ? 'error' : 'warning'}: ${m.reason}`)).sort();

describe('loadContent', () => {
  test('posts, pages (page bundles too), and a warning on each markdown file it does not publish', async () => {
    const sources = await loadContent(root);
    expect(sources.posts.map((file) => file.path)).toEqual(['content/posts/a.md', 'content/posts/bundle/appendix.md', 'content/posts/bundle/index.md']);
    expect(sources.pages.map((file) => file.path)).toEqual(['content/about.md', 'content/소개/index.md']);
    expect(told(sources)).toEqual([
      'content/notes/2024/second.md:1:1: warning: not published: posts are read from content/posts/ and pages from content/<name>.md or content/<name>/index.md; move the file there to publish it',
      'content/notes/first.md:1:1: warning: not published: posts are read from content/posts/ and pages from content/<name>.md or content/<name>/index.md; move the file there to publish it',
    ]);
  });
});

describe('what a writer migrating from Hugo has in content/', () => {
  let site: string;
  beforeAll(async () => {
    site = await tempDir('geul-load-hugo-');
    write(site, 'content/posts/a.md');
    // Hugo's other markdown extensions, and a name saved in capitals.
    write(site, 'content/posts/b.markdown');
    write(site, 'content/posts/c.mdown');
    write(site, 'content/posts/D.MD');
    write(site, 'content/posts/bundle/index.markdown');
    write(site, 'content/about.Markdown');
    write(site, 'content/contact/index.mdown');
    // Hugo's list pages' text, and index files (bundles of content/ and content/posts/: posts.test.ts).
    write(site, 'content/_index.md');
    write(site, 'content/posts/_index.md');
    write(site, 'content/tags/_index.md');
    write(site, 'content/index.md');
    write(site, 'content/posts/index.md');
    // Links: to a file in the project, to one outside it, to a folder, to nothing.
    write(site, 'drafts/linked.md');
    symlinkSync('../../drafts/linked.md', path.join(site, 'content/posts/linked.md'));
    write(outside, 'private.md');
    symlinkSync(path.join(outside, 'private.md'), path.join(site, 'content/posts/private.md'));
    symlinkSync('../../drafts', path.join(site, 'content/posts/series'));
    symlinkSync('../gone.md', path.join(site, 'content/posts/gone.md'));
    write(site, 'content/images/x.png', 'png');
    symlinkSync('x.png', path.join(site, 'content/images/y.png'));
  });
  afterAll(() => cleanup(site));

  test('.markdown, .mdown and .MD are posts and pages; links inside the project are read', async () => {
    const sources = await loadContent(site);
    expect(sources.posts.map((file) => file.path)).toEqual([
      'content/posts/D.MD',
      'content/posts/a.md',
      'content/posts/b.markdown',
      'content/posts/bundle/index.markdown',
      'content/posts/c.mdown',
      'content/posts/index.md',
      'content/posts/linked.md',
    ]);
    expect(String(sources.posts.find((file) => file.path === 'content/posts/linked.md')?.value)).toBe('+++\ntitle = "x"\n+++\n');
    expect(sources.pages.map((file) => file.path)).toEqual(['content/about.Markdown', 'content/contact/index.mdown', 'content/index.md']);
    const listed = await listContent(site);
    expect({ posts: listed.posts, pages: listed.pages }).toEqual({ posts: sources.posts.map((file) => file.path), pages: sources.pages.map((file) => file.path) });
    expect(listed.unread.map((file) => file.path)).toEqual((sources.unread ?? []).map((file) => file.path));
  });

  test('_index.md and links it does not follow are told, each with what to do', async () => {
    const lines = told(await loadContent(site));
    expect(lines).toEqual([
      "content/_index.md:1:1: warning: not used: Hugo's _index.md gives a list page its title and text, and geul makes the home page from site.toml's title and description and the newest posts; delete the file, or move its text to a page (content/<name>.md)",
      "content/posts/_index.md:1:1: warning: not used: Hugo's _index.md gives a list page its title and text, and geul makes the list of posts at /posts/ from templates/section.liquid; delete the file, or move its text to a page (content/<name>.md)",
      'content/posts/gone.md:1:1: warning: not read: a link to ../gone.md, which does not exist',
      `content/posts/private.md:1:1: error: a link to ${path.join(realpathSync(outside), 'private.md')}, outside the project: copy the file into the project (geul reads a link only to a file inside it)`,
      'content/posts/series:1:1: warning: not read: a link to a folder, which geul does not follow under content/ (two links up the tree made paths without end); move the folder here, or link its files one by one',
      "content/tags/_index.md:1:1: warning: not used: Hugo's _index.md gives a list page its title and text, and geul makes the pages of tags (/tags/) from its templates; delete the file, or move its text to a page (content/<name>.md)",
    ]);
  });
});

// Without the check, loadContent blocks in readFileSync and this file never ends.
describe('a named pipe, which a read waits on for ever', () => {
  let site: string;
  beforeAll(async () => {
    site = await tempDir('geul-load-pipe-');
    write(site, 'content/posts/a.md');
    execFileSync('mkfifo', [path.join(site, 'pipe')]);
    symlinkSync('../../pipe', path.join(site, 'content/posts/piped.md'));
    execFileSync('mkfifo', [path.join(site, 'site.toml')]);
  });
  afterAll(() => cleanup(site));

  test('as a post through a link, or as site.toml, is an error of that file; the build goes on to tell it', async () => {
    const sources = await loadContent(site);
    expect(sources.posts.map((file) => file.path)).toEqual(['content/posts/a.md']);
    expect(told(sources)).toEqual([`content/posts/piped.md:1:1: error: not read: a link to ${path.join(realpathSync(site), 'pipe')}, which is not a file (a pipe, a socket or a device)`]);
    expect(sources.config.messages.map((m) => `${m.line}:${m.column}: ${m.reason}`)).toEqual(['1:1: cannot read site.toml: not a file (a pipe, a socket or a device)']);
  }, 10_000);
});
