import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadContent } from '../src/load.ts';
import { cleanup, tempDir } from './helpers/site.ts';

let root: string;

beforeAll(async () => {
  root = await tempDir('geul-load-');
  const write = (file: string, text = '+++\ntitle = "x"\n+++\n') => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  write('content/posts/a.md');
  write('content/posts/bundle/index.md');
  write('content/posts/bundle/appendix.md');
  write('content/about.md');
  write('content/소개/index.md');
  // Markdown inside a page's bundle is one of its resources, as in Hugo.
  write('content/소개/draft-notes.md');
  // A Hugo section: published by Hugo, not by geul.
  write('content/notes/first.md');
  write('content/notes/2024/second.md');
  write('content/_index.md');
  write('content/notes/_index.md');
  write('content/.obsidian/x.md');
});

afterAll(() => cleanup(root));

describe('loadContent', () => {
  test('posts, pages (page bundles too), and a warning on each markdown file it does not publish', async () => {
    const sources = await loadContent(root);
    expect(sources.posts.map((file) => file.path)).toEqual(['content/posts/a.md', 'content/posts/bundle/appendix.md', 'content/posts/bundle/index.md']);
    expect(sources.pages.map((file) => file.path)).toEqual(['content/about.md', 'content/소개/index.md']);
    expect((sources.unread ?? []).flatMap((file) => file.messages.map((m) => `${file.path}:${m.line}:${m.column}: ${m.fatal ? 'error' : 'warning'}: ${m.reason}`))).toEqual([
      'content/notes/2024/second.md:1:1: warning: not published: posts are read from content/posts/ and pages from content/<name>.md or content/<name>/index.md; move the file there to publish it',
      'content/notes/first.md:1:1: warning: not published: posts are read from content/posts/ and pages from content/<name>.md or content/<name>/index.md; move the file there to publish it',
    ]);
  });
});
