import { parse, TomlDate } from 'smol-toml';
import * as z from 'zod';
import type { VFile } from 'vfile';
import { aliasPath } from './aliases.js';
import { parseDate } from './date.js';
import { paperSchema } from './paper.js';
import { addError, addWarning } from './report.js';
import { findKeyPlace, impossibleDates, keyPlace, parseToml, plainData, type TomlOrigin, writtenToken } from './toml.js';
import type { CalendarDate, FrontMatter, Paper } from './types.js';

/** The front matter block of a file: its TOML text and the line that text starts on. */
export interface FrontMatterBlock {
  toml: string;
  origin: TomlOrigin;
}

// Blank lines and spaces may stand before the opener, as Hugo's page lexer skips them: an
// editor's stray empty first line must not make a post "without front matter".
// A file of one `+++` line with no line end after it has opened a block too: it is not closed.
const OPENER = /^(\uFEFF?(?:[ \t]*\r?\n)*[ \t]*)\+\+\+([ \t]*)(\r?\n|$)/;
const CLOSER = /^\+\+\+[ \t]*$/m;
const LEADING_BLANKS = /^\uFEFF?\s*/;

/**
 * Find the `+++` block at the top of a markdown file. Records an error and gives undefined
 * when the file has none or never closes it.
 */
export function findFrontMatter(file: VFile): FrontMatterBlock | undefined {
  const text = String(file.value);
  const opener = OPENER.exec(text);
  if (!opener) {
    const blanks = LEADING_BLANKS.exec(text)![0];
    const start = text.slice(blanks.length);
    const reason = /^---\r?\n/.test(start)
      ? 'front matter must be TOML between "+++" lines (YAML "---" is not supported)'
      : /^\{\s*"/.test(start)
        ? 'front matter must be TOML between "+++" lines (JSON "{ ... }" is not supported)'
        : /^\+\+\+[ \t]*\r(?!\n)/.test(start)
          ? // Classic Mac OS line ends: TOML knows no line end but LF and CRLF, and the whole file read as one line.
            'lines end in a lone CR (old Mac line ends): save the file with LF or CRLF line ends'
          : 'missing front matter: start the file with a "+++" line, then title = "...", then "+++"';
    // At the first line with something on it: after blank lines, where the block should start.
    addError(file, reason, { line: start === '' ? 1 : lineCount(blanks.replace(/[ \t]+$/, '')), column: 1 });
    return undefined;
  }
  const rest = text.slice(opener[0].length);
  const closer = CLOSER.exec(rest);
  const openerLine = lineCount(opener[1]!);
  if (!closer) {
    addError(file, 'front matter is not closed: add a "+++" line after it', { line: openerLine, column: 1 });
    return undefined;
  }
  return { toml: rest.slice(0, closer.index).replace(/\r?\n$/, ''), origin: { line: openerLine + 1 } };
}

function lineCount(text: string): number {
  return text.split('\n').length;
}

/**
 * The text as the markdown parser is given it: the blank lines and spaces before the `+++`
 * block (which remark-frontmatter wants on the first line) moved to just after it, at the end
 * of its closing line. The text keeps its length and its line breaks where they were counted,
 * so every place in the body is the same as in the file. The text itself when nothing stands
 * before the block.
 */
export function frontMatterFirst(text: string): string {
  const opener = OPENER.exec(text);
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  if (!opener || opener[1] === bom) return text;
  const afterOpener = opener[0].length;
  const closer = CLOSER.exec(text.slice(afterOpener));
  if (!closer) return text;
  const closerEnd = afterOpener + closer.index + closer[0].length;
  const lineBreak = /^\r?\n/.exec(text.slice(closerEnd))?.[0] ?? '';
  const leading = opener[1]!.slice(bom.length);
  // The spaces before `+++` stay on one line: after the closer, where TOML's `+++   ` allows them.
  const indent = leading.slice(leading.lastIndexOf('\n') + 1);
  const blankLines = leading.slice(0, leading.length - indent.length);
  return `${bom}${text.slice(bom.length + leading.length, closerEnd)}${indent}${lineBreak}${blankLines}${text.slice(closerEnd + lineBreak.length)}`;
}

/**
 * How many lines the `+++` block at the top of `text` takes, its closing line included: 0
 * when there is no closed block (findFrontMatter reports that). The markdown starts after them.
 */
export function frontMatterLineCount(text: string): number {
  const opener = OPENER.exec(text);
  const closer = opener && CLOSER.exec(text.slice(opener[0].length));
  if (!opener || !closer) return 0;
  return text.slice(0, opener[0].length + closer.index).split('\n').length;
}

const stringList = z
  .union([z.string().transform((name) => [name]), z.array(z.string())], {
    error: 'expected a list of strings, e.g. ["NLP", "자연어 처리"]',
  })
  .default([]);

const knownFields = z.object({
  title: z.string({ error: (issue) => (issue.input === undefined ? 'title is required' : 'title must be a string') })
    .trim()
    .min(1, 'title must not be empty'),
  description: z.string().optional(),
  categories: stringList,
  tags: stringList,
  draft: z
    .boolean({
      // Hugo reads `draft = "false"` as false; a string here is most often that habit, and
      // "false" in quotes read as anything but false would publish a draft.
      error: (issue) =>
        typeof issue.input === 'string' && /^\s*(true|false)\s*$/i.test(issue.input)
          ? `draft must be written without quotes: draft = ${issue.input.trim().toLowerCase()}`
          : 'draft must be true or false, without quotes: draft = true',
    })
    .default(false),
  slug: z.string().optional(),
  author: z.string().optional(),
  date: z.unknown().optional(),
  lastmod: z.unknown().optional(),
  publishDate: z.unknown().optional(),
  expiryDate: z.unknown().optional(),
  series: z
    .union([z.string(), z.array(z.string()).length(1)], { error: 'series must be one name, e.g. series = "Transformer 다시 읽기"' })
    .transform((name) => (Array.isArray(name) ? name[0]! : name).normalize('NFC').trim())
    .optional(),
  aliases: z
    .union([z.string().transform((path) => [path]), z.array(z.string())], {
      error: 'expected a list of paths, e.g. aliases = ["/old/path/"]',
    })
    .optional(),
  paper: paperSchema.optional(),
});

type DateKey = 'date' | 'lastmod' | 'publishDate' | 'expiryDate';

const KNOWN_KEYS = new Set(Object.keys(knownFields.shape));
const KNOWN_BY_LOWER_CASE = new Map([...KNOWN_KEYS].map((key) => [key.toLowerCase(), key]));

/**
 * Validate the front matter of `file` into a typed FrontMatter; every problem is recorded at
 * its key. `requireDate` is set for posts (lists are ordered by date), not for pages.
 * Gives undefined when the front matter is unusable.
 */
export function readFrontMatter(file: VFile, requireDate: boolean): FrontMatter | undefined {
  const block = findFrontMatter(file);
  if (!block) return undefined;
  const raw = parseToml(block.toml, file, block.origin);
  if (!raw) return undefined;
  // Keys as written, for finding their place, by the known key they stand for.
  const writtenAs = new Map<string, string>();
  for (const key of Object.keys(raw)) {
    const known = KNOWN_BY_LOWER_CASE.get(key.toLowerCase());
    if (known === undefined || known === key) continue;
    if (raw[known] !== undefined || writtenAs.has(known)) {
      addError(file, `${key} and ${writtenAs.get(known) ?? known} are one key (front matter keys ignore letter case, as in Hugo): keep one`, keyPlace(block.toml, [key], block.origin));
      return undefined;
    }
    // Hugo reads `Draft`, `TITLE` or `publishdate` as the key they spell.
    raw[known] = raw[key];
    delete raw[key];
    writtenAs.set(known, key);
  }
  const asWritten = (key: ReadonlyArray<string | number>) => (typeof key[0] === 'string' && writtenAs.has(key[0]) ? [writtenAs.get(key[0])!, ...key.slice(1)] : key);
  const place = (key: ReadonlyArray<string | number>) => keyPlace(block.toml, asWritten(key), block.origin);

  const readDateField = (key: DateKey): CalendarDate | undefined => {
    if (raw[key] === undefined) return undefined;
    // A bare TOML date is checked as written: smol-toml turns 2023-02-29 into March 1st.
    const value = raw[key] instanceof TomlDate ? (writtenToken(block.toml, [writtenAs.get(key) ?? key]) ?? raw[key]) : raw[key];
    const parsed = parseDate(value);
    if (typeof parsed === 'string') {
      addError(file, `${key}: ${parsed}`, place([key]));
      return undefined;
    }
    return parsed;
  };
  const result = knownFields.safeParse(raw);
  if (!result.success) {
    // The dates are read apart from the schema: their problems are told in the same run.
    for (const key of ['date', 'lastmod', 'publishDate', 'expiryDate'] as const) readDateField(key);
    if (raw.date === undefined && requireDate) addError(file, 'date is required, e.g. date = "2024-01-01"', { line: 1, column: 1 });
    for (const issue of result.error.issues) {
      // An unknown key of a table is reported at that key: `paper.arXiv`.
      const unknown = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const extraKey of unknown) {
        const key = [...(issue.path.length > 0 ? issue.path : ['title']), ...(extraKey === undefined ? [] : [extraKey])] as (string | number)[];
        const name = key.filter((part) => typeof part === 'string').join('.');
        const parent = name.includes('.') ? `${name.slice(0, name.lastIndexOf('.'))}.` : '';
        // "title is required" inside [paper] reads "paper.title is required".
        const reason = issue.message.startsWith(name)
          ? issue.message
          : parent && issue.message.startsWith(`${name.slice(parent.length)} `)
            ? parent + issue.message
            : `${name}: ${issue.message}`;
        addError(file, reason, placeOfIssue(key));
      }
    }
    return undefined;
  }
  const fields = result.data;

  // A missing key has no place of its own: point at its table, or the front matter's opening line.
  function placeOfIssue(key: (string | number)[]): { line: number; column: number } {
    let value: unknown = raw;
    for (const part of key) value = value && typeof value === 'object' ? (value as Record<string | number, unknown>)[part] : undefined;
    if (value !== undefined) return place(key);
    if (key.length > 1) return findKeyPlace(block!.toml, asWritten(key).slice(0, -1), block!.origin) ?? { line: 1, column: 1 };
    return { line: 1, column: 1 };
  }

  const date = readDateField('date');
  const lastmod = readDateField('lastmod');
  const publishDate = readDateField('publishDate');
  const expiryDate = readDateField('expiryDate');
  if (raw.date === undefined && requireDate) {
    addError(file, 'date is required, e.g. date = "2024-01-01"', { line: 1, column: 1 });
  }
  const badDate = ([['date', date], ['lastmod', lastmod], ['publishDate', publishDate], ['expiryDate', expiryDate]] as const).some(
    ([key, parsed]) => raw[key] !== undefined && !parsed,
  );
  if (badDate || (requireDate && !date)) {
    return undefined;
  }
  // Kept keys reach templates: a date there is checked as written too (`updated = 2023-02-29`).
  const rolledOver = impossibleDates(block.toml, raw, Object.keys(raw).filter((key) => !KNOWN_KEYS.has(key)));
  for (const { key, reason } of rolledOver) addError(file, `${key.join('.')}: ${reason}`, place(key));
  if (rolledOver.length > 0) return undefined;

  // Aliases are checked as paths here; clashes with other pages are found by collect().
  const aliases: string[] = [];
  (fields.aliases ?? []).forEach((written, index) => {
    const resolved = aliasPath(written);
    if ('error' in resolved) addError(file, resolved.error, itemPlace(block.toml, writtenAs.get('aliases') ?? 'aliases', index, block.origin));
    else aliases.push(resolved.path);
  });
  if (aliases.length !== (fields.aliases ?? []).length) return undefined;

  // An empty name (`tags = ["NLP", ""]`, a tag left blank in a post copied from a template) names no term: left out, and said.
  const termNames = (key: 'categories' | 'tags'): string[] =>
    fields[key].flatMap((written, index) => {
      const name = plainText(written).trim();
      if (name) return [name];
      addWarning(file, `${key}: ${JSON.stringify(written)} is an empty name and is left out: remove it from the list`, itemPlace(block.toml, writtenAs.get(key) ?? key, index, block.origin));
      return [];
    });

  // Hugo's archetypes write `slug = ""`, which Hugo takes for no slug: the file name stands.
  const slug = fields.slug?.normalize('NFC').trim();
  if (slug === '') addWarning(file, 'slug is empty, so the file name is the slug, as in Hugo: remove the line or write a slug', place(['slug']));

  return {
    title: plainText(fields.title),
    date,
    lastmod,
    description: fields.description === undefined ? undefined : plainText(fields.description),
    categories: termNames('categories'),
    tags: termNames('tags'),
    draft: fields.draft,
    slug: slug || undefined,
    author: fields.author === undefined ? undefined : plainText(fields.author),
    ...(publishDate ? { publishDate } : {}),
    ...(expiryDate ? { expiryDate } : {}),
    ...(fields.series ? { series: plainText(fields.series) } : {}),
    ...(fields.aliases ? { aliases } : {}),
    ...(fields.paper ? { paper: plainData(fields.paper) as Paper } : {}),
    extra: plainData(Object.fromEntries(Object.entries(raw).filter(([key]) => !KNOWN_KEYS.has(key)))) as Record<string, unknown>,
  };
}

/**
 * A name or sentence of the front matter as pages show it: NFC, as names and slugs are (text
 * pasted from a macOS file name comes decomposed, NFD, which search, sorting and comparisons
 * would take for other words), and without control characters (a NUL or an escape written as
 * `\u0000` in TOML would reach the HTML raw). Tabs and line breaks stay.
 */
function plainText(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  return text.normalize('NFC').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, '');
}

/** The place of a front-matter key in the file, for checks made after reading. */
export function frontMatterKeyPlace(file: VFile, key: string): { line: number; column: number } {
  const block = findFrontMatter(file);
  return block ? keyPlace(block.toml, [writtenKey(block.toml, key)], block.origin) : { line: 1, column: 1 };
}

/** A known key as the file spells it (`Categories` for `categories`, read whatever its case), or the key itself. */
function writtenKey(toml: string, key: string): string {
  if (findKeyPlace(toml, [key])) return key;
  try {
    return Object.keys(parse(toml)).find((written) => written.toLowerCase() === key.toLowerCase()) ?? key;
  } catch {
    return key;
  }
}

/**
 * The place of the `index`-th string of a front-matter array (`aliases = ["/a/", "/b/"]`),
 * for problems that concern one item; the key's place when it cannot be found.
 */
export function frontMatterItemPlace(file: VFile, key: string, index: number): { line: number; column: number } {
  const block = findFrontMatter(file);
  return block ? itemPlace(block.toml, key, index, block.origin) : { line: 1, column: 1 };
}

function itemPlace(toml: string, key: string, index: number, origin: TomlOrigin): { line: number; column: number } {
  const keyAt = keyPlace(toml, [key], origin);
  const lines = toml.split(/\r?\n/);
  const first = keyAt.line - origin.line;
  let seen = 0;
  for (let line = first; line < lines.length; line++) {
    const text = lines[line] ?? '';
    // The next key or table header: the array ended without that many strings.
    if (line > first && /^\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')\s*=|^\s*\[[^\]"']*\]\s*$/.test(text)) break;
    const token = /"(?:[^"\\]|\\.)*"|'[^']*'|#/g;
    token.lastIndex = line === first ? text.indexOf('=') + 1 : 0;
    for (let match = token.exec(text); match; match = token.exec(text)) {
      if (match[0] === '#') break;
      if (seen++ === index) return { line: origin.line + line, column: match.index + 1 };
    }
  }
  return keyAt;
}
