/**
 * The date line of a post (its page and its list item): the date as written, and "수정" with
 * the last change only when that falls on another day. Built with `build()` and the repo's
 * templates; the HTML is parsed.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { build, type BuildResult } from '../src/build.ts';
import { cleanup, REPO_ROOT, tempDir, textOf } from './helpers/site.ts';

let root: string;
let result: BuildResult;

beforeAll(async () => {
  root = await tempDir();
  mkdirSync(path.join(root, 'content', 'posts'), { recursive: true });
  cpSync(path.join(REPO_ROOT, 'templates'), path.join(root, 'templates'), { recursive: true });
  writeFileSync(path.join(root, 'site.toml'), 'title = "날짜"\nbaseURL = "https://example.com/"\nlanguage = "ko"\n');
  const post = (name: string, lines: string[]) =>
    writeFileSync(path.join(root, 'content', 'posts', `${name}.md`), `+++\ntitle = "${name}"\n${lines.join('\n')}\n+++\n\n본문.\n`);
  post('same-day', ['date = 2024-06-01T09:00:00', 'lastmod = 2024-06-01T18:30:00']);
  post('same-day-other-form', ['date = "2024-06-01"', 'lastmod = 2024-06-01']);
  post('later', ['date = 2024-06-01', 'lastmod = 2024-06-10T12:00:00']);
  result = await build({ root, drafts: false, workers: 1 });
});

afterAll(() => cleanup(root));

const page = (file: string) => {
  const output = result.outputs.find((candidate) => candidate.path === file);
  if (!output || !('content' in output)) throw new Error(`no page ${file}`);
  return fromHtml(typeof output.content === 'string' ? output.content : Buffer.from(output.content).toString('utf8'));
};
const metaOf = (file: string) => select('.post-header .post-meta', page(file))!;

describe('the date line', () => {
  test('a change later the same day is not shown as "수정" with the same date again', () => {
    expect(result.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    for (const slug of ['same-day', 'same-day-other-form']) {
      const meta = metaOf(`posts/${slug}/index.html`);
      expect(textOf(meta), slug).toContain('2024년 6월 1일');
      expect(select('.meta-updated', meta), slug).toBeUndefined();
    }
  });

  test('a change on a later day is shown, with its own <time datetime>', () => {
    const updated = select('.meta-updated', metaOf('posts/later/index.html'));
    expect(updated && textOf(updated)).toBe('수정 2024년 6월 10일');
    expect(select('time', updated!)?.properties.dateTime).toBe('2024-06-10T12:00:00');
    // The home page's list item says the same.
    const updatedIn = Object.fromEntries(
      selectAll('.post-item', page('index.html')).map((item) => [textOf(select('.post-item-title', item)!), select('.meta-updated', item) ? textOf(select('.meta-updated', item)!) : null]),
    );
    expect(updatedIn).toEqual({ later: '수정 2024년 6월 10일', 'same-day': null, 'same-day-other-form': null });
  });
});
