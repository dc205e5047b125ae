import * as z from 'zod';
import type { VFile } from 'vfile';
import { encodingProblem } from './encoding.js';
import { addError, addWarning } from './report.js';
import { impossibleDates, keyPlace, parseToml, plainData } from './toml.js';
import type { SiteConfig } from './types.js';

const siteSchema = z.object({
  title: z.string().min(1, 'title must not be empty').default('geul'),
  baseURL: z
    .string()
    // The URL parser drops spaces around a URL, but the path would keep the one before `/` is
    // added (`"https://example.com/blog/ "` put every page under /blog/%20/): pasted spaces go.
    .trim()
    .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
      message: 'baseURL must be an absolute http(s) URL, e.g. "https://example.com/"',
    })
    // Links are made from the origin and the path: a query, a fragment or a user name would be
    // dropped from every link but `site.baseURL`, which templates would then glue paths onto.
    .refine((value) => !URL.canParse(value) || isPlainBase(new URL(value)), {
      message: 'baseURL must be a site address without a query (?…), fragment (#…) or user name, e.g. "https://example.com/blog/"',
    })
    .default('http://localhost:4000/'),
  language: z.string().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]+)*$/, 'language must be a BCP 47 tag like "ko"').optional(),
  // Hugo's name for the same setting, accepted so a Hugo site.toml works unchanged.
  languageCode: z.string().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]+)*$/, 'languageCode must be a BCP 47 tag like "ko"').optional(),
  description: z.string().default(''),
  author: z.string().default(''),
  timeZone: z
    .string()
    .refine(isTimeZone, { message: 'timeZone must be an IANA time zone such as "Asia/Seoul"' })
    .default('Asia/Seoul'),
  paginate: z.number().int().min(1, 'paginate must be at least 1').default(10),
  // Link previews of pages without an image of their own: a path under the site or a URL.
  image: z.string().default(''),
});

const KNOWN_KEYS = new Set(Object.keys(siteSchema.shape));

/** Read `site.toml` (its VFile) into settings; problems are recorded on the file. */
export function readConfig(file: VFile): SiteConfig {
  const text = String(file.value);
  const encoding = encodingProblem(file);
  if (encoding) (encoding.fatal ? addError : addWarning)(file, encoding.reason, encoding, 'encoding');
  const raw = parseToml(text, file) ?? {};
  const result = siteSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = issue.path.join('.') || 'site.toml';
      addError(file, issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`, keyPlace(text, issue.path as (string | number)[]));
    }
  }
  const settings = result.success ? result.data : siteSchema.parse({});
  const pagerSize = hugoPagerSize(raw, file, text);
  const extra = plainData(Object.fromEntries(Object.entries(raw).filter(([key]) => !KNOWN_KEYS.has(key)))) as Record<string, unknown>;
  for (const { key, reason } of impossibleDates(text, raw, Object.keys(extra))) addError(file, `${key.join('.')}: ${reason}`, keyPlace(text, key));
  // Hugo reads its settings whatever their case (`baseurl` is common in Hugo sites); geul's
  // are case-sensitive, and a key in another case would pass unseen into site.params.
  for (const key of Object.keys(extra)) {
    const meant = [...KNOWN_KEYS].find((known) => known.toLowerCase() === key.toLowerCase());
    if (meant) addWarning(file, `"${key}" is not a setting geul reads (settings are case-sensitive): did you mean "${meant}"? It is kept as site.params.${key}`, keyPlace(text, [key]));
  }
  // Hugo's permalinks move every post to another address; geul's are fixed, and a migrated
  // site would lose its old addresses without a word.
  if (raw.permalinks !== undefined) {
    addWarning(file, 'permalinks is a Hugo setting geul does not read: posts are published at /posts/<slug>/ and pages at /<slug>/; keep old addresses working with aliases in each post\'s front matter', keyPlace(text, ['permalinks']));
  }
  return {
    title: settings.title,
    baseURL: settings.baseURL.endsWith('/') ? settings.baseURL : `${settings.baseURL}/`,
    language: settings.language ?? settings.languageCode ?? 'ko',
    description: settings.description,
    author: settings.author,
    timeZone: settings.timeZone,
    paginate: raw.paginate === undefined ? (pagerSize ?? settings.paginate) : settings.paginate,
    image: settings.image,
    extra,
  };
}

/**
 * Hugo's current spelling of `paginate` (`[pagination] pagerSize = 5`, since Hugo 0.128, which
 * deprecates `paginate`), read so a migrated site.toml keeps its page size rather than falling
 * silently back to 10. The table stays in site.params as written.
 */
function hugoPagerSize(raw: Record<string, unknown>, file: VFile, text: string): number | undefined {
  const table = raw.pagination;
  if (typeof table !== 'object' || table === null || !('pagerSize' in table)) return undefined;
  const size = (table as { pagerSize: unknown }).pagerSize;
  if (typeof size === 'number' && Number.isInteger(size) && size >= 1) return size;
  addError(file, 'pagination.pagerSize must be a whole number of at least 1', keyPlace(text, ['pagination', 'pagerSize']));
  return undefined;
}

function isPlainBase(url: URL): boolean {
  return url.search === '' && url.hash === '' && url.username === '' && url.password === '' && !/[?#]/.test(url.href);
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
