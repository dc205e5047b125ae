import { eastAsianWidth } from 'get-east-asian-width';
import type { VFile } from 'vfile';
import type { VFileMessage } from 'vfile-message';
import type { SerializedMessage } from './compile.js';

/** A problem found in one file, with the place it concerns. */
export interface Problem {
  /** Path relative to the project root. */
  path: string;
  line: number;
  column: number;
  message: string;
  /** Errors stop the build; warnings are printed and the build goes on. */
  severity: 'error' | 'warning';
  /** Source text around the place, when known. */
  frame?: string;
}

/**
 * Record an error on the file it concerns. Errors are data: the build collects every one
 * and refuses to write `dist/` when any exists, rather than stopping at the first.
 */
export function addError(
  file: VFile,
  reason: string,
  place?: { line: number; column: number },
  ruleId = 'geul',
): VFileMessage {
  const message = file.message(reason, { place, ruleId, source: 'geul' });
  message.fatal = true;
  return message;
}

/** Record a warning: printed with its place, the build goes on. */
export function addWarning(
  file: VFile,
  reason: string,
  place?: { line: number; column: number },
  ruleId = 'geul',
): VFileMessage {
  const message = file.message(reason, { place, ruleId, source: 'geul' });
  message.fatal = false;
  return message;
}

/** Every message of the given files, as problems sorted by path, line and column. */
export function problemsOf(files: Iterable<VFile>): Problem[] {
  const problems: Problem[] = [];
  for (const file of files) {
    for (const message of file.messages) {
      problems.push(toProblem(file, message));
    }
  }
  return sortProblems(problems);
}

/** Sort problems the way a reader scans them: by file, then by place. */
export function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort(
    (a, b) =>
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

function toProblem(file: VFile, message: VFileMessage): Problem {
  const line = message.line ?? 1;
  const column = message.column ?? 1;
  const cause = message.cause instanceof Error ? `: ${firstLine(message.cause.message)}` : '';
  return {
    path: file.path,
    line,
    column,
    message: message.reason + cause,
    severity: message.fatal ? 'error' : 'warning',
    frame: codeFrame(String(file.value ?? ''), line, column),
  };
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

/** `path:line:col: message`, with `warning: ` before the message of a warning. */
export function formatProblem(problem: Problem): string {
  const kind = problem.severity === 'warning' ? 'warning: ' : '';
  return `${printable(problem.path)}:${problem.line}:${problem.column}: ${kind}${printable(problem.message)}`;
}

/**
 * Text as it can stand in a one-line problem: a control character in a file name (a newline,
 * from a script's mistake) or in a message quoting the writer's text (`date = "2024-01-01\n…"`,
 * an escape sequence that would recolour the terminal) is written as its escape, so the line
 * stays one line that editors and CI annotations can read.
 */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped
  return text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, (char) => ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Two lines of context before the place, the line itself and a caret under the column. */
export function codeFrame(text: string, line: number, column: number): string | undefined {
  if (!text) return undefined;
  const lines = text.split(/\r?\n/);
  if (line < 1 || line > lines.length) return undefined;
  const first = Math.max(1, line - 2);
  const width = String(line).length;
  // A long line is shown around the column; what is cut off is marked `…`.
  const from = Math.max(0, column - 1 - FRAME_BEFORE);
  const out: string[] = [];
  for (let n = first; n <= line; n++) {
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${shown(lines[n - 1]!, from)}`);
  }
  // The caret under the column on screen: Hangul and other wide characters take two cells of
  // a terminal (and of the overlay's monospace), so counting characters put it to their left.
  const before = shown(lines[line - 1]!, from).slice(0, Math.max(0, column - 1 - from) + (from > 0 ? 1 : 0));
  out.push(`  ${' '.repeat(width)} | ${' '.repeat(cellsOf(before))}^`);
  return out.join('\n');
}

/** How many terminal cells `text` takes: two for each wide (East Asian) character. */
function cellsOf(text: string): number {
  let cells = 0;
  for (const char of text) cells += eastAsianWidth(char.codePointAt(0)!);
  return cells;
}

/** Characters of a long line shown before the column, and in all. */
const FRAME_BEFORE = 60;
const FRAME_WIDTH = 160;

/**
 * A source line as a terminal may print it: control characters (an escape sequence that
 * would recolour or retitle the terminal, a NUL) as their visible pictures (␛, ␀), one
 * character each so the caret stays under its column, and at most FRAME_WIDTH characters.
 */
function shown(line: string, from: number): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is looked for
  const visible = line.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u0085\u2028\u2029]/g, (char) => (char === '\u007f' ? '\u2421' : char.charCodeAt(0) < 0x20 ? String.fromCharCode(0x2400 + char.charCodeAt(0)) : '\u2424'));
  const cut = visible.slice(from, from + FRAME_WIDTH);
  return `${from > 0 ? '…' : ''}${cut}${from + FRAME_WIDTH < visible.length ? '…' : ''}`;
}

/** Put messages compiled elsewhere (a worker, the cache) back on their source file. */
export function replayMessages(file: VFile, messages: SerializedMessage[]): void {
  for (const serialized of messages) {
    const place = serialized.line !== undefined ? { line: serialized.line, column: serialized.column ?? 1 } : undefined;
    const message = file.message(serialized.reason, { place, ruleId: serialized.ruleId, source: serialized.source });
    message.fatal = serialized.fatal;
  }
}
