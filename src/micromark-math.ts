import { factorySpace } from 'micromark-factory-space';
import { markdownLineEnding, markdownSpace } from 'micromark-util-character';
import { codes, constants, types } from 'micromark-util-symbol';
import type { Code, Construct, Effects, Extension, State, Token, TokenizeContext } from 'micromark-util-types';
import { math } from 'micromark-extension-math';
import type { Processor } from 'unified';

/**
 * remark-math's syntax, amended where it parts from how writers and GitHub write math.
 *
 * Its `$$` block, closed also by `$$` at the end of its last line:
 *
 *     $$\begin{aligned}
 *     a &= b
 *     \end{aligned}$$
 *
 * is how Typora and Obsidian write a formula, and how Hugo's passthrough and KaTeX's
 * auto-render read it. micromark-extension-math closes a block only at a line of `$$`, so the
 * formula ran on over the paragraphs after it, up to the next such line, turning the text
 * between into TeX and the next formula inside out. This is its tokenizer (the same tokens,
 * so mdast-util-math builds the same `math` node) with one more way to close; a `$` escaped
 * by a backslash (`\$$`) does not close.
 */
const mathFlowClosingAtLineEnd: Construct = { name: 'mathFlow', tokenize: tokenizeMathFenced, concrete: true };

/**
 * Its inline `$…$`, where `\$` is a dollar sign in the formula (`$\sqrt{\$4}$`), as GitHub
 * documents and KaTeX's auto-render reads it; micromark-extension-math ended the formula at
 * that `$`, turning the rest of the paragraph inside out. `$a\$` with no `$` after it is no
 * formula, as remark-math's issue #11 asks. The original's resolver and `previous` check are kept.
 */
const originalMathText = math().text![codes.dollarSign] as Construct;
const mathTextWithEscapedDollar: Construct = { ...originalMathText, tokenize: tokenizeMathText };

const nonLazyContinuation: Construct = { tokenize: tokenizeNonLazyContinuation, partial: true };

function tokenizeMathFenced(this: TokenizeContext, effects: Effects, ok: State, nok: State): State {
  const tail = this.events[this.events.length - 1];
  // Set for the whole attempt when the block would interrupt a paragraph.
  const interrupt = this.interrupt;
  const initialSize = tail && tail[1].type === types.linePrefix ? tail[2].sliceSerialize(tail[1], true).length : 0;
  let sizeOpen = 0;
  // Backslashes just before the current character: an odd run escapes a `$`.
  let backslashes = 0;
  const closingAtLineEnd: Construct = { tokenize: tokenizeClosingAtLineEnd, partial: true };
  const closingFence: Construct = { tokenize: tokenizeClosingFence, partial: true };
  return start;

  function start(code: Code): State | undefined {
    effects.enter('mathFlow');
    effects.enter('mathFlowFence');
    effects.enter('mathFlowFenceSequence');
    return sequenceOpen(code);
  }

  function sequenceOpen(code: Code): State | undefined {
    if (code === codes.dollarSign) {
      effects.consume(code);
      sizeOpen++;
      return sequenceOpen;
    }
    if (sizeOpen < 2) return nok(code);
    effects.exit('mathFlowFenceSequence');
    return factorySpace(effects, metaBefore, types.whitespace)(code);
  }

  function metaBefore(code: Code): State | undefined {
    if (code === codes.eof || markdownLineEnding(code)) return metaAfter(code);
    effects.enter('mathFlowFenceMeta');
    // The formula's first line (src/remark-display-math.ts), TeX as written: not markdown
    // text, whose escapes and entities would make `\{a\} \\ b` the `{a} \ b` KaTeX was given.
    effects.enter(types.data);
    return meta(code);
  }

  function meta(code: Code): State | undefined {
    if (code === codes.eof || markdownLineEnding(code)) {
      effects.exit(types.data);
      effects.exit('mathFlowFenceMeta');
      return metaAfter(code);
    }
    // `$$ x $$` on one line is not a block (the paragraph's inline math shows it); an escaped
    // dollar (`$$ \$5 + x`) is TeX's, and the block goes on.
    if (code === codes.dollarSign && backslashes % 2 === 0) return nok(code);
    backslashes = code === codes.backslash ? backslashes + 1 : 0;
    effects.consume(code);
    return meta;
  }

  function metaAfter(code: Code): State | undefined {
    effects.exit('mathFlowFence');
    if (interrupt) return ok(code);
    return effects.attempt(nonLazyContinuation, beforeNonLazyContinuation, after)(code);
  }

  function beforeNonLazyContinuation(code: Code): State | undefined {
    return effects.attempt(closingFence, after, contentStart)(code);
  }

  function contentStart(code: Code): State | undefined {
    return (initialSize ? factorySpace(effects, beforeContentChunk, types.linePrefix, initialSize + 1) : beforeContentChunk)(code);
  }

  function beforeContentChunk(code: Code): State | undefined {
    if (code === codes.eof) return after(code);
    if (markdownLineEnding(code)) return effects.attempt(nonLazyContinuation, beforeNonLazyContinuation, after)(code);
    effects.enter('mathFlowValue');
    backslashes = 0;
    return contentChunk(code);
  }

  function contentChunk(code: Code): State | undefined {
    if (code === codes.eof || markdownLineEnding(code)) {
      effects.exit('mathFlowValue');
      return beforeContentChunk(code);
    }
    if (code === codes.dollarSign && backslashes % 2 === 0) return effects.check(closingAtLineEnd, closeAtLineEnd, consumeValue)(code);
    return consumeValue(code);
  }

  function consumeValue(code: Code): State | undefined {
    backslashes = code === codes.backslash ? backslashes + 1 : 0;
    effects.consume(code);
    return contentChunk;
  }

  function closeAtLineEnd(code: Code): State | undefined {
    effects.exit('mathFlowValue');
    effects.enter('mathFlowFence');
    effects.enter('mathFlowFenceSequence');
    return sequenceAtLineEnd(code);
  }

  function sequenceAtLineEnd(code: Code): State | undefined {
    if (code === codes.dollarSign) {
      effects.consume(code);
      return sequenceAtLineEnd;
    }
    effects.exit('mathFlowFenceSequence');
    return factorySpace(effects, fenceAtLineEndAfter, types.whitespace)(code);
  }

  function fenceAtLineEndAfter(code: Code): State | undefined {
    effects.exit('mathFlowFence');
    return after(code);
  }

  function after(code: Code): State | undefined {
    effects.exit('mathFlow');
    return ok(code);
  }

  /** `$$` (as many as opened, or more) then only spaces to the end of the line. */
  function tokenizeClosingAtLineEnd(this: TokenizeContext, effects: Effects, ok: State, nok: State): State {
    let size = 0;
    return sequence;

    function sequence(code: Code): State | undefined {
      if (code === codes.dollarSign) {
        size++;
        effects.consume(code);
        return sequence;
      }
      if (size < sizeOpen) return nok(code);
      return factorySpace(effects, end, types.whitespace)(code);
    }

    function end(code: Code): State | undefined {
      return code === codes.eof || markdownLineEnding(code) ? ok(code) : nok(code);
    }
  }

  /** A line of `$$`, as micromark-extension-math closes. */
  function tokenizeClosingFence(this: TokenizeContext, effects: Effects, ok: State, nok: State): State {
    let size = 0;
    const indentedCode = !this.parser.constructs.disable.null?.includes('codeIndented');
    return factorySpace(effects, beforeSequenceClose, types.linePrefix, indentedCode ? constants.tabSize : undefined);

    function beforeSequenceClose(code: Code): State | undefined {
      effects.enter('mathFlowFence');
      effects.enter('mathFlowFenceSequence');
      return sequenceClose(code);
    }

    function sequenceClose(code: Code): State | undefined {
      if (code === codes.dollarSign) {
        size++;
        effects.consume(code);
        return sequenceClose;
      }
      if (size < sizeOpen) return nok(code);
      effects.exit('mathFlowFenceSequence');
      return factorySpace(effects, afterSequenceClose, types.whitespace)(code);
    }

    function afterSequenceClose(code: Code): State | undefined {
      if (code === codes.eof || markdownLineEnding(code)) {
        effects.exit('mathFlowFence');
        return ok(code);
      }
      return nok(code);
    }
  }
}

function tokenizeNonLazyContinuation(this: TokenizeContext, effects: Effects, ok: State, nok: State): State {
  const lineStart = (code: Code): State | undefined => (this.parser.lazy[this.now().line] ? nok(code) : ok(code));
  return start;

  function start(code: Code): State | undefined {
    if (code === codes.eof) return ok(code);
    effects.enter(types.lineEnding);
    effects.consume(code);
    effects.exit(types.lineEnding);
    return lineStart;
  }
}

function tokenizeMathText(this: TokenizeContext, effects: Effects, ok: State, nok: State): State {
  let sizeOpen = 0;
  let size = 0;
  let sequence: Token | undefined;
  return start;

  function start(code: Code): State | undefined {
    effects.enter('mathText');
    effects.enter('mathTextSequence');
    return sequenceOpen(code);
  }

  function sequenceOpen(code: Code): State | undefined {
    if (code === codes.dollarSign) {
      effects.consume(code);
      sizeOpen++;
      return sequenceOpen;
    }
    effects.exit('mathTextSequence');
    return between(code);
  }

  function between(code: Code): State | undefined {
    if (code === codes.eof) return nok(code);
    if (code === codes.dollarSign) {
      sequence = effects.enter('mathTextSequence');
      size = 0;
      return sequenceClose(code);
    }
    if (code === codes.space) {
      effects.enter('space');
      effects.consume(code);
      effects.exit('space');
      return between;
    }
    if (markdownLineEnding(code)) {
      effects.enter(types.lineEnding);
      effects.consume(code);
      effects.exit(types.lineEnding);
      return between;
    }
    effects.enter('mathTextData');
    return data(code);
  }

  function data(code: Code): State | undefined {
    if (code === codes.eof || code === codes.space || code === codes.dollarSign || markdownLineEnding(code)) {
      effects.exit('mathTextData');
      return between(code);
    }
    effects.consume(code);
    return code === codes.backslash ? escaped : data;
  }

  /** After a backslash: `\$` and `\\` are TeX's, taken whole (so `\\$` still closes). */
  function escaped(code: Code): State | undefined {
    if (code === codes.dollarSign || code === codes.backslash) {
      effects.consume(code);
      return data;
    }
    return data(code);
  }

  function sequenceClose(code: Code): State | undefined {
    if (code === codes.dollarSign) {
      effects.consume(code);
      size++;
      return sequenceClose;
    }
    if (size === sizeOpen) {
      effects.exit('mathTextSequence');
      effects.exit('mathText');
      return ok(code);
    }
    sequence!.type = 'mathTextData';
    return data(code);
  }
}

/**
 * `\[ … \]` display math and `\( … \)` inline math: the delimiters of LaTeX, of KaTeX's
 * auto-render and of Hugo's math passthrough. CommonMark reads `\(` as an escaped `(`, so the
 * page showed `(x^2)` as text. These make the same tokens as `$$` and `$` (so the same `math`
 * and `inlineMath` nodes, numbered, checked, cached and indexed alike), never inside code.
 *
 * `\[` makes a display formula where it starts a line (alone, or with the formula after it:
 * `\[ x^2 \]`), closed by `\]` ending a line; in between a formula may run over several lines
 * but, as in LaTeX, over no blank line. Where no such `\]` comes first, or `\[` is in the middle
 * of a line, it stays the escaped bracket markdown writers type (`\[1\] Vaswani`, `논문 \[1\]`).
 * Inside `\(…\)` a backslash takes the character after it (`\\`, `\)` of `\left\)`… are TeX's).
 */
const mathFlowBracket: Construct = { name: 'mathFlowBracket', tokenize: tokenizeMathBracket, concrete: true };
const mathTextParenthesis: Construct = { name: 'mathTextParenthesis', tokenize: tokenizeMathParenthesis, resolve: originalMathText.resolve };

function tokenizeMathBracket(this: TokenizeContext, effects: Effects, ok: State, nok: State): State {
  // Asked whether it interrupts a paragraph, on a lazy line (after a list item or a quote, not
  // indented for it): see lineEnd.
  const lazyInterrupt = Boolean(this.interrupt && this.parser.lazy[this.now().line]);
  const tail = this.events[this.events.length - 1];
  const initialSize = tail && tail[1].type === types.linePrefix ? tail[2].sliceSerialize(tail[1], true).length : 0;
  // Backslashes just before the current character: an odd run escapes the next one.
  let backslashes = 0;
  // Whether the current line holds more than spaces: a blank line ends no formula, it undoes it.
  let filled = false;
  let inValue = false;
  const closingAtLineEnd: Construct = { tokenize: tokenizeClosing, partial: true };
  const closingLine: Construct = { tokenize: tokenizeClosingLine, partial: true };
  const bracketInside: Construct = { tokenize: tokenizeBracketInside, partial: true };
  return start;

  function start(code: Code): State | undefined {
    if (code !== codes.backslash) return nok(code);
    effects.enter('mathFlow');
    effects.enter('mathFlowFence');
    effects.enter('mathFlowFenceSequence');
    effects.consume(code);
    return bracket;
  }

  function bracket(code: Code): State | undefined {
    if (code !== codes.leftSquareBracket) return nok(code);
    effects.consume(code);
    effects.exit('mathFlowFenceSequence');
    return factorySpace(effects, afterOpening, types.whitespace);
  }

  function afterOpening(code: Code): State | undefined {
    effects.exit('mathFlowFence');
    if (code === codes.eof) return nok(code);
    if (markdownLineEnding(code)) return lineEnd(code);
    // The formula starts on the opening line: `\[ x^2`, or all of it, `\[ x^2 \]`.
    return chunk(code);
  }

  function lineEnd(code: Code): State | undefined {
    if (code === codes.eof) return nok(code);
    // Yes, from its first line, as `$$` answers: the lines after a lazy `\[` are lazy too
    // until the list or quote closes for it, and it closes only once the answer is in, so
    // looking on for the `\]` found none and the formula was left in the paragraph as text.
    if (lazyInterrupt) return ok(code);
    return effects.attempt(nonLazyContinuation, lineStart, nok)(code);
  }

  function lineStart(code: Code): State | undefined {
    filled = false;
    return effects.attempt(closingLine, after, contentStart)(code);
  }

  function contentStart(code: Code): State | undefined {
    return (initialSize ? factorySpace(effects, chunk, types.linePrefix, initialSize + 1) : chunk)(code);
  }

  function chunk(code: Code): State | undefined {
    if (code === codes.eof) return nok(code);
    if (markdownLineEnding(code)) {
      if (!filled) return nok(code);
      exitValue();
      return lineEnd(code);
    }
    if (code === codes.backslash && backslashes % 2 === 0) {
      // The formula ends at its first `\]`, as in LaTeX: one with text after it on its line
      // (`\[2\] Devlin, \[x\]`) ends no block; nor is a `\[` inside one (an error in LaTeX).
      return effects.check(closingAtLineEnd, closeAtLineEnd, effects.check(bracketInside, nok, consumeValue))(code);
    }
    return consumeValue(code);
  }

  function consumeValue(code: Code): State | undefined {
    if (!inValue) {
      effects.enter('mathFlowValue');
      inValue = true;
      backslashes = 0;
    }
    if (!markdownSpace(code)) filled = true;
    backslashes = code === codes.backslash ? backslashes + 1 : 0;
    effects.consume(code);
    return chunk;
  }

  function exitValue(): void {
    if (inValue) effects.exit('mathFlowValue');
    inValue = false;
  }

  function closeAtLineEnd(code: Code): State | undefined {
    // `\[ \]`, nothing in it, is no formula.
    if (!inValue && !filled) return nok(code);
    exitValue();
    return effects.attempt(closingAtLineEnd, after, nok)(code);
  }

  function after(code: Code): State | undefined {
    effects.exit('mathFlow');
    return ok(code);
  }

  /** `\]`, then only spaces to the end of the line. */
  function tokenizeClosing(this: TokenizeContext, effects: Effects, ok: State, nok: State): State {
    return start;

    function start(code: Code): State | undefined {
      if (code !== codes.backslash) return nok(code);
      effects.enter('mathFlowFence');
      effects.enter('mathFlowFenceSequence');
      effects.consume(code);
      return bracket;
    }

    function bracket(code: Code): State | undefined {
      if (code !== codes.rightSquareBracket) return nok(code);
      effects.consume(code);
      effects.exit('mathFlowFenceSequence');
      return factorySpace(effects, end, types.whitespace);
    }

    function end(code: Code): State | undefined {
      if (code !== codes.eof && !markdownLineEnding(code)) return nok(code);
      effects.exit('mathFlowFence');
      return ok(code);
    }
  }

  /** `\[` or `\]`. */
  function tokenizeBracketInside(this: TokenizeContext, effects: Effects, ok: State, nok: State): State {
    return (code: Code) => {
      if (code !== codes.backslash) return nok(code);
      effects.enter('mathFlowValue');
      effects.consume(code);
      return (next: Code) => {
        if (next !== codes.leftSquareBracket && next !== codes.rightSquareBracket) return nok(next);
        effects.consume(next);
        effects.exit('mathFlowValue');
        return ok;
      };
    };
  }

  /** A line of `\]`, indented less than indented code. */
  function tokenizeClosingLine(this: TokenizeContext, effects: Effects, ok: State, nok: State): State {
    const indentedCode = !this.parser.constructs.disable.null?.includes('codeIndented');
    return factorySpace(effects, (code: Code) => effects.attempt(closingAtLineEnd, ok, nok)(code), types.linePrefix, indentedCode ? constants.tabSize : undefined);
  }
}

function tokenizeMathParenthesis(this: TokenizeContext, effects: Effects, ok: State, nok: State): State {
  let filled = false;
  return start;

  function start(code: Code): State | undefined {
    if (code !== codes.backslash) return nok(code);
    effects.enter('mathText');
    effects.enter('mathTextSequence');
    effects.consume(code);
    return parenthesis;
  }

  function parenthesis(code: Code): State | undefined {
    if (code !== codes.leftParenthesis) return nok(code);
    effects.consume(code);
    effects.exit('mathTextSequence');
    return between;
  }

  function between(code: Code): State | undefined {
    if (code === codes.eof) return nok(code);
    if (code === codes.backslash) return effects.check(closingParenthesis, close, effects.check(openingParenthesis, nok, dataStart))(code);
    if (code === codes.space) {
      effects.enter('space');
      effects.consume(code);
      effects.exit('space');
      return between;
    }
    if (markdownLineEnding(code)) {
      effects.enter(types.lineEnding);
      effects.consume(code);
      effects.exit(types.lineEnding);
      return between;
    }
    return dataStart(code);
  }

  function dataStart(code: Code): State | undefined {
    effects.enter('mathTextData');
    filled = true;
    return data(code);
  }

  function data(code: Code): State | undefined {
    if (code === codes.eof || code === codes.space || markdownLineEnding(code)) {
      effects.exit('mathTextData');
      return between(code);
    }
    if (code === codes.backslash) return effects.check(closingParenthesis, dataEnd, effects.check(openingParenthesis, nok, escaped))(code);
    effects.consume(code);
    return data;
  }

  function dataEnd(code: Code): State | undefined {
    effects.exit('mathTextData');
    return close(code);
  }

  /** A backslash and the character after it, TeX's: `\\`, `\{`, `\left(`. */
  function escaped(code: Code): State | undefined {
    effects.consume(code);
    return (next: Code) => {
      if (next === codes.eof || next === codes.space || markdownLineEnding(next)) return data(next);
      effects.consume(next);
      return data;
    };
  }

  function close(code: Code): State | undefined {
    // `\(\)`, nothing in it, is no formula.
    if (!filled) return nok(code);
    effects.enter('mathTextSequence');
    effects.consume(code);
    return (next: Code) => {
      effects.consume(next);
      effects.exit('mathTextSequence');
      effects.exit('mathText');
      return ok;
    };
  }
}

/** `\)`; and `\(`, which inside a formula (an error in LaTeX) ends the search for it: many unclosed ones take no longer than one. */
const closingParenthesis = backslashAnd(codes.rightParenthesis);
const openingParenthesis = backslashAnd(codes.leftParenthesis);

function backslashAnd(char: Code): Construct {
  return {
    partial: true,
    tokenize(effects, ok, nok) {
      return (code: Code) => {
        if (code !== codes.backslash) return nok(code);
        effects.enter('mathTextSequence');
        effects.consume(code);
        return (next: Code) => {
          if (next !== char) return nok(next);
          effects.consume(next);
          effects.exit('mathTextSequence');
          return ok;
        };
      };
    },
  };
}

/** The remark plugin, used right after remark-math: its `$` constructs are replaced by these. */
export function remarkMathSyntax(this: Processor) {
  const remarkMath = this.data().micromarkExtensions?.find((extension: Extension) => isConstruct(extension.flow?.[codes.dollarSign], 'mathFlow'));
  if (!remarkMath?.flow || !isConstruct(remarkMath.text?.[codes.dollarSign], 'mathText')) throw new Error('remarkMathSyntax amends remark-math: use it right after');
  remarkMath.flow[codes.dollarSign] = mathFlowClosingAtLineEnd;
  remarkMath.text![codes.dollarSign] = mathTextWithEscapedDollar;
  // Tried before CommonMark's own backslash escape, which would make `\(` a `(`.
  remarkMath.flow[codes.backslash] = mathFlowBracket;
  remarkMath.text![codes.backslash] = mathTextParenthesis;
}

function isConstruct(construct: Construct | Construct[] | undefined, name: string): boolean {
  return construct !== undefined && !Array.isArray(construct) && construct.name === name;
}
