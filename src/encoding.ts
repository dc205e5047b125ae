import { placeAt } from './place.js';
import type { VFile } from 'vfile';

/**
 * Sources are read as UTF-8, and a byte UTF-8 does not allow becomes U+FFFD (�). A post
 * saved as CP949/EUC-KR (Korean Windows) or UTF-16 (Notepad's "Unicode") would otherwise be
 * published as rows of �, its title too, with no word of it. The text alone decides (a
 * post's compile result is a pure function of it). Text in another encoding garbles every
 * character outside ASCII, so it holds many; one alone may be meant (pasted from a PDF, or a
 * post about Unicode), so it is only a warning, which says how to write it.
 */
export function encodingProblem(file: VFile): { reason: string; line: number; column: number; fatal: boolean } | undefined {
  const text = String(file.value ?? '');
  const at = text.indexOf('\uFFFD');
  if (at === -1) return undefined;
  // FF FE or FE FF, UTF-16's byte order mark, then ASCII with a NUL beside every character.
  const utf16 = text.startsWith('\uFFFD\uFFFD') && text.includes('\0');
  const escape = String(file.path).endsWith('.toml') ? '"\\uFFFD"' : '&#xFFFD;';
  if (utf16) return { reason: 'this file is UTF-16 text: save it as UTF-8', fatal: true, ...placeAt(file, at) };
  const fatal = text.includes('\uFFFD', at + 1);
  const reason = fatal
    ? `this file is not UTF-8 text (CP949/EUC-KR?): save it as UTF-8 (a "\uFFFD" written on purpose: ${escape})`
    : `"\uFFFD" is what a character not in UTF-8 becomes: if this file was saved in another encoding (CP949/EUC-KR?), save it as UTF-8; written on purpose, write it ${escape}`;
  return { reason, fatal, ...placeAt(file, at) };
}
