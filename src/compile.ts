import { digestOfHtml } from './compact-html.js';
import { fragmentStore } from './fragments.js';
import { VFile } from 'vfile';
import type { Processor } from 'unified';
import { readPost } from './post.js';
import type { ParsedPost } from './types.js';

/** One source file to compile. */
export interface CompileInput {
  /** Path relative to the project root, NFC. */
  sourcePath: string;
  text: string;
  kind: ParsedPost['kind'];
}

/** A problem found while compiling, as plain data that crosses threads and the cache. */
export interface SerializedMessage {
  reason: string;
  line?: number;
  column?: number;
  fatal: boolean;
  ruleId?: string;
  source?: string;
}

/** The state of a file a result depends on: `size:mtime`, or `missing`. */
export interface FileStamp {
  /** Path relative to the project root. */
  path: string;
  stamp: string;
}

/** Everything compiling one file gives: a pure function of the input, the settings and `dependencies`. */
export interface CompiledPost {
  /** Undefined when the file is unusable or a draft this build leaves out. */
  post?: ParsedPost;
  /** The file is a draft: whether it compiled depends on the build's `drafts`, which the cache key leaves out. */
  draft?: true;
  /** A draft whose markdown was left out (a build without drafts): a build with them compiles it. */
  draftLeftOut?: true;
  /**
   * `htmlDigest` of the post's HTML, made where it compiled (a worker): the main thread keys
   * pages and search parts by it, and checks a cache entry's HTML against it, without
   * hashing every body again.
   */
  htmlDigest?: string;
  messages: SerializedMessage[];
  /** Files (images) whose state the result depends on; a cached result is reused only while they are unchanged. */
  dependencies: FileStamp[];
}

/**
 * Front matter and markdown of one file, as data. Runs in the main thread or in a worker;
 * its result can be cached by a hash of the input and the settings.
 */
export async function compile(
  input: CompileInput,
  processor: Processor<any, any, any, any, string>,
  includeDrafts: boolean,
): Promise<CompiledPost> {
  const file = new VFile({ path: input.sourcePath, value: input.text });
  let post: ParsedPost | undefined;
  try {
    post = await readPost(file, input.kind, processor, includeDrafts);
  } catch (error) {
    // The markdown libraries recurse per nesting level: a list or quote nested thousands
    // deep overflows the stack. That is a problem of this post, not a crash of the build.
    if (!(error instanceof RangeError)) throw error;
    const message = file.message(`cannot build this post: ${error.message} (nesting too deep?)`, { place: { line: 1, column: 1 }, source: 'geul' });
    message.fatal = true;
  } finally {
    // The formulas and code blocks this post made, kept for every later build.
    fragmentStore()?.flush();
  }
  return {
    post,
    messages: file.messages.map((message) => ({
      reason: message.reason + (message.cause instanceof Error ? `: ${message.cause.message.split('\n')[0]}` : ''),
      line: message.line,
      column: message.column,
      fatal: message.fatal === true,
      ruleId: message.ruleId,
      source: message.source,
    })),
    dependencies: file.data.dependencies ?? [],
    ...(file.data.draft ? { draft: true as const } : {}),
    ...(file.data.draftLeftOut ? { draftLeftOut: true as const } : {}),
    ...(post ? { htmlDigest: digestOfHtml(post.rendered.html) } : {}),
  };
}
