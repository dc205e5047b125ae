import type { Element, ElementContent } from 'hast';
import type { Nodes, Paragraph } from 'mdast';
// remark-math's types add `math` and `inlineMath` to mdast's node types.
import type {} from 'remark-math';

declare module 'mdast-util-math' {
  interface MathData {
    /** The TeX as the writer wrote it, kept by setTex when a step first rewrites it. */
    writtenTex?: string;
  }
  interface InlineMathData {
    /** The TeX as the writer wrote it, kept by setTex when a step first rewrites it. */
    writtenTex?: string;
  }
}

/** A display formula (`$$` lines) in mdast. */
export type Math = Extract<Nodes, { type: 'math' }>;
/** An inline formula (`$...$`) in mdast. */
export type InlineMath = Extract<Nodes, { type: 'inlineMath' }>;

/**
 * remark-math keeps a formula's TeX twice: in `value`, and in the hast children it prepared
 * for remark-rehype (`data.hChildren`), which is what KaTeX finally renders. A step that
 * rewrites TeX must change both. The TeX as written is kept (`writtenTex`) for what shows a
 * formula as text, such as summaries: `\tag{1}` and `\href{#eq-loss}{...}` are geul's, not the writer's.
 */
export function setTex(node: Math | InlineMath, tex: string): void {
  const writtenTex = writtenTexOf(node);
  node.value = tex;
  const text: ElementContent = { type: 'text', value: tex };
  // The TeX as written rides along to the HTML tree, for what reads a formula as text there
  // (a heading's TOC entry and link label); KaTeX's output replaces the element, attribute and all.
  const written = writtenTex === tex ? {} : { dataWrittenTex: writtenTex };
  if (node.type === 'math') {
    const code: Element = { type: 'element', tagName: 'code', properties: { className: ['language-math', 'math-display'], ...written }, children: [text] };
    node.data = { ...node.data, writtenTex, hName: 'pre', hChildren: [code] };
  } else {
    node.data = { ...node.data, writtenTex, hName: 'code', hProperties: { className: ['language-math', 'math-inline'], ...written }, hChildren: [text] };
  }
}

/** A formula's TeX as the writer wrote it, whatever later steps made of its `value`. */
export function writtenTexOf(node: Math | InlineMath): string {
  return node.data?.writtenTex ?? node.value;
}

/** A display formula made from a paragraph holding only `$$…$$`, shaped as remark-math shapes its own. */
export function displayMathFrom(paragraph: Paragraph, tex: string): Math {
  const node: Math = { type: 'math', value: tex, meta: null, position: paragraph.position };
  setTex(node, tex);
  return node;
}
