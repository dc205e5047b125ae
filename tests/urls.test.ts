import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createUrls, hrefPath, outputFileOf } from '../src/urls.ts';
import type { SiteConfig } from '../src/types.ts';

function config(baseURL: string): SiteConfig {
  return { title: 't', baseURL, language: 'ko', description: '', author: '', timeZone: 'Asia/Seoul', paginate: 10, image: '', extra: {} };
}

describe('createUrls at the domain root', () => {
  const urls = createUrls(config('https://example.com/'));

  test('basePath, rel and abs', () => {
    expect(urls.basePath).toBe('/');
    expect(urls.rel('')).toBe('/');
    expect(urls.rel('posts/a/')).toBe('/posts/a/');
    expect(urls.rel('/posts/a/')).toBe('/posts/a/');
    expect(urls.abs('')).toBe('https://example.com/');
    expect(urls.abs('feed.xml')).toBe('https://example.com/feed.xml');
  });

  test('a baseURL without a trailing slash still gives folder links', () => {
    const bare = createUrls(config('https://example.com'));
    expect(bare.basePath).toBe('/');
    expect(bare.abs('feed.xml')).toBe('https://example.com/feed.xml');
  });
});

describe('createUrls under a sub-path', () => {
  const urls = createUrls(config('https://example.com/blog/'));

  test('basePath is "/blog/" and prefixes every link', () => {
    expect(urls.basePath).toBe('/blog/');
    expect(urls.rel('')).toBe('/blog/');
    expect(urls.rel('posts/a/')).toBe('/blog/posts/a/');
    expect(urls.abs('posts/a/')).toBe('https://example.com/blog/posts/a/');
    expect(createUrls(config('https://example.com/blog')).basePath).toBe('/blog/');
  });

  test('Hangul stays readable in rel and is percent-encoded in abs', () => {
    expect(urls.rel('tags/자연어-처리/')).toBe('/blog/tags/자연어-처리/');
    expect(urls.abs('tags/자연어-처리/')).toBe('https://example.com/blog/tags/%EC%9E%90%EC%97%B0%EC%96%B4-%EC%B2%98%EB%A6%AC/');
  });

  test('what cannot stand in an href is escaped in rel', () => {
    expect(urls.rel('images/그림 1.png')).toBe('/blog/images/그림%201.png');
    expect(urls.rel('a?b#c%d')).toBe('/blog/a%3Fb%23c%25d');
    expect(urls.abs('images/그림 1.png')).toBe('https://example.com/blog/images/%EA%B7%B8%EB%A6%BC%201.png');
  });

  test('abs names the same path as rel, even with "?", "#" or "%" in it', () => {
    expect(urls.abs('a?b#c%d')).toBe('https://example.com/blog/a%3Fb%23c%25d');
    const segment = fc.array(fc.constantFrom('a', 'Z', '1', '한', '글', ' ', '-', '.', '?', '#', '%', '"', '&', '+'), { minLength: 1 }).map((chars) => chars.join(''))
      // "." and ".." are no slug or file name geul writes (unsafeSlugReason refuses them), and URLs resolve them away.
      .filter((text) => !/^\.+$/.test(text));
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 3 }), (segments) => {
        const path = `${segments.join('/')}/`;
        const absolute = new URL(urls.abs(path));
        expect(absolute.origin).toBe('https://example.com');
        expect(absolute.search).toBe('');
        expect(absolute.hash).toBe('');
        expect(decodeURIComponent(absolute.pathname)).toBe(decodeURIComponent(urls.rel(path)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('createUrls under a sub-path a link must escape', () => {
  test('the base path is escaped in links as the rest is (a space would split a srcset), kept as written in basePath', () => {
    const spaced = createUrls(config('https://example.com/a b/'));
    expect(spaced.basePath).toBe('/a b/');
    expect(spaced.rel('posts/a/')).toBe('/a%20b/posts/a/');
    expect(spaced.abs('posts/a/')).toBe('https://example.com/a%20b/posts/a/');
    const hangul = createUrls(config('https://example.com/내 블로그/'));
    expect(hangul.rel('')).toBe('/내%20블로그/');
  });
});

describe('hrefPath and outputFileOf', () => {
  test('hrefPath keeps letters and escapes the rest', () => {
    expect(hrefPath('tags/자연어-처리/')).toBe('tags/자연어-처리/');
    expect(hrefPath('a b"c<d>')).toBe('a%20b%22c%3Cd%3E');
  });

  test('outputFileOf maps a URL folder to its index.html', () => {
    expect(outputFileOf('')).toBe('index.html');
    expect(outputFileOf('posts/a/')).toBe('posts/a/index.html');
    expect(outputFileOf('posts/a')).toBe('posts/a/index.html');
  });
});
