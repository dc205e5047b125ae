import type { VFile } from 'vfile';

/** 1-based line and column of a 0-based offset in a file's text, as unified counts them (UTF-16 units). */
export function placeAt(file: VFile, offset: number): { line: number; column: number } {
  const text = String(file.value ?? '');
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** The source text of a node, from its position; '' when it has none. */
export function sourceOf(file: VFile, node: { position?: { start: { offset?: number }; end: { offset?: number } } }): string {
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  return start === undefined || end === undefined ? '' : String(file.value ?? '').slice(start, end);
}
