import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { readConfig } from '../src/config.ts';

function read(text: string) {
  const file = new VFile({ path: 'site.toml', value: text });
  const config = readConfig(file);
  return { config, file, places: file.messages.map((message) => [message.line, message.column, message.fatal]) };
}

describe('readConfig', () => {
  test('defaults for an empty or missing site.toml', () => {
    const { config, file } = read('');
    expect(file.messages).toEqual([]);
    expect(config).toEqual({
      title: 'geul',
      baseURL: 'http://localhost:4000/',
      language: 'ko',
      description: '',
      author: '',
      timeZone: 'Asia/Seoul',
      paginate: 10,
      image: '',
      extra: {},
    });
  });

  test('params nested 20,000 tables deep are an error at their key, not a crash', () => {
    const { config, file } = read(`title = "x"\n[params]\n${'a.'.repeat(20_000)}b = 1\n`);
    expect(file.messages.map((m) => `${m.line}:${m.column}: ${m.reason}`)).toEqual(['2:1: invalid TOML: tables nested more than 1000 deep']);
    expect(config.title).toBe('geul');
  });

  test('every setting, and unknown keys kept in extra', () => {
    const { config, file } = read(
      [
        'title = "글"',
        'baseURL = "https://example.com/blog"',
        'language = "ko-KR"',
        'description = "설명"',
        'author = "Kurt"',
        'timeZone = "America/Los_Angeles"',
        'paginate = 5',
        'image = "images/card.png"',
        'googleAnalytics = "G-1"',
        '[params]',
        'accent = "blue"',
      ].join('\n'),
    );
    expect(file.messages).toEqual([]);
    expect(config).toEqual({
      title: '글',
      // A trailing slash is added, so the path part is a folder.
      baseURL: 'https://example.com/blog/',
      language: 'ko-KR',
      description: '설명',
      author: 'Kurt',
      timeZone: 'America/Los_Angeles',
      paginate: 5,
      image: 'images/card.png',
      extra: { googleAnalytics: 'G-1', params: { accent: 'blue' } },
    });
  });

  test("Hugo's languageCode is an alias of language", () => {
    expect(read('languageCode = "en-US"').config.language).toBe('en-US');
    expect(read('language = "ko"\nlanguageCode = "en-US"').config.language).toBe('ko');
  });

  test('a bad baseURL is an error at its line', () => {
    const { file, places } = read('title = "x"\n\nbaseURL = "example.com"\n');
    expect(places).toEqual([[3, 1, true]]);
    expect(file.messages[0]?.reason).toMatch(/baseURL must be an absolute http\(s\) URL/);
  });

  test('a baseURL with a query, a fragment or a user name is refused: links would silently drop it', () => {
    for (const base of ['https://example.com/blog/?lang=ko', 'https://example.com/blog/#top', 'https://example.com/?', 'https://kim:pw@example.com/']) {
      const { file, places } = read(`title = "x"\nbaseURL = "${base}"\n`);
      expect(places, base).toEqual([[2, 1, true]]);
      expect(file.messages[0]?.reason).toMatch(/without a query/);
    }
    expect(read('baseURL = "https://example.com:8080/%EA%B8%80/"').file.messages).toEqual([]);
  });

  test("Hugo's [pagination] pagerSize is the page size when paginate is not given", () => {
    expect(read('[pagination]\npagerSize = 5').config.paginate).toBe(5);
    expect(read('paginate = 3\n[pagination]\npagerSize = 5').config.paginate).toBe(3);
    expect(read('[pagination]\npath = "page"').config.paginate).toBe(10);
    const { places, file } = read('title = "x"\n[pagination]\npagerSize = 0');
    expect(places).toEqual([[3, 1, true]]);
    expect(file.messages[0]?.reason).toMatch(/pagerSize/);
  });

  test("Hugo's permalinks, which geul does not follow, is a warning at its table; it stays in site.params", () => {
    const { file, config } = read('title = "x"\n[permalinks]\nposts = "/:year/:month/:slug/"');
    expect(file.messages.map((message) => [message.line, message.column, message.fatal])).toEqual([[2, 1, false]]);
    expect(file.messages[0]?.reason).toMatch(/permalinks is a Hugo setting geul does not read: .*aliases/);
    expect(config.extra).toEqual({ permalinks: { posts: '/:year/:month/:slug/' } });
  });

  test('spaces around a pasted baseURL are dropped: they made every link /blog/%20/…', () => {
    const { config, file } = read('baseURL = " https://example.com/blog/ "');
    expect(file.messages).toEqual([]);
    expect(config.baseURL).toBe('https://example.com/blog/');
    expect(read('baseURL = "https://example.com/blog\t"').config.baseURL).toBe('https://example.com/blog/');
  });

  test('a non-http baseURL is refused', () => {
    expect(read('baseURL = "ftp://example.com/"').places).toEqual([[1, 1, true]]);
  });

  test('each bad setting is reported at its own line', () => {
    const { places, file } = read('paginate = 0\ntimeZone = "Mars/Base"\nlanguage = "ko_KR"');
    expect(places.map(([line]) => line).sort()).toEqual([1, 2, 3]);
    const reasons = file.messages.map((message) => message.reason).join('\n');
    expect(reasons).toMatch(/paginate/);
    expect(reasons).toMatch(/IANA time zone/);
    expect(reasons).toMatch(/BCP 47/);
  });

  test('a setting written in another case (Hugo\'s `baseurl`) is a warning at its line naming the setting; it stays in site.params', () => {
    const { file, config } = read('title = "t"\nbaseurl = "https://example.org/"\nPaginate = 3\nmyKey = 1');
    expect(file.messages.map((message) => `${message.line}:${message.column}: ${message.fatal ? 'error' : 'warning'}: ${message.reason}`)).toEqual([
      '2:1: warning: "baseurl" is not a setting geul reads (settings are case-sensitive): did you mean "baseURL"? It is kept as site.params.baseurl',
      '3:1: warning: "Paginate" is not a setting geul reads (settings are case-sensitive): did you mean "paginate"? It is kept as site.params.Paginate',
    ]);
    expect(config.baseURL).toBe('http://localhost:4000/');
    expect(config.extra).toEqual({ baseurl: 'https://example.org/', Paginate: 3, myKey: 1 });
  });

  test('a key of the same name inside a table is not checked as the setting', () => {
    const { file, config } = read('[params]\nbaseURL = 1');
    expect(file.messages).toEqual([]);
    expect(config.extra).toEqual({ params: { baseURL: 1 } });
  });

  test('dates among unknown keys reach templates as written, like front matter\'s, whatever the time zone', () => {
    const { config } = read('launched = 2024-03-01\n[params]\nat = 2024-03-01T10:00:00+09:00\nlocal = 2024-03-01T10:00:00\nhalf = 2024-03-01T10:00:00.5Z\nclock = 10:30:00\ndays = [2024-01-02]');
    expect(config.extra).toEqual({
      launched: '2024-03-01',
      params: { at: '2024-03-01T10:00:00+09:00', local: '2024-03-01T10:00:00', half: '2024-03-01T10:00:00.500Z', clock: '10:30:00', days: ['2024-01-02'] },
    });
  });

  test('an impossible date among unknown keys is an error at its key, not the next day shown as written', () => {
    // smol-toml reads 2023-02-29 as March 1st: site.params.since would say 2023-03-01.
    const { file } = read('since = 2023-02-29\n[params]\nclock = 10:30:00\nleap = 2024-02-29\nlaunched = 2024-04-31T10:00:00+09:00');
    expect(file.messages.map((message) => `${message.line}:${message.column}: ${message.reason}${message.fatal ? '' : ' (warning)'}`)).toEqual([
      '1:1: since: invalid date "2023-02-29": 2023-02 has no day 29',
      '5:1: params.launched: invalid date "2024-04-31T10:00:00+09:00": 2024-04 has no day 31',
    ]);
  });

  test('broken TOML is reported at its line', () => {
    const { places, file } = read('title = "a"\ntitle = "b"');
    expect(places).toEqual([[2, 1, true]]);
    expect(file.messages[0]?.reason).toMatch(/^invalid TOML: /);
  });
});

describe('site.toml as loaded', () => {
  test('missing: the defaults, with a warning that the absolute URLs lead to localhost; a folder of that name: an error at site.toml, not a crash', async () => {
    const { loadContent } = await import('../src/load.ts');
    const { cleanup, tempDir } = await import('./helpers/site.ts');
    const { mkdirSync } = await import('node:fs');
    const root = await tempDir('geul-config-');
    try {
      const missing = (await loadContent(root)).config.messages;
      expect(missing.map((message) => `${message.line}:${message.column}: ${message.fatal ? 'error' : 'warning'}: ${message.reason}`)).toEqual([
        '1:1: warning: no site.toml: the site is built with the default settings, so the feed, the sitemap and every canonical link point at http://localhost:4000/; add a site.toml with at least title and baseURL (README, Configuration)',
      ]);
      mkdirSync(`${root}/site.toml`);
      const messages = (await loadContent(root)).config.messages.map((message) => `${message.line}:${message.column}: ${message.reason}`);
      expect(messages).toEqual([expect.stringMatching(/^1:1: cannot read site\.toml: EISDIR/)]);
    } finally {
      await cleanup(root);
    }
  });
});
