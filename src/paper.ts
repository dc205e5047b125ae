import * as z from 'zod';
import type { Paper } from './types.js';

const KEYS = ['title', 'authors', 'year', 'venue', 'arxiv', 'doi', 'url'] as const;

/** New-style (`2108.07258`, `2108.07258v2`) and old-style (`cs/0112017`, `math.GT/0309136`) arXiv ids. */
const ARXIV_ID = /^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?\/\d{7})(?:v\d+)?$/;
const DOI = /^10\.\d{4,9}\/\S+$/;

/** Front matter `[paper]`: what a review is about. Unknown keys are refused, so a typo (`arXiv`) is caught. */
export const paperSchema = z.strictObject(
  {
    title: z
      .string({ error: (issue) => (issue.input === undefined ? 'title is required' : 'title must be a string') })
      .trim()
      .min(1, 'title must not be empty'),
    authors: z
      .union([z.string().transform(splitAuthors), z.array(z.string())], {
        error: 'expected a list of names, e.g. ["Rishi Bommasani", "Percy Liang"]',
      })
      .transform((names) => names.flatMap((name) => splitEtAl(name.normalize('NFC').trim())).filter(Boolean))
      .default([]),
    year: z
      .number({ error: 'expected a year as a number, e.g. 2021' })
      .int('expected a whole year, e.g. 2021')
      .min(1000, 'expected a four-digit year')
      .max(9999, 'expected a four-digit year')
      .optional(),
    // Left empty (`venue = ""`, a template's blank) it is absent, as an empty author is:
    // else the BibTeX got `journal = {}`, and an arXiv preprint lost its arXiv journal.
    venue: z
      .string()
      .trim()
      .transform((venue) => venue || undefined)
      .optional(),
    arxiv: z
      .string()
      .trim()
      .transform(arxivId)
      .refine((id) => ARXIV_ID.test(id), { message: 'expected an arXiv id like "2108.07258"' })
      .optional(),
    doi: z
      .string()
      .trim()
      .transform(doiOf)
      .refine((doi) => DOI.test(doi), { message: 'expected a DOI like "10.48550/arXiv.2108.07258"' })
      .optional(),
    url: z
      .string()
      .trim()
      .refine((url) => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol), {
        message: 'expected an http(s) URL',
      })
      .optional(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown key; expected one of ${KEYS.join(', ')}` : 'expected a table: [paper] with title = "..."') },
);

/**
 * Authors written as one string, split into names. With BibTeX's ` and ` between names
 * (`Jacob Devlin and Ming-Wei Chang`, `Devlin, Jacob and Chang, Ming-Wei`) each part is a name,
 * `Last, First` or not; else commas separate names (`Ashish Vaswani, Noam Shazeer, and Niki
 * Parmar`, as a paper's byline or arXiv lists them: ` and ` before the last name, a comma in
 * some of the parts but not all, is this form too). A single `Last, First` name goes in a list.
 */
function splitAuthors(text: string): string[] {
  const parts = text.split(/\s+and\s+/);
  const named = parts.filter((part) => !isEtAl(part));
  const bibtexForm = parts.length > 1 && (named.every((part) => part.includes(',')) || named.every((part) => !/[,，、]/.test(part)));
  return (bibtexForm ? parts : parts.flatMap((part) => part.split(/[,，、]/))).map((name) => name.trim()).filter(Boolean);
}

/**
 * An arXiv id as writers paste it: `arXiv:2108.07258` (`arXiv: 2108.07258 [cs.LG]`), or the URL of its abstract or PDF
 * (`https://arxiv.org/abs/2108.07258`, `arxiv.org/pdf/2108.07258v2.pdf`, `export.arxiv.org`),
 * as `doi` takes its resolver URL. Anything else is left for the id check to refuse.
 */
function arxivId(written: string): string {
  const url = /^(?:https?:\/\/)?(?:www\.|export\.)?arxiv\.org\/(?:abs|pdf)\/([^?#]+?)(?:\.pdf)?\/?(?:[?#].*)?$/i.exec(written);
  // arXiv's own citation line adds the primary category: `arXiv:2108.07258 [cs.LG]`.
  return url ? url[1]! : written.replace(/^arxiv:\s*/i, '').replace(/\s*\[[a-z-]+(?:\.[A-Za-z-]+)?\]$/, '');
}

/**
 * A DOI as the path of its resolver URL. DOIs may hold `#`, `?` and `%` (old Wiley SICI DOIs
 * end in `;2-#`), which in a URL would start a fragment or a query or an escape: the DOI
 * Handbook asks for them percent-encoded, with `"`, `<`, `>`, spaces and the like.
 */
function doiPath(doi: string): string {
  return doi.replace(/[%#?"<>\s{}^`|\\]/g, (char) => encodeURIComponent(char));
}

/**
 * A DOI as writers paste it: bare, `doi:10.1000/x` (`DOI: 10.1000/x`, as papers print it), or its
 * resolver URL (`https://doi.org/…`, `dx.doi.org`, `www.doi.org`, or with no scheme), decoded.
 */
function doiOf(written: string): string {
  const resolver = /^(?:https?:\/\/)?(?:dx\.|www\.)?doi\.org\//i;
  if (resolver.test(written)) return decodedUrlPath(written).replace(resolver, '');
  return written.replace(/^doi:\s*/i, '');
}

/** A DOI given as its resolver URL (`https://doi.org/10.1002/...%23`) means the DOI decoded. */
function decodedUrlPath(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}

/** Links of a paper: its arXiv abstract page and its DOI resolver page. */
export function paperLinks(paper: Paper): { arxiv?: string; doi?: string } {
  return {
    arxiv: paper.arxiv ? `https://arxiv.org/abs/${paper.arxiv}` : undefined,
    doi: paper.doi ? `https://doi.org/${doiPath(paper.doi)}` : undefined,
  };
}

/** Words Google Scholar skips when it takes the first word of a title for a citation key. */
const STOP_WORDS = new Set(['a', 'an', 'the', 'on', 'of', 'in', 'for', 'to', 'and', 'with', 'at', 'by', 'from', 'towards', 'toward', 'is', 'are']);

/** A name written in Hangul syllables, in one word or several. */
const HANGUL_NAME = /^[\uac00-\ud7a3]+(?:\s+[\uac00-\ud7a3]+)*$/;

/**
 * The last (family) name of an author as written: "Rishi Bommasani" and "Bommasani, Rishi"
 * give "Bommasani". A Korean name starts with it: "김철수" gives "김", and a family name of two
 * syllables is told by a space, "남궁 민수" gives "남궁".
 */
export function lastName(author: string): string {
  const name = author.trim();
  if (name.includes(',')) return name.split(',')[0]!.trim();
  if (HANGUL_NAME.test(name)) return name.includes(' ') ? name.split(/\s+/)[0]! : name.slice(0, 1);
  return name.split(/\s+/).at(-1) ?? name;
}

/**
 * An author's name as a reader reads it in a list: `Last, First` (BibTeX's form, which the
 * list would read as two people: "Devlin, Jacob, Chang, Ming-Wei") turned to `Jacob Devlin`,
 * `Last, Jr., First` to `First Last Jr.`; a Hangul name keeps its family name first (`남궁, 민수`
 * → `남궁 민수`); `others` and `et al.` read `et al.`.
 */
export function displayName(author: string): string {
  // "et al." and Korean "외" are shown as written; BibTeX's "others" as "et al.".
  if (isEtAl(author)) return /^others$/i.test(author.trim()) ? 'et al.' : author.trim();
  const parts = author.split(',').map((part) => part.trim());
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => !part)) return author.trim();
  const [last, second, third] = parts as [string, string, string | undefined];
  if (HANGUL_NAME.test(last) && HANGUL_NAME.test(second) && third === undefined) return `${last} ${second}`;
  return third === undefined ? `${second} ${last}` : `${third} ${last} ${second}`;
}

/**
 * What a BibTeX key may safely hold, lower-cased: ASCII letters and digits, accents dropped
 * (Ü → u), and Hangul syllables (biber and today's BibTeX read keys as UTF-8).
 */
function keyPart(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    // NFKD takes Hangul syllables apart into jamo: put them together again.
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^a-z0-9\uac00-\ud7a3]/g, '');
}

/**
 * A citation key as Google Scholar makes it: first author's last name, year, first
 * significant word of the title: `bommasani2021opportunities`, `김2023한국어`. Other
 * scripts are left out; `paper` when nothing is left.
 */
export function citationKey(paper: Paper): string {
  const first = paper.authors.find((author) => !isEtAl(author));
  const word = paper.title.split(/[\s\-–—:]+/).map(keyPart).find((part) => part && !STOP_WORDS.has(part)) ?? '';
  return `${first ? keyPart(lastName(first)) : ''}${paper.year ?? ''}${word}` || 'paper';
}

/** "et al.", BibTeX's "others", and Korean 외 / 외 N명 / 등 ("김철수, 이영희 외"). */
const ET_AL = /^(?:et\.? al\.?|others|외(?:\s*\d+\s*[인명])?|등)$/i;

function isEtAl(author: string): boolean {
  return ET_AL.test(author.trim());
}

/** "et al." or Korean "외" after the last name, "Ashish Vaswani et al.", "이영희 외 3명": a name and "et al.". */
function splitEtAl(name: string): string[] {
  const found = /^(.*[^\s,])[\s,]+(et\.? al\.?|외(?:\s*\d+\s*[인명])?|등)$/i.exec(name);
  return found ? [found[1]!, found[2]!] : [name];
}

/**
 * An author as BibTeX should read it. BibTeX takes the last word of `First Last` for the family
 * name, so a Korean name written with a space (`남궁 민수`, family name first) is written
 * `남궁, 민수`: styles then sort and abbreviate by 남궁, as the citation key does.
 */
function bibtexName(author: string): string {
  const name = author.trim();
  if (!HANGUL_NAME.test(name) || !name.includes(' ')) return name;
  const family = lastName(name);
  return `${family}, ${name.slice(family.length).trim()}`;
}

/** Text inside a BibTeX `{...}` value: TeX specials escaped, so braces always balance. */
export function bibtexText(text: string): string {
  return text.replace(/[\\{}%&#$_~^]/g, (char) => {
    switch (char) {
      case '\\':
        return '\\textbackslash{}';
      case '~':
        return '\\textasciitilde{}';
      case '^':
        return '\\textasciicircum{}';
      default:
        return `\\${char}`;
    }
  });
}

/** A URL or DOI inside a BibTeX value: braces and spaces percent-encoded, nothing else touched. */
function bibtexUrl(url: string): string {
  return url.replace(/[{}\s\\]/g, (char) => encodeURIComponent(char));
}

/** Venues that are conferences or workshops: their papers are `@inproceedings`. */
const PROCEEDINGS = /\b(?:conference|proceedings|workshop|symposium|neurips|nips|icml|iclr|acl|emnlp|naacl|eacl|coling|cvpr|iccv|eccv|aaai|ijcai|kdd|sigir|www|interspeech|icassp|colm|uai|aistats|corl)\b/i;

/** Korean conferences: 학술대회, 학술발표(논문집), 워크숍, 심포지엄, 콘퍼런스 (no `\b` around Hangul). */
const KOREAN_PROCEEDINGS = /학술\s*대회|학술\s*발표|워크[숍샵]|심포지엄|[컨콘]퍼런스/;

/**
 * Journals whose names would pass for conferences: those named journal, transactions or
 * letters (`ACM Transactions on …`), and the journals called "Proceedings of …" (PNAS, the
 * IEEE's, the Royal Society's, PVLDB, PACM), and Korean 논문지 / 학회지 / 저널.
 */
const JOURNAL = /\b(?:journal|transactions|letters|pnas|pvldb)\b|\bproceedings of the (?:national academy|ieee\b|royal society|vldb endowment|acm on)|논문지|학회지|저널/i;

/**
 * A BibTeX entry for the paper: `@inproceedings` for a conference venue, else `@article`
 * (an arXiv preprint's journal is "arXiv preprint arXiv:<id>", as Google Scholar writes it),
 * or `@misc` when there is no venue at all.
 */
export function bibtex(paper: Paper): string {
  const inProceedings = paper.venue !== undefined && !JOURNAL.test(paper.venue) && (PROCEEDINGS.test(paper.venue) || KOREAN_PROCEEDINGS.test(paper.venue));
  const journal = paper.venue ?? (paper.arxiv ? `arXiv preprint arXiv:${paper.arxiv}` : undefined);
  const type = inProceedings ? 'inproceedings' : journal ? 'article' : 'misc';
  const authors = paper.authors.map((author) => (isEtAl(author) ? 'others' : bibtexText(bibtexName(author))));
  const fields: [string, string | undefined][] = [
    ['title', bibtexText(paper.title)],
    ['author', authors.length > 0 ? authors.join(' and ') : undefined],
    [inProceedings ? 'booktitle' : 'journal', journal === undefined ? undefined : bibtexText(journal)],
    ['year', paper.year === undefined ? undefined : String(paper.year)],
    ['eprint', paper.arxiv],
    ['archivePrefix', paper.arxiv ? 'arXiv' : undefined],
    ['doi', paper.doi === undefined ? undefined : bibtexUrl(paper.doi)],
    ['url', paper.url === undefined ? undefined : bibtexUrl(paper.url)],
  ];
  const body = fields
    .filter((field): field is [string, string] => field[1] !== undefined)
    .map(([name, value]) => `  ${name} = {${value}}`)
    .join(',\n');
  return `@${type}{${citationKey(paper)},\n${body}\n}`;
}

/** schema.org `ScholarlyArticle` of the paper, for the post's JSON-LD `citation`. */
export function scholarlyArticle(paper: Paper): Record<string, unknown> {
  const links = paperLinks(paper);
  const sameAs = [links.arxiv, links.doi].filter((link): link is string => Boolean(link));
  return {
    '@type': 'ScholarlyArticle',
    name: paper.title,
    ...(paper.authors.length > 0
      ? { author: paper.authors.filter((author) => !isEtAl(author)).map((name) => ({ '@type': 'Person', name: displayName(name) })) }
      : {}),
    ...(paper.year !== undefined ? { datePublished: String(paper.year) } : {}),
    ...(paper.venue ? { isPartOf: { '@type': 'CreativeWork', name: paper.venue } } : {}),
    ...(paper.url || sameAs[0] ? { url: paper.url ?? sameAs[0] } : {}),
    ...(sameAs.length > 0 ? { sameAs } : {}),
    ...(paper.doi ? { identifier: { '@type': 'PropertyValue', propertyID: 'DOI', value: paper.doi } } : {}),
  };
}

/**
 * JSON for a `<script type="application/ld+json">`, safe to put in HTML as it is: `<`, `>`
 * and `&` become `\u003c` and so on, so a title holding `</script>` cannot end the element,
 * and U+2028/U+2029 are escaped for old JavaScript parsers. Still valid JSON meaning the same.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
