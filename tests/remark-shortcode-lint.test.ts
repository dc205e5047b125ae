import { fromHtml } from 'hast-util-from-html';
import { selectAll } from 'hast-util-select';
import { toText } from 'hast-util-to-text';
import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { createMarkdownProcessor, renderMarkdown } from '../src/markdown.ts';
import { FIXTURES } from './helpers/site.ts';

const processor = createMarkdownProcessor({ root: `${FIXTURES}/markdown`, basePath: '/', language: 'ko' });

async function lint(markdown: string) {
  const file = new VFile({ path: 'content/posts/h.md', value: markdown });
  file.data.post = { sourcePath: 'content/posts/h.md', outputDir: 'posts/h' };
  const { html } = await renderMarkdown(processor, file);
  return { html, messages: file.messages.map((m) => `${m.line}:${m.column}: ${m.fatal ? 'error' : 'warning'}: ${m.reason}`) };
}

describe('Hugo shortcodes in a migrated post', () => {
  test('each opening shortcode is a warning at its place, with what to write instead', async () => {
    const { messages } = await lint(
      ['앞 글은 {{< ref "attention.md" >}}에 있다.', '', '{{<figure src="/images/a.png" title="그림">}}', '', '{{% notice note %}}', '참고', '{{% /notice %}}', '', '- {{< youtube dQw4w9WgXcQ >}}'].join('\n'),
    );
    expect(messages).toEqual([
      '1:6: warning: Hugo shortcode {{< ref >}} is not supported and shows as text: write a link to the post\'s file: [text](other-post.md)',
      '3:1: warning: Hugo shortcode {{< figure >}} is not supported and shows as text: write an image with a title: ![alt](images/x.png "caption")',
      '5:1: warning: Hugo shortcode {{% notice %}} is not supported and shows as text: write markdown or raw HTML instead',
      '9:3: warning: Hugo shortcode {{< youtube >}} is not supported and shows as text: write raw HTML: <iframe src="https://www.youtube-nocookie.com/embed/<id>" …></iframe>',
    ]);
  });

  test('a shortcode written without a space after {{< shows as text, not as the HTML tag it looks like', async () => {
    const { html } = await lint(['앞 {{<details summary="더보기">}} 숨김 {{</details>}} 뒤', '', '{{<figure src="/images/a.png">}}', '', '다음 문단'].join('\n'));
    const tree = fromHtml(html, { fragment: true });
    expect(selectAll('details, figure', tree)).toEqual([]);
    expect(selectAll('p', tree).map((p) => toText(p))).toEqual([
      '앞 {{<details summary="더보기">}} 숨김 {{</details>}} 뒤',
      '{{<figure src="/images/a.png">}}',
      '다음 문단',
    ]);
  });

  test('an escaped shortcode ({{</* name */>}}) shows as the shortcode, in text and code, as Hugo shows it', async () => {
    const { html, messages } = await lint(
      ['`{{</* ref "a.md" */>}}`로 링크하고 {{%/* notice */%}}는 이렇게:', '', '```html', '{{</* figure src="x.png" */>}}', '```'].join('\n'),
    );
    const tree = fromHtml(html, { fragment: true });
    expect(toText(selectAll('p', tree)[0]!)).toBe('{{< ref "a.md" >}}로 링크하고 {{% notice %}}는 이렇게:');
    expect(toText(selectAll('pre', tree)[0]!)).toBe('{{< figure src="x.png" >}}');
    expect(messages).toEqual([]);
  });

  test('shortcodes shown in code, and braces that are not one, pass', async () => {
    const { messages } = await lint(['`{{< ref "a.md" >}}`로 링크한다.', '', '```html', '{{< figure src="x.png" >}}', '```', '', 'Liquid의 {{ page.title }}와 집합 {{1, 2}}, $\\{\\{x\\}\\}$.'].join('\n'));
    expect(messages).toEqual([]);
  });
});
