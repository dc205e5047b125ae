import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { readFrontMatter } from '../src/frontmatter.ts';
import { publicationState, wallClock } from '../src/publish.ts';
import type { FrontMatter } from '../src/types.ts';
import { collectPosts, postFrom } from './helpers/posts.ts';

/** 2024-01-01 00:30 in Seoul, still 2023-12-31 in UTC. */
const JUST_AFTER_MIDNIGHT_IN_SEOUL = new Date('2023-12-31T15:30:00Z');

function frontMatter(lines: string[]): FrontMatter {
  const file = new VFile({ path: 'content/posts/x.md', value: ['+++', 'title = "t"', ...lines, '+++', ''].join('\n') });
  const read = readFrontMatter(file, true);
  if (!read) throw new Error(file.messages.map(String).join('; '));
  return read;
}

describe('publicationState, in the site time zone', () => {
  test('a date-only post dated today in Korea is published, at any hour of the Korean day', () => {
    const fm = frontMatter(['date = 2024-01-01']);
    expect(publicationState(fm, 'Asia/Seoul', JUST_AFTER_MIDNIGHT_IN_SEOUL)).toBe('published');
    expect(publicationState(fm, 'Asia/Seoul', new Date('2023-12-31T14:59:59Z'))).toBe('future');
    // The same instant is still December 31st in UTC: never compare in UTC.
    expect(publicationState(fm, 'UTC', JUST_AFTER_MIDNIGHT_IN_SEOUL)).toBe('future');
  });

  test('whatever the machine time zone', () => {
    expect(wallClock(JUST_AFTER_MIDNIGHT_IN_SEOUL, 'Asia/Seoul')).toBe('2024-01-01T00:30:00');
    expect(wallClock(JUST_AFTER_MIDNIGHT_IN_SEOUL, 'America/Los_Angeles')).toBe('2023-12-31T07:30:00');
  });

  test('publishDate wins over date; a local datetime is wall-clock time; an offset datetime is an instant', () => {
    const now = new Date('2024-03-01T03:00:00Z'); // 12:00 in Seoul
    expect(publicationState(frontMatter(['date = 2024-01-01', 'publishDate = 2024-03-02']), 'Asia/Seoul', now)).toBe('future');
    expect(publicationState(frontMatter(['date = 2024-05-01', 'publishDate = 2024-02-01']), 'Asia/Seoul', now)).toBe('published');
    expect(publicationState(frontMatter(['date = 2024-03-01T11:59:00']), 'Asia/Seoul', now)).toBe('published');
    expect(publicationState(frontMatter(['date = 2024-03-01T12:01:00']), 'Asia/Seoul', now)).toBe('future');
    expect(publicationState(frontMatter(['date = 2024-03-01T03:01:00Z']), 'Asia/Seoul', now)).toBe('future');
    expect(publicationState(frontMatter(['date = 2024-03-01T12:00:00+09:00']), 'Asia/Seoul', now)).toBe('published');
  });

  test('expiryDate in the past, or reached, expires a post', () => {
    const now = new Date('2024-03-01T03:00:00Z');
    expect(publicationState(frontMatter(['date = 2024-01-01', 'expiryDate = "2024-03-01"']), 'Asia/Seoul', now)).toBe('expired');
    expect(publicationState(frontMatter(['date = 2024-01-01', 'expiryDate = "2024-03-02"']), 'Asia/Seoul', now)).toBe('published');
  });

  test('publishDate and expiryDate are checked like date, at their key', () => {
    const file = new VFile({ path: 'content/posts/x.md', value: '+++\ntitle = "t"\ndate = 2024-01-01\npublishDate = "2024-02-30"\n+++\n' });
    expect(readFrontMatter(file, true)).toBeUndefined();
    expect(file.messages.map((m) => `${m.line}:${m.column}: ${m.reason}`)).toEqual(['4:1: publishDate: invalid date "2024-02-30": 2024-02 has no day 30']);
  });
});

describe('collect leaves out future and expired posts', () => {
  const posts = () => [
    postFrom('content/posts/today.md', ['title = "오늘"', 'date = 2024-01-01', 'tags = ["오늘"]']),
    postFrom('content/posts/tomorrow.md', ['title = "내일"', 'date = 2024-01-02', 'tags = ["미래"]']),
    postFrom('content/posts/scheduled.md', ['title = "예약"', 'date = 2023-12-01', 'publishDate = 2024-01-05']),
    postFrom('content/posts/expired.md', ['title = "만료"', 'date = 2023-06-01', 'expiryDate = 2023-12-31']),
    postFrom('content/posts/old.md', ['title = "예전"', 'date = 2023-06-01', 'expiryDate = 2024-06-01']),
  ];

  test('at 2024-01-01T00:30+09:00 the post dated 2024-01-01 is out, the others wait or are gone', () => {
    const { site, messages } = collectPosts(posts(), { now: JUST_AFTER_MIDNIGHT_IN_SEOUL });
    expect(messages).toEqual([]);
    expect(site.posts.map((post) => post.slug)).toEqual(['today', 'old']);
    // Everywhere: its terms exist only through published posts.
    expect(site.taxonomies.find((taxonomy) => taxonomy.key === 'tags')!.terms.map((term) => term.name)).toEqual(['오늘']);
  });

  test('future: true keeps posts still to come; expired: true keeps expired ones', () => {
    expect(collectPosts(posts(), { now: JUST_AFTER_MIDNIGHT_IN_SEOUL, future: true }).site.posts.map((post) => post.slug)).toEqual([
      'tomorrow',
      'today',
      'scheduled',
      'old',
    ]);
    expect(collectPosts(posts(), { now: JUST_AFTER_MIDNIGHT_IN_SEOUL, expired: true }).site.posts.map((post) => post.slug)).toEqual([
      'today',
      // Both dated 2023-06-01: the later file is the newer.
      'old',
      'expired',
    ]);
  });

  test('the site time zone decides: in UTC the post dated 2024-01-01 is not out yet', () => {
    const { site } = collectPosts(posts(), { now: JUST_AFTER_MIDNIGHT_IN_SEOUL }, 'timeZone = "UTC"');
    expect(site.posts.map((post) => post.slug)).toEqual(['old']);
  });

  test('now defaults to the present: a post dated in the far future is left out', () => {
    const { site } = collectPosts([postFrom('content/posts/far.md', ['title = "먼 미래"', 'date = 2999-01-01'])]);
    expect(site.posts).toEqual([]);
  });

  test('a scheduled post still clashes on its slug: the problem shows before publishing day', () => {
    const { messages } = collectPosts(
      [postFrom('content/posts/a.md', ['title = "a"', 'date = 2023-01-01']), postFrom('content/posts/b.md', ['title = "b"', 'date = 2999-01-01', 'slug = "a"'])],
      { now: JUST_AFTER_MIDNIGHT_IN_SEOUL },
    );
    expect(messages).toHaveLength(2);
  });
});
