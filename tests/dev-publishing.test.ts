/**
 * `geul dev --future` and `--expired` serve posts still to come and expired ones, as
 * `geul build --future`/`--expired` publish them; without them, dev leaves them out as the build does.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { toText } from 'hast-util-to-text';
import { afterAll, describe, expect, test } from 'vitest';
import { startDevServer, type DevServer } from '../src/dev.ts';
import { cleanup, copySite, runCli } from './helpers/site.ts';

const made: string[] = [];
const servers: DevServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await cleanup(...made);
});

/** A site with a post dated 2999 and one that expired in 2001. */
async function site(): Promise<string> {
  const root = await copySite('basic');
  made.push(root);
  mkdirSync(path.join(root, 'content/posts'), { recursive: true });
  writeFileSync(path.join(root, 'content/posts/later.md'), '+++\ntitle = "먼 훗날의 글"\ndate = 2999-01-01\ntags = ["예약"]\n+++\n\n본문.\n');
  writeFileSync(path.join(root, 'content/posts/gone.md'), '+++\ntitle = "지난 글"\ndate = 2000-01-01\nexpiryDate = 2001-01-01\n+++\n\n본문.\n');
  return root;
}

async function homeTitles(server: DevServer): Promise<string[]> {
  const html = await (await fetch(server.url)).text();
  return selectAll('h2 a, h3 a', fromHtml(html)).map((node) => String((node.children[0] as { value?: string } | undefined)?.value ?? '').trim());
}

describe('geul dev and publication times', () => {
  test.each([
    [{}, { later: 404, gone: 404 }],
    [{ future: true }, { later: 200, gone: 404 }],
    [{ expired: true }, { later: 404, gone: 200 }],
    [{ future: true, expired: true }, { later: 200, gone: 200 }],
  ])('with %o, serves what geul build publishes with the same options', async (publishing, expected) => {
    const root = await site();
    const server = await startDevServer({ root, port: 0, host: '127.0.0.1', log: () => {}, ...publishing });
    servers.push(server);
    const status = async (slug: string) => (await fetch(new URL(`posts/${slug}/`, server.url))).status;
    expect({ later: await status('later'), gone: await status('gone') }).toEqual(expected);
    expect((await homeTitles(server)).includes('먼 훗날의 글')).toBe(expected.later === 200);
    expect((await fetch(new URL('tags/예약/', server.url))).status).toBe(expected.later);

    const flags = Object.keys(publishing).map((flag) => `--${flag}`);
    const built = await runCli(['build', '--root', root, '--drafts', ...flags]);
    expect(built.code, built.stderr).toBe(0);
    for (const slug of ['later', 'gone'] as const) {
      expect(existsSync(path.join(root, 'dist/posts', slug, 'index.html')), slug).toBe(expected[slug] === 200);
    }
  }, 60_000);
});

test('geul dev --clock previews the site as it will be then, as geul build --clock builds it', async () => {
  const root = await site();
  // Noon on the site's clock (Asia/Seoul): the post dated 2999-01-01 is out, the one that expired in 2001 is gone.
  const clock = new Date('2999-06-01T03:00:00Z');
  const server = await startDevServer({ root, port: 0, host: '127.0.0.1', log: () => {}, clock });
  servers.push(server);
  const status = async (slug: string) => (await fetch(new URL(`posts/${slug}/`, server.url))).status;
  expect({ later: await status('later'), gone: await status('gone') }).toEqual({ later: 200, gone: 404 });
  expect(await homeTitles(server)).toContain('먼 훗날의 글');
  // The footer's year is the clock's.
  const footer = select('footer', fromHtml(await (await fetch(server.url)).text()));
  expect(footer && toText(footer)).toContain('© 2999');

  const built = await runCli(['build', '--root', root, '--drafts', '--clock', '2999-06-01T12:00']);
  expect(built.code, built.stderr).toBe(0);
  expect(existsSync(path.join(root, 'dist/posts/later/index.html'))).toBe(true);
  expect(existsSync(path.join(root, 'dist/posts/gone/index.html'))).toBe(false);

  const cli = await runCli(['dev', '--root', root, '--clock', 'someday']);
  expect(cli.code).toBe(2);
  expect(cli.stderr).toMatch(/--clock "someday"/);
}, 60_000);
