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
  return `${printablePath(problem.path)}:${problem.line}:${problem.column}: ${kind}${problem.message}`;
}

/**
 * A path as it can stand at the start of a one-line problem: a control character in a file
 * name (a newline, from a script's mistake) is written as its escape, so the line stays one
 * line that editors and CI annotations can read.
 */
function printablePath(file: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped
  return file.replace(/[\u0000-\u001f\u007f]/g, (char) => JSON.stringify(char).slice(1, -1));
}

/** Two lines of context before the place, the line itself and a caret under the column. */
export function codeFrame(text: string, line: number, column: number): string | undefined {
  if (!text) return undefined;
  const lines = text.split(/\r?\n/);
  if (line < 1 || line > lines.length) return undefined;
  const first = Math.max(1, line - 2);
  const width = String(line).length;
  const out: string[] = [];
  for (let n = first; n <= line; n++) {
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${lines[n - 1]}`);
  }
  out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, column - 1))}^`);
  return out.join('\n');
}

/** Put messages compiled elsewhere (a worker, the cache) back on their source file. */
export function replayMessages(file: VFile, messages: SerializedMessage[]): void {
  for (const serialized of messages) {
    const place = serialized.line !== undefined ? { line: serialized.line, column: serialized.column ?? 1 } : undefined;
    const message = file.message(serialized.reason, { place, ruleId: serialized.ruleId, source: serialized.source });
    message.fatal = serialized.fatal;
  }
}
