/**
 * The basic fixture site built by the CLI in a child process, three times: with
 * TZ=America/Los_Angeles into dist/, with TZ=Asia/Seoul into dist-seoul/, and with --drafts
 * into dist-drafts/. The HTML is parsed, never matched as text.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Element, Root } from 'hast';
import { select, selectAll } from 'hast-util-select';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { replacedPages } from '../src/assets.ts';
import {
  brokenLinks,
  cleanup,
  copySite,
  FIXTURES,
  hashTree,
  listFiles,
  missingCssUrls,
  problemLines,
  readHtml,
  runCli,
  textOf,
  type CliResult,
} from './helpers/site.ts';

const BASE_URL = 'https://example.com/';
const DRAFT_TITLE = '아직 쓰는 중인 초안';
const SCRIPT_TITLE = '<script>alert(1)</script> & "따옴표"';

let root: string;
let dist: string;
let seoul: string;
let drafts: string;
const runs: Record<'la' | 'seoul' | 'drafts', CliResult> = {} as never;

beforeAll(async () => {
  root = await copySite('basic');
  dist = path.join(root, 'dist');
  seoul = path.join(root, 'dist-seoul');
  drafts = path.join(root, 'dist-drafts');
  [runs.la, runs.seoul, runs.drafts] = await Promise.all([
    runCli(['build', '--root', root], { env: { TZ: 'America/Los_Angeles' } }),
    runCli(['build', '--root', root, '--out', 'dist-seoul'], { env: { TZ: 'Asia/Seoul' } }),
    runCli(['build', '--root', root, '--out', 'dist-drafts', '--drafts'], { env: { TZ: 'America/Los_Angeles' } }),
  ]);
});

afterAll(() => cleanup(root));

const page = (dir: string, file: string): Root => readHtml(path.join(dir, file));
const htmlFiles = (dir: string) => listFiles(dir).filter((file) => file.endsWith('.html'));
/** Hrefs of the post links of a list page (home, term pages). */
const listedPosts = (tree: Root) => selectAll('.post-item-title a', tree).map((a) => String(a.properties.href));

describe('the builds', () => {
  test.each(['la', 'seoul', 'drafts'] as const)('%s exits 0 without problems', (name) => {
    expect(runs[name].stderr).toBe('');
    expect(runs[name].code).toBe(0);
    expect(runs[name].stdout).toMatch(/^built .* in \d+ ms/);
  });
});

describe('output paths', () => {
  test.each([
    'index.html',
    'posts/quoted-date/index.html',
    'posts/bare-date/index.html',
    'posts/offset-datetime/index.html',
    'posts/script-title/index.html',
    'posts/bundle-post/index.html',
    'about/index.html',
    'categories/index.html',
    'categories/paper-review/index.html',
    'tags/index.html',
    'tags/nlp/index.html',
    'tags/자연어-처리/index.html',
    'feed.xml',
    'sitemap.xml',
    '404.html',
    'robots.txt',
  ])('%s exists', (file) => {
    expect(existsSync(path.join(dist, file))).toBe(true);
  });

  test('the list of files equals expected-paths.txt', () => {
    const golden = path.join(FIXTURES, 'sites', 'basic', 'expected-paths.txt');
    // The Pagefind bundle's file names are hashes of the index (tests/search.test.ts checks it).
    const actual = `${listFiles(dist).filter((file) => !file.startsWith('pagefind/')).join('\n')}\n`;
    if (process.env.UPDATE) writeFileSync(golden, actual);
    expect(actual).toBe(readFileSync(golden, 'utf8'));
  });

  test('"NLP" and "nlp" are one tag page listing both posts', () => {
    expect(listedPosts(page(dist, 'tags/nlp/index.html')).sort()).toEqual(['/posts/bare-date/', '/posts/quoted-date/']);
    expect(listFiles(dist).filter((file) => /^tags\/nlp/i.test(file))).toEqual(['tags/nlp/index.html', 'tags/nlp/page/1/index.html']);
  });

  test('term pages with Hangul and spaces', () => {
    expect(listedPosts(page(dist, 'tags/자연어-처리/index.html')).sort()).toEqual(['/posts/offset-datetime/', '/posts/quoted-date/']);
    expect(listedPosts(page(dist, 'categories/paper-review/index.html')).sort()).toEqual([
      '/posts/bare-date/',
      '/posts/bundle-post/',
      '/posts/quoted-date/',
    ]);
    const tagLinks = selectAll('.term-list a', page(dist, 'tags/index.html')).map((a) => String(a.properties.href));
    expect(tagLinks).toContain('/tags/자연어-처리/');
  });

  test('home lists published posts newest first', () => {
    expect(listedPosts(page(dist, 'index.html'))).toEqual([
      '/posts/offset-datetime/',
      '/posts/bare-date/',
      '/posts/bundle-post/',
      '/posts/script-title/',
      '/posts/quoted-date/',
    ]);
  });
});

describe('drafts', () => {
  test('without --drafts the draft is absent everywhere', () => {
    expect(existsSync(path.join(dist, 'posts/draft-post'))).toBe(false);
    expect(existsSync(path.join(dist, 'tags/초안전용'))).toBe(false);
    for (const file of listFiles(dist).filter((name) => /\.(html|xml|txt)$/.test(name))) {
      const text = readFileSync(path.join(dist, file), 'utf8');
      expect.soft(text.includes(DRAFT_TITLE), `${file} mentions the draft`).toBe(false);
      expect.soft(text.includes('draft-post'), `${file} links the draft`).toBe(false);
      expect.soft(text.includes('초안전용'), `${file} names the draft's tag`).toBe(false);
      expect.soft(text.includes('badge-draft'), `${file} shows a draft badge`).toBe(false);
    }
  });

  test('with --drafts the draft has its page, is listed, and is marked as a draft', () => {
    const post = page(drafts, 'posts/draft-post/index.html');
    expect(textOf(select('h1.post-title', post)!)).toBe(DRAFT_TITLE);
    expect(textOf(select('.badge-draft', post)!)).toBe('초안');

    for (const list of ['index.html', 'tags/nlp/index.html', 'tags/초안전용/index.html', 'categories/paper-review/index.html']) {
      const item = selectAll('.post-item', page(drafts, list)).find((node) => textOf(node).includes(DRAFT_TITLE));
      expect(item, `${list} lists the draft`).toBeDefined();
      expect(select('.badge-draft', item!), `${list} marks the draft`).toBeDefined();
    }
    // Published posts carry no badge.
    const published = selectAll('.post-item', page(drafts, 'index.html')).filter((node) => !textOf(node).includes(DRAFT_TITLE));
    expect(published.length).toBe(5);
    for (const item of published) expect(select('.badge-draft', item)).toBeUndefined();
  });

  test('with --drafts every link to the draft is marked: lists, related posts, the previous/next links', () => {
    const draftUrl = '/posts/draft-post/';
    const unmarked: string[] = [];
    let links = 0;
    for (const file of htmlFiles(drafts).filter((name) => !name.startsWith('posts/draft-post/'))) {
      // The link, its list item or its post item holds the badge.
      const visit = (node: Root | Element, holders: (Root | Element)[]): void => {
        if (node.type === 'element' && node.tagName === 'a' && node.properties.href === draftUrl) {
          links++;
          const marked = [node, ...holders.filter((holder) => holder.type === 'element' && (holder.tagName === 'li' || (holder.properties.className as string[] | undefined)?.includes('post-item') === true))].some((holder) => select('.badge-draft', holder));
          if (!marked) unmarked.push(`${file}: ${textOf(node)}`);
        }
        for (const child of node.children) if (child.type === 'element') visit(child, [node, ...holders].slice(0, 3));
      };
      visit(page(drafts, file), []);
    }
    expect(links).toBeGreaterThan(6);
    expect(unmarked).toEqual([]);
    expect(select('.post-nav .badge-draft', page(drafts, 'posts/offset-datetime/index.html')), 'the next post is the draft').toBeDefined();
    expect(selectAll('.related .badge-draft', page(drafts, 'posts/quoted-date/index.html'))).toHaveLength(1);
  });
});

describe('HTML', () => {
  test('every page is <html lang="ko"> and runs one script, the font loader in <head>; besides it the search page loads its code, a post has exactly one JSON-LD data block, other pages nothing', () => {
    for (const dir of [dist, drafts]) {
      for (const file of htmlFiles(dir)) {
        const tree = page(dir, file);
        expect.soft(select('html', tree)?.properties.lang, file).toBe('ko');
        // A list's `page/1/` only redirects: no layout, nothing to run.
        if (/(^|\/)page\/1\/index\.html$/.test(file)) {
          expect.soft(select('meta[http-equiv="refresh"]', tree), `${file}: a redirect`).toBeDefined();
          expect.soft(selectAll('script', tree), `${file}: no script`).toEqual([]);
          continue;
        }
        expect.soft(selectAll('head > script[data-geul-fonts]', tree), `${file}: font loader`).toHaveLength(1);
        const scripts = selectAll('script:not([data-geul-fonts])', tree);
        if (/^posts\/(?!page\/)[^/]+\/index\.html$/.test(file)) {
          expect.soft(scripts.map((script) => script.properties.type), `${file} scripts`).toEqual(['application/ld+json']);
          expect.soft(select('head > script[type="application/ld+json"]', tree), `${file}: JSON-LD in <head>`).toBe(scripts[0]);
        } else if (file === 'search/index.html') {
          // The one page with code: it loads the Pagefind bundle from the site itself.
          expect.soft(scripts.map((script) => [script.properties.type, script.properties.src]), `${file} scripts`).toEqual([['module', '/assets/search.js']]);
        } else {
          expect.soft(scripts.length, `${file} has a <script>`).toBe(0);
        }
      }
    }
  });

  test('math is rendered by KaTeX with MathML', () => {
    const tree = page(dist, 'posts/quoted-date/index.html');
    const katex = selectAll('.prose .katex', tree);
    expect(katex.length).toBe(1);
    expect(select('math annotation', katex[0]!)?.children).toEqual([{ type: 'text', value: 'E = mc^2', position: expect.anything() }]);
    const display = page(dist, 'posts/bare-date/index.html');
    expect(select('.prose .katex-display .katex math', display)).toBeDefined();
    expect(selectAll('.katex-error', display)).toEqual([]);
  });

  test('Korean emphasis next to quotes is bold', () => {
    const strong = selectAll('.prose strong', page(dist, 'posts/quoted-date/index.html')).map(textOf);
    expect(strong).toContain('"용어"');
  });

  test('headings have Hangul ids and anchor links, and the table of contents links them', () => {
    const tree = page(dist, 'posts/quoted-date/index.html');
    expect(select('.prose h2#서론', tree)).toBeDefined();
    expect(select('.prose h2#본론과-결론', tree)).toBeDefined();
    expect(select('.prose h2#서론 a.heading-anchor', tree)?.properties.href).toBe('#서론');
    const toc = selectAll('nav.toc a', tree).map((a) => String(a.properties.href));
    expect(toc).toContain('#서론');
    expect(toc).toContain('#본론과-결론');
  });

  test('a title with markup is escaped: shown literally, never run', () => {
    const tree = page(dist, 'posts/script-title/index.html');
    // Only the JSON-LD block (beside the theme's font loader), whose headline cannot close it.
    expect(selectAll('script:not([data-geul-fonts])', tree).map((script) => script.properties.type)).toEqual(['application/ld+json']);
    expect(JSON.parse(textOf(select('script[type="application/ld+json"]', tree)!)).headline).toBe(SCRIPT_TITLE);
    expect(textOf(select('h1.post-title', tree)!)).toBe(SCRIPT_TITLE);
    expect(textOf(select('title', tree)!)).toBe(`${SCRIPT_TITLE} · 테스트 블로그`);
    expect(select('meta[property="og:title"]', tree)?.properties.content).toBe(SCRIPT_TITLE);
    const home = page(dist, 'index.html');
    expect(selectAll('.post-item-title a', home).map(textOf)).toContain(SCRIPT_TITLE);
    // Its neighbour links it by title, escaped too.
    const neighbour = selectAll('.post-nav-title', page(dist, 'posts/quoted-date/index.html')).map(textOf);
    expect(neighbour).toContain(SCRIPT_TITLE);
  });
});

describe('dates, whatever the machine time zone', () => {
  test('TZ=America/Los_Angeles and TZ=Asia/Seoul give byte-identical sites, every file of them', () => {
    expect(hashTree(seoul)).toEqual(hashTree(dist));
  });

  test('two copies of the site, built apart (another clock, other numbers of workers, built twice), are the same bytes, geul\'s marker included', async () => {
    const other = await copySite('basic');
    try {
      const first = await runCli(['build', '--root', other, '--workers', '3'], { env: { TZ: 'Pacific/Kiritimati' } });
      expect(first.code, first.stderr).toBe(0);
      expect((await runCli(['build', '--root', other, '--workers', '1'])).code).toBe(0);
      // Less the sitemap, whose lastmod is each post file's mtime here (no git), which a copy does not keep.
      const site = (dir: string) => Object.fromEntries(Object.entries(hashTree(dir)).filter(([file]) => file !== 'sitemap.xml'));
      expect(site(path.join(other, 'dist'))).toEqual(site(dist));
      expect(readFileSync(path.join(other, 'dist/.geul'))).toEqual(readFileSync(path.join(dist, '.geul')));
    } finally {
      await cleanup(other);
    }
  }, 60_000);

  test.each([
    ['quoted-date', /^2024-01-01$/, '2024년 1월 1일'],
    ['bare-date', /^2024-02-15$/, '2024년 2월 15일'],
    ['offset-datetime', /^2024-03-01T00:30:00(\.000)?\+09:00$/, '2024년 3월 1일'],
  ])('%s shows the date as written', (slug, datetime, display) => {
    for (const dir of [dist, seoul]) {
      const time = select('.post-header .post-meta time', page(dir, `posts/${slug}/index.html`))!;
      expect(String(time.properties.dateTime)).toMatch(datetime);
      expect(textOf(time)).toBe(display);
      const listed = selectAll('.post-item', page(dir, 'index.html')).find((item) =>
        selectAll('a', item).some((a) => a.properties.href === `/posts/${slug}/`),
      )!;
      expect(textOf(select('time', listed)!)).toBe(display);
    }
  });
});

describe('assets', () => {
  test('Pretendard is served from the site: the theme stylesheet opens with its 92 faces, each naming a subset that exists, with a unicode-range and font-display swap', () => {
    const css = path.join(dist, 'assets/style.css');
    const text = readFileSync(css, 'utf8');
    expect(missingCssUrls(css)).toEqual([]);
    const faces = text.match(/@font-face\s*{[^}]*}/g) ?? [];
    expect(faces.length).toBe(92);
    for (const face of faces) {
      expect(face).toMatch(/font-family:\s*'Pretendard Variable'/);
      expect(face).toMatch(/font-display:\s*swap/);
      expect(face).toMatch(/unicode-range:/);
      expect(face).toMatch(/url\(fonts\/pretendard\/PretendardVariable\.subset\.\d+\.woff2\)/);
    }
    // The theme's own rules follow the faces, in the same file.
    expect(text.indexOf('--font-sans:')).toBeGreaterThan(text.lastIndexOf('@font-face'));
    // One stylesheet holds both, so a page without math waits for that one only before painting.
    const links = selectAll('link[rel=stylesheet]', page(dist, 'index.html')).map((link) => String(link.properties.href));
    expect(links).toEqual(['/assets/style.css']);
    expect(existsSync(path.join(dist, 'assets/fonts/pretendard/pretendard.css'))).toBe(false);
  });

  test('KaTeX CSS is served from the site, and every url() in it resolves', () => {
    const css = path.join(dist, 'assets/katex/katex.min.css');
    expect(readFileSync(css, 'utf8')).toMatch(/url\(fonts\/KaTeX_Main-Regular\.woff2\)/);
    expect(missingCssUrls(css)).toEqual([]);
    const stylesheets = (file: string) => selectAll('link[rel=stylesheet]', page(dist, file)).map((link) => String(link.properties.href));
    // Linked by pages showing a formula only: the home page has none.
    expect(stylesheets('posts/quoted-date/index.html')).toContain('/assets/katex/katex.min.css');
    expect(stylesheets('index.html')).not.toContain('/assets/katex/katex.min.css');
    expect(stylesheets('posts/script-title/index.html')).not.toContain('/assets/katex/katex.min.css');
    expect(stylesheets('index.html').every((href) => href.startsWith('/'))).toBe(true);
  });

  test('images are copied and sized', () => {
    expect(readFileSync(path.join(dist, 'images/dot.png'))).toEqual(readFileSync(path.join(FIXTURES, 'sites/basic/images/dot.png')));
    const img = select('.prose img', page(dist, 'posts/quoted-date/index.html'))!;
    expect(img.properties).toMatchObject({ src: '/images/dot.png', alt: '작은 점', width: 4, height: 3, decoding: 'async' });
    // The post's only image is its first: loaded at once, not lazily.
    expect(img.properties.loading).toBeUndefined();
  });

  test('a page bundle image is copied beside its post', () => {
    expect(readFileSync(path.join(dist, 'posts/bundle-post/diagram.png'))).toEqual(
      readFileSync(path.join(FIXTURES, 'sites/basic/content/posts/bundle-post/diagram.png')),
    );
    const img = select('.prose img', page(dist, 'posts/bundle-post/index.html'))!;
    expect(img.properties).toMatchObject({ src: '/posts/bundle-post/diagram.png', width: 6, height: 2 });
  });

  test('no internal link or source points at a missing file or id', () => {
    expect(brokenLinks(dist, BASE_URL)).toEqual([]);
    expect(brokenLinks(drafts, BASE_URL)).toEqual([]);
  });
});

describe('a top-level images/ that is a link', () => {
  test('to the project itself is an error, and nothing of the project is copied', async () => {
    const root = await copySite('basic');
    try {
      rmSync(path.join(root, 'images'), { recursive: true });
      symlinkSync('.', path.join(root, 'images'));
      const run = await runCli(['build', '--root', root]);
      expect(run.code, run.stderr).toBe(1);
      expect(problemLines(run.stderr)).toContain(`images:1:1: images/ is a link to ${realpathSync(root)}, which holds the project itself: link it to a folder of images`);
      expect(existsSync(path.join(root, 'dist'))).toBe(false);
    } finally {
      await cleanup(root);
    }
  }, 60_000);
});

describe('page bundles publish their other files', () => {
  test('a bundle\'s own index.html is an error, not written over the post\'s page', async () => {
    const root = await copySite('basic');
    try {
      writeFileSync(path.join(root, 'content/posts/bundle-post/index.html'), '<p>내보낸 사본</p>\n');
      const run = await runCli(['build', '--root', root]);
      expect(run.code, run.stderr).toBe(1);
      expect(problemLines(run.stderr)).toEqual(['content/posts/bundle-post/index.html:1:1: would take the place of the page posts/bundle-post/index.html: rename it']);
    } finally {
      await cleanup(root);
    }
  }, 60_000);

  test('a bundle file named like the page in another case (INDEX.HTML) is an error too: on macOS and Windows it is the same file', () => {
    const root = '/site';
    const outputs = [
      { path: 'posts/b/INDEX.HTML', copyFrom: '/site/content/posts/b/INDEX.HTML' },
      { path: 'posts/b/notes.html', copyFrom: '/site/content/posts/b/notes.html' },
      { path: 'posts/b/index.html', content: '<p>page</p>' },
    ];
    expect(replacedPages(new Set(['posts/b/index.html']), outputs, root)).toEqual([
      { path: 'content/posts/b/INDEX.HTML', line: 1, column: 1, message: 'would take the place of the page posts/b/index.html: rename it', severity: 'error' },
    ]);
  });

  test('a PDF, a data file and a subfolder beside the post are copied next to its page; markdown, hidden files, editor backups, nested bundles and drafts are not', async () => {
    const root = await copySite('basic');
    try {
      const bundle = path.join(root, 'content/posts/bundle-post');
      mkdirSync(path.join(bundle, 'data'), { recursive: true });
      writeFileSync(path.join(bundle, 'paper.pdf'), '%PDF-1.4');
      writeFileSync(path.join(bundle, 'data', '결과.csv'), 'a,b\n1,2\n');
      writeFileSync(path.join(bundle, '.notes'), 'private');
      // Editors' backups, here and in images/ (Hugo skips them too).
      writeFileSync(path.join(bundle, 'index.md~'), '+++\ntitle = "옛 원고"\n+++\n\n지운 문단.\n');
      writeFileSync(path.join(bundle, 'paper.pdf~'), '%PDF-1.3');
      writeFileSync(path.join(root, 'images', 'dot.png~'), 'old');
      writeFileSync(path.join(bundle, 'appendix.md'), '+++\ntitle = "부록"\ndate = 2024-01-05\n+++\n\n부록.\n');
      mkdirSync(path.join(bundle, 'child'));
      writeFileSync(path.join(bundle, 'child', 'index.md'), '+++\ntitle = "자식"\ndate = 2024-01-06\n+++\n\n[표](table.csv)\n');
      writeFileSync(path.join(bundle, 'child', 'table.csv'), 'x\n');
      const draft = path.join(root, 'content/posts/draft-bundle');
      mkdirSync(draft);
      writeFileSync(path.join(draft, 'index.md'), '+++\ntitle = "초안 묶음"\ndate = 2024-01-07\ndraft = true\n+++\n\n초안.\n');
      writeFileSync(path.join(draft, 'secret.pdf'), 'draft');
      const index = path.join(bundle, 'index.md');
      // With alt text for its figure, as --strict wants.
      writeFileSync(index, `${readFileSync(index, 'utf8').replace('![](diagram.png)', '![도표](diagram.png)')}\n[논문](paper.pdf)과 [결과](data/결과.csv).\n`);

      const run = await runCli(['build', '--root', root, '--strict']);
      expect(run.code, run.stderr).toBe(0);
      const dist = path.join(root, 'dist');
      const files = listFiles(path.join(dist, 'posts')).sort();
      // Pages and the figure's resized copies aside.
      expect(files.filter((file) => !file.endsWith('index.html') && !/-\d+w\.[0-9a-f]{8}\./.test(file)), files.join(' ')).toEqual([
        'bundle-post/data/결과.csv',
        'bundle-post/diagram.png',
        'bundle-post/paper.pdf',
        'child/table.csv',
      ]);
      expect(readFileSync(path.join(dist, 'posts/bundle-post/paper.pdf'), 'utf8')).toBe('%PDF-1.4');
      expect(listFiles(path.join(dist, 'images')).filter((file) => file.endsWith('~'))).toEqual([]);
      expect(files).toContain('appendix/index.html');
      expect(files.some((file) => file.startsWith('draft-bundle/'))).toBe(false);
    } finally {
      await cleanup(root);
    }
  }, 60_000);

  test("a page may be a Hugo page bundle too: content/about/index.md is /about/, with its photo and files beside it, in the menu; Hugo's _index.md sections are not pages", async () => {
    const root = await copySite('basic');
    try {
      rmSync(path.join(root, 'content/about.md'));
      const bundle = path.join(root, 'content/소개');
      mkdirSync(bundle);
      writeFileSync(path.join(bundle, 'index.md'), '+++\ntitle = "저자 소개"\n+++\n\n![저자 사진](me.png)\n\n[이력서](cv.pdf)\n');
      writeFileSync(path.join(bundle, 'me.png'), readFileSync(path.join(FIXTURES, 'sites/basic/images/dot.png')));
      writeFileSync(path.join(bundle, 'cv.pdf'), '%PDF-1.4');
      // Hugo's section page is not a page of geul's.
      mkdirSync(path.join(root, 'content/_notes'));
      writeFileSync(path.join(root, 'content/_notes/index.md'), '+++\ntitle = "숨김"\n+++\n');
      // With alt text for the fixture's figure, as --strict wants.
      const index = path.join(root, 'content/posts/bundle-post/index.md');
      writeFileSync(index, readFileSync(index, 'utf8').replace('![](diagram.png)', '![도표](diagram.png)'));

      const run = await runCli(['build', '--root', root, '--strict']);
      expect(run.code, run.stderr).toBe(0);
      const dist = path.join(root, 'dist');
      const about = page(dist, '소개/index.html');
      expect(textOf(select('h1', about)!)).toBe('저자 소개');
      expect(decodeURI(String(select('img[alt="저자 사진"]', about)?.properties.src))).toBe('/소개/me.png');
      expect(readFileSync(path.join(dist, '소개/cv.pdf'), 'utf8')).toBe('%PDF-1.4');
      expect(selectAll('.site-nav a', page(dist, 'index.html')).map((a) => String(a.properties.href))).toContain('/소개/');
      expect(existsSync(path.join(dist, '_notes'))).toBe(false);
      expect(existsSync(path.join(dist, 'notes'))).toBe(false);
    } finally {
      await cleanup(root);
    }
  }, 60_000);
});

describe("Hugo's static/ folder", () => {
  test('is copied to the root of the site, dot files too (a CNAME, favicon.ico, .well-known/); a path geul writes itself keeps geul\'s file, with a warning', async () => {
    const root = await copySite('basic');
    try {
      const write = (file: string, text: string) => {
        mkdirSync(path.dirname(path.join(root, 'static', file)), { recursive: true });
        writeFileSync(path.join(root, 'static', file), text);
      };
      write('CNAME', 'blog.example.com\n');
      write('favicon.ico', 'ico');
      write('.well-known/security.txt', 'Contact: mailto:a@example.com\n');
      write('files/논문.pdf', '%PDF-1.4');
      write('robots.txt', 'User-agent: *\nDisallow: /\n');
      write('Tags/index.html', '<p>mine</p>');
      write('.geul', 'not a marker');
      // An editor's backup, left out as from images/ and bundles (geul dev never sees it).
      write('files/notes.txt~', '지운 문단');

      const run = await runCli(['build', '--root', root]);
      expect(run.code, run.stderr).toBe(0);
      expect(problemLines(run.stderr)).toEqual([
        'static/.geul:1:1: warning: not copied: geul writes its own file or folder at .geul',
        'static/Tags/index.html:1:1: warning: not copied: geul writes its own file or folder at Tags/index.html',
        'static/robots.txt:1:1: warning: not copied: geul writes its own file or folder at robots.txt',
      ]);
      const dist = path.join(root, 'dist');
      expect(readFileSync(path.join(dist, 'CNAME'), 'utf8')).toBe('blog.example.com\n');
      expect(readFileSync(path.join(dist, 'favicon.ico'), 'utf8')).toBe('ico');
      expect(readFileSync(path.join(dist, '.well-known/security.txt'), 'utf8')).toMatch(/^Contact:/);
      expect(readFileSync(path.join(dist, 'files/논문.pdf'), 'utf8')).toBe('%PDF-1.4');
      expect(existsSync(path.join(dist, 'files/notes.txt~'))).toBe(false);
      expect(readFileSync(path.join(dist, 'robots.txt'), 'utf8')).toMatch(/^Sitemap: /m);
      expect(textOf(select('h1', page(dist, 'tags/index.html'))!)).not.toBe('mine');
      // A second build with static/ changed is a build, not "nothing changed".
      write('CNAME', 'www.example.com\n');
      const again = await runCli(['build', '--root', root]);
      expect(again.stdout).not.toMatch(/nothing changed/);
      expect(readFileSync(path.join(dist, 'CNAME'), 'utf8')).toBe('www.example.com\n');
    } finally {
      await cleanup(root);
    }
  }, 90_000);

  test('--out inside static/ is refused: the next build would copy the site into itself', async () => {
    const root = await copySite('basic');
    try {
      mkdirSync(path.join(root, 'static'));
      const run = await runCli(['build', '--root', root, '--out', 'static/public']);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/inside static\//);
    } finally {
      await cleanup(root);
    }
  }, 60_000);
});
