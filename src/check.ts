import { readFileSync } from 'node:fs';
import type { Element, Root, RootContent } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import type { BuildResult } from './build.js';
import { codeFrame, sortProblems, type Problem } from './report.js';
import type { Output, Site } from './types.js';
import { createUrls, hrefPath, outputDirOf, outputFileOf } from './urls.js';
import { spanEnd } from './html-spans.js';
import { onDisk } from './on-disk.js';

/** Where an HTML output came from, so that its problems name the file the writer edits. */
export interface PageSource {
  /** The markdown file, relative to the project root: `content/posts/x.md`. */
  path: string;
  /** The post's body as rendered: a link found in it is the writer's, any other the template's. */
  body: string;
  /** The markdown text; called only when a problem needs a line number. */
  text(): string;
}

/** Options of `checkSite`. */
export interface CheckOptions {
  /** Path part of baseURL, with both slashes: `/` or `/blog/`. */
  basePath: string;
  /** Source of each post and page by output path (`posts/x/index.html`); see `pageSources`. @default none */
  sources?: ReadonlyMap<string, PageSource>;
  /** Links to no file and fragments to no id. @default "error" */
  linkSeverity?: Problem['severity'];
  /** Images without alt text. @default "warning" */
  altSeverity?: Problem['severity'];
  /** Name of the output folder in the paths of problems found in template markup. @default "dist" */
  outputLabel?: string;
  /**
   * The text of an output that carries no bytes (`{ unchanged: true }`: the previous build's
   * file stands). Without it such pages are targets but are not read.
   */
  readUnchanged?(path: string): string | undefined;
}

/**
 * Check the links of a built site before anything is written: every internal `href`, `src`
 * and `srcset` must lead to an output file, every `#fragment` to an `id` in its target page,
 * and every `<img>` needs alt text. Problems are reported in the source post that holds the
 * link (line found by searching its markdown for the target), or in the output page when the
 * link comes from a template.
 */
export function checkSite(outputs: readonly Output[], options: CheckOptions): Problem[] {
  const basePath = options.basePath.endsWith('/') ? options.basePath : `${options.basePath}/`;
  const files = new Set(outputs.map((output) => output.path.normalize('NFC')));
  const pages = new Map<string, ScannedPage>();
  const problems: Problem[] = [];
  const locate = createLocator(options);
  for (const output of outputs) {
    if (!output.path.endsWith('.html')) continue;
    const text = htmlText(output, options);
    if (text === undefined) continue;
    const page = output.path.normalize('NFC');
    try {
      pages.set(page, scan(text));
    } catch (error) {
      // The HTML parser recurses: raw HTML nested a few thousand deep builds, but cannot be read back.
      const reason = error instanceof Error ? error.message : String(error);
      problems.push(locate(page, undefined, `could not check the links of this page: ${reason}`, options.linkSeverity ?? 'error'));
    }
  }

  for (const [page, scanned] of pages) {
    const pageUrl = new URL(hrefPath(basePath + pageDirOf(page)), ORIGIN);
    for (const link of scanned.links) {
      const why = resolveLink(link.url, page, pageUrl, basePath, files, pages);
      if (why) problems.push(locate(page, link, why, options.linkSeverity ?? 'error'));
    }
    for (const image of scanned.imagesWithoutAlt) {
      problems.push(locate(page, image, `image without alt text "${safeDecode(image.url)}"`, options.altSeverity ?? 'warning'));
    }
  }
  return sortProblems(problems);
}

/** Output paths mapped to the post or page they render, with its source; for `CheckOptions.sources`. */
export function pageSources(site: Site, root: string): Map<string, PageSource> {
  const sources = new Map<string, PageSource>();
  for (const post of [...site.posts, ...site.pages]) {
    let text: string | undefined;
    sources.set(outputFileOf(`${outputDirOf(post.kind, post.slug)}/`).normalize('NFC'), {
      path: post.sourcePath,
      body: post.rendered.html,
      text: () => (text ??= readSourceText(root, post.sourcePath)),
    });
  }
  return sources;
}

/** Only a base for resolving relative links; never shown nor fetched. */
const ORIGIN = 'http://geul.invalid';

/** What the checker keeps of a page: its ids and its links, not its tree. */
interface ScannedPage {
  ids: Set<string>;
  links: Link[];
  /** `<img>` elements without alt text, as their `src` link. */
  imagesWithoutAlt: Link[];
}

interface Link {
  /** The URL as written in the attribute. */
  url: string;
  element: string;
  /** How many links with the same URL come before this one in the page. */
  occurrence: number;
}

/** `[src]`, `[href]` and `[srcset]` of these elements are links a reader's browser follows. */
const LINK_ATTRIBUTES: Record<string, readonly ('href' | 'src' | 'srcSet')[]> = {
  a: ['href'],
  area: ['href'],
  link: ['href'],
  img: ['src', 'srcSet'],
  script: ['src'],
  source: ['src', 'srcSet'],
};

function scan(html: string): ScannedPage {
  const page: ScannedPage = { ids: new Set(), links: [], imagesWithoutAlt: [] };
  const seen = new Map<string, number>();
  const add = (url: string, element: string): Link => {
    const occurrence = seen.get(url) ?? 0;
    seen.set(url, occurrence + 1);
    const link = { url, element, occurrence };
    page.links.push(link);
    return link;
  };
  const element = (node: Element) => {
    const { properties } = node;
    if (typeof properties.id === 'string' && properties.id) page.ids.add(properties.id);
    if (node.tagName === 'a' && typeof properties.name === 'string' && properties.name) page.ids.add(properties.name);
    let src: Link | undefined;
    for (const key of LINK_ATTRIBUTES[node.tagName] ?? []) {
      const value = properties[key];
      if (key === 'srcSet') {
        for (const url of srcsetUrls(Array.isArray(value) ? value.join(', ') : String(value ?? ''))) {
          // A responsive image names its own src again as its widest candidate: one link, not two,
          // or the n-th link would no longer be the n-th image of the source.
          if (url !== properties.src) add(url, node.tagName);
        }
      } else if (typeof value === 'string') {
        const link = add(value, node.tagName);
        if (key === 'src') src = link;
      }
    }
    if (node.tagName === 'img' && !hasAltText(node)) page.imagesWithoutAlt.push(src ?? { url: '', element: 'img', occurrence: 0 });
  };
  // In document order, without recursion: a post may nest a thousand blockquotes.
  const stack: (Root | RootContent)[] = [fromHtml(withoutFormulas(html))];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'element') element(node);
    if (node.type === 'element' || node.type === 'root') for (let index = node.children.length - 1; index >= 0; index--) stack.push(node.children[index]!);
  }
  return page;
}

/**
 * The URLs of a `srcset`: `a.png 1x, b.png 2x` → `a.png`, `b.png`. A URL may hold commas
 * (`a,b.png 1x`); a candidate ends at a comma after its descriptors, as HTML parses it.
 */
function srcsetUrls(srcset: string): string[] {
  const urls: string[] = [];
  let index = 0;
  while (index < srcset.length) {
    while (index < srcset.length && /[\s,]/.test(srcset[index]!)) index++;
    const start = index;
    while (index < srcset.length && !/\s/.test(srcset[index]!)) index++;
    let url = srcset.slice(start, index);
    const bare = url.endsWith(',');
    url = url.replace(/,+$/, '');
    if (url) urls.push(url);
    if (bare) continue;
    // Skip the descriptors (`1x`, `640w`) up to the comma that ends the candidate.
    let depth = 0;
    for (; index < srcset.length; index++) {
      const char = srcset[index];
      if (char === '(') depth++;
      else if (char === ')') depth = Math.max(0, depth - 1);
      else if (char === ',' && depth === 0) break;
    }
  }
  return urls;
}

const FORMULA_START = '<span class="katex">';

/**
 * The page with the inside of each KaTeX formula cut out. KaTeX's markup is most of a math
 * post's bytes (60% of a typical page) and holds no link a writer could break, so parsing it
 * is pure cost. Its only ids, the row anchors `\htmlId{eq-…}{}` of a formula with several
 * labelled rows (remark-equations.ts), are kept as empty spans: `\eqref` links lead there.
 * A formula whose spans do not balance is left as it is.
 */
function withoutFormulas(html: string): string {
  let start = html.indexOf(FORMULA_START);
  if (start === -1) return html;
  const parts: string[] = [];
  let copied = 0;
  while (start !== -1) {
    const end = spanEnd(html, start);
    if (end === -1) break;
    const ids = html.slice(start, end).match(/ id="[^"]*"/g) ?? [];
    parts.push(html.slice(copied, start), FORMULA_START, ...ids.map((id) => `<span${id}></span>`), '</span>');
    copied = end;
    start = html.indexOf(FORMULA_START, end);
  }
  parts.push(html.slice(copied));
  return parts.join('');
}

/**
 * Alt text, or an empty alt on an image marked decorative on purpose (`role="presentation"`,
 * `aria-hidden="true"`). geul writes `alt=""` for `![](x.png)`, which is an oversight far
 * more often than a decision, so a plain empty alt counts as missing.
 */
function hasAltText(node: Element): boolean {
  const alt = node.properties.alt;
  if (typeof alt !== 'string') return false;
  if (alt.trim() !== '') return true;
  const role = String(node.properties.role ?? '');
  return role === 'presentation' || role === 'none' || String(node.properties.ariaHidden) === 'true';
}

/** Why a link leads nowhere, or undefined when it is fine or not ours to check. */
function resolveLink(
  href: string,
  page: string,
  pageUrl: URL,
  basePath: string,
  files: ReadonlySet<string>,
  pages: ReadonlyMap<string, ScannedPage>,
): string | undefined {
  const trimmed = href.trim();
  // Other schemes (https:, mailto:, data:, javascript:) and protocol-relative URLs leave the site.
  if (/^[a-z][a-z\d+.-]*:/i.test(trimmed) || /^[/\\]{2}/.test(trimmed)) return undefined;
  // Shown as the writer wrote it: mdast percent-encodes `#서론` into `#%EC%84%9C%EB%A1%A0`.
  const shown = safeDecode(href);
  let url: URL;
  try {
    url = new URL(trimmed, pageUrl);
  } catch {
    return `broken link "${shown}": not a valid URL`;
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname).normalize('NFC');
  } catch {
    return `broken link "${href}": malformed percent-encoding`;
  }
  if (!pathname.startsWith(basePath)) return `broken link "${shown}": outside the site's path ${basePath}`;
  const relative = pathname.slice(basePath.length);
  let target = relative === '' || relative.endsWith('/') ? `${relative}index.html` : relative;
  if (!files.has(target)) {
    // `/posts/a` is served as `/posts/a/` (a redirect on every static host and in geul dev).
    if (!files.has(`${relative}/index.html`)) return `broken link "${shown}"`;
    target = `${relative}/index.html`;
  }

  if (url.hash.length <= 1) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(url.hash.slice(1));
  } catch {
    return `broken link "${href}": malformed percent-encoding in the fragment`;
  }
  // `#top` scrolls to the top of any page (HTML's "indicated part of the document").
  if (id.toLowerCase() === 'top') return undefined;
  const targetPage = pages.get(target);
  // As browsers look: the fragment as written first (a footnote's id is percent-encoded, as
  // mdast writes `[^주석]`'s), then decoded.
  if (!targetPage || targetPage.ids.has(url.hash.slice(1)) || targetPage.ids.has(id)) return undefined;
  return `broken fragment "${shown}": no id "${id}"${target === page ? '' : ` in ${target}`}`;
}

/**
 * Where to report a problem of a link: at the link in the source post when the post's body
 * holds it, else in the output page (a link the template made).
 */
function createLocator(options: CheckOptions) {
  const basePath = options.basePath;
  const outputLabel = (options.outputLabel ?? 'dist').replace(/\/+$/, '');

  return (page: string, link: Link | undefined, message: string, severity: Problem['severity']): Problem => {
    const source = options.sources?.get(page);
    if (source && !link) return { path: source.path, line: 1, column: 1, message: `${message} (from ${page})`, severity };
    if (!source || !link || !inBody(source.body, link.url)) {
      return { path: `${outputLabel}/${page}`, line: 1, column: 1, message, severity };
    }
    const text = source.text();
    const place = findInSource(text, needlesOf(link), link.occurrence);
    return {
      path: source.path,
      line: place.line,
      column: place.column,
      message: `${message} (from ${page})`,
      severity,
      ...withFrame(codeFrame(text, place.line, place.column)),
    };
  };

  /** The ways the target may be written in the markdown, each with what may stand before it. */
  function needlesOf(link: Link): Needle[] {
    const forms = [link.url];
    // rehypeInternalLinks turned `/posts/x/` into `/blog/posts/x/`.
    if (basePath !== '/' && link.url.startsWith(basePath)) forms.push(`/${link.url.slice(basePath.length)}`);
    for (const form of [...forms]) {
      // mdast percent-encodes what the writer wrote as `/tags/자연어/` or `#서론`.
      const decoded = safeDecode(form);
      forms.push(decoded, decoded.normalize('NFC'), decoded.normalize('NFD'));
    }
    const needles: Needle[] = forms.map((text) => ({ text, after: LINK_START }));
    // remarkImages turns `images/x.png` and a bundle's `x.png` into site-absolute URLs (under
    // the base path: a raw `<img src="/x.png">` on a `/blog/` site was written as it stands).
    if ((link.element === 'img' || link.element === 'source') && link.url.startsWith(basePath)) {
      // A resized copy (`x-800w.1a2b3c4d.png`) was written as the original (`x.png`).
      const last = safeDecode(link.url).split('/').pop()?.replace(/-\d+w\.[0-9a-f]{8}(?=\.\w+$)/, '');
      if (last) needles.push({ text: `images/${last}`, after: LINK_START }, { text: last, after: LINK_START });
    }
    const unique = new Map(needles.filter((needle) => needle.text).map((needle) => [needle.text, needle]));
    return [...unique.values()];
  }
}

/** A spelling of a link target to look for in the markdown. */
interface Needle {
  text: string;
  /** Characters that may stand right before it: a URL starts after `(`, `<`, a quote, `=` or space. */
  after: RegExp;
}

const LINK_START = /^$|[(<"'=\s]/;
const LINK_END = /^$|[)>"'\s]/;

function inBody(body: string, url: string): boolean {
  if (url === '') return false;
  return body.includes(url) || body.includes(url.replace(/&/g, '&#x26;').replace(/"/g, '&#x22;'));
}

/**
 * Line and column of the link that is the `occurrence`-th with its URL in the page: the
 * `occurrence`-th place in the markdown (after the front matter) where one of its spellings
 * stands as a whole URL. The last one found when there are fewer; 1:1 when there is none.
 */
function findInSource(text: string, needles: Needle[], occurrence: number): { line: number; column: number } {
  let from = frontMatterEnd(text);
  let found = -1;
  for (let n = 0; n <= occurrence; n++) {
    let next = -1;
    let length = 0;
    for (const needle of needles) {
      const index = indexOfWhole(text, needle, from);
      if (index !== -1 && (next === -1 || index < next)) {
        next = index;
        length = needle.text.length;
      }
    }
    if (next === -1) break;
    found = next;
    from = next + length;
  }
  if (found === -1) return { line: 1, column: 1 };
  const before = text.slice(0, found);
  return { line: before.split('\n').length, column: found - (before.lastIndexOf('\n') + 1) + 1 };
}

/** The first place from `from` where `needle` stands as a whole URL, not inside a longer one. */
function indexOfWhole(text: string, needle: Needle, from: number): number {
  for (let index = text.indexOf(needle.text, from); index !== -1; index = text.indexOf(needle.text, index + 1)) {
    const before = text.charAt(index - 1);
    const after = text.charAt(index + needle.text.length);
    if (needle.after.test(before) && LINK_END.test(after)) return index;
  }
  return -1;
}

/** Index just past the `+++` front matter block, or 0. */
function frontMatterEnd(text: string): number {
  const match = /^\uFEFF?(?:[ \t]*\r?\n)*[ \t]*\+\+\+[ \t]*\r?\n[^]*?\r?\n\+\+\+[ \t]*(?:\r?\n|$)/.exec(text);
  return match ? match[0].length : 0;
}

function htmlText(output: Output, options: CheckOptions): string | undefined {
  if ('content' in output) return typeof output.content === 'string' ? output.content : Buffer.from(output.content).toString('utf8');
  if ('unchanged' in output) return options.readUnchanged?.(output.path);
  // A copied .html file (in a page bundle) is the writer's own; it is a target, not checked.
  return undefined;
}

/** `posts/a/index.html` → `posts/a/`; `404.html` → `404.html` (the folder part is what links resolve against). */
function pageDirOf(page: string): string {
  return page.endsWith('index.html') && (page === 'index.html' || page.endsWith('/index.html')) ? page.slice(0, -'index.html'.length) : page;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A source's text; its path is NFC, the name on disk may be NFD (written on macOS). */
function readSourceText(root: string, relative: string): string {
  try {
    return readFileSync(onDisk(root, relative), 'utf8');
  } catch {
    return '';
  }
}

function withFrame(frame: string | undefined): { frame?: string } {
  return frame ? { frame } : {};
}

/** Options of `checkBuild`. */
export interface CheckBuildOptions {
  /** Project root, to read the source posts that problems point into. */
  root: string;
  /** See `CheckOptions.outputLabel`. */
  outputLabel?: string;
  /** See `CheckOptions.readUnchanged`. */
  readUnchanged?(path: string): string | undefined;
}

/**
 * The link checker over one build, its sources taken from the collected site. Nothing to
 * check when the build failed: its outputs are incomplete, and every link into a post that
 * failed would be reported as broken.
 */
export function checkBuild(result: BuildResult, options: CheckBuildOptions): Problem[] {
  if (!result.site || result.stats.errors > 0) return [];
  return checkSite(result.outputs, {
    basePath: createUrls(result.site.config).basePath,
    sources: pageSources(result.site, options.root),
    ...(options.outputLabel !== undefined ? { outputLabel: options.outputLabel } : {}),
    ...(options.readUnchanged ? { readUnchanged: options.readUnchanged } : {}),
  });
}
