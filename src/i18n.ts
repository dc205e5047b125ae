/**
 * Interface messages for templates and generated text, by site language.
 * Placeholders in braces (`{n}`, `{taxonomy}`, `{term}`) are filled in with Liquid's
 * `replace` filter in templates, or with `String.prototype.replace` in the pipeline.
 * Plain data only: every value is a string.
 */

/** Every message a template or the pipeline may show. */
export interface Messages {
  /** Name of the home page, e.g. "홈". */
  home: string;
  /** Navigation label of the list of posts (links to the home page), e.g. "글 목록". */
  posts: string;
  /** Name of the categories taxonomy, e.g. "카테고리". */
  categories: string;
  /** Name of the tags taxonomy, e.g. "태그". */
  tags: string;
  /** Singular label for one category, e.g. "카테고리". */
  category: string;
  /** Singular label for one tag, e.g. "태그". */
  tag: string;
  /** Badge on unpublished posts, e.g. "초안". */
  draft: string;
  /** Estimated reading time; `{n}` is the number of minutes, e.g. "읽는 데 약 {n}분". */
  readingTime: string;
  /** Label before the last modification date, e.g. "수정". */
  updated: string;
  /** Accessible name of the author line or byline prefix, e.g. "글쓴이". */
  author: string;
  /** Heading and accessible name of the table of contents, e.g. "목차". */
  toc: string;
  /** Link to the older post, e.g. "이전 글". */
  previous: string;
  /** Link to the newer post, e.g. "다음 글". */
  next: string;
  /** Accessible name of the previous/next post navigation, e.g. "이전 글과 다음 글". */
  postNavigation: string;
  /** Link to the previous page of a paginated list (newer posts), e.g. "이전 페이지". */
  previousPage: string;
  /** Link to the next page of a paginated list (older posts), e.g. "다음 페이지". */
  nextPage: string;
  /** Label of one numbered page; `{n}` is the page number, e.g. "페이지 {n}". */
  pageNumber: string;
  /** Accessible name of the pagination navigation, e.g. "페이지 탐색". */
  pagination: string;
  /** Accessible name of the main site navigation, e.g. "주 메뉴". */
  mainNavigation: string;
  /** Number of posts, plural form; `{n}` is the count, e.g. "{n}개의 글". */
  postCount: string;
  /** Number of posts when it is exactly one; `{n}` is the count, e.g. "{n}개의 글". */
  postCountOne: string;
  /** Title of the "page not found" page, e.g. "페이지를 찾을 수 없습니다". */
  notFoundTitle: string;
  /** Explanation on the "page not found" page. */
  notFoundBody: string;
  /** Link back to the home page, e.g. "첫 화면으로 돌아가기". */
  backHome: string;
  /** Skip link to the main content for keyboard users, e.g. "본문으로 건너뛰기". */
  skipToContent: string;
  /** Name of the Atom feed link, e.g. "피드". */
  feed: string;
  /** Heading (visually hidden) of the footnotes section, e.g. "각주". */
  footnotes: string;
  /** Accessible name of the link from a footnote back to its reference, e.g. "본문으로 돌아가기". */
  footnoteBack: string;
  /** Accessible-name prefix of heading anchor links (followed by the heading text), e.g. "이 제목으로 링크". */
  headingAnchor: string;
  /** Titles of GitHub's alerts (`> [!NOTE]`), e.g. "참고", "팁", "중요", "경고", "주의". */
  alertNote: string;
  alertTip: string;
  alertImportant: string;
  alertWarning: string;
  alertCaution: string;
  /** Heading of a term page; `{taxonomy}` is the singular taxonomy name and `{term}` the term, e.g. "{taxonomy}: {term}". */
  termHeading: string;
  /** Word for "everything", e.g. the link back to all tags: "전체". */
  all: string;
  /** The rest of a post's terms that a list item leaves out, linking to the post; `{n}` is how many, e.g. "외 {n}개". */
  moreTerms: string;
  /** Label of the citation card of a reviewed paper, e.g. "리뷰한 논문". */
  paper: string;
  /** Label of the BibTeX entry to copy, e.g. "BibTeX". */
  bibtex: string;
  /** Label of the series box, e.g. "시리즈". */
  series: string;
  /** Place in a series; `{n}` is the part, `{total}` the number of parts, e.g. "{total}편 중 {n}편". */
  seriesPosition: string;
  /** Heading of the related posts at the end of a post, e.g. "관련 글". */
  related: string;
  /** Text of a redirect page before the link to the new address, e.g. "주소가 바뀌었습니다:". */
  moved: string;
  /** Name of the search page and its menu link, e.g. "검색". */
  search: string;
  /** Label of the search field, e.g. "검색어". */
  searchLabel: string;
  /** Example shown in the empty search field, e.g. "예: 트랜스포머, attention". */
  searchHint: string;
  /** Number of posts found; `{n}` is the count, e.g. "{n}개의 글을 찾았습니다". */
  searchFound: string;
  /** Number of posts found when it is exactly one; `{n}` is the count. */
  searchFoundOne: string;
  /** Nothing found; `{query}` is what the reader typed, e.g. "‘{query}’에 맞는 글이 없습니다". */
  searchNone: string;
  /** While the index loads or a search runs, e.g. "찾는 중…". */
  searchLoading: string;
  /** The index could not be loaded (e.g. a preview without it). */
  searchUnavailable: string;
  /** Shown without JavaScript, which the search needs. */
  searchNoScript: string;
  /** Button that shows the next results, e.g. "결과 더 보기". */
  searchMore: string;
}

/** Korean messages, for `ko` and every `ko-*` language tag. */
export const ko: Messages = {
  home: '홈',
  posts: '글 목록',
  categories: '카테고리',
  tags: '태그',
  category: '카테고리',
  tag: '태그',
  draft: '초안',
  readingTime: '읽는 데 약 {n}분',
  updated: '수정',
  author: '글쓴이',
  toc: '목차',
  previous: '이전 글',
  next: '다음 글',
  postNavigation: '이전 글과 다음 글',
  previousPage: '이전 페이지',
  nextPage: '다음 페이지',
  pageNumber: '페이지 {n}',
  pagination: '페이지 탐색',
  mainNavigation: '주 메뉴',
  postCount: '{n}개의 글',
  postCountOne: '{n}개의 글',
  notFoundTitle: '페이지를 찾을 수 없습니다',
  notFoundBody: '요청하신 페이지가 없거나 주소가 바뀌었습니다. 주소를 다시 확인하시거나 첫 화면에서 글을 찾아 주세요.',
  backHome: '첫 화면으로 돌아가기',
  skipToContent: '본문으로 건너뛰기',
  feed: '피드',
  footnotes: '각주',
  footnoteBack: '본문으로 돌아가기',
  headingAnchor: '이 제목으로 링크',
  alertNote: '참고',
  alertTip: '팁',
  alertImportant: '중요',
  alertWarning: '경고',
  alertCaution: '주의',
  termHeading: '{taxonomy}: {term}',
  all: '전체',
  moreTerms: '외 {n}개',
  paper: '리뷰한 논문',
  bibtex: 'BibTeX',
  series: '시리즈',
  seriesPosition: '{total}편 중 {n}편',
  related: '관련 글',
  moved: '주소가 바뀌었습니다:',
  search: '검색',
  searchLabel: '검색어',
  searchHint: '예: 트랜스포머, attention',
  searchFound: '{n}개의 글을 찾았습니다',
  searchFoundOne: '{n}개의 글을 찾았습니다',
  searchNone: '‘{query}’에 맞는 글이 없습니다',
  searchLoading: '찾는 중…',
  searchUnavailable: '검색 색인을 불러오지 못했습니다. 색인은 npm run build가 만듭니다.',
  searchNoScript: '검색에는 JavaScript가 필요합니다.',
  searchMore: '결과 더 보기',
};

/** English messages, for every language other than Korean. */
export const en: Messages = {
  home: 'Home',
  posts: 'Posts',
  categories: 'Categories',
  tags: 'Tags',
  category: 'Category',
  tag: 'Tag',
  draft: 'Draft',
  readingTime: '{n} min read',
  updated: 'Updated',
  author: 'Author',
  toc: 'Contents',
  previous: 'Previous post',
  next: 'Next post',
  postNavigation: 'Previous and next posts',
  previousPage: 'Previous page',
  nextPage: 'Next page',
  pageNumber: 'Page {n}',
  pagination: 'Pagination',
  mainNavigation: 'Main navigation',
  postCount: '{n} posts',
  postCountOne: '{n} post',
  notFoundTitle: 'Page not found',
  notFoundBody: 'The page you asked for does not exist or has moved. Check the address, or look for the post from the home page.',
  backHome: 'Back to the home page',
  skipToContent: 'Skip to content',
  feed: 'Feed',
  footnotes: 'Footnotes',
  footnoteBack: 'Back to content',
  headingAnchor: 'Link to this heading',
  alertNote: 'Note',
  alertTip: 'Tip',
  alertImportant: 'Important',
  alertWarning: 'Warning',
  alertCaution: 'Caution',
  termHeading: '{taxonomy}: {term}',
  all: 'All',
  moreTerms: '{n} more',
  paper: 'Paper reviewed',
  bibtex: 'BibTeX',
  series: 'Series',
  seriesPosition: 'part {n} of {total}',
  related: 'Related posts',
  moved: 'This page has moved to',
  search: 'Search',
  searchLabel: 'Search terms',
  searchHint: 'e.g. transformer, attention',
  searchFound: '{n} posts found',
  searchFoundOne: '{n} post found',
  searchNone: 'No posts match “{query}”',
  searchLoading: 'Searching…',
  searchUnavailable: 'The search index could not be loaded. npm run build makes it.',
  searchNoScript: 'Search needs JavaScript.',
  searchMore: 'More results',
};

/**
 * The messages for a BCP 47 language tag: Korean for `ko` and any `ko-*`
 * (case-insensitive, `_` accepted as separator), English otherwise.
 */
export function messages(language: string): Messages {
  const primary = language.trim().toLowerCase().split(/[-_]/, 1)[0];
  return { ...(primary === 'ko' ? ko : en) };
}
