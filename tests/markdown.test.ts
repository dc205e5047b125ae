/**
 * Golden cases for the markdown chain: every `tests/fixtures/markdown/<case>/input.md` is
 * rendered with createMarkdownProcessor and compared to `output.html` beside it; messages
 * recorded on the file (warnings, errors) are compared to `messages.txt` (absent = none).
 * `UPDATE=1 npx vitest run tests/markdown.test.ts` rewrites the goldens — read the diff.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { toText } from 'hast-util-to-text';
import { VFile } from 'vfile';
import { createMarkdownProcessor, renderMarkdown } from '../src/markdown.ts';
import { FIXTURES } from './helpers/site.ts';

const CASES_DIR = path.join(FIXTURES, 'markdown');
const UPDATE = Boolean(process.env.UPDATE);
const processor = createMarkdownProcessor({ root: CASES_DIR, basePath: '/', language: 'ko' });

const cases = readdirSync(CASES_DIR).filter((name) => existsSync(path.join(CASES_DIR, name, 'input.md')));

/** Render one case the way build() renders a post at `content/posts/<case>.md`. */
async function renderCase(name: string) {
  const file = new VFile({
    path: `content/posts/${name}.md`,
    cwd: CASES_DIR,
    value: readFileSync(path.join(CASES_DIR, name, 'input.md'), 'utf8'),
  });
  file.data.post = { sourcePath: `content/posts/${name}.md`, outputDir: `posts/${name}` };
  const rendered = await renderMarkdown(processor, file);
  const messages = file.messages.map(
    (message) => `${message.line ?? '?'}:${message.column ?? '?'}: ${message.fatal ? 'error' : 'warning'}: ${message.reason}`,
  );
  return { file, rendered, messages };
}

describe('markdown golden cases', () => {
  test('there are cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(11);
  });

  test.each(cases)('%s', async (name) => {
    const { rendered, messages } = await renderCase(name);
    const outputFile = path.join(CASES_DIR, name, 'output.html');
    const messagesFile = path.join(CASES_DIR, name, 'messages.txt');
    const html = `${rendered.html.trim()}\n`;
    const messageText = messages.length > 0 ? `${messages.join('\n')}\n` : undefined;
    if (UPDATE) {
      writeFileSync(outputFile, html);
      if (messageText) writeFileSync(messagesFile, messageText);
      else rmSync(messagesFile, { force: true });
    }
    expect(html).toBe(readFileSync(outputFile, 'utf8'));
    expect(messageText).toBe(existsSync(messagesFile) ? readFileSync(messagesFile, 'utf8') : undefined);
  });
});

/** The facts the goldens only show in passing, pinned on their own so a regression names itself. */
describe('markdown facts', () => {
  test('Korean emphasis next to quotes and Hangul is bold', async () => {
    const { rendered } = await renderCase('korean-emphasis');
    expect(rendered.html).toContain('<strong>"용어"</strong>이라는');
    expect(rendered.html).toContain('<em>(괄호)</em>처럼');
    expect(rendered.html).toContain('<del>취소</del>된');
  });

  test('one tilde is a range, not strikethrough: 1~2시간, 3~4초 stay as written', async () => {
    const { rendered, messages } = await renderCase('korean-tilde-ranges');
    expect(rendered.html).toContain('<p>학습은 1~2시간, 추론은 3~4초 걸린다. 서울~부산 구간에서 약 10~20% 빨라졌다.</p>');
    expect(rendered.html).toContain('<del>취소</del>된 줄과 ~한 개~로');
    expect(messages).toEqual([]);
  });

  test('invalid math is a warning at its line and column, and KaTeX shows its error', async () => {
    const { file, rendered } = await renderCase('invalid-math');
    expect(rendered.html).toContain('class="katex-error"');
    expect(file.messages).toHaveLength(1);
    const [message] = file.messages;
    expect(message?.fatal).not.toBe(true);
    expect(message?.line).toBe(3);
    expect(message?.column).toBe(7);
  });

  test('headings get Hangul ids, duplicates are numbered, and anchors are named', async () => {
    const { rendered } = await renderCase('heading-ids-hangul');
    expect(rendered.html).toContain('<h2 id="서론">');
    expect(rendered.html).toContain('<h2 id="서론-1">');
    expect(rendered.html).toContain('aria-label="이 제목으로 링크: 서론"');
    expect(rendered.toc.map((heading) => [heading.depth, heading.id, heading.text])).toEqual([
      [2, '서론', '서론'],
      [3, '관련-연구와-배경', '관련 연구와 배경'],
      [2, 'results-결과', 'Results 결과'],
      [2, '서론-1', '서론'],
    ]);
  });

  test('a heading with nothing to make an id of (emoji, punctuation) gets "heading", as in Hugo, with an anchor and a TOC link', async () => {
    const { rendered } = await renderCase('heading-ids-empty');
    // rehype-slug gave `id=""` (no anchor, a TOC link to "#", the top of the page) and `-1`.
    expect(rendered.html).not.toContain('id=""');
    expect(rendered.toc.map((heading) => heading.id)).toEqual(['heading', 'heading-1', '결론-']);
    expect(rendered.html).toContain('<a class="heading-anchor" aria-label="이 제목으로 링크: ❓" href="#heading">');
  });

  test("Hugo's heading attributes: `## 서론 {#intro}` has the id intro, and the braces are no part of its text", async () => {
    const { rendered } = await renderCase('heading-attributes');
    expect(rendered.toc.map((heading) => [heading.id, heading.text])).toEqual([
      ['intro', '서론'],
      ['loss', '손실 함수'],
      // Braces holding anything but #id and .class stay text, as in Hugo.
      ['집합-1-2', '집합 {1, 2}'],
      ['부록-a', '부록'],
    ]);
    expect(rendered.html).toContain('<h2 id="loss" class="wide">손실 함수<a');
    expect(rendered.html).not.toContain('{#');
  });

  test('a written heading id stands when the heading holds an equation reference', async () => {
    const file = new VFile({ path: 'content/posts/r.md', value: '## 참조 $\\eqref{eq:a}$ {#ref}\n\n$$\na = b \\label{eq:a}\n$$\n' });
    file.data.post = { sourcePath: 'content/posts/r.md', outputDir: 'posts/r' };
    const rendered = await renderMarkdown(processor, file);
    expect(rendered.toc.map((heading) => heading.id)).toEqual(['ref']);
  });

  test("a task list's checkboxes are named by their item's own text (a form field needs a name: axe's and Lighthouse's label audit)", async () => {
    const { rendered } = await renderCase('gfm-table-tasklist');
    const names = [...rendered.html.matchAll(/<input type="checkbox"[^>]*>/g)].map((input) => /aria-label="([^"]*)"/.exec(input[0])?.[1]);
    // Tight and loose items; a nested list is not part of its parent's name.
    expect(names).toEqual(['읽기', '구현하기', '논문 x^2 읽기', '중첩된 할 일', '느슨한 목록의 항목']);
  });

  test('a table is in the tab order: wider than a phone it scrolls in its own box, which the keyboard must reach (axe: scrollable-region-focusable)', async () => {
    const { rendered } = await renderCase('gfm-table-tasklist');
    const tables = selectAll('table', fromHtml(rendered.html, { fragment: true }));
    expect(tables.length).toBeGreaterThan(0);
    for (const table of tables) expect(table.properties.tabIndex).toBe(0);
  });

  test('a reference inside a formula is a link out of the tab order: it lies in KaTeX\'s aria-hidden layout (axe and Lighthouse: aria-hidden-focus)', async () => {
    const { rendered } = await renderCase('equation-refs');
    const hidden = [...rendered.html.matchAll(/<span class="katex-html" aria-hidden="true">[\s\S]*?<\/span><\/span><\/span>/g)].map((match) => match[0]);
    const links = hidden.flatMap((layout) => layout.match(/<a [^>]*>/g) ?? []);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(link).toMatch(/^<a tabindex="-1" href="#eq-/);
    // A reference in the text stays an ordinary link.
    expect(rendered.html).toContain('<a href="#eq-손실" class="eqref">1</a>');
  });

  test('a post written with "#" headings has them set a level down: the page\'s title stays its one <h1>, and the sections are in the TOC', async () => {
    const file = new VFile({ path: 'content/posts/h1.md', value: '# 서론\n\n## 세부\n\n본문.\n\n# 본론\n\n###### 가장 깊은\n' });
    file.data.post = { sourcePath: 'content/posts/h1.md', outputDir: 'posts/h1' };
    const rendered = await renderMarkdown(processor, file);
    expect(rendered.html).not.toMatch(/<h1/);
    expect(rendered.html).toMatch(/<h2 id="서론">/);
    expect(rendered.html).toMatch(/<h3 id="세부">/);
    expect(rendered.html).toMatch(/<h6 id="가장-깊은">/);
    expect(rendered.toc.map((heading) => [heading.depth, heading.text])).toEqual([
      [2, '서론'],
      [3, '세부'],
      [2, '본론'],
    ]);
  });

  test('a heading named like the footnotes\' label takes another id: the footnotes keep theirs, which their references point at', async () => {
    const file = new VFile({ path: 'content/posts/fl.md', value: '## footnote-label\n\n본문[^1].\n\n[^1]: 각주.\n' });
    file.data.post = { sourcePath: 'content/posts/fl.md', outputDir: 'posts/fl' };
    const rendered = await renderMarkdown(processor, file);
    expect(rendered.html).toMatch(/<h2 id="footnote-label-1">footnote-label<a/);
    expect(rendered.html).toMatch(/<h2 class="sr-only" id="footnote-label">/);
    expect(rendered.toc.map((heading) => heading.id)).toEqual(['footnote-label-1']);
  });

  test('a footnote reference in a heading is no part of its id, TOC entry or anchor name: `## 서론[^1]` is #서론, as on GitHub and in Hugo', async () => {
    const file = new VFile({ path: 'content/posts/fh.md', value: '## 서론[^1]\n\n## 서론\n\n### 방법 $x$[^2] 요약\n\n## [^2]\n\n본문[^1].\n\n[^1]: 각주.\n[^2]: 둘째.\n' });
    file.data.post = { sourcePath: 'content/posts/fh.md', outputDir: 'posts/fh' };
    const rendered = await renderMarkdown(processor, file);
    expect(rendered.toc.map(({ id, text, html }) => [id, text, html.replace(/<span class="katex">.*<\/span>/, '$')])).toEqual([
      ['서론', '서론', '서론'],
      ['서론-1', '서론', '서론'],
      ['방법-x-요약', '방법 x 요약', '방법 $ 요약'],
    ]);
    // A heading of nothing but a reference gets Hugo's `heading`, and no TOC entry: it would be an empty link.
    expect(rendered.html).toMatch(/<h2 id="heading"><sup>/);
    const tree = fromHtml(rendered.html, { fragment: true });
    // The reference itself stays in the heading, a link to its note.
    expect(selectAll('h2#서론 sup a[data-footnote-ref]', tree)).toHaveLength(1);
    expect(select('h2#서론 .heading-anchor', tree)?.properties.ariaLabel).toBe('이 제목으로 링크: 서론');
  });

  test('raw HTML in a heading (`## <a id="old"></a>제목`) brings no link and no id into its TOC entry: the entry stays a link, and #old lands on the heading', async () => {
    const file = new VFile({ path: 'content/posts/ra.md', value: '## <a id="old"></a>제목 하나\n\n## <span id=\'keep\' class="x">둘</span>째 <a name="n" href="#a">링크</a>\n' });
    file.data.post = { sourcePath: 'content/posts/ra.md', outputDir: 'posts/ra' };
    const rendered = await renderMarkdown(processor, file);
    expect(rendered.toc.map(({ html }) => html)).toEqual(['제목 하나', '<span class="x">둘</span>째 링크']);
    // As the template puts it: the TOC, then the post.
    const page = fromHtml(`<nav>${rendered.toc.map(({ id, html }) => `<a href="#${id}">${html}</a>`).join('')}</nav>${rendered.html}`, { fragment: true });
    expect(selectAll('nav a', page).map((link) => [link.properties.href, toText(link)])).toEqual([
      ['#제목-하나', '제목 하나'],
      ['#둘째-링크', '둘째 링크'],
    ]);
    expect(selectAll('[id="old"], [id="keep"]', page).map((node) => node.tagName)).toEqual(['a', 'span']);
  });

  test('a line break in a heading (`## 제목<br>부제`) parts its words in the TOC text and the anchor name', async () => {
    const file = new VFile({ path: 'content/posts/br.md', value: '## 제목<br>부제\n\n## 하나<br/>둘\n' });
    file.data.post = { sourcePath: 'content/posts/br.md', outputDir: 'posts/br' };
    const rendered = await renderMarkdown(processor, file);
    expect(rendered.toc.map(({ text }) => text)).toEqual(['제목 부제', '하나 둘']);
    const tree = fromHtml(rendered.html, { fragment: true });
    expect(selectAll('h2 .heading-anchor', tree).map((node) => node.properties.ariaLabel)).toEqual(['이 제목으로 링크: 제목 부제', '이 제목으로 링크: 하나 둘']);
  });

  test('a formula in a heading gives an id and a TOC entry from its TeX source', async () => {
    const { rendered } = await renderCase('math-in-heading');
    const [heading] = rendered.toc;
    expect(heading?.text).toBe('O(n^2) 복잡도');
    expect(heading?.id).toBe('on2-복잡도');
    expect(heading?.html).toContain('class="katex"');
    expect(rendered.html).toContain('aria-label="이 제목으로 링크: O(n^2) 복잡도"');
  });

  test('footnotes are labelled in Korean', async () => {
    const { rendered } = await renderCase('footnotes-korean');
    expect(rendered.html).toMatch(/<h2[^>]*id="footnote-label"[^>]*>각주/);
    expect(rendered.html).toContain('aria-label="본문으로 돌아가기 1"');
  });

  test('code is never math', async () => {
    const { rendered } = await renderCase('code-block');
    expect(rendered.html).not.toContain('katex');
    expect(rendered.html).toContain('&#x3C;b>');
  });

  test('local images get their size, lazy loading after the first and a site-absolute URL, and are listed for copying', async () => {
    const { rendered } = await renderCase('image-size');
    expect(rendered.html).toContain('src="/images/dot.png"');
    expect(rendered.html).toContain('width="4"');
    expect(rendered.html).toContain('height="3"');
    // The only image is the first: not lazy.
    expect(rendered.html).not.toContain('loading=');
    expect(rendered.assets).toMatchObject([{ source: 'images/dot.png', output: 'images/dot.png' }]);
    const figures = await renderCase('figures');
    expect(figures.rendered.html.match(/loading="lazy"/g)).toHaveLength(9);
  });

  test('an image of another site is lazy after the first image too, and is the first image when it comes first', async () => {
    const file = new VFile({ path: 'content/posts/ext.md', value: '![밖](https://example.com/a.png)\n\n![점](images/dot.png)\n\n![밖 둘](https://example.com/b.png)\n' });
    file.data.post = { sourcePath: 'content/posts/ext.md', outputDir: 'posts/ext' };
    const rendered = await renderMarkdown(processor, file);
    const loading = [...rendered.html.matchAll(/<img [^>]*>/g)].map(([tag]) => /loading="lazy"/.test(tag));
    expect(loading).toEqual([false, true, true]);
  });

  test("GitHub's alerts are titled boxes, titled in the site's language; a marker with text on its line is a plain quote, text kept", async () => {
    const render = async (value: string, language = 'ko') => {
      const file = new VFile({ path: 'content/posts/alert.md', value });
      file.data.post = { sourcePath: 'content/posts/alert.md', outputDir: 'posts/alert' };
      const chain = language === 'ko' ? processor : createMarkdownProcessor({ root: CASES_DIR, basePath: '/', language });
      return fromHtml((await renderMarkdown(chain, file)).html, { fragment: true });
    };
    const tree = await render('> [!NOTE]\n> 참고 $x$.\n\n> [!warning]\n> 경고.\n>\n> 둘째.\n\n> [!TIP] 같은 줄\n\n> 인용.\n');
    expect(selectAll('.markdown-alert', tree).map((box) => String((box.properties.className as string[])[1]))).toEqual(['markdown-alert-note', 'markdown-alert-warning']);
    expect(selectAll('.markdown-alert-title', tree).map((title) => toText(title))).toEqual(['참고', '경고']);
    expect(selectAll('.markdown-alert-title svg[aria-hidden]', tree)).toHaveLength(2);
    expect(selectAll('.markdown-alert-warning > p', tree).map((paragraph) => toText(paragraph))).toEqual(['경고', '경고.', '둘째.']);
    expect(select('.markdown-alert-note .katex', tree)).toBeDefined();
    expect(selectAll('blockquote', tree).map((quote) => toText(quote).trim())).toEqual(['[!TIP] 같은 줄', '인용.']);
    expect(selectAll('.markdown-alert-title', await render('> [!CAUTION]\n> Careful.\n', 'en')).map((title) => toText(title))).toEqual(['Caution']);
  });

  test('problems in the first lines of an alert are reported at their place', async () => {
    const file = new VFile({ path: 'content/posts/alert.md', value: '문단.\n\n> [!WARNING]\n> 주의: __강조__는 안 된다.\n\n> [!TIP]\n> 팁\n> 둘째 줄 \\ref{eq:none}\n' });
    file.data.post = { sourcePath: 'content/posts/alert.md', outputDir: 'posts/alert' };
    const { html } = await renderMarkdown(processor, file);
    expect(file.messages.map((message) => `${message.line}:${message.column}: ${message.reason.slice(0, 20)}`).sort()).toEqual([
      '4:7: "__" is shown as is,',
      '8:8: unknown equation lab',
    ]);
    expect(html).toContain('주의: __강조__는 안 된다.');
  });

  test('the same text and settings give the same HTML (cacheable)', async () => {
    const first = await renderCase('inline-math');
    const second = await renderCase('inline-math');
    expect(second.rendered).toEqual(first.rendered);
  });

  test('a site under a sub-path prefixes image URLs with it', async () => {
    const sub = createMarkdownProcessor({ root: CASES_DIR, basePath: '/blog/', language: 'ko' });
    const file = new VFile({ path: 'content/posts/a.md', cwd: CASES_DIR, value: '![](images/dot.png) [홈](/posts/x/)' });
    file.data.post = { sourcePath: 'content/posts/a.md', outputDir: 'posts/a' };
    const { html } = await renderMarkdown(sub, file);
    expect(html).toContain('src="/blog/images/dot.png"');
    expect(html).toContain('href="/blog/posts/x/"');
  });
});

describe('a stringifier that throws', () => {
  // unified's `process` calls the stringifier inside the callback of the last async plugin,
  // where a throw (the stack overflowing on a tree nested thousands deep) became an
  // unhandled rejection that killed the build; renderMarkdown must reject instead.
  test('fails the post: renderMarkdown rejects, nothing goes unhandled', async () => {
    const { unified } = await import('unified');
    const { default: remarkParse } = await import('remark-parse');
    const throwing = unified()
      .use(remarkParse)
      // An async transformer, as rehype-shiki is.
      .use(() => async () => {})
      .use(function () {
        this.compiler = () => {
          throw new RangeError('Maximum call stack size exceeded');
        };
      });
    const file = new VFile({ path: 'content/posts/deep.md', value: '# 제목\n' });
    await expect(renderMarkdown(throwing as never, file)).rejects.toThrow(RangeError);
  });
});
