import { describe, expect, test } from 'vitest';
import { fileSlug, folderIndexReason, isBundleIndex, kindOf, unpublishedReason } from '../src/content-files.ts';

describe('kindOf', () => {
  test.each([
    ['content/posts/a.md', 'post'],
    ['content/posts/a.markdown', 'post'],
    ['content/posts/a.mdown', 'post'],
    ['content/posts/a.MD', 'post'],
    ['content/posts/2024/a.Markdown', 'post'],
    ['content/posts/bundle/index.markdown', 'post'],
    ['content/about.markdown', 'page'],
    ['content/about/index.mdown', 'page'],
    ['content/about/Index.MD', 'page'],
    // Bundles of their folder: published, with a warning (folderIndexReason).
    ['content/index.md', 'page'],
    ['content/posts/index.md', 'post'],
    ['content/posts/_index.md', undefined],
    ['content/_index.markdown', undefined],
    ['content/posts/a.txt', undefined],
    ['content/posts/a.mdx', undefined],
    ['content/notes/a.md', undefined],
  ])('%s → %s', (file, kind) => {
    expect(kindOf(file)).toBe(kind);
  });
});

describe('fileSlug', () => {
  test('the name without any markdown extension, or the bundle folder', () => {
    expect(fileSlug('content/posts/트랜스포머.markdown')).toBe('트랜스포머');
    expect(fileSlug('content/posts/a.MD')).toBe('a');
    expect(fileSlug('content/posts/a.mdown')).toBe('a');
    expect(fileSlug('content/posts/a.b.md')).toBe('a.b');
    expect(fileSlug('content/posts/bundle/index.markdown')).toBe('bundle');
    expect(fileSlug('content/posts/bundle/Index.md')).toBe('bundle');
    expect(fileSlug('content/posts/indexes.md')).toBe('indexes');
    expect(isBundleIndex('content/a/index.txt')).toBe(false);
  });
});

describe('unpublishedReason', () => {
  test("Hugo's _index.md is told, with what geul makes instead, wherever it is", () => {
    expect(unpublishedReason('content/_index.md', [])).toMatch(/^not used: Hugo's _index\.md gives a list page its title and text, and geul makes the home page from site\.toml's title and description/);
    expect(unpublishedReason('content/posts/_index.md', [])).toMatch(/geul makes the list of posts at \/posts\/ from templates\/section.liquid; delete the file/);
    expect(unpublishedReason('content/tags/_index.markdown', [])).toMatch(/geul makes the pages of tags \(\/tags\/\) from its templates/);
    expect(unpublishedReason('content/categories/_index.md', [])).toMatch(/the pages of categories/);
    expect(unpublishedReason('content/notes/2024/_index.md', [])).toMatch(/geul makes no page for notes\/2024\//);
  });

  test('a section file is told; hidden files, _ files and folders and a page bundle\'s markdown are not', () => {
    expect(unpublishedReason('content/notes/a.markdown', [])).toMatch(/^not published: posts are read from content\/posts\//);
    expect(unpublishedReason('content/.obsidian/a.md', [])).toBeUndefined();
    expect(unpublishedReason('content/_drafts/_index.md', [])).toBeUndefined();
    expect(unpublishedReason('content/notes/_draft.md', [])).toBeUndefined();
    expect(unpublishedReason('content/about/notes.md', ['content/about/'])).toBeUndefined();
  });
});

describe('folderIndexReason', () => {
  test('content/index.md and content/posts/index.md say where they are published and what to do', () => {
    expect(folderIndexReason('content/index.md')).toMatch(/^published at \/content\/, as an index\.md takes its folder's name; geul makes the home page itself .*: rename the file content\/<name>\.md, or give it a slug$/);
    expect(folderIndexReason('content/Index.markdown')).toMatch(/^published at \/content\//);
    expect(folderIndexReason('content/posts/index.md')).toMatch(/^published at \/posts\/posts\/, .*: rename the file content\/posts\/<name>\.md, or give it a slug$/);
    expect(folderIndexReason('content/posts/bundle/index.md')).toBeUndefined();
    expect(folderIndexReason('content/about/index.md')).toBeUndefined();
    expect(folderIndexReason('content/posts/a.md')).toBeUndefined();
  });
});
