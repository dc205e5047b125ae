/**
 * LiquidJS's `date` filter in a theme's template: a front-matter date shows the calendar date
 * as written whatever the machine's time zone (CONTRACT.md), as `post.date.display` does. A
 * Jekyll habit, `{{ post.date.iso | date: "%Y-%m-%d" }}`, printed 2023-12-31 for a post dated
 * 2024-01-01 when built with TZ=America/Los_Angeles; so did Jekyll's `date_to_string`.
 * `{{ post.date }}` alone shows the date as readers see it, not `[object Object]`.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { select } from 'hast-util-select';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cleanup, readHtml, REPO_ROOT, runCli, tempDir, textOf, type CliResult } from './helpers/site.ts';

const ZONES = ['America/Los_Angeles', 'Pacific/Kiritimati'] as const;
let root: string;
const runs: Record<string, CliResult> = {};

beforeAll(async () => {
  root = await tempDir();
  mkdirSync(path.join(root, 'content', 'posts'), { recursive: true });
  cpSync(path.join(REPO_ROOT, 'templates'), path.join(root, 'templates'), { recursive: true });
  const postTemplate = path.join(root, 'templates', 'post.liquid');
  writeFileSync(
    postTemplate,
    readFileSync(postTemplate, 'utf8').replace(
      '<div class="prose">',
      '<p class="dates">{{ post.date.iso | date: "%Y-%m-%d" }}|{{ post.date.timestamp | date: "%Y-%m-%d %H:%M" }}|{{ post.params.reviewed | date: "%Y.%m.%d" }}|{{ post.params.seen | date: "%Y-%m-%d %H:%M" }}|{{ post.params.reviewed | date: "%Y-%m-%d", "Asia/Seoul" }}|{{ post.date.iso | date_to_string }}|{{ post.date.iso | date_to_xmlschema }}|{{ post.date | date: "%Y.%m.%d" }}|{{ post.date }}</p><div class="prose">',
    ),
  );
  writeFileSync(path.join(root, 'site.toml'), 'title = "날짜"\nbaseURL = "https://example.com/"\nlanguage = "ko"\n');
  const post = (name: string, lines: string[]) =>
    writeFileSync(path.join(root, 'content', 'posts', `${name}.md`), `+++\ntitle = "${name}"\n${lines.join('\n')}\n+++\n\n본문.\n`);
  post('bare', ['date = 2024-01-01', 'reviewed = 2024-03-01', 'seen = 2024-03-01T00:30:00+09:00']);
  post('offset', ['date = 2024-07-01T00:30:00+14:00', 'reviewed = "2024-03-01"', 'seen = 2024-03-01T00:30:00']);
  for (const zone of ZONES) runs[zone] = await runCli(['build', '--root', root, '--out', `dist-${zone.replace('/', '-')}`], { env: { TZ: zone } });
});

afterAll(() => cleanup(root));

describe('the date filter reads dates on the site clock, not the machine one', () => {
  test.each(ZONES)('TZ=%s', (zone) => {
    expect(runs[zone]!.code, runs[zone]!.stderr).toBe(0);
    const dates = (slug: string) => textOf(select('.dates', readHtml(path.join(root, `dist-${zone.replace('/', '-')}`, 'posts', slug, 'index.html')))!);
    expect(dates('bare')).toBe('2024-01-01|2024-01-01 00:00|2024.03.01|2024-03-01 00:30|2024-03-01|01 Jan 2024|2024-01-01T00:00:00+09:00|2024.01.01|2024년 1월 1일');
    // An offset is kept as written; a time without one is on the site's clock (Asia/Seoul).
    expect(dates('offset')).toBe('2024-07-01|2024-07-01 00:30|2024.03.01|2024-03-01 00:30|2024-03-01|01 Jul 2024|2024-07-01T00:30:00+14:00|2024.07.01|2024년 7월 1일');
  });
});
