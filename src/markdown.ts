import type { Element, ElementContent } from 'hast';
import rehypeAutolinkHeadings from 'rehype-autolink-headings';
import rehypeKatex from 'rehype-katex';
import rehypeSlug from 'rehype-slug';
import rehypeStringify from 'rehype-stringify';
import remarkCjkFriendly from 'remark-cjk-friendly';
import remarkCjkFriendlyGfmStrikethrough from 'remark-cjk-friendly-gfm-strikethrough';
import remarkFrontmatter from 'remark-frontmatter';
import { remarkAlert } from 'remark-github-blockquote-alert';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified, type Processor } from 'unified';
import type { VFile } from 'vfile';
import type { FileStamp } from './compile.js';
import { frontMatterFirst } from './frontmatter.js';
import { messages } from './i18n.js';
import { rehypeInternalLinks } from './rehype-internal-links.js';
import { rehypeFigures } from './rehype-figures.js';
import { isFootnoteHeading, plainText, rehypeHeadings } from './rehype-headings.js';
import { quietKatex } from './quiet-katex.js';
import { rehypeKatexCache } from './rehype-katex-cache.js';
import { rehypeShiki } from './rehype-shiki.js';
import { rehypeTables } from './rehype-tables.js';
import { rehypeTaskLists } from './rehype-task-lists.js';
import { remarkAlertGuard, remarkAlertTitles } from './remark-alerts.js';
import { remarkDisplayMath } from './remark-display-math.js';
import { remarkEmphasisLint } from './remark-emphasis-lint.js';
import { remarkShortcodeLint } from './remark-shortcode-lint.js';
import { remarkEquations, trustEquationLinks } from './remark-equations.js';
import { remarkHeadingIds } from './remark-heading-ids.js';
import { remarkImages } from './remark-images.js';
import { remarkPostLinks } from './remark-post-links.js';
import { remarkKatexEnvironments } from './remark-katex-environments.js';
import { remarkMathLint } from './remark-math-lint.js';
import { remarkMathSyntax } from './micromark-math.js';
import { remarkMathMacros } from './remark-math-macros.js';
import { remarkReading } from './remark-reading.js';
import { remarkAutolinkHangul } from './remark-autolink-hangul.js';
import { remarkControlChars } from './remark-control-chars.js';
import { remarkUnclosedHtml } from './remark-unclosed-html.js';
import { remarkUnknownTags } from './remark-unknown-tags.js';
import { remarkUnsafeLinks } from './remark-unsafe-links.js';
import type { AssetRef, Heading, RenderedMarkdown } from './types.js';

declare module 'vfile' {
  interface DataMap {
    /** Set by the caller: where the file's own output goes, for images next to it. */
    post: { sourcePath: string; outputDir: string };
    /** Set by remarkImages. */
    assets: AssetRef[];
    /** Set by remarkImages and remarkPostLinks: the image and markdown files looked at, with their state. */
    dependencies: FileStamp[];
    /** Set by remarkReading. */
    reading: { wordCount: number; readingMinutes: number; excerpt: string; more: boolean };
    /** Set by rehypeHeadings. */
    toc: Heading[];
    /** Set by readPost: the file is a draft. */
    draft: boolean;
    /** Set by readPost: a draft whose markdown this build left out. */
    draftLeftOut: boolean;
  }
}

/**
 * KaTeX settings, shared by the formula cache and rehype-katex so both render alike. Nothing
 * is trusted but the `\href{#eq-...}` links remarkEquations makes; strict-mode findings are
 * reported by remarkMathLint, once per formula, instead of on the console. `maxExpand`: each
 * labelled row of an `align` is given a `\tag`, several expansions each, and KaTeX's default of
 * 1,000 refused an `align` of some 200 rows as "Too many expansions"; a loop still ends.
 */
const KATEX_OPTIONS = { output: 'htmlAndMathml', trust: trustEquationLinks, strict: 'ignore', maxExpand: 10_000 } as const;

/** What the markdown stage depends on besides the text: same settings, same HTML. */
export interface MarkdownSettings {
  /** Project root, absolute, for resolving images. */
  root: string;
  /** Path part of baseURL: `/` or `/blog/`. */
  basePath: string;
  /** Site language, for generated text (footnote labels, anchor names). */
  language: string;
}

/**
 * The unified chain, in order. Built once per build and reused for every post; turning one
 * post into HTML depends only on its text and these settings.
 */
export function createMarkdownProcessor(settings: MarkdownSettings): Processor<any, any, any, any, string> {
  const text = messages(settings.language);
  return (
    unified()
      // Markdown → mdast, CommonMark.
      .use(remarkParse)
      // Hugo-style `+++` TOML front matter becomes a node, read separately by frontmatter.ts.
      .use(remarkFrontmatter, ['toml'])
      // Control characters pasted from a PDF: out of the text, code and math, with a warning.
      .use(remarkControlChars)
      // Tables, footnotes, task lists, strikethrough, autolinks. Strikethrough is `~~` only:
      // Korean writes ranges with one tilde (`1~2시간, 3~4초`), which GFM's single-tilde
      // strikethrough turned into `1<del>2시간, 3</del>4초`; Typora, Obsidian and markdown-it
      // strike through with `~~` alone too.
      .use(remarkGfm, { singleTilde: false })
      // `$...$` and `$$...$$`.
      .use(remarkMath)
      // …with a `$$` block closed by `$$` ending its last line, as Typora and Obsidian write,
      // and `\$` a dollar sign inside `$…$`, as on GitHub.
      .use(remarkMathSyntax)
      // CommonMark's flanking rules leave `**"용어"**이라는` unbolded next to Hangul; these
      // relax them for CJK text, for `**`/`*` and GFM's `~~`.
      .use(remarkCjkFriendly)
      .use(remarkCjkFriendlyGfmStrikethrough, { singleTilde: false })
      // A paragraph that is only `$$…$$` on one line is display math, as on GitHub (a warning says so).
      .use(remarkDisplayMath)
      // `\newcommand`, `\def`, `\gdef` in one formula work in the formulas after it, as in MathJax.
      .use(remarkMathMacros)
      // `> [!NOTE]` and GitHub's other alerts: a box with its icon and title, as GitHub and
      // Hugo show them; the title in the site's language.
      .use(remarkAlertGuard)
      .use(remarkAlert)
      .use(remarkAlertTitles, { text })
      // Hugo's `## 서론 {#intro}`: the heading's id (and classes) as written, the braces dropped.
      .use(remarkHeadingIds)
      // `\label` → `\tag{n}` and an anchor; `\eqref`/`\ref` → links; bad labels are errors.
      .use(remarkEquations)
      // `multline` and `flalign`, which KaTeX lacks, as `gather` and `align` once numbered.
      .use(remarkKatexEnvironments)
      // Warnings with fixes: Hangul outside \text{}, `$10 … $20`, `|` in table math, KaTeX strict.
      .use(remarkMathLint, KATEX_OPTIONS)
      // Warnings for `**`, `__`, `~~` that parsing left as text.
      .use(remarkEmphasisLint)
      // A bare URL ends where a Korean sentence goes on: `https://arxiv.org/abs/1706.03762에서`.
      .use(remarkAutolinkHangul)
      // `[x](javascript:…)` published as its text, with a warning, as GitHub and Hugo do.
      .use(remarkUnsafeLinks)
      // `<textarea>` named in a sentence and left open would hold the rest of the page: text.
      .use(remarkUnclosedHtml)
      // `List<String>`, `f<T>(x)`: a tag no browser knows would be hidden; shown as text.
      .use(remarkUnknownTags)
      // Warnings for Hugo shortcodes (`{{< figure … >}}`), which geul shows as text; an
      // escaped one (`{{</* figure */>}}`) shows as the shortcode, as in Hugo.
      .use(remarkShortcodeLint)
      // Local images: resolve, size, list for copying; a missing one is an error.
      .use(remarkImages, { root: settings.root, basePath: settings.basePath })
      // `[앞 글](attention.md)`: a link to a post's file, as GitHub and Obsidian follow it,
      // published as that post's address; a missing one is an error.
      .use(remarkPostLinks, { root: settings.root })
      // Reading time and excerpt, counted on the markdown tree.
      .use(remarkReading)
      // mdast → hast. Raw HTML in a post is the author's own and is kept.
      .use(remarkRehype, {
        allowDangerousHtml: true,
        footnoteLabel: text.footnotes,
        footnoteBackLabel: (referenceIndex: number, rereferenceIndex: number) =>
          `${text.footnoteBack} ${referenceIndex + 1}${rereferenceIndex > 1 ? `-${rereferenceIndex}` : ''}`,
      })
      // Planned images into `<picture>` (WebP first), lone captioned images into `<figure>`.
      .use(rehypeFigures)
      // Task list checkboxes named by their item's text, for screen readers.
      .use(rehypeTaskLists)
      // Tables reachable by keyboard: on a phone a wide one scrolls in its own box.
      .use(rehypeTables)
      // Heading ids from their text, Hangul kept: "## 서론" → id="서론". Before KaTeX, so a
      // formula in a heading counts as its TeX source, not as KaTeX's rendered glyphs.
      .use(rehypeSlug)
      // Math → KaTeX HTML plus MathML for screen readers, each distinct formula rendered
      // once; rehype-katex then reports what KaTeX rejects (a warning with its place, and
      // KaTeX's visible error in the page). `trust` only lets equation links through: no
      // \href to javascript:, no \includegraphics.
      .use(rehypeKatexCache, KATEX_OPTIONS)
      .use(rehypeKatex, KATEX_OPTIONS)
      // Fenced code → Shiki tokens coloured for both schemes by CSS variables, a language
      // label, line numbers from the fence; an unknown language is a warning. After KaTeX,
      // so ```math blocks are formulas by then.
      .use(rehypeShiki)
      .use(rehypeHeadings)
      // A "#" link after each heading, named for screen readers by the heading's text.
      .use(rehypeAutolinkHeadings, {
        behavior: 'append',
        test: (node: Element) => !isFootnoteHeading(String(node.properties.id ?? '')),
        properties: (node: Element) => ({
          className: ['heading-anchor'],
          ariaLabel: `${text.headingAnchor}: ${plainText(node).replace(/\s+/g, ' ').trim()}`,
        }),
        content: { type: 'element', tagName: 'span', properties: { ariaHidden: 'true' }, children: [{ type: 'text', value: '#' }] } as ElementContent,
      })
      // `/tags/한글/` typed decomposed (NFD) → the NFC path geul writes; `/posts/x/` in a post
      // → `/blog/posts/x/` when the site lives under a sub-path.
      .use(rehypeInternalLinks, { basePath: settings.basePath })
      .use(rehypeStringify, { allowDangerousHtml: true })
  );
}

/**
 * Turn one post's markdown into HTML and the facts templates need. Problems (missing
 * images, invalid math) are recorded on the file.
 */
export async function renderMarkdown(
  processor: Processor<any, any, any, any, string>,
  file: VFile,
): Promise<RenderedMarkdown> {
  // KaTeX's console lines about glyphs are dropped: remarkMathLint reports those formulas.
  // Parse, run and stringify as `process` does, but each in this function: `process` calls
  // the stringifier inside a callback of the last (async) plugin, where a throw (the stack
  // overflowing on emphasis nested 2,000 deep) is an unhandled rejection that kills
  // the process instead of failing this post.
  const html = await quietKatex(async () => {
    // Blank lines before the `+++` block are moved after it, every place in the body kept.
    const text = String(file.value);
    const parsed = frontMatterFirst(text);
    const tree = await processor.run(processor.parse(parsed === text ? file : parsed), file);
    return String(processor.stringify(tree, file));
  });
  const reading = file.data.reading ?? { wordCount: 0, readingMinutes: 1, excerpt: '', more: false };
  return {
    html,
    toc: file.data.toc ?? [],
    excerpt: reading.excerpt,
    ...(reading.more ? { more: true } : {}),
    readingMinutes: reading.readingMinutes,
    wordCount: reading.wordCount,
    // Known here, while the HTML is a string: later it is held as bytes, or in the spool's file.
    math: html.includes('class="katex'),
    assets: file.data.assets ?? [],
    ...(file.data.figure ? { figure: file.data.figure } : {}),
  };
}
