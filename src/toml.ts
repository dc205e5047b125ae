import { parse, TomlDate, TomlError } from 'smol-toml';
import type { VFile } from 'vfile';
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
    return parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document:\s*/i, '') || 'syntax error';
      addError(file, `invalid TOML: ${reason}`, {
        line: origin.line + error.line - 1,
        column: error.column,
      });
      return undefined;
    }
    throw error;
  }
}

/**
 * The place of `key = ...` in TOML text (a top-level key, or `table.key` inside `[table]`),
 * so that a bad value is reported at its key. Falls back to the origin when not found.
 */
export function keyPlace(
  text: string,
  keyPath: ReadonlyArray<string | number>,
  origin: TomlOrigin = { line: 1 },
): { line: number; column: number } {
  const [first, second] = keyPath;
  const lines = text.split(/\r?\n/);
  const wanted = typeof second === 'string' ? second : String(first);
  const table = typeof second === 'string' ? String(first) : undefined;
  let currentTable: string | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const header = /^\s*\[\s*([^\]]+?)\s*\]/.exec(line);
    if (header) {
      currentTable = header[1];
      continue;
    }
    if (currentTable !== table) continue;
    const key = new RegExp(`^(\\s*)(?:"${escapeRegExp(wanted)}"|'${escapeRegExp(wanted)}'|${escapeRegExp(wanted)})\\s*=`);
    const match = key.exec(line);
    if (match) return { line: origin.line + index, column: (match[1]?.length ?? 0) + 1 };
  }
  return { line: origin.line, column: 1 };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
