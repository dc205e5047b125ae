/**
 * Code highlighting (src/rehype-shiki.ts, src/code-fence-meta.ts): Shiki tokens with both
 * schemes' colours, a language label, line numbers and emphasised lines from the fence, an
 * unknown language as a warning with its place, token contrast, and a built site without any
 * script from highlighting, byte-identical with 1 and 3 workers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Element, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { bundledThemes } from 'shiki/themes';
import { VFile } from 'vfile';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseFenceMeta } from '../src/code-fence-meta.ts';
import { createMarkdownProcessor, renderMarkdown } from '../src/markdown.ts';
import { CODE_THEMES, COLOR_REPLACEMENTS, loadedGrammars, MAX_HIGHLIGHTED_LINE } from '../src/rehype-shiki.ts';
import { cleanup, copySite, hashTree, problemLines, readHtml, REPO_ROOT, runCli, textOf } from './helpers/site.ts';

const processor = createMarkdownProcessor({ root: REPO_ROOT, basePath: '/', language: 'ko' });

async function render(markdown: string): Promise<{ tree: Root; file: VFile; html: string }> {
  const file = new VFile({ path: 'content/posts/code.md', value: markdown });
  file.data.post = { sourcePath: 'content/posts/code.md', outputDir: 'posts/code' };
  const { html } = await renderMarkdown(processor, file);
  return { tree: fromHtml(html, { fragment: true }), file, html };
}

const fence = (info: string, ...lines: string[]) => ['```' + info, ...lines, '```', ''].join('\n');
const one = (tree: Root, selector: string) => {
  const found = select(selector, tree);
  expect(found, selector).toBeDefined();
  return found!;
};
const styleOf = (node: Element) => String(node.properties.style ?? '');

describe('highlighted code blocks', () => {
  test('tokens carry light and dark colours as CSS variables, and no colour is inline', async () => {
    const { tree } = await render(fence('python', 'def f(x):', '    return x  # 주석'));
    const pre = one(tree, '.code-block > pre.shiki');
    expect(pre.properties.tabIndex).toBe(0);
    expect(styleOf(pre)).toBe('');
    const tokens = selectAll('code > span.line > span', pre);
    const def = tokens.find((token) => textOf(token) === 'def')!;
    expect(styleOf(def)).toMatch(/^--shiki-light:#[0-9A-F]{6};--shiki-dark:#[0-9A-F]{6}$/i);
    expect(tokens.every((token) => !/(^|;)color:/.test(styleOf(token)))).toBe(true);
    const comment = tokens.find((token) => textOf(token).includes('주석'))!;
    // The AA replacement for GitHub's light comment grey is applied.
    expect(styleOf(comment)).toContain('--shiki-light:#59636E');
    expect(textOf(one(tree, 'code'))).toBe('def f(x):\n    return x  # 주석');
  });

  test('the block is labelled with the language name, whatever alias or case the fence uses', async () => {
    for (const [info, name, id] of [['python', 'Python', 'python'], ['py', 'Python', 'python'], ['TypeScript', 'TypeScript', 'typescript'], ['sh', 'Shell', 'shellscript'], ['c++', 'C++', 'cpp']]) {
      const { tree, file } = await render(fence(info!, 'x'));
      const block = one(tree, '.code-block');
      expect(block.properties.dataLanguage).toBe(id);
      expect(textOf(one(tree, '.code-block > .code-label:first-child'))).toBe(name);
      expect(file.messages).toEqual([]);
    }
  });

  test("Hugo's own names for a language (Chroma's aliases) are highlighted as Hugo highlights them", async () => {
    for (const [info, name, id] of [['golang', 'Go', 'go'], ['python3', 'Python', 'python'], ['py3 {hl_lines=[1]}', 'Python', 'python'], ['shell-session', 'Shell Session', 'shellsession'], ['bash-session', 'Shell Session', 'shellsession'], ['udiff', 'Diff', 'diff']]) {
      const { tree, file } = await render(fence(info!, '$ x'));
      expect(one(tree, '.code-block').properties.dataLanguage, info).toBe(id);
      expect(textOf(one(tree, '.code-block > .code-label')), info).toBe(name);
      expect(file.messages, info).toEqual([]);
    }
  });

  test(`a line longer than ${MAX_HIGHLIGHTED_LINE} characters is shown as it is, the lines around it highlighted`, async () => {
    // Hundreds of tokens (numbers and operators) if it were highlighted.
    const long = `x = ${'1 + '.repeat(Math.ceil(MAX_HIGHLIGHTED_LINE / 4))}1`;
    expect(long.length).toBeGreaterThan(MAX_HIGHLIGHTED_LINE);
    const { tree, file } = await render(fence('python', 'def f(x):', long, '    return x'));
    expect(file.messages).toEqual([]);
    const lines = selectAll('code > span.line', tree);
    expect(lines.map((line) => textOf(line))).toEqual(['def f(x):', long, '    return x']);
    // Tokens of its own on the short lines; the long one is a single run of text.
    expect(selectAll('span', lines[0]!).length).toBeGreaterThan(2);
    expect(selectAll('span', lines[1]!).length).toBeLessThanOrEqual(2);
    expect(selectAll('span', lines[2]!).length).toBeGreaterThan(1);
  });

  test('a fence without a language is plain text: no label, no warning, no colours', async () => {
    const { tree, file } = await render(fence('', 'a <b> & c', 'line 2'));
    expect(select('.code-label', tree)).toBeUndefined();
    expect(selectAll('[style]', tree)).toEqual([]);
    expect(textOf(one(tree, 'pre.shiki code'))).toBe('a <b> & c\nline 2');
    expect(selectAll('span.line', tree)).toHaveLength(2);
    expect(file.messages).toEqual([]);
  });

  test('an unknown language is a warning at the fence\'s language, and the block is plain, escaped text', async () => {
    const { tree, file, html } = await render(['문단.', '', '> ```pythn', '> <script>alert(1)</script>', '> ```', ''].join('\n'));
    expect(file.messages).toHaveLength(1);
    const [message] = file.messages;
    expect(message?.fatal).toBe(false);
    expect([message?.line, message?.column]).toEqual([3, 6]);
    expect(message?.reason).toBe('unknown code language "pythn", shown as plain text (did you mean "python"?)');
    expect(textOf(one(tree, '.code-block > .code-label'))).toBe('pythn');
    expect(one(tree, '.code-block').properties.dataLanguage).toBeUndefined();
    expect(selectAll('script', tree)).toEqual([]);
    expect(html).not.toContain('<script');
    expect(textOf(one(tree, 'pre.shiki code'))).toBe('<script>alert(1)</script>');
    expect(selectAll('[style]', tree)).toEqual([]);
  });

  test('code that looks like HTML stays text in a known language too', async () => {
    const { tree, html } = await render(fence('html', '<script>alert("x")</script>', '<img src=x onerror=alert(1)>'));
    expect(selectAll('script, img', tree)).toEqual([]);
    expect(html).not.toMatch(/<script|<img/);
    expect(textOf(one(tree, 'pre code'))).toBe('<script>alert("x")</script>\n<img src=x onerror=alert(1)>');
  });

  test('line numbers are off unless the fence asks, and drawn by CSS (no digits in the code text)', async () => {
    const plain = await render(fence('js', 'a()', 'b()'));
    expect(select('code.line-numbers', plain.tree)).toBeUndefined();
    for (const info of ['js {linenos=table}', 'js {linenos=true}', 'js {linenos=inline}', 'js showLineNumbers', 'js linenos', 'js{linenos=true}']) {
      const { tree } = await render(fence(info, 'a()', 'b()'));
      const code = one(tree, 'pre.shiki > code.line-numbers');
      expect(textOf(code), info).toBe('a()\nb()');
      expect(textOf(one(tree, '.code-label')), info).toBe('JavaScript');
      expect(styleOf(code)).toBe('');
    }
    const off = await render(fence('js {linenos=false}', 'a()'));
    expect(select('code.line-numbers', off.tree)).toBeUndefined();
  });

  test('linenostart and showLineNumbers{n} start the counter; wide numbers get room', async () => {
    const start = await render(fence('js {linenos=table,linenostart=9}', 'a()', 'b()'));
    expect(styleOf(one(start.tree, 'code.line-numbers'))).toBe('counter-reset:line 8');
    const wide = await render(fence('js showLineNumbers{999}', 'a()', 'b()'));
    expect(styleOf(one(wide.tree, 'code.line-numbers'))).toBe('counter-reset:line 998;--line-number-width:4ch');
  });

  test('hl_lines emphasises lines counted from the block\'s first line', async () => {
    const { tree, file } = await render(fence('python {linenos=table, hl_lines=[2,"4-5"], linenostart=100}', 'a = 1', 'b = 2', 'c = 3', 'd = 4', 'e = 5'));
    expect(file.messages).toEqual([]);
    const pre = one(tree, 'pre.shiki.has-highlighted');
    const lines = selectAll('span.line', pre);
    expect(lines.map((line) => (line.properties.className as string[]).includes('highlighted'))).toEqual([false, true, false, true, true]);
    const bare = await render(fence('python {1,3}', 'a', 'b', 'c'));
    expect(selectAll('span.line.highlighted', bare.tree).map(textOf)).toEqual(['a', 'c']);
  });

  test('options it cannot read are warnings at the fence, and the block still renders', async () => {
    const { tree, file } = await render(fence('js {linenos=maybe, hl_lines=[x, 7]}', 'a()'));
    expect(file.messages.map((message) => `${message.line}:${message.column}: ${message.reason}`)).toEqual([
      '1:4: code block options: linenos=maybe: expected true, table, inline or false',
      '1:4: code block options: hl_lines=[x, 7]: "x" is not a line number or a range like 4-6',
      "1:4: code block options: hl_lines 7 past the block's last line (1)",
    ]);
    expect(one(tree, '.code-block').properties.dataLanguage).toBe('javascript');
  });

  test('```math stays a formula, and inline code is left alone', async () => {
    const { tree } = await render(`${fence('math', 'x^2')}\n인라인 \`$y$\` 코드.\n`);
    expect(select('.shiki, .code-block', tree)).toBeUndefined();
    expect(select('.katex-display', tree)).toBeDefined();
    expect(textOf(one(tree, 'p > code'))).toBe('$y$');
  });

  test('the same block gives the same bytes every time, highlighted or remembered', async () => {
    const markdown = fence('rust {hl_lines=[1]}', 'fn main() { println!("{}", 1 << 3); }');
    const first = await render(markdown);
    const second = await render(markdown);
    expect(second.html).toBe(first.html);
    // The second block came from the process's memory of highlighted blocks, which keys the options too.
    const other = await render(fence('rust {linenos=true}', 'fn main() { println!("{}", 1 << 3); }'));
    expect(select('span.line.highlighted', other.tree)).toBeUndefined();
    expect(select('code.line-numbers', other.tree)).toBeDefined();
  });

  test('grammars are loaded on first use only', async () => {
    const before = await loadedGrammars();
    expect(before).not.toContain('haskell');
    await render(fence('hs', 'main = print 1'));
    expect(await loadedGrammars()).toContain('haskell');
    expect(await loadedGrammars()).not.toContain('cobol');
  });
});

describe('fence options', () => {
  test('Hugo attributes, with commas or spaces, keys in any case', () => {
    expect(parseFenceMeta('{linenos=table,hl_lines=[8,"15-17"],linenostart=199}')).toEqual({ lineNumbers: true, lineStart: 199, highlight: [8, 15, 16, 17], problems: [] });
    expect(parseFenceMeta('{lineNos=inline hl_lines=[3,"6-8"] style=emacs}')).toEqual({ lineNumbers: true, lineStart: 1, highlight: [3, 6, 7, 8], problems: [] });
    expect(parseFenceMeta('{ linenos = "true" hl_lines = "2 4-5" }')).toEqual({ lineNumbers: true, lineStart: 1, highlight: [2, 4, 5], problems: [] });
  });

  test('bare flags and bare ranges', () => {
    expect(parseFenceMeta('showLineNumbers')).toMatchObject({ lineNumbers: true, lineStart: 1 });
    expect(parseFenceMeta('title="a.py" showLineNumbers{12} {3,1-2}')).toMatchObject({ lineNumbers: true, lineStart: 12, highlight: [1, 2, 3] });
    expect(parseFenceMeta('')).toEqual({ lineNumbers: false, lineStart: 1, highlight: [], problems: [] });
    // A word that merely contains the flag is not the flag.
    expect(parseFenceMeta('nolinenos').lineNumbers).toBe(false);
  });

  test('unreadable values are problems, not guesses', () => {
    expect(parseFenceMeta('{linenostart=abc}').problems).toEqual(['linenostart=abc: expected a whole number']);
    expect(parseFenceMeta('{hl_lines=[5-2]}').problems).toEqual(['hl_lines=[5-2]: "5-2" is not a line number or a range like 4-6']);
    expect(parseFenceMeta('{hl_lines=[1-99999999]}').highlight).toEqual([]);
  });
});

describe('token contrast', () => {
  const css = readFileSync(path.join(REPO_ROOT, 'templates', 'assets', 'style.css'), 'utf8');
  /** The first value of a custom property in the stylesheet, outside or inside `prefers-color-scheme: dark`. */
  const variable = (scheme: 'light' | 'dark', name: string) => {
    const value = customProperties(css).find((property) => property.name === name && property.dark === (scheme === 'dark'))?.value;
    expect(value, `${scheme} ${name}`).toMatch(/^#[0-9a-f]{6}$/i);
    return value!;
  };

  /** Every colour a token can be drawn in, after our replacements; colours with their own background are left out. */
  async function tokenColours(scheme: 'light' | 'dark'): Promise<string[]> {
    const name = CODE_THEMES[scheme];
    const theme = (await bundledThemes[name]()).default;
    const colours = new Set<string>([theme.colors!['editor.foreground']!.toLowerCase()]);
    for (const rule of theme.tokenColors ?? []) {
      if (rule.settings.foreground && !rule.settings.background) colours.add(rule.settings.foreground.toLowerCase());
    }
    return [...colours].map((colour) => COLOR_REPLACEMENTS[name]?.[colour] ?? colour);
  }

  test.each(['light', 'dark'] as const)('every %s token colour is at least 4.5:1 on the code background and on emphasised lines', async (scheme) => {
    const colours = await tokenColours(scheme);
    expect(colours.length).toBeGreaterThan(5);
    for (const background of [variable(scheme, '--pre-bg'), variable(scheme, '--code-mark')]) {
      const failing = colours.filter((colour) => contrast(colour, background) < 4.5).map((colour) => `${colour} on ${background}: ${contrast(colour, background).toFixed(2)}`);
      expect(failing).toEqual([]);
    }
    // Line numbers are drawn in --muted.
    expect(contrast(variable(scheme, '--muted'), variable(scheme, '--pre-bg'))).toBeGreaterThanOrEqual(4.5);
  });

  test('GitHub\'s own light comment grey would fail, so the replacement is needed', () => {
    expect(contrast('#6e7781', variable('light', '--pre-bg'))).toBeLessThan(4.5);
  });
});

describe('a built site with code', () => {
  let site: string;
  let one: Awaited<ReturnType<typeof runCli>>;
  let three: Awaited<ReturnType<typeof runCli>>;
  beforeAll(async () => {
    site = await copySite('code-highlight');
    // Back to back, so both builds see the same sources.
    one = await runCli(['build', '--root', site, '--out', 'out-1', '--workers', '1', '--no-cache']);
    three = await runCli(['build', '--root', site, '--out', 'out-3', '--workers', '3', '--no-cache']);
  }, 120_000);
  afterAll(() => cleanup(site));

  test('builds, and warns about the unknown language at its place', () => {
    expect(one.code, one.stderr).toBe(0);
    expect(problemLines(one.stderr)).toEqual([
      'content/posts/code.md:19:4: warning: unknown code language "pythn", shown as plain text (did you mean "python"?)',
    ]);
  });

  test('highlighting adds no script: a page with code has the same scripts as one without', () => {
    const withCode = readHtml(path.join(site, 'out-1', 'posts', 'code', 'index.html'));
    const without = readHtml(path.join(site, 'out-1', 'posts', 'plain', 'index.html'));
    expect(selectAll('pre.shiki', withCode)).toHaveLength(4);
    expect(select('.katex-display', withCode)).toBeDefined();
    const scripts = (tree: Root) => selectAll('script', tree).map((script) => `${script.properties.type ?? ''} ${script.properties.src ?? ''}`);
    expect(scripts(withCode)).toEqual(scripts(without));
    expect(selectAll('.code-block script, pre script', withCode)).toEqual([]);
    expect(selectAll('[onerror], [onload], [onclick]', withCode)).toEqual([]);
    expect(textOf(selectAll('pre.shiki code', withCode)[1]!)).toBe('const tag = "<script>alert(1)</script>";');
  });

  test('1 and 3 workers give the same bytes', () => {
    expect(three.code, three.stderr).toBe(0);
    const a = hashTree(path.join(site, 'out-1'));
    const b = hashTree(path.join(site, 'out-3'));
    expect(Object.keys(b)).toEqual(Object.keys(a));
    expect(Object.keys(a).filter((file) => a[file] !== b[file])).toEqual([]);
  });
});

/** Custom property declarations of a stylesheet, each marked with whether a dark-scheme media query holds it. */
function customProperties(css: string): { name: string; value: string; dark: boolean }[] {
  const found: { name: string; value: string; dark: boolean }[] = [];
  const preludes: string[] = [];
  let buffer = '';
  const declare = () => {
    const match = /^\s*(--[\w-]+)\s*:\s*(.*?)\s*$/.exec(buffer);
    if (match) found.push({ name: match[1]!, value: match[2]!, dark: preludes.some((prelude) => /prefers-color-scheme:\s*dark/.test(prelude)) });
    buffer = '';
  };
  for (const part of css.replace(/\/\*[\s\S]*?\*\//g, '').split(/([{};])/)) {
    if (part === '{') {
      preludes.push(buffer);
      buffer = '';
    } else if (part === '}') {
      declare();
      preludes.pop();
    } else if (part === ';') {
      declare();
    } else {
      buffer += part;
    }
  }
  return found;
}

/** WCAG 2 contrast ratio of two `#rrggbb` colours. */
function contrast(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (high! + 0.05) / (low! + 0.05);
}
