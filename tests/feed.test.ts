/**
 * The Atom feed of `tests/fixtures/sites/feed`, built in-process. XML is checked as text
 * (no XML parser is installed): well-formedness by a small tag-balance check, the rest by
 * its structure. `UPDATE=1` rewrites `expected-feed.xml`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { absolutizeLinks, plainCode } from '../src/feed.ts';
import { createUrls } from '../src/urls.ts';
import { readConfig } from '../src/config.ts';
import { VFile } from 'vfile';
import { build } from '../src/build.ts';
import { fromHtml } from 'hast-util-from-html';
import { select } from 'hast-util-select';
import { buildInProcess, cleanup, copySite, FIXTURES, textOf, xmlProblems } from './helpers/site.ts';

const GOLDEN = path.join(FIXTURES, 'sites', 'feed', 'expected-feed.xml');
let feed: string;

beforeAll(async () => {
  const { outputs, problems } = await buildInProcess('feed');
  expect(problems).toEqual([]);
  feed = outputs.get('feed.xml')!;
});

const entries = () => [...feed.matchAll(/<entry>([\s\S]*?)<\/entry>/g)].map((match) => match[1]!);

describe('feed.xml', () => {
  test('matches the golden file', () => {
    if (process.env.UPDATE) writeFileSync(GOLDEN, feed);
    expect(feed).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  test('is well-formed Atom in the site language', () => {
    expect(xmlProblems(feed)).toEqual([]);
    expect(feed).toMatch(/^<\?xml version="1\.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom" xml:lang="ko">/);
    expect(feed).toContain('<title>피드 &#x26; 사이트맵</title>');
    expect(feed).toContain('<link href="https://example.com/feed.xml" rel="self" type="application/atom+xml">');
  });

  test('every URL is absolute https, inside the post content too', () => {
    const urls = [
      ...[...feed.matchAll(/\b(?:href|src)="([^"]*)"/g)].map((match) => match[1]!),
      ...[...feed.matchAll(/<id>([^<]*)<\/id>/g)].map((match) => match[1]!),
    ];
    expect(urls.length).toBeGreaterThan(8);
    expect(urls.filter((url) => !url.startsWith('https://example.com/'))).toEqual([]);
  });

  test('published posts newest first; drafts are left out', () => {
    expect(entries().map((entry) => /<title>([^<]*)<\/title>/.exec(entry)?.[1])).toEqual([
      '&#x3C;b>LA&#x3C;/b>에서 쓴 글 &#x26; "따옴표"',
      '서울에서 쓴 글',
      '날짜만 있는 글',
    ]);
    expect(feed).not.toContain('초안');
  });

  test('dates are RFC 3339 with the offset as written; a date alone is midnight in the site zone', () => {
    const [la, seoul, plain] = entries();
    expect(Date.parse(/<published>([^<]*)</.exec(la!)![1]!)).toBe(Date.parse('2024-02-29T20:00:00-08:00'));
    expect(/<published>([^<]*)</.exec(seoul!)![1]).toMatch(/^2024-03-01T00:30:00(\.000)?\+09:00$/);
    expect(/<published>([^<]*)</.exec(plain!)![1]).toBe('2024-01-01T00:00:00+09:00');
    expect(/<updated>([^<]*)</.exec(plain!)![1]).toBe('2024-01-05T00:00:00+09:00');
  });

  test("the feed's <updated> is the latest instant, not the latest-sorting string", () => {
    // LA's 2024-02-29T20:00-08:00 is 2024-03-01T04:00Z, after Seoul's 2024-02-29T15:30Z.
    const updated = /<updated>([^<]*)<\/updated>/.exec(feed.slice(0, feed.indexOf('<entry>')))?.[1];
    expect(Date.parse(updated!)).toBe(Date.parse('2024-02-29T20:00:00-08:00'));
  });

  test('an entry is updated no earlier than published, though its lastmod is written before its date', async () => {
    const root = await copySite('feed');
    try {
      writeFileSync(
        path.join(root, 'content/posts/backdated.md'),
        '+++\ntitle = "고친 날이 앞선 글"\ndate = 2030-01-02T09:00:00+09:00\nlastmod = 2029-12-31\n+++\n\n본문.\n',
      );
      const result = await build({ root, drafts: false, future: true });
      expect(result.problems).toEqual([]);
      const output = result.outputs.find((candidate) => candidate.path === 'feed.xml') as { content: string | Uint8Array };
      const xml = typeof output.content === 'string' ? output.content : Buffer.from(output.content).toString('utf8');
      const entry = /<entry>([\s\S]*?)<\/entry>/.exec(xml)![1]!;
      expect(entry).toContain('고친 날이 앞선 글');
      expect(/<updated>([^<]*)</.exec(entry)![1]).toBe(/<published>([^<]*)</.exec(entry)![1]);
      expect(Date.parse(/<updated>([^<]*)</.exec(xml)![1]!)).toBe(Date.parse('2030-01-02T09:00:00+09:00'));
      // The page's JSON-LD says the same.
      const page = result.outputs.find((candidate) => candidate.path === 'posts/backdated/index.html') as { content: string | Uint8Array };
      const tree = fromHtml(typeof page.content === 'string' ? page.content : Buffer.from(page.content).toString('utf8'));
      const ld = JSON.parse(textOf(select('script[type="application/ld+json"]', tree)!)) as Record<string, string>;
      expect(Date.parse(ld.dateModified!)).toBe(Date.parse(ld.datePublished!));
    } finally {
      await cleanup(root);
    }
  });

  test('a site without an author names the feed\'s author by the site title, as Atom requires one', async () => {
    const { outputs } = await buildInProcess('feed', { siteToml: readFileSync(path.join(FIXTURES, 'sites', 'feed', 'site.toml'), 'utf8').replace(/^author = .*$/m, '') });
    const xml = outputs.get('feed.xml')!;
    expect(xml).toMatch(/<\/updated><author><name>피드 &#x26; 사이트맵<\/name><\/author><generator>geul<\/generator>/);
    expect(xmlProblems(xml)).toEqual([]);
  });

  test('terms and summary', () => {
    const [la, seoul] = entries();
    expect(la).toContain('<category term="Paper Review"></category>');
    expect(seoul).toContain('<category term="NLP"></category>');
    expect(la).toMatch(/<summary>UTC로는 3월 1일 04:00, 서울 글보다 나중이다\.<\/summary>/);
  });
});

describe('absolutizeLinks', () => {
  const urls = createUrls(readConfig(new VFile({ path: 'site.toml', value: 'baseURL = "https://example.com/blog/"' })));
  const page = 'https://example.com/blog/posts/a/';

  test('site-absolute links and sources become absolute, Hangul percent-encoded', () => {
    const html = absolutizeLinks('<p><a href="/blog/tags/자연어-처리/">t</a><img src="/blog/images/a.png" alt=""></p>', urls, page);
    expect(html).toContain('href="https://example.com/blog/tags/%EC%9E%90%EC%97%B0%EC%96%B4-%EC%B2%98%EB%A6%AC/"');
    expect(html).toContain('src="https://example.com/blog/images/a.png"');
  });

  test('in-page links point into the post, since a feed reader shows it away from its page', () => {
    const html = absolutizeLinks('<sup><a href="#user-content-fn-1">1</a></sup><a href="#서론">s</a>', urls, page);
    expect(html).toContain('href="https://example.com/blog/posts/a/#user-content-fn-1"');
    expect(decodeURIComponent(/href="([^"]*서론|[^"]*%EC%84%9C%EB%A1%A0)"/.exec(html)?.[1] ?? '')).toBe('https://example.com/blog/posts/a/#서론');
  });

  test('code that shows an href is left alone', () => {
    const html = absolutizeLinks('<pre><code>&#x3C;a href="/x">&#x3C;/a></code></pre>', urls, page);
    expect(html).toBe('<pre><code>&#x3C;a href="/x">&#x3C;/a></code></pre>');
  });

  test('links relative to the post resolve against its URL, as the page resolves them', () => {
    const html = absolutizeLinks('<a href="../b/">b</a><a href="data.csv">d</a><a href="?x=1&#x26;y=2">q</a><img src="그림.png" srcset="그림-400w.png 400w, /blog/x.png 800w" alt="">', urls, page);
    expect(html).toContain('href="https://example.com/blog/posts/b/"');
    expect(html).toContain('href="https://example.com/blog/posts/a/data.csv"');
    expect(html).toContain('href="https://example.com/blog/posts/a/?x=1&#x26;y=2"');
    expect(html).toContain('src="https://example.com/blog/posts/a/%EA%B7%B8%EB%A6%BC.png"');
    expect(html).toContain('srcset="https://example.com/blog/posts/a/%EA%B7%B8%EB%A6%BC-400w.png 400w, https://example.com/blog/x.png 800w"');
  });

  test('raw HTML as written: any letter case, spaces around =, unquoted values, a video poster; a value that shows an attribute stays text', () => {
    const html = absolutizeLinks(
      '<A HREF="paper.pdf">p</A><a href = "data.csv">d</a><a href=notes.txt>n</a><video poster="/blog/images/p.png" src=\'clip.mp4\'></video><img alt="예시 src=\'x.png\'" src="/blog/a.png">',
      urls,
      page,
    );
    expect(html).toBe(
      '<A HREF="https://example.com/blog/posts/a/paper.pdf">p</A><a href = "https://example.com/blog/posts/a/data.csv">d</a><a href="https://example.com/blog/posts/a/notes.txt">n</a>' +
        '<video poster="https://example.com/blog/images/p.png" src=\'https://example.com/blog/posts/a/clip.mp4\'></video><img alt="예시 src=\'x.png\'" src="https://example.com/blog/a.png">',
    );
  });

  test('a tag whose quoted attribute holds < or > has its links made absolute too', () => {
    const html = absolutizeLinks(
      '<a aria-label="섹션: 입력 -> 출력" href="#입력---출력">#</a><img src="/blog/images/small.png" alt="p < 0.05 인 결과"><img alt="x > 0 구간" src="/blog/images/big.png" srcset="/blog/images/big-400w.png 400w">',
      urls,
      page,
    );
    expect(html).toContain('href="https://example.com/blog/posts/a/#입력---출력"');
    expect(html).toContain('src="https://example.com/blog/images/small.png"');
    expect(html).toContain('src="https://example.com/blog/images/big.png" srcset="https://example.com/blog/images/big-400w.png 400w"');
    expect(html).toContain('alt="p < 0.05 인 결과"');
  });

  test('external links are left alone', () => {
    const html = absolutizeLinks('<a href="https://arxiv.org/abs/1706.03762">p</a><a href="//cdn.example.org/x">c</a>', urls, page);
    expect(html).toContain('href="https://arxiv.org/abs/1706.03762"');
    expect(html).toContain('href="//cdn.example.org/x"');
    const other = '<a href="mailto:a@example.com">m</a><a href="tel:+82-2-000">t</a><a href="">e</a>';
    expect(absolutizeLinks(other, urls, page)).toBe(other);
  });
});

describe('text that holds `]]>`', () => {
  test('stays well-formed XML: code like a[b[i]]>0, a title and a summary with it; characters XML forbids (U+FFFE, U+0001) left out', async () => {
    const root = await copySite('feed');
    try {
      writeFileSync(
        path.join(root, 'content/posts/brackets.md'),
        '+++\ntitle = "배열 a[b[i]]>0 \\uFFFE"\ndate = 2030-01-01T00:00:00+09:00\ndescription = "조건 ]]> 끝 \\uFFFF"\n+++\n\n조건 `if (a[b[i]]>0)` 를 본다. 제어 문자 \u0001 와 \uFFFE.\n\n```c\nx = a[b[i]]>0;\n```\n',
      );
      const result = await build({ root, drafts: false, future: true });
      // The body's U+0001 is left out of the post itself, with a warning (remark-control-chars.ts).
      expect(result.problems.map((problem) => `${problem.path}:${problem.line}: ${problem.message}`)).toEqual([
        'content/posts/brackets.md:7: control character U+0001 (pasted from a PDF?) left out: HTML has no place for them',
      ]);
      const output = result.outputs.find((candidate) => candidate.path === 'feed.xml') as { content: string | Uint8Array };
      const xml = typeof output.content === 'string' ? output.content : Buffer.from(output.content).toString('utf8');
      expect(xmlProblems(xml)).toEqual([]);
      expect(xml).toContain('<title>배열 a[b[i]]&gt;0 </title>');
      expect(xml).not.toContain(']]>');
    } finally {
      await cleanup(root);
    }
  });
});

describe('code blocks in the feed', () => {
  test('lose their highlighting spans and keep their text and lines; spans outside code stay', () => {
    const html =
      '<p><span class="note">주석</span></p><div class="code-block"><pre class="shiki" tabindex="0"><code>' +
      '<span class="line"><span style="--shiki-light:#CF222E">def</span><span style="--shiki-light:#1F2328"> f</span>(x):</span>\n' +
      '<span class="line"><span style="--shiki-light:#1F2328">    return x &#x3C; 1</span></span></code></pre></div>';
    expect(plainCode(html)).toBe(
      '<p><span class="note">주석</span></p><div class="code-block"><pre class="shiki" tabindex="0"><code>def f(x):\n    return x &#x3C; 1</code></pre></div>',
    );
  });
});

