import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readAt } from './read-at.js';
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

/**
 * Every key of `rendered` but its HTML. Copied key by key: spreading a compact result would
 * call its getter and decode its HTML for nothing.
 */
export function withoutHtml(rendered: RenderedMarkdown): Omit<RenderedMarkdown, 'html'> {
  const rest: Record<string, unknown> = {};
  for (const name of Object.keys(rendered) as (keyof RenderedMarkdown)[]) if (name !== 'html') rest[name] = rendered[name];
  return rest as Omit<RenderedMarkdown, 'html'>;
}

/** `rendered` with its HTML read through `read`, which gives the UTF-8 bytes. */
function withHtmlFrom(rendered: RenderedMarkdown, read: () => Uint8Array): RenderedMarkdown {
  const compact = withoutHtml(rendered) as RenderedMarkdown;
  Object.defineProperty(compact, 'html', { get: () => decoder.decode(read()), enumerable: true, configurable: true });
  Object.defineProperty(compact, HTML_BYTES, { get: read, enumerable: false });
  return compact;
}

/**
 * `rendered` with its HTML left where it is on disk (a post cache entry), read through `read`
 * whenever a page needs it. A spool keeps such a result as it is: its bytes are on disk already.
 */
export function htmlOnDisk(rendered: RenderedMarkdown, read: () => Uint8Array): RenderedMarkdown {
  const lazy = withHtmlFrom(rendered, read);
  Object.defineProperty(lazy, ON_DISK, { value: true, enumerable: false });
  return lazy;
}

/** Whether `htmlOnDisk` made this result. */
export function isHtmlOnDisk(rendered: RenderedMarkdown): boolean {
  return ON_DISK in rendered;
}

const ON_DISK = Symbol('htmlOnDisk');

/**
 * Where `geul build` holds each compiled post's HTML until its pages render: the first
 * `memoryBytes` of it in memory, as compact bytes, and the rest in a file of this process
 * only, so that the bodies of 10,000 posts (300 MB) wait on disk, not in memory. A site of a
 * thousand posts fits in memory and never pays for writing and reading back its bodies. The
 * file is made on first need and unlinked as soon as it is opened: nothing else can change it,
 * and it goes away with the process however it ends.
 */
export interface HtmlSpool {
  /** The same result with its HTML held by the spool, read back when it is needed. */
  keep(rendered: RenderedMarkdown): RenderedMarkdown;
  close(): void;
}

/** How much HTML a spool holds in memory before it writes to its file. */
export const SPOOL_MEMORY_BYTES = 32 * 1024 * 1024;

export function openHtmlSpool(dir = os.tmpdir(), memoryBytes = SPOOL_MEMORY_BYTES): HtmlSpool {
  let fd: number | undefined;
  let end = 0;
  let inMemory = 0;
  const open = (): number => {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `.geul-html-${process.pid}-${Date.now().toString(36)}`);
    const opened = openSync(file, 'w+', 0o600);
    unlinkSync(file);
    return opened;
  };
  return {
    keep(rendered) {
      if (isHtmlOnDisk(rendered)) return rendered;
      const bytes = htmlBytes(rendered);
      const length = bytes.byteLength;
      if (inMemory + length <= memoryBytes) {
        inMemory += length;
        return compactHtml(rendered);
      }
      const file = (fd ??= open());
      const offset = end;
      for (let done = 0; done < length; ) done += writeSync(file, bytes, done, length - done, offset + done);
      end += length;
      return withHtmlFrom(rendered, () => {
        const read = Buffer.allocUnsafe(length);
        if (readAt(file, read, offset) < length) throw new Error('the HTML spool file ended early');
        return read;
      });
    },
    close() {
      if (fd !== undefined) closeSync(fd);
    },
  };
}

/** The UTF-8 bytes of a post's HTML, without decoding them when they are kept compact. */
export function htmlBytes(rendered: RenderedMarkdown): Uint8Array {
  return (rendered as { [HTML_BYTES]?: Uint8Array })[HTML_BYTES] ?? Buffer.from(rendered.html, 'utf8');
}

const HTML_BYTES = Symbol('htmlBytes');
const decoder = new TextDecoder();

/** A digest of a post's HTML, made once per compiled result (or given by `knownHtmlDigest`). */
export function htmlDigest(rendered: RenderedMarkdown): string {
  let digest = digests.get(rendered);
  if (digest === undefined) {
    digest = digestOfHtml(htmlBytes(rendered));
    digests.set(rendered, digest);
  }
  return digest;
}

/** The digest `htmlDigest` gives, of HTML as a string or as its UTF-8 bytes. */
export function digestOfHtml(html: string | Uint8Array): string {
  return createHash('sha256').update(html).digest('base64url');
}

/** Tell `htmlDigest` what it would find: made where the post compiled, or checked on reading. */
export function knownHtmlDigest(rendered: RenderedMarkdown, digest: string): void {
  digests.set(rendered, digest);
}

const digests = new WeakMap<RenderedMarkdown, string>();
