/**
 * The link checker: `geul check`, `geul build --strict`, and `checkSite` on outputs made by
 * hand. The fixture `check-broken` has a post with broken links and anchors beside valid
 * Hangul ones, images without alt text, and a page linking to a missing file; its expected
 * lines are in `expected-check.txt`.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { build } from '../src/build.ts';
import { checkBuild, checkSite, type PageSource } from '../src/check.ts';
import { formatProblem } from '../src/report.ts';
import type { Output } from '../src/types.ts';
import { cleanup, copySite, FIXTURES, hashTree, problemLines, REPO_ROOT, runCli, type CliResult } from './helpers/site.ts';

const made: string[] = [];
afterAll(() => cleanup(...made));

async function site(name = 'check-broken'): Promise<string> {
  const root = await copySite(name);
  made.push(root);
  return root;
}

function expectedLines(): string[] {
  return readFileSync(path.join(FIXTURES, 'sites', 'check-broken', 'expected-check.txt'), 'utf8').split('\n').filter(Boolean);
}

/** A previous output as geul leaves it, to be left alone by a failing build. */
function writePreviousDist(dist: string): void {
  mkdirSync(path.join(dist, 'posts', 'old'), { recursive: true });
  writeFileSync(path.join(dist, '.geul'), 'This folder is written by geul and replaced on every build.\n');
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><p>이전 빌드</p>\n');
  writeFileSync(path.join(dist, 'posts', 'old', 'index.html'), '<!doctype html><p>이전 글</p>\n');
}

describe('geul check', () => {
  let root: string;
  let run: CliResult;
  beforeAll(async () => {
    root = await site();
    run = await runCli(['check', '--root', root]);
  });

  test('prints every broken link, fragment and image without alt at its place in the source, and exits 1', () => {
    expect(problemLines(run.stderr)).toEqual(expectedLines());
    expect(run.stderr).toMatch(/^geul check: 13 pages, 5 errors, 2 warnings$/m);
    expect(run.code).toBe(1);
  });

  test('valid links are not reported: Hangul fragments, encoded or not, relative paths, #top, other sites', () => {
    for (const valid of ['#서론', '#결론-요약', '#소개', '#top', '../target/', 'example.org', 'mailto:', 'cdn.example.com']) {
      expect(run.stderr, valid).not.toContain(`"${valid}`);
    }
    expect(run.stderr).not.toContain('/posts/target/#서론');
    // The image with alt text, on line 23.
    expect(problemLines(run.stderr).filter((line) => line.startsWith('content/posts/links.md:23:'))).toEqual([]);
  });

  test('each problem in a source file is followed by a frame of the line it names', () => {
    const lines = run.stderr.split('\n');
    for (const [index, line] of lines.entries()) {
      const match = /^(content\/\S+):(\d+):(\d+): /.exec(line);
      if (!match) continue;
      const source = readFileSync(path.join(root, match[1]!), 'utf8').split('\n')[Number(match[2]) - 1];
      expect(lines.slice(index + 1).find((next) => next.startsWith('>')), line).toBe(`> ${match[2]} | ${source}`);
    }
  });

  test('writes no dist/ and exits 0 when only warnings remain', async () => {
    expect(readdirSync(root)).not.toContain('dist');
    const fixed = await site();
    const post = path.join(fixed, 'content/posts/links.md');
    writeFileSync(
      post,
      readFileSync(post, 'utf8')
        .replaceAll('/posts/nope/', '/posts/target/')
        .replace('#없는-제목', '#소개')
        .replace('#본론', '#서론'),
    );
    writeFileSync(path.join(fixed, 'content/about.md'), '+++\ntitle = "소개"\n+++\n\n[글 목록](/)\n');
    const clean = await runCli(['check', '--root', fixed]);
    expect(problemLines(clean.stderr)).toEqual(expectedLines().filter((line) => line.includes('warning: ')));
    expect(clean.stdout).toMatch(/^geul check: 13 pages, 0 errors, 2 warnings$/m);
    expect(clean.code).toBe(0);
    expect(readdirSync(fixed)).not.toContain('dist');
  });
});

describe('geul build', () => {
  test('without --strict builds the site: the link checker only runs under --strict and in geul check', async () => {
    const root = await site();
    const run = await runCli(['build', '--root', root]);
    expect(run.code).toBe(0);
    expect(problemLines(run.stderr)).toEqual([]);
    expect(readdirSync(path.join(root, 'dist'))).toContain('index.html');
  });

  test('--strict reports the same problems as errors, exits 1 and leaves the previous dist/ untouched', async () => {
    const root = await site();
    const dist = path.join(root, 'dist');
    writePreviousDist(dist);
    const before = hashTree(dist);
    const run = await runCli(['build', '--strict', '--root', root]);
    expect(problemLines(run.stderr)).toEqual(expectedLines().map((line) => line.replace(': warning: ', ': ')));
    expect(run.stderr).toMatch(/geul: 7 errors; .*dist left as it was/);
    expect(run.code).toBe(1);
    expect(hashTree(dist)).toEqual(before);
    expect(readdirSync(root).filter((name) => name.startsWith('.dist'))).toEqual([]);
  });

  test('--strict checks the pages other threads rendered as well (--workers 3: the posts\' pages)', async () => {
    const root = await site();
    const run = await runCli(['build', '--strict', '--workers', '3', '--root', root]);
    expect(problemLines(run.stderr)).toEqual(expectedLines().map((line) => line.replace(': warning: ', ': ')));
    expect(run.code).toBe(1);
  });

  test('--strict after a normal build still checks the pages it does not render again', async () => {
    const root = await site();
    expect((await runCli(['build', '--root', root])).code).toBe(0);
    const dist = path.join(root, 'dist');
    const before = hashTree(dist);
    const run = await runCli(['build', '--strict', '--root', root]);
    expect(problemLines(run.stderr)).toEqual(expectedLines().map((line) => line.replace(': warning: ', ': ')));
    expect(run.code).toBe(1);
    expect(hashTree(dist)).toEqual(before);
  });

  test('--strict turns a warning of the build (invalid math) into an error', async () => {
    const root = await site('invalid-math');
    const run = await runCli(['build', '--strict', '--root', root]);
    const expected = readFileSync(path.join(FIXTURES, 'sites', 'invalid-math', 'expected-warnings.txt'), 'utf8').trim();
    expect(problemLines(run.stderr)).toEqual([expected.replace(': warning: ', ': ')]);
    expect(run.code).toBe(1);
    expect(readdirSync(root)).not.toContain('dist');
  });

  test('--strict on a clean site writes it, Hangul footnotes included', async () => {
    const root = await site('basic');
    writeFileSync(path.join(root, 'content/posts/footnotes.md'), '+++\ntitle = "각주"\ndate = 2024-01-01\n+++\n\n본문[^주석] 과 영어[^note].\n\n[^주석]: 각주 내용.\n[^note]: 노트.\n');
    // The one image of the fixture without alt text.
    const bundle = path.join(root, 'content/posts/bundle-post/index.md');
    writeFileSync(bundle, readFileSync(bundle, 'utf8').replace('![](diagram.png)', '![도표](diagram.png)'));
    const run = await runCli(['build', '--strict', '--root', root]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(readdirSync(path.join(root, 'dist'))).toContain('index.html');
  });
});

describe('checkBuild', () => {
  test('a broken link made by a template is reported in the output page, at 1:1', async () => {
    const root = await site();
    const template = path.join(root, 'templates/404.liquid');
    writeFileSync(template, readFileSync(template, 'utf8').replace('{%- block content %}', '{%- block content %}<a href="{{ "nowhere/" | relURL }}">x</a>'));
    const result = await build({ root, drafts: false, workers: 1 });
    const lines = checkBuild(result, { root }).map(formatProblem);
    expect(lines).toContain('dist/404.html:1:1: broken link "/nowhere/"');
    expect(lines.filter((line) => line.startsWith('dist/'))).toEqual(['dist/404.html:1:1: broken link "/nowhere/"']);
  });

  test('under a sub-path baseURL the same links are found at the same places; raw HTML links go under the path too', async () => {
    const root = await site();
    const toml = path.join(root, 'site.toml');
    writeFileSync(toml, readFileSync(toml, 'utf8').replace('https://example.com/', 'https://example.com/blog/'));
    const result = await build({ root, drafts: false, workers: 1 });
    const lines = checkBuild(result, { root }).map(formatProblem);
    expect(lines).toEqual([
      'content/about.md:5:10: broken link "/blog/images/gone.png" (from about/index.html)',
      'content/posts/links.md:10:8: broken link "/blog/posts/nope/" (from posts/links/index.html)',
      'content/posts/links.md:14:9: broken fragment "#없는-제목": no id "없는-제목" (from posts/links/index.html)',
      'content/posts/links.md:14:40: broken fragment "/blog/posts/target/#본론": no id "본론" in posts/target/index.html (from posts/links/index.html)',
      'content/posts/links.md:19:5: warning: image without alt text "/blog/images/dot.png" (from posts/links/index.html)',
      // Images get the base path, raw HTML ones too (remark-images), and so does a raw
      // `<a href="/posts/target/">` (rehype-internal-links): line 27 leads to its page.
      'content/posts/links.md:21:11: warning: image without alt text "/blog/images/dot.png" (from posts/links/index.html)',
      'content/posts/links.md:25:30: broken link "/blog/posts/nope/" (from posts/links/index.html)',
    ]);
  });

  test('finds the line in a post whose file name is decomposed Hangul (NFD, as macOS writes it)', async () => {
    const root = await site();
    const name = '깨진-링크.md'.normalize('NFD');
    writeFileSync(path.join(root, 'content/posts', name), '+++\ntitle = "자모"\ndate = 2024-04-01\n+++\n\n첫 줄\n\n[없음](/posts/없음/)\n');
    const result = await build({ root, drafts: false, workers: 1 });
    const lines = checkBuild(result, { root }).map(formatProblem);
    expect(lines).toContain('content/posts/깨진-링크.md:8:6: broken link "/posts/없음/" (from posts/깨진-링크/index.html)');
  });

  test('references to the labelled rows of an align are not broken: their anchors are inside the formula', async () => {
    const root = await site('basic');
    writeFileSync(
      path.join(root, 'content/posts/adamw.md'),
      '+++\ntitle = "AdamW"\ndate = 2024-03-02\n+++\n\n$$\n\\begin{align}\nm_t &= \\beta_1 m_{t-1} \\label{eq:m} \\\\\nv_t &= \\beta_2 v_{t-1} \\label{eq:v}\n\\end{align}\n$$\n\n식 \\eqref{eq:m}와 \\eqref{eq:v}.\n',
    );
    const result = await build({ root, drafts: false, workers: 1 });
    const page = result.outputs.find((output) => output.path === 'posts/adamw/index.html');
    expect(page && 'content' in page ? Buffer.from(page.content).toString('utf8') : '').toContain('href="#eq-v"');
    expect(checkBuild(result, { root }).map(formatProblem).filter((line) => line.includes('adamw'))).toEqual([]);
  });

  test('finds no broken link in the repo itself (drafts included); only its alt-less figures warn', async () => {
    const result = await build({ root: REPO_ROOT, drafts: true, workers: 1 });
    expect(result.stats.errors).toBe(0);
    const problems = checkBuild(result, { root: REPO_ROOT });
    expect(problems.filter((problem) => problem.severity === 'error').map(formatProblem)).toEqual([]);
    for (const problem of problems) expect(formatProblem(problem)).toMatch(/: warning: image without alt text "/);
  });
});

describe('checkSite', () => {
  const page = (body: string, head = '') =>
    `<!doctype html><html lang="ko"><head><title>t</title>${head}</head><body>${body}</body></html>`;
  const html = (file: string, body: string, head = ''): Output => ({ path: file, content: page(body, head) });
  const check = (outputs: Output[], options: Partial<Parameters<typeof checkSite>[1]> = {}) =>
    checkSite(outputs, { basePath: '/', ...options }).map(formatProblem);

  test('follows href, src and srcset of a, img, link, script and source', () => {
    const lines = check([
      html(
        'index.html',
        '<a href="/a/">a</a><img src="/x.png" alt="x"><img src="/y.png" srcset="/y.png 1x, /y@2x.png 2x,/x.png 3x" alt="y">' +
          '<img src="/x.png" srcset="/x.png, /w,1.png 640w" alt="w">' +
          '<picture><source srcset="/z.webp"><img src="/x.png" alt="x"></picture><script src="/app.js"></script>',
        '<link rel="stylesheet" href="/style.css">',
      ),
      { path: 'x.png', content: new Uint8Array([1]) },
      { path: 'y.png', copyFrom: '/nonexistent/y.png' },
    ]);
    expect(lines).toEqual([
      'dist/index.html:1:1: broken link "/a/"',
      'dist/index.html:1:1: broken link "/app.js"',
      'dist/index.html:1:1: broken link "/style.css"',
      'dist/index.html:1:1: broken link "/w,1.png"',
      'dist/index.html:1:1: broken link "/y@2x.png"',
      'dist/index.html:1:1: broken link "/z.webp"',
    ]);
  });

  test('resolves relative links against the page, decodes them and compares NFC paths', () => {
    const nfd = encodeURI('/tags/자연어-처리/'.normalize('NFD'));
    const lines = check([
      html('posts/a/index.html', `<a href="../b/">b</a><a href="../../tags/자연어-처리/">t</a><a href="${nfd}">nfd</a><a href="b">x</a><a href="?q=1">q</a><a href="">self</a>`),
      html('posts/b/index.html', ''),
      html('tags/자연어-처리/index.html', ''),
    ]);
    expect(lines).toEqual(['dist/posts/a/index.html:1:1: broken link "b"']);
  });

  test('a folder without its slash is served as the folder', () => {
    expect(check([html('index.html', '<a href="/posts/a">a</a>'), html('posts/a/index.html', '')])).toEqual([]);
  });

  test('checks fragments against ids and a[name], percent-decoded; #top always works', () => {
    const lines = check([
      html(
        'index.html',
        '<a href="#서론">1</a><a href="#%EC%84%9C%EB%A1%A0">2</a><a href="#옛-이름">3</a><a href="#top">4</a><a href="#">5</a>' +
          '<a href="/b/#결론">6</a><a href="/b/#없음">7</a><a href="/x.png#y">8</a><a href="#%E0%A4%A">9</a>' +
          '<h2 id="서론">서론</h2><a name="옛-이름"></a>',
      ),
      html('b/index.html', '<section id="결론"></section>'),
      { path: 'x.png', content: new Uint8Array([1]) },
    ]);
    expect(lines).toEqual([
      'dist/index.html:1:1: broken fragment "/b/#없음": no id "없음" in b/index.html',
      'dist/index.html:1:1: broken link "#%E0%A4%A": malformed percent-encoding in the fragment',
    ]);
  });

  test('an id written percent-encoded (a Hangul footnote label, as mdast writes it) is found by its link as written', () => {
    const lines = check([
      html('index.html', '<a href="#user-content-fn-%EC%A3%BC%EC%84%9D">1</a><li id="user-content-fn-%EC%A3%BC%EC%84%9D">각주</li><a href="#%EC%97%86%EC%9D%8C">2</a>'),
    ]);
    expect(lines).toEqual(['dist/index.html:1:1: broken fragment "#없음": no id "없음"']);
  });

  test('leaves other schemes and protocol-relative links alone', () => {
    const links = ['https://example.com/nope/', 'http://x/', 'mailto:a@b.c', 'tel:1', 'data:image/png;base64,AA', 'javascript:void(0)', '//cdn.example.com/x.js'];
    expect(check([html('index.html', links.map((href) => `<a href="${href}">x</a>`).join(''))])).toEqual([]);
  });

  test('under a sub-path, links must stay inside it', () => {
    const lines = check(
      [html('index.html', '<a href="/blog/a/">a</a><a href="/other/">o</a><a href="a/">rel</a><a href="/blog/">home</a>'), html('a/index.html', '')],
      { basePath: '/blog/' },
    );
    expect(lines).toEqual(['dist/index.html:1:1: broken link "/other/": outside the site\'s path /blog/']);
  });

  test('an image needs alt text unless marked decorative; severities follow the options', () => {
    const body = '<img src="/x.png"><img src="/x.png" alt=""><img src="/x.png" alt=" "><img src="/x.png" alt="점">' +
      '<img src="/x.png" alt="" role="presentation"><img src="/x.png" alt="" aria-hidden="true"><a href="/nope/">n</a>';
    const outputs = [html('index.html', body), { path: 'x.png', content: new Uint8Array([1]) }];
    expect(check(outputs)).toEqual([
      'dist/index.html:1:1: broken link "/nope/"',
      'dist/index.html:1:1: warning: image without alt text "/x.png"',
      'dist/index.html:1:1: warning: image without alt text "/x.png"',
      'dist/index.html:1:1: warning: image without alt text "/x.png"',
    ]);
    expect(check(outputs, { linkSeverity: 'warning', altSeverity: 'error', outputLabel: 'public' })).toEqual([
      'public/index.html:1:1: warning: broken link "/nope/"',
      'public/index.html:1:1: image without alt text "/x.png"',
      'public/index.html:1:1: image without alt text "/x.png"',
      'public/index.html:1:1: image without alt text "/x.png"',
    ]);
  });

  test('ignores links and ids inside formulas, and still sees what follows them', () => {
    const formula = '<span class="katex"><span class="katex-mathml"><math><mi>x</mi></math></span><span class="katex-html" aria-hidden="true"><span class="base"><a href="/inside/">i</a></span></span></span>';
    expect(check([html('index.html', `<p>${formula} 그리고 <a href="/after/">a</a> <a href="#end">e</a></p><p id="end"></p>`)])).toEqual([
      'dist/index.html:1:1: broken link "/after/"',
    ]);
  });

  test('a page nested too deep for the HTML parser is a problem of that page, not a crash', () => {
    // Raw HTML in a post builds at any depth; hast-util-from-html recurses and gives up near 2,000.
    const deep = `${'<div>'.repeat(20_000)}<a href="/nope/">x</a>${'</div>'.repeat(20_000)}`;
    const lines = check([html('index.html', deep), html('ok/index.html', '<a href="/nope/">n</a>')]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^dist\/index\.html:1:1: (?:could not check the links of this page: |broken link "\/nope\/")/);
    expect(lines[1]).toBe('dist/ok/index.html:1:1: broken link "/nope/"');
  });

  test('reads pages that were not rendered again through readUnchanged', () => {
    const outputs: Output[] = [{ path: 'index.html', unchanged: true, key: 'k' }, html('a/index.html', '')];
    expect(check(outputs)).toEqual([]);
    expect(check(outputs, { readUnchanged: () => page('<a href="/a/#x">x</a>') })).toEqual([
      'dist/index.html:1:1: broken fragment "/a/#x": no id "x" in a/index.html',
    ]);
  });

  test('names the source post and the line of the n-th link with the same target', () => {
    const text = '+++\ntitle = "글"\ndescription = "/nope/ 를 말한다"\n+++\n\n[하나](/nope/)와\n[다른 곳](https://example.org/nope/)\n\n[둘](/nope/ "제목")\n';
    const body = '<p><a href="/nope/">하나</a>와 <a href="https://example.org/nope/">다른 곳</a></p><p><a href="/nope/" title="제목">둘</a></p>';
    const sources = new Map<string, PageSource>([['posts/a/index.html', { path: 'content/posts/a.md', body, text: () => text }]]);
    const lines = check([html('posts/a/index.html', `<nav><a href="/tags/">tags</a></nav>${body}`)], { sources });
    expect(lines).toEqual([
      'content/posts/a.md:6:6: broken link "/nope/" (from posts/a/index.html)',
      'content/posts/a.md:9:5: broken link "/nope/" (from posts/a/index.html)',
      'dist/posts/a/index.html:1:1: broken link "/tags/"',
    ]);
  });

  test('skips the front matter when blank lines stand before it, as the build does', () => {
    const text = '\n\n+++\ntitle = "글"\ndescription = "/nope/ 를 말한다"\n+++\n\n[하나](/nope/)\n';
    const body = '<p><a href="/nope/">하나</a></p>';
    const sources = new Map<string, PageSource>([['posts/a/index.html', { path: 'content/posts/a.md', body, text: () => text }]]);
    expect(check([html('posts/a/index.html', body)], { sources })).toEqual(['content/posts/a.md:8:6: broken link "/nope/" (from posts/a/index.html)']);
  });
});
