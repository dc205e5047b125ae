import { createHash } from 'node:crypto';
import type { RenderedMarkdown } from './types.js';

/**
 * A compiled post's HTML kept as UTF-8 bytes and decoded when it is read. The main thread
 * holds every post's body from compiling to rendering; as a string, Korean HTML takes two
 * bytes a character, 2.6 times its UTF-8 size (520 MB for 10,000 posts of the bench corpus).
 * Readers see `rendered.html` as ever: an enumerable getter, so spreading, JSON and
 * structured cloning give the string.
 */
export function compactHtml(rendered: RenderedMarkdown, bytes?: Uint8Array): RenderedMarkdown {
  const utf8 = bytes ?? Buffer.from(rendered.html, 'utf8');
  const compact = { ...rendered };
  Object.defineProperty(compact, 'html', { get: () => decoder.decode(utf8), enumerable: true, configurable: true });
  Object.defineProperty(compact, HTML_BYTES, { value: utf8, enumerable: false });
  return compact;
}

/** The UTF-8 bytes of a post's HTML, without decoding them when they are kept compact. */
export function htmlBytes(rendered: RenderedMarkdown): Uint8Array {
  return (rendered as { [HTML_BYTES]?: Uint8Array })[HTML_BYTES] ?? Buffer.from(rendered.html, 'utf8');
}

/** Whether a post's HTML holds `text`, searched in its bytes. */
export function htmlIncludes(rendered: RenderedMarkdown, text: string): boolean {
  const bytes = htmlBytes(rendered);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(text);
}

const HTML_BYTES = Symbol('htmlBytes');
const decoder = new TextDecoder();

/** A digest of a post's HTML, made once per compiled result. */
export function htmlDigest(rendered: RenderedMarkdown): string {
  let digest = digests.get(rendered);
  if (digest === undefined) {
    digest = createHash('sha256').update(htmlBytes(rendered)).digest('base64url');
    digests.set(rendered, digest);
  }
  return digest;
}

const digests = new WeakMap<RenderedMarkdown, string>();
