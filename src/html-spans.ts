/**
 * Where the `<span>` opening at `start` of an HTML string closes: the index just after its
 * matching `</span>`, or -1 when the spans do not balance. For KaTeX's output, which is spans
 * in spans and is cut out of pages as a string, far faster than by parsing it.
 */
export function spanEnd(html: string, start: number): number {
  const tags = /<span\b|<\/span>/g;
  tags.lastIndex = start;
  let depth = 0;
  for (let match = tags.exec(html); match; match = tags.exec(html)) {
    depth += match[0] === '</span>' ? -1 : 1;
    if (depth === 0) return tags.lastIndex;
  }
  return -1;
}
