// The search page (/search/): Pagefind in the browser, with Korean particles taken off the
// reader's query the way the index was built (src/korean-particles.ts gives the rules as data in
// `data-rules`; tests/search-client.test.ts checks that both strip alike). No other host is
// contacted: the Pagefind bundle is served from the site itself.
/* global document, window, history, location, URLSearchParams, setTimeout, clearTimeout, fetch */

/** Whether a character is a precomposed Hangul syllable (가–힣). */
function isHangulSyllable(char) {
  const code = char.charCodeAt(0);
  return char.length === 1 && code >= 0xac00 && code <= 0xd7a3;
}

function allows(after, last) {
  if (after === 'any' || !isHangulSyllable(last)) return true;
  const final = (last.charCodeAt(0) - 0xac00) % 28;
  if (after === 'consonant') return final !== 0;
  if (after === 'vowel') return final === 0;
  if (after === 'vowel-or-rieul') return final === 0 || final === 8;
  return final !== 0 && final !== 8; // consonant-not-rieul
}

/** The stem of one word; the same algorithm as `stripParticles` in src/korean-particles.ts. */
export function stripParticles(word, { minStem, rules, stems }) {
  const current = word.normalize('NFC');
  if (!/[\uAC00-\uD7A3]/u.test(current)) return word;
  // On the characters in place, as the build does: a long pasted run of particles stays fast.
  const chars = Array.from(current);
  const longestStem = Math.max(0, ...stems.map((stem) => Array.from(stem).length));
  let end = chars.length;
  for (;;) {
    if (end <= longestStem && stems.includes(chars.slice(0, end).join(''))) break;
    let next = end;
    for (const { suffix, after } of rules) {
      const suffixChars = Array.from(suffix);
      const stem = end - suffixChars.length;
      if (stem < minStem || !suffixChars.every((char, at) => chars[stem + at] === char)) continue;
      if (allows(after, chars[stem - 1])) {
        next = stem;
        break;
      }
    }
    if (next === end) break;
    end = next;
  }
  return end === chars.length ? current : chars.slice(0, end).join('');
}

/** Where the index splits a formula's TeX (`TEX_EDGE` in src/search.ts). */
const TEX_EDGE = /(?<=[^\s\\])(?=[\\{}()[\]=+,|])|(?<=[{}()[\]=+,|])(?=[^\s])/gu;

/**
 * Each word holding TeX (`\sqrt{d_k}`, `O(n^2)`, `a^2+b^2=c^2`) split where the index splits
 * formulas, less the symbols Pagefind leaves out of an indexed word but not out of a query:
 * `n^2` is the word `n2` in the index, and a query for `n^2` found only `n`.
 */
export function formulaWords(text) {
  return text.replace(/\S*[\\^_{}=]\S*/gu, (word) => word.replace(TEX_EDGE, ' ').replace(/[$+<=>^`|~]/gu, ''));
}

/**
 * Words joined by `-` or `.` whose last part is one letter or digit and a particle (`GPT-4를`,
 * `GPT-3.5의`, `Llama-2는`): `4를` alone is too short to lose its particle, so the particle is
 * taken off the whole. `GPT-4` then begins the index's words `GPT-4는` and `GPT-4의` (the index
 * keeps each word whole beside its parts), where `GPT-4를` found only the posts saying `GPT-4를`.
 */
const JOINED_SHORT_WORD = /[\p{L}\p{N}]+(?:[-.][\p{L}\p{N}]+)*[-.][\p{N}\p{Script=Latin}][\uAC00-\uD7A3]+(?![\p{L}\p{N}])/gu;

/** The query Pagefind gets: every word reduced to its stem (`모델은 구조를` → `모델 구조`). */
export function searchTerms(query, rules) {
  return formulaWords(query.normalize('NFC'))
    .replace(JOINED_SHORT_WORD, (word) => stripParticles(word, rules))
    .replace(/[\p{L}\p{N}]+/gu, (word) => stripParticles(word, rules))
    .replace(/\s+/gu, ' ')
    .trim();
}

/**
 * A query of one Hangul word, split in two each way as a phrase, the first part at least two
 * syllables (`자연어처리` → `"자연 어처리"`, `"자연어 처리"`, `"자연어처 리"`): readers leave out
 * the spaces of a compound noun that the writer put in, and Pagefind matches each query word
 * as the start of a whole word, so `자연어처리` found nothing in `자연어 처리`. A phrase, so the
 * two parts must stand side by side as words (`양자` and `컴퓨터` apart in a post are not
 * `양자컴퓨터`). Tried only when the word itself finds nothing, and for words of at most 12
 * syllables: a pasted run of text without spaces would cost a search per syllable.
 */
export function spacings(terms) {
  if (!/^[\uAC00-\uD7A3]{3,12}$/u.test(terms)) return [];
  const chars = Array.from(terms);
  return chars.slice(2).map((_, at) => `"${chars.slice(0, at + 2).join('')} ${chars.slice(at + 2).join('')}"`);
}

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Whether `text` (a result's title and content) holds every word of `terms`, whole or begun
 * (`인공` of `인공지능`). Where the index has no word beginning with a query word, Pagefind
 * searches the longest start of it that the index has instead (`인공지능` → `이`, compared on
 * decomposed Hangul letters), and every result then holds that other word, not the reader's.
 * A shorter word counts only when it keeps two thirds of the query word (`모델들` → `모델`),
 * as for a half-typed or inflected ending.
 */
export function holdsEvery(text, terms) {
  const words = new Set(formulaWords(text.normalize('NFC')).toLowerCase().match(WORD) ?? []);
  return (terms.normalize('NFC').toLowerCase().match(WORD) ?? []).every((term) => {
    const length = Array.from(term).length;
    for (const word of words) {
      if (word.startsWith(term) || (term.startsWith(word) && Array.from(word).length * 3 >= length * 2)) return true;
    }
    return false;
  });
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text) {
  return text.replace(/&(?:#(\d+)|#x([\da-f]+)|(amp|lt|gt|quot|apos));/giu, (_, dec, hex, name) =>
    dec ? String.fromCodePoint(Number(dec)) : hex ? String.fromCodePoint(parseInt(hex, 16)) : ENTITIES[name.toLowerCase()],
  );
}

/**
 * Pagefind's excerpt (HTML with `<mark>` around matches) as plain pieces, each marked or not,
 * with the stems the index put before words taken out again (`모델_^모델은` → `모델은`).
 * Built into text nodes by the caller: nothing from the index is parsed as HTML.
 */
export function excerptParts(excerpt, joiner) {
  const escaped = joiner.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
  const stems = new RegExp(`([\\p{L}\\p{N}]+)${escaped}(?=\\1)`, 'gu');
  // The index also puts the joiner where a word meets punctuation outside ASCII (`토큰화·정규화`).
  const wide = '(?![\\p{ASCII}])[\\p{P}\\p{S}]';
  const edges = new RegExp(`${escaped}(?=${wide})|(?<=${wide})${escaped}`, 'gu');
  const parts = [];
  let marked = false;
  // The space before each invisible separator (U+2063) was put into a formula by the index;
  // a separator the excerpt begins with has none.
  const whole = excerpt.replace(/ ((?:<\/?mark>)*)\u2063/gu, '$1').replace(/\u2063/gu, '');
  for (const piece of whole.split(/(<\/?mark>)/u)) {
    if (piece === '<mark>') marked = true;
    else if (piece === '</mark>') marked = false;
    else if (piece) parts.push({ text: decodeEntities(piece).replace(edges, '').replace(stems, ''), marked });
  }
  return parts;
}

const PAGE_SIZE = 10;
const DEBOUNCE_MS = 200;

/** Wire up the page: the form, `?q=` in the address, the results and their announcement. */
async function start(root) {
  const form = root.querySelector('form');
  const input = root.querySelector('input[type="search"]');
  const status = root.querySelector('[role="status"]');
  const list = root.querySelector('.search-results');
  const more = root.querySelector('.search-more');
  const text = root.dataset;
  const rules = JSON.parse(text.rules);
  let pagefind;
  let latest = 0;
  let timer;
  let pending = [];

  const say = (message) => {
    status.textContent = message;
  };

  const render = async (results) => {
    const batch = results.splice(0, PAGE_SIZE);
    const data = await Promise.all(batch.map((result) => result.data()));
    for (const item of data) list.append(resultItem(item, text));
    more.hidden = results.length === 0;
  };

  // `aria-busy` while a search runs; `data-query` names the query whose results are shown.
  const done = (query, message) => {
    say(message);
    list.setAttribute('aria-busy', 'false');
    root.dataset.query = query;
  };

  const run = async (query) => {
    const id = ++latest;
    const terms = searchTerms(query, rules);
    list.replaceChildren();
    more.hidden = true;
    if (!terms) {
      done(query, '');
      return;
    }
    const none = text.none.replace('{query}', query.trim());
    // An index of no post (a blog of drafts only): Pagefind's script cannot open it.
    if (text.empty !== undefined) {
      done(query, none);
      return;
    }
    say(text.loading);
    list.setAttribute('aria-busy', 'true');
    try {
      pagefind ??= await loadPagefind(text.bundle);
    } catch {
      done(query, text.unavailable);
      return;
    }
    for (const words of [terms, ...spacings(terms)]) {
      pending = await holdingResults(pagefind, words);
      if (id !== latest) return;
      if (pending.length > 0) break;
    }
    const count = pending.length;
    await render(pending);
    if (id !== latest) return;
    done(query, count === 0 ? none : (count === 1 ? text.foundOne : text.found).replace('{n}', String(count)));
  };

  const remember = (query) => {
    const url = new URL(location.href);
    if (query.trim()) url.searchParams.set('q', query);
    else url.searchParams.delete('q');
    history.replaceState(null, '', url);
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(timer);
    remember(input.value);
    void run(input.value);
  });
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      remember(input.value);
      void run(input.value);
    }, DEBOUNCE_MS);
  });
  more.addEventListener('click', () => {
    const first = list.children.length;
    void render(pending).then(() => list.children[first]?.querySelector('a')?.focus());
  });

  const query = new URLSearchParams(location.search).get('q');
  if (query) {
    input.value = query;
    await run(query);
  }
}

/** The Pagefind filter naming each post's part of a big site's index (geul's src/search-parts.ts). */
const PART_FILTER = 'geul-part';

/**
 * The results of `words` that hold them. Pagefind also matches a post's metadata (its date
 * `2024년 5월 1일`, `2024-05-01`, the draft flag), which is not what the reader searches:
 * `2024` found every post of 2024; a result that matched no word of the title, description
 * or body is left out. And Pagefind puts another word in place of one an index does not
 * have, for every result of that index alike: its first result tells whether it did (see
 * holdsEvery). A big site's index comes in parts, each of which does so on its own (a word
 * in one part, and the others listed posts holding a shorter word): there each part that
 * has results is searched alone, through its filter, and judged by its own first result.
 */
async function holdingResults(pagefind, words) {
  const holding = async (search) => {
    const results = search.results.filter((result) => result.words.length > 0);
    const first = await results[0]?.data();
    return first && holdsEvery(`${first.meta?.title ?? ''} ${first.content}`, words) ? results : [];
  };
  const search = await pagefind.search(words);
  const parts = Object.entries(search.filters?.[PART_FILTER] ?? {}).filter(([, count]) => count > 0);
  if (parts.length <= 1) return holding(search);
  const found = await Promise.all(parts.map(async ([part]) => holding(await pagefind.search(words, { filters: { [PART_FILTER]: part } }))));
  // In the order the merged index gives them.
  return found.flat().sort((a, b) => b.score - a.score);
}

async function loadPagefind(bundle) {
  const pagefind = await import(`${bundle}pagefind.js`);
  // An ellipsis where the excerpt cuts into the text, as in lists of posts.
  const options = { excerptLength: 24, excerptEllipsis: '…' };
  await pagefind.options(options);
  // A big site's index comes in parts (geul's src/search-parts.ts), listed beside the bundle;
  // each is merged into the first. Their paths are absolute: Pagefind fetches from a worker.
  const base = new URL(bundle, location.href);
  const response = await fetch(new URL('geul-parts.json', base));
  if (!response.ok) throw new Error(`search index parts: ${response.status}`);
  const parts = await response.json();
  await pagefind.init();
  await Promise.all(parts.map((part) => pagefind.mergeIndex(new URL(part, base).pathname, options)));
  // Pagefind counts a search's results by filter only once the filters are loaded: the count
  // by part tells which parts to search alone (holdingResults).
  if (parts.length > 0) await pagefind.filters();
  return pagefind;
}

/** One result: title (with the draft badge in a preview), date, excerpt with the matches marked. */
function resultItem(data, text) {
  const item = element('li', 'search-result');
  const article = element('article', 'post-item');
  const title = element('h2', 'post-item-title');
  const link = element('a');
  link.href = data.url;
  link.textContent = data.meta.title ?? data.url;
  title.append(link);
  article.append(title);
  if (data.meta.datetime || data.meta.draft) {
    const meta = element('p', 'post-meta');
    if (data.meta.draft) meta.append(element('span', 'badge-draft', text.draft));
    if (data.meta.datetime) {
      const time = element('time');
      time.dateTime = data.meta.datetime;
      time.textContent = data.meta.date ?? data.meta.datetime;
      const wrap = element('span', 'meta-item');
      wrap.append(time);
      meta.append(wrap);
    }
    article.append(meta);
  }
  const excerpt = element('p', 'post-item-summary search-excerpt');
  for (const part of excerptParts(data.excerpt, text.joiner)) {
    excerpt.append(part.marked ? element('mark', undefined, part.text) : document.createTextNode(part.text));
  }
  article.append(excerpt);
  item.append(article);
  return item;
}

function element(name, className, content) {
  const node = document.createElement(name);
  if (className) node.className = className;
  if (content !== undefined) node.textContent = content;
  return node;
}

if (typeof document !== 'undefined') {
  const root = document.querySelector('[data-search]');
  if (root) void start(root).catch((error) => window.console.error(error));
}
