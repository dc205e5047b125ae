import { aliasOutputPath } from './aliases.js';
import type { Messages } from './i18n.js';
import { searchPageData } from './search.js';
import type { Page, PageSize, ParsedPost, Site } from './types.js';
import type { Urls } from './urls.js';
import { listPageCount, listPageDir, listPagePosts, outputDirOf, outputFileOf } from './urls.js';
import type { ImageView, Views } from './view.js';

/**
 * Every HTML page of the site as data: which file, which template, which variables.
 * Nothing here knows the template engine. With `only`, just the own pages of those posts and
 * standalone pages: the dev server's rebuild after a change to nothing but their bodies.
 */
export function routes(site: Site, views: Views, urls: Urls, i18n: Messages, only?: ReadonlySet<ParsedPost>): Page[] {
  const pages: Page[] = [];
  // Every page has a description and an image for search results and link previews: its
  // own, else the site's.
  const common = (kind: string, dir: string, title: string, description: string, image?: ImageView | null, math = false) => ({
    site: views.site,
    i18n,
    page: {
      kind,
      title,
      description: description || site.config.description,
      url: urls.rel(dir),
      permalink: urls.abs(dir),
      image: image ?? views.site.image,
      /** Only pages showing a formula load KaTeX's stylesheet: one render-blocking request fewer elsewhere. */
      math,
    },
  });

  /**
   * A list of posts at `dir`, cut into pages of `perPage` posts as Hugo cuts them: `dir`,
   * `dir/page/2/`, … each with links to the others, and `dir/page/1/`, a redirect to the
   * first page; one page of them all when its template shows no page navigation. `title` is
   * the first page's; the others add their number.
   */
  const list = (dir: string, posts: ParsedPost[], perPage: PageSize, template: string, title: string, data: Record<string, unknown>, fallback?: string) => {
    const total = listPageCount(posts.length, perPage);
    const at = (n: number) => urls.rel(listPageDir(dir, n));
    for (let n = 1; n <= total; n++) {
      const pageDir = listPageDir(dir, n);
      const pageNumber = i18n.pageNumber.replace('{n}', String(n));
      pages.push({
        outputPath: outputFileOf(pageDir),
        template,
        ...(fallback ? { fallback } : {}),
        data: {
          ...common(template, pageDir, n === 1 ? title : title ? `${title} (${pageNumber})` : pageNumber, dir === '' ? site.config.description : ''),
          ...data,
          posts: listPagePosts(posts, n, perPage).map(views.post),
          pagination: {
            current: n,
            total,
            prevUrl: n > 1 ? at(n - 1) : null,
            nextUrl: n < total ? at(n + 1) : null,
            // `gap` on every link: a variable missing under strictVariables costs LiquidJS a thrown error.
            pages: pageLinks(n, total).map((number) => (number === 'gap' ? { gap: true } : { gap: false, number, url: at(number), current: number === n })),
          },
        },
      });
    }
    if (perPage !== null) redirect(`${dir}page/1/`, { title: title || site.config.title, url: urls.rel(dir), permalink: urls.abs(dir) });
  };
  const redirects: Page[] = [];
  /** A page at `from` that sends readers and search engines on to `target`, whose canonical link names it. */
  const redirect = (from: string, target: { title: string; url: string; permalink: string }) => {
    redirects.push({
      outputPath: aliasOutputPath(from),
      template: 'alias',
      data: { site: views.site, i18n, page: { kind: 'alias', title: target.title, description: '', url: urls.rel(from), permalink: target.permalink }, target },
    });
  };

  // Home: `/`, `/page/2/`, ...
  if (!only) list('', site.posts, site.pageSizes.home, 'home', '', {});

  // Posts, with their older (prev) and newer (next) neighbours.
  site.posts.forEach((post, index) => {
    if (only && !only.has(post)) return;
    const dir = `${outputDirOf('post', post.slug)}/`;
    const view = views.fullPost(post, site.posts[index + 1], site.posts[index - 1]);
    pages.push({
      outputPath: outputFileOf(dir),
      template: 'post',
      data: { ...common('post', dir, view.title, view.metaDescription, view.image, view.math), post: view },
    });
  });

  for (const page of site.pages) {
    if (only && !only.has(page)) continue;
    const dir = `${outputDirOf('page', page.slug)}/`;
    const view = views.fullPost(page);
    pages.push({
      outputPath: outputFileOf(dir),
      template: 'page',
      data: { ...common('page', dir, view.title, view.metaDescription, view.image, view.math), post: view },
    });
  }

  for (const taxonomy of only ? [] : site.taxonomies) {
    const taxonomyView = views.taxonomy(taxonomy);
    const indexDir = `${taxonomy.key}/`;
    pages.push({
      outputPath: outputFileOf(indexDir),
      template: 'terms',
      data: {
        ...common('terms', indexDir, taxonomyView.title, ''),
        taxonomy: taxonomyView,
        terms: taxonomy.terms.map((term) => views.term(taxonomy, term)),
      },
    });
    for (const term of taxonomy.terms) {
      list(views.termDir(taxonomy.key, term.slug), term.posts, site.pageSizes.term, 'term', `${taxonomyView.title}: ${term.name}`, { taxonomy: taxonomyView, term: views.term(taxonomy, term) });
    }
  }

  // Hugo's section list of every post, `/posts/`: a template of its own, or the home's in a
  // theme made before it.
  if (!only) list('posts/', site.posts, site.pageSizes.section, 'section', i18n.posts, { section: { title: i18n.posts, url: urls.rel('posts/'), count: site.posts.length } }, 'home');

  if (only) return pages;
  pages.push({ outputPath: '404.html', template: '404', data: common('404', '404.html', i18n.notFoundTitle, '') });

  // Search: a static page; its script loads the Pagefind index `geul build` writes into pagefind/.
  pages.push({
    outputPath: outputFileOf('search/'),
    template: 'search',
    optional: true,
    data: { ...common('search', 'search/', i18n.search, ''), search: searchPageData(urls, site.posts.length) },
  });

  // Redirects from old URLs (front matter `aliases`) to their post.
  for (const alias of site.aliases) {
    const target = views.post(alias.target);
    redirect(alias.path, { title: target.title, url: target.url, permalink: target.permalink });
  }
  pages.push(...redirects);
  return pages;
}

/**
 * The page numbers a list's navigation shows on page `current` of `total`: the first and the
 * last, two either side of the current one, and `'gap'` where numbers are left out. Made here,
 * not in the template, so each page costs the same however long the list: a template looping
 * over every page number made the whole list quadratic in its length.
 */
export function pageLinks(current: number, total: number): (number | 'gap')[] {
  const shown = [...new Set([1, current - 2, current - 1, current, current + 1, current + 2, total])]
    .filter((number) => number >= 1 && number <= total)
    .sort((a, b) => a - b);
  const links: (number | 'gap')[] = [];
  let previous = 0;
  for (const number of shown) {
    if (number > previous + 1) links.push('gap');
    links.push(number);
    previous = number;
  }
  return links;
}
