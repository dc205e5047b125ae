/**
 * KaTeX writes to the console when a glyph has no font metrics ("No character metrics for
 * '😀' ..."), whatever its `strict` setting. The build reports such formulas itself, once each
 * and with their place (remarkMathLint), so those lines are only noise among the build's own
 * output. While any `quietKatex` call is running, console.warn drops them; everything else
 * passes. A depth count, not a saved function per call, so overlapping calls (several posts
 * compiled at once) always restore the original.
 */
const KATEX_NOISE = /^(?:No character metrics |LaTeX-incompatible input and strict mode)/;

let depth = 0;
let original: typeof console.warn | undefined;

/** Run `run` with KaTeX's glyph and strict-mode lines dropped from console.warn. */
export async function quietKatex<T>(run: () => Promise<T>): Promise<T> {
  if (depth++ === 0) {
    original = console.warn;
    const passOn = original;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && KATEX_NOISE.test(args[0])) return;
      passOn.apply(console, args);
    };
  }
  try {
    return await run();
  } finally {
    if (--depth === 0 && original) {
      console.warn = original;
      original = undefined;
    }
  }
}
