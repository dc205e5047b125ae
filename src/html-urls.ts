/**
 * The URLs in the start tags of an HTML string (`href`, `src`, `srcset`, `poster`), rewritten
 * one by one: for the feed, which makes them absolute, and for a post's raw HTML under a
 * sub-path baseURL. Works on the tags of the string rather than a parsed tree: in HTML that
 * rehype serialised, `<` in text is always escaped, so every `<name ...>` is a real tag; raw
 * HTML is the writer's markup, tags and all.
 */
export function rewriteUrls(html: string, rewrite: (url: string) => string): string {
  return html.replace(TAG, (tag) =>
    tag.replace(ATTRIBUTE, (whole, before: string, name: string, equals?: string, double?: string, single?: string, bare?: string) => {
      const value = double ?? single ?? bare;
      if (equals === undefined || value === undefined || !URL_ATTRIBUTES.has(name.toLowerCase())) return whole;
      const rewritten = name.toLowerCase() === 'srcset'
        ? value.split(',').map((part) => part.trim().replace(/^\S+/, (url) => rewrite(url))).join(', ')
        : rewrite(value);
      if (rewritten === value) return whole;
      // An unquoted value gets quotes: the new URL may hold `=` (a query), which may not stand unquoted.
      const quote = single === undefined ? '"' : "'";
      return `${before}${name}${equals}${quote}${rewritten}${quote}`;
    }),
  );
}

/** Attributes holding URLs (a feed reader would resolve them against the feed, not the post). */
const URL_ATTRIBUTES = new Set(['href', 'src', 'srcset', 'poster']);

/**
 * One attribute of a tag `TAG` matched, value and all. Raw HTML in a post is kept as written:
 * `<A HREF="paper.pdf">`, `href = "x"`, `href=x` and a video's `poster` are links too. Taking
 * the attributes one after another, as `TAG` does, never reads into a value: an alt text
 * `src="x" 예시` is text, not a link.
 */
const ATTRIBUTE = /(\s+)([^\s"'=/<>]+)(?:(\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

/**
 * A start tag of serialised HTML. A quoted attribute value may hold `<` and `>` (an alt text
 * "p < 0.05", a heading anchor's label "입력 -> 출력"): the tag ends at the first `>` outside quotes.
 * A name or an unquoted value holds no `<`, so raw HTML of unclosed tags is scanned once, not
 * from every `<` to the end.
 */
const TAG = /<[a-zA-Z][^\s/<>]*(?:\s+[^\s"'=/<>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*\/?>/g;
