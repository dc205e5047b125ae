import { parse, TomlDate, TomlError } from 'smol-toml';
import type { VFile } from 'vfile';
import { parseDate } from './date.js';
import { addError } from './report.js';

/** Where a block of TOML starts inside its file, so that places point into the file. */
export interface TomlOrigin {
  /** 1-based line of the file on which the TOML text's first line stands. */
  line: number;
}

/**
 * Parse TOML text that stands in `file` at `origin`. A syntax error is recorded on the file
 * at its line and column in the file (smol-toml counts inside the TOML text) and gives
 * undefined.
 */
export function parseToml(
  text: string,
  file: VFile,
  origin: TomlOrigin = { line: 1 },
): Record<string, unknown> | undefined {
  try {
    const value = parse(text) as Record<string, unknown>;
    // smol-toml stops arrays and inline tables nested past MAX_DEPTH, but not dotted keys or
    // headers (`a.a.a.….b = 1`): 20,000 of them overflowed the stack in every later walk of
    // the value, and in site.toml killed the build with a stack trace.
    const top = deepKey(value);
    if (top !== undefined) {
      addError(file, `invalid TOML: tables nested more than ${MAX_DEPTH} deep`, keyPlace(text, [top], origin));
      return undefined;
    }
    return value;
  } catch (error) {
    if (error instanceof TomlError) {
      let reason = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document:\s*/i, '') || 'syntax error';
      // `title = "제목` left open: smol-toml meets the line's end inside the string and calls
      // it a control character, which sent writers looking for one that is not there.
      const at = text.split('\n')[error.line - 1]?.[error.column - 1];
      if (/control characters/.test(reason) && (at === undefined || at === '\r')) reason = 'string not closed on its line: end it with its quote (a string of several lines is written """…""")';
      addError(file, `invalid TOML: ${reason}`, {
        line: origin.line + error.line - 1,
        column: error.column,
      });
      return undefined;
    }
    throw error;
  }
}

/** How deep TOML values may nest: smol-toml's own limit for arrays and inline tables. */
const MAX_DEPTH = 1000;

/** The top-level key whose value nests tables or arrays deeper than MAX_DEPTH, if any; walked without recursion. */
function deepKey(value: Record<string, unknown>): string | undefined {
  for (const [key, inner] of Object.entries(value)) {
    let level: unknown[] = [inner];
    for (let depth = 1; level.length > 0; depth++) {
      if (depth > MAX_DEPTH) return key;
      level = level.flatMap((item) => (item && typeof item === 'object' && !(item instanceof TomlDate) ? Object.values(item) : []));
    }
  }
  return undefined;
}

/**
 * The place of a key in TOML text, so that a bad value is reported at its key: a top-level
 * key, or `table.key` written under a `[table]` header, as a dotted key (`table.key = 1`) or
 * inside an inline table (`table = { key = 1 }`). A table itself is at its header, or at the
 * first key that makes it (`table = {`, `table.key = 1`, `[table.inner]`). Numbers in
 * the path (array items) are not looked for: the key holding the array is the place. Falls
 * back to the origin when not found.
 */
export function keyPlace(
  text: string,
  keyPath: ReadonlyArray<string | number>,
  origin: TomlOrigin = { line: 1 },
): { line: number; column: number } {
  return findKeyPlace(text, keyPath, origin) ?? { line: origin.line, column: 1 };
}

/** keyPlace, or undefined when the key is not written in `text`. */
export function findKeyPlace(
  text: string,
  keyPath: ReadonlyArray<string | number>,
  origin: TomlOrigin = { line: 1 },
): { line: number; column: number } | undefined {
  const numberAt = keyPath.findIndex((part) => typeof part !== 'string');
  const wanted = (numberAt === -1 ? keyPath : keyPath.slice(0, numberAt)) as string[];
  if (wanted.length === 0) return undefined;
  const offset = findKey(text, wanted);
  if (offset === undefined) return undefined;
  const before = text.slice(0, offset);
  return { line: origin.line + before.split('\n').length - 1, column: offset - before.lastIndexOf('\n') };
}

/**
 * The text the value of `keyPath` is written as, when it is one bare token (a date, a
 * number), as `keyPlace` finds the key: quoted (`"date" = 2023-02-29`) or not. Undefined for
 * any other value, or a key not written in `text`.
 */
export function writtenToken(text: string, keyPath: ReadonlyArray<string>): string | undefined {
  const at = findKey(text, [...keyPath]);
  const key = at === undefined ? undefined : readKey(text, at);
  if (!key || text[key.end] !== '=') return undefined;
  BARE_TOKEN.lastIndex = skipBlanks(text, key.end + 1);
  return BARE_TOKEN.exec(text)?.[0].trimEnd();
}

/**
 * The given keys (and the keys of tables below them, as `params.since`) whose bare date names
 * no real day (`since = 2023-02-29`), with why: smol-toml reads it as the day after (March
 * 1st), which templates would then show as if it had been written so. A time of day alone is
 * not a date and passes; dates inside arrays are not looked for.
 */
export function impossibleDates(text: string, values: Record<string, unknown>, keys: Iterable<string>, table: string[] = []): { key: string[]; reason: string }[] {
  const found: { key: string[]; reason: string }[] = [];
  for (const name of keys) {
    const value = values[name];
    const key = [...table, name];
    if (value instanceof TomlDate) {
      const written = value.isTime() ? undefined : writtenToken(text, key);
      const parsed = written === undefined ? undefined : parseDate(written);
      if (typeof parsed === 'string') found.push({ key, reason: parsed });
    } else if (value && typeof value === 'object' && !Array.isArray(value)) {
      found.push(...impossibleDates(text, value as Record<string, unknown>, Object.keys(value), key));
    }
  }
  return found;
}

/** A bare TOML date, time or number: digits and the letters and signs they are written with. */
const BARE_TOKEN = /[0-9][0-9:.TtZz+\- ]*/y;

/** The offset of the key `wanted` (a header, a key line or a key of an inline table) in `text`. */
function findKey(text: string, wanted: string[]): number | undefined {
  let table: string[] = [];
  for (let at = 0; at < text.length; at = lineEnd(text, at) + 1) {
    while (text[at] === ' ' || text[at] === '\t') at++;
    if (text[at] === '[') {
      // `[table]` or `[[array.of.tables]]`: the keys below belong to it.
      const header = readKey(text, at + (text[at + 1] === '[' ? 2 : 1));
      if (!header) continue;
      table = header.path;
      if (samePath(table, wanted) || startsPath(wanted, table)) return at;
      continue;
    }
    const key = readKey(text, at);
    if (!key || text[key.end] !== '=') continue;
    const path = [...table, ...key.path];
    if (samePath(path, wanted) || startsPath(wanted, path)) return at;
    const value = skipBlanks(text, key.end + 1);
    if (text[value] === '{' && startsPath(path, wanted)) {
      const inner = findInInlineTable(text, value, path, wanted);
      if (inner !== undefined) return inner;
    }
    // A value may run over lines (an array, a multi-line string): its lines hold no keys.
    at = valueEnd(text, value, false);
  }
  return undefined;
}

/** The offset of `wanted` inside the inline table `{ ... }` opening at `open`, whose path is `path`. */
function findInInlineTable(text: string, open: number, path: string[], wanted: string[]): number | undefined {
  let at = open + 1;
  while (at < text.length) {
    at = skipBlanks(text, at, true);
    if (text[at] === ',') {
      at++;
      continue;
    }
    const key = readKey(text, at);
    if (!key || text[key.end] !== '=') return undefined;
    const inner = [...path, ...key.path];
    if (samePath(inner, wanted) || startsPath(wanted, inner)) return at;
    const value = skipBlanks(text, key.end + 1);
    if (text[value] === '{' && startsPath(inner, wanted)) {
      const found = findInInlineTable(text, value, inner, wanted);
      if (found !== undefined) return found;
    }
    at = valueEnd(text, value, true);
    if (text[at] !== ',') return undefined;
  }
  return undefined;
}

/** One part of a (dotted) key: bare, "basic" or 'literal'. */
const KEY_PART = /[ \t]*(?:([A-Za-z0-9_-]+)|"((?:[^"\\\n]|\\.)*)"|'([^'\n]*)')[ \t]*/y;

/** The dotted key starting at `from`: its parts, and where it ends (after the blanks that follow it). */
function readKey(text: string, from: number): { path: string[]; end: number } | undefined {
  const path: string[] = [];
  for (let at = from; ; at++) {
    KEY_PART.lastIndex = at;
    const part = KEY_PART.exec(text);
    if (!part) return undefined;
    path.push(part[1] ?? (part[2] === undefined ? part[3]! : unescapeKey(part[2])));
    at = KEY_PART.lastIndex;
    if (text[at] !== '.') return { path, end: at };
  }
}

function unescapeKey(quoted: string): string {
  try {
    return JSON.parse(`"${quoted}"`) as string;
  } catch {
    return quoted;
  }
}

/**
 * Where the value starting at `from` ends: at the line end, or in an inline table at the `,`
 * or `}` after it; strings, comments and brackets inside it are passed over.
 */
function valueEnd(text: string, from: number, inline: boolean): number {
  let depth = 0;
  for (let at = from; at < text.length; at++) {
    const char = text[at];
    if (char === '"' || char === "'") at = stringEnd(text, at) - 1;
    else if (char === '#') at = lineEnd(text, at) - 1;
    else if (char === '[' || char === '{') depth++;
    else if ((char === ']' || char === '}') && depth > 0) depth--;
    else if (depth === 0 && (inline ? char === ',' || char === '}' : char === '\n')) return at;
  }
  return text.length;
}

/** The offset just after the string that opens at `open` (basic, literal, or either multi-line). */
function stringEnd(text: string, open: number): number {
  const quote = text[open]!;
  const multiLine = text.startsWith(quote.repeat(3), open);
  const close = multiLine ? quote.repeat(3) : quote;
  for (let at = open + close.length; at < text.length; at++) {
    if (quote === '"' && text[at] === '\\') at++;
    else if (text.startsWith(close, at)) return at + close.length;
    else if (!multiLine && text[at] === '\n') return at;
  }
  return text.length;
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end === -1 ? text.length : end;
}

/** Past spaces and tabs; with `lines`, past line breaks and comments too. */
function skipBlanks(text: string, from: number, lines = false): number {
  let at = from;
  for (;;) {
    const char = text[at];
    if (char === ' ' || char === '\t' || (lines && (char === '\n' || char === '\r'))) at++;
    else if (lines && char === '#') at = lineEnd(text, at);
    else return at;
  }
}

function samePath(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((part, index) => part === b[index]);
}

/** `path` is a proper beginning of `wanted`. */
function startsPath(path: string[], wanted: string[]): boolean {
  return path.length < wanted.length && path.every((part, index) => part === wanted[index]);
}

/**
 * TOML values as plain data: a TOML date becomes the text it was written as. Templates see
 * the same values whether a post was just parsed or came from the cache or another thread,
 * and a date in site.toml as it is written, not as the machine's time zone prints it.
 */
export function plainData(value: unknown): unknown {
  // smol-toml adds `.000` to every datetime, written or not: a fraction of nothing is left out.
  if (value instanceof TomlDate) return value.toISOString().replace(/\.0+(?=Z|[+-]\d{2}:\d{2}$|$)/, '');
  if (Array.isArray(value)) return value.map(plainData);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plainData(inner)]));
  }
  return value;
}
