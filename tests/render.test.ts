/**
 * What render.ts gives templates beside their data: the `relURL` and `absURL` filters, and
 * Liquid's date filters, as a theme author coming from Hugo or Jekyll uses them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { render } from '../src/render.ts';
import { createUrls } from '../src/urls.ts';
import { cleanup, tempDir } from './helpers/site.ts';

let root: string;
beforeEach(async () => {
  root = await tempDir('geul-render-');
  mkdirSync(path.join(root, 'templates'), { recursive: true });
});
afterEach(() => cleanup(root));

/** `value | filter` for each value, rendered through one template under `baseURL`. */
async function filtered(baseURL: string, filter: 'relURL' | 'absURL', values: string[]): Promise<string[]> {
  writeFileSync(path.join(root, 'templates', 'links.liquid'), `{% for v in values %}{{ v | ${filter} }}\n{% endfor %}`);
  const { outputs, templateFiles } = await render([{ outputPath: 'index.html', template: 'links', data: { values } }], root, createUrls({ baseURL }));
  expect(templateFiles.flatMap((file) => file.messages.map(String))).toEqual([]);
  return String((outputs[0] as { content: string }).content).trimEnd().split('\n');
}

describe('relURL and absURL', () => {
  test('put a path under baseURL', async () => {
    expect(await filtered('https://example.com/blog/', 'relURL', ['assets/x.css', '/about/'])).toEqual(['/blog/assets/x.css', '/blog/about/']);
    expect(await filtered('https://example.com/blog/', 'absURL', ['assets/x.css', '/about/'])).toEqual(['https://example.com/blog/assets/x.css', 'https://example.com/blog/about/']);
  });

  // As in Hugo: `{{ page.image.url | absURL }}` or an https:// logo in site.params gave
  // `https://example.com/blog/https://…`.
  test('leave a URL that is already absolute as it is', async () => {
    const absolute = ['https://cdn.example.net/x.css', 'http://example.com/blog/a/', '//cdn.example.net/y.js', 'mailto:me@example.com'];
    expect(await filtered('https://example.com/blog/', 'absURL', absolute)).toEqual(absolute);
    expect(await filtered('https://example.com/blog/', 'relURL', absolute)).toEqual(absolute);
  });

  // `{{ post.url | absURL }}` (Hugo's `.RelPermalink | absURL`) gave /blog/ twice.
  test('take a link geul made, already under a sub-path, as it is', async () => {
    expect(await filtered('https://example.com/blog/', 'absURL', ['/blog/posts/a/', '/blog/tags/자연어%20처리/'])).toEqual(['https://example.com/blog/posts/a/', 'https://example.com/blog/tags/%EC%9E%90%EC%97%B0%EC%96%B4%20%EC%B2%98%EB%A6%AC/']);
    expect(await filtered('https://example.com/blog/', 'relURL', ['/blog/posts/a/'])).toEqual(['/blog/posts/a/']);
    expect(await filtered('https://example.com/', 'absURL', ['/posts/a/'])).toEqual(['https://example.com/posts/a/']);
  });

  // Hugo keeps them; the path's escaping made `/blog/assets/style.css%3Fv=2`, no such file.
  test('keep a query or a fragment after the path', async () => {
    expect(await filtered('https://example.com/blog/', 'relURL', ['assets/style.css?v=2', '#top', 'about/#저자'])).toEqual(['/blog/assets/style.css?v=2', '/blog/#top', '/blog/about/#저자']);
    expect(await filtered('https://example.com/blog/', 'absURL', ['feed.xml?utm=rss', '/blog/posts/a/#결론'])).toEqual(['https://example.com/blog/feed.xml?utm=rss', 'https://example.com/blog/posts/a/#결론']);
  });

  test("relURL gives the site's own absolute URL (a permalink) in its site-relative form", async () => {
    expect(await filtered('https://example.com/블로그/', 'relURL', ['https://example.com/%EB%B8%94%EB%A1%9C%EA%B7%B8/tags/%EC%9E%90%EC%97%B0%EC%96%B4/'])).toEqual(['/블로그/tags/자연어/']);
  });
});

describe("Liquid's date filters", () => {
  /** Each template line rendered with a post dated as written, on a machine in Los Angeles. */
  async function dated(lines: string[], timeZone = 'Asia/Seoul'): Promise<string[]> {
    writeFileSync(path.join(root, 'templates', 'dates.liquid'), lines.join('\n'));
    const post = {
      date: { iso: '2024-05-02', display: '2024년 5월 2일', timestamp: '2024-05-02T00:00:00+09:00' },
      late: { iso: '2024-06-20T23:30:00+09:00' },
      params: { reviewed: '2024-03-01', local: '2024-03-01T10:00:00' },
    };
    const site = { timeZone };
    const machine = process.env.TZ;
    process.env.TZ = 'America/Los_Angeles';
    try {
      const { outputs, templateFiles } = await render([{ outputPath: 'index.html', template: 'dates', data: { post, site } }], root, createUrls({ baseURL: 'https://example.com/' }), { site });
      expect(templateFiles.flatMap((file) => file.messages.map(String))).toEqual([]);
      return String((outputs[0] as { content: string }).content).split('\n');
    } finally {
      if (machine === undefined) delete process.env.TZ;
      else process.env.TZ = machine;
    }
  }

  // CONTRACT.md: dates are shown as written whatever the machine's time zone. Liquid read
  // `2024-05-02` as UTC midnight and showed it in Los Angeles: 2024-05-01.
  test('show a date as written, whatever the machine time zone', async () => {
    expect(
      await dated([
        '{{ post.date.iso | date: "%Y-%m-%d" }}',
        '{{ post.date.timestamp | date: "%Y-%m-%d %H:%M" }}',
        '{{ post.late.iso | date: "%Y-%m-%d %H:%M" }}',
        '{{ post.params.reviewed | date: "%Y.%m.%d" }}',
        '{{ post.params.local | date: "%d %H:%M %z" }}',
        '{{ post.date.iso | date_to_xmlschema }}',
      ]),
    ).toEqual(['2024-05-02', '2024-05-02 00:00', '2024-06-20 23:30', '2024.03.01', '01 10:00 +0900', '2024-05-02T00:00:00+09:00']);
  });

  test("take a date view as Jekyll's page.date, and read now on the site's clock", async () => {
    const [jekyll, year] = await dated(['{{ post.date | date: "%Y-%m-%d" }}', '{{ "now" | date: "%z" }}'], 'Pacific/Kiritimati');
    expect(jekyll).toBe('2024-05-02');
    expect(year).toBe('+1400');
  });

  test("a template's own time zone still converts", async () => {
    expect(await dated(['{{ post.late.iso | date: "%Y-%m-%d %H:%M", "UTC" }}'])).toEqual(['2024-06-20 14:30']);
  });
});

describe('templates saved with a byte order mark', () => {
  // Windows Notepad saves UTF-8 with one: LiquidJS kept it as text, a U+FEFF in the page for
  // each partial rendered.
  test('put no U+FEFF into the page', async () => {
    mkdirSync(path.join(root, 'templates', 'partials'));
    writeFileSync(path.join(root, 'templates', 'list.liquid'), '\uFEFF<ul>{% for v in values %}{% render "partials/item", v: v %}{% endfor %}</ul>');
    writeFileSync(path.join(root, 'templates', 'partials', 'item.liquid'), '\uFEFF<li>{{ v }}</li>');
    const { outputs } = await render([{ outputPath: 'index.html', template: 'list', data: { values: ['가', '나'] } }], root, createUrls({ baseURL: 'https://example.com/' }));
    expect((outputs[0] as { content: string }).content).toBe('<ul><li>가</li><li>나</li></ul>');
  });
});

describe('templates not saved as UTF-8', () => {
  // As posts and site.toml: a template saved as CP949 published rows of U+FFFD, without a word.
  test('a CP949 template is an error at its first garbled character, one U+FFFD a warning', async () => {
    // "안녕" in CP949.
    writeFileSync(path.join(root, 'templates', 'cp949.liquid'), Buffer.concat([Buffer.from('<p>\n<b>'), Buffer.from([0xbe, 0xc8, 0xb3, 0xe7]), Buffer.from('</b>')]));
    writeFileSync(path.join(root, 'templates', 'one.liquid'), Buffer.concat([Buffer.from('<p>'), Buffer.from([0xff]), Buffer.from('</p>')]));
    const { templateFiles } = await render([], root, createUrls({ baseURL: 'https://example.com/' }));
    const messages = templateFiles.flatMap((file) => file.messages.map((message) => `${file.path}:${message.line}:${message.column}: ${message.fatal ? 'error' : 'warning'}`));
    expect(messages.sort()).toEqual(['templates/cp949.liquid:2:4: error', 'templates/one.liquid:1:4: warning']);
  });
});

describe('a theme without search.liquid', () => {
  // README's list of templates did not name it: a theme written from that list failed the
  // build with `ENOENT: Failed to lookup "search"`, at a file that is not there.
  test('has no search page, and no error; a page that is not optional still needs its template', async () => {
    writeFileSync(path.join(root, 'templates', 'home.liquid'), 'home');
    const urls = createUrls({ baseURL: 'https://example.com/' });
    const { outputs, templateFiles } = await render(
      [
        { outputPath: 'index.html', template: 'home', data: {} },
        { outputPath: 'search/index.html', template: 'search', optional: true, data: {} },
      ],
      root,
      urls,
    );
    expect(outputs.map((output) => output.path)).toEqual(['index.html']);
    expect(templateFiles.flatMap((file) => file.messages)).toEqual([]);
    const missing = await render([{ outputPath: '404.html', template: '404', data: {} }], root, urls);
    expect(missing.templateFiles.flatMap((file) => file.messages.map((message) => `${file.path}: ${message.fatal}`))).toEqual(['templates/404.liquid: true']);
  });

  // LiquidJS's message named the folder by its absolute path (`Failed to lookup "partials/toc"
  // in "/home/…/templates"`), different on every machine.
  test('a missing partial is told by the file it would be', async () => {
    writeFileSync(path.join(root, 'templates', 'post.liquid'), '<main>\n  {% render "partials/toc" %}</main>');
    const { templateFiles } = await render([{ outputPath: 'a.html', template: 'post', data: {} }], root, createUrls({ baseURL: 'https://example.com/' }));
    expect(templateFiles.flatMap((file) => file.messages.map((message) => `${file.path}:${message.line}:${message.column}: ${message.reason}`))).toEqual([
      'templates/post.liquid:2:3: template error: no template "partials/toc" (templates/partials/toc.liquid is missing)',
    ]);
  });
});

describe('a template that includes itself', () => {
  // LiquidJS followed it until the stack ran out, rendering the whole layout at each level:
  // 16 s a page with the theme's base.liquid as its own layout.
  test('is an error naming the cycle, at the tag that closes it', async () => {
    mkdirSync(path.join(root, 'templates', 'partials'));
    const write = (name: string, text: string) => writeFileSync(path.join(root, 'templates', `${name}.liquid`), text);
    write('base', '{% layout "base" %}<html>{% block content %}{% endblock %}</html>');
    write('home', '{% layout "base" %}{% block content %}글{% endblock %}');
    write('partials/a', '<p>\n{% include "partials/b" %}');
    write('partials/b', '{% render "partials/a" %}');
    write('404', '{% render "partials/a" %}');
    // A partial rendering itself for a tree (a table of contents) is no cycle.
    write('partials/tree', '{% for item in items %}<li>{{ item.name }}{% render "partials/tree", items: item.children %}</li>{% endfor %}');
    write('toc', '<ul>{% render "partials/tree", items: toc %}</ul>');
    const toc = [{ name: '1', children: [{ name: '1.1', children: [{ name: '1.1.1', children: [] }] }] }];
    const { outputs, templateFiles } = await render(
      [
        { outputPath: 'index.html', template: 'home', data: {} },
        { outputPath: '404.html', template: '404', data: {} },
        { outputPath: 'toc.html', template: 'toc', data: { toc } },
      ],
      root,
      createUrls({ baseURL: 'https://example.com/' }),
    );
    expect(templateFiles.flatMap((file) => file.messages.map((message) => `${file.path}:${message.line}:${message.column}: ${message.reason}`)).sort()).toEqual([
      'templates/base.liquid:1:1: template error: templates include one another without end: base.liquid → base.liquid',
      'templates/partials/b.liquid:1:1: template error: templates include one another without end: partials/b.liquid → partials/a.liquid → partials/b.liquid',
    ]);
    expect(outputs.map((output) => ('content' in output ? output.content : ''))).toEqual(['<ul><li>1<li>1.1<li>1.1.1</li></li></li></ul>']);
  });
});
