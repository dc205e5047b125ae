import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RenderedMarkdown } from './types.js';

/**
 * A compiled post's HTML kept as UTF-8 bytes and decoded when it is read. The main thread
 * holds every post's body from compiling to rendering; as a string, Korean HTML takes two
 * bytes a character, 2.6 times its UTF-8 size (520 MB for 10,000 posts of the bench corpus).
 * Readers see `rendered.html` as ever: an enumerable getter, so spreading, JSON and
 * structured cloning give the string.
 */
export function compactHtml(rendered: RenderedMarkdown, bytes?: Uint8Array): RenderedMarkdown {
  // Already compact (a cached entry): kept as it is, not decoded and encoded again.
  if (!bytes && HTML_BYTES in rendered) return rendered;
  const utf8 = bytes ?? Buffer.from(rendered.html, 'utf8');
  return withHtmlFrom(rendered, () => utf8);
}

/** `rendered` with its HTML read through `read`, which gives the UTF-8 bytes. */
function withHtmlFrom(rendered: RenderedMarkdown, read: () => Uint8Array): RenderedMarkdown {
  const compact = { ...rendered };
  Object.defineProperty(compact, 'html', { get: () => decoder.decode(read()), enumerable: true, configurable: true });
  Object.defineProperty(compact, HTML_BYTES, { get: read, enumerable: false });
  return compact;
}

/**
 * A file of this process only where `geul build` puts each compiled post's HTML, so that the
 * bodies of 10,000 posts (300 MB) wait on disk, not in memory, until their pages render. The
 * file is unlinked as soon as it is opened: nothing else can change it, and it goes away with
 * the process however it ends.
 */
export interface HtmlSpool {
  /** The same result with its HTML in the spool, read back when it is needed. */
  keep(rendered: RenderedMarkdown): RenderedMarkdown;
  close(): void;
}

export function openHtmlSpool(dir = os.tmpdir()): HtmlSpool {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `.geul-html-${process.pid}-${Date.now().toString(36)}`);
  const fd = openSync(file, 'w+', 0o600);
  unlinkSync(file);
  let end = 0;
  return {
    keep(rendered) {
      const bytes = htmlBytes(rendered);
      const offset = end;
      const length = bytes.byteLength;
      for (let done = 0; done < length; ) done += writeSync(fd, bytes, done, length - done, offset + done);
      end += length;
      return withHtmlFrom(rendered, () => {
        const read = Buffer.allocUnsafe(length);
        for (let done = 0; done < length; ) {
          const got = readSync(fd, read, done, length - done, offset + done);
          if (got === 0) throw new Error('the HTML spool file ended early');
          done += got;
        }
        return read;
      });
    },
    close() {
      closeSync(fd);
    },
  };
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
