import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { appendFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeCorpus } from '../bench/corpus.js';
import { cleanup, copySite, hashTree, REPO_ROOT, runCli, tempDir, withoutMarker } from './helpers/site.js';

/**
 * What makes geul fast must not change what it builds: the worker pool, the post cache, the
 * formula cache and the reuse of unchanged files all give the same bytes as a plain build.
 * (Speed itself is measured by `npm run bench`, never asserted here.)
 */
describe('parallel and cached builds', () => {
  let site: string;
  beforeAll(async () => {
    site = await tempDir('geul-speed-');
    await writeCorpus(site, 30, path.join(REPO_ROOT, 'templates'));
  }, 60_000);
  afterAll(() => cleanup(site));

  test('1 and 3 workers give byte-identical sites', async () => {
    const one = await runCli(['build', '--root', site, '--out', 'out-1', '--workers', '1', '--no-cache']);
    const three = await runCli(['build', '--root', site, '--out', 'out-3', '--workers', '3', '--no-cache']);
    expect(one.code, one.stderr).toBe(0);
    expect(three.code, three.stderr).toBe(0);
    const a = hashTree(path.join(site, 'out-1'));
    const b = hashTree(path.join(site, 'out-3'));
    expect(Object.keys(a).length).toBeGreaterThan(30);
    expect(b).toEqual(a);
  }, 120_000);

  test('with the cache too, 1 and 3 workers give byte-identical folders, their markers included', async () => {
    const one = await runCli(['build', '--root', site, '--out', 'out-marker-1', '--workers', '1']);
    const three = await runCli(['build', '--root', site, '--out', 'out-marker-3', '--workers', '3']);
    expect(one.code, one.stderr).toBe(0);
    expect(three.code, three.stderr).toBe(0);
    const a = hashTree(path.join(site, 'out-marker-1'));
    expect(a['.geul']).toBeDefined();
    expect(hashTree(path.join(site, 'out-marker-3'))).toEqual(a);
  }, 120_000);

  test('the CLI bundle bin/geul.js runs and the TypeScript sources give byte-identical sites', async () => {
    const bundled = await runCli(['build', '--root', site, '--out', 'out-bundle', '--workers', '2', '--no-cache']);
    const source = await runCli(['build', '--root', site, '--out', 'out-source', '--workers', '2', '--no-cache'], { env: { GEUL_FROM_SOURCE: '1' } });
    expect(bundled.code, bundled.stderr).toBe(0);
    expect(source.code, source.stderr).toBe(0);
    // Only a bundle that cannot be made falls back to the sources, and says so.
    expect(bundled.stderr).not.toContain('running from source');
    const bundles = path.join(REPO_ROOT, 'node_modules', '.cache', 'geul-cli');
    expect(readdirSync(bundles).some((name) => existsSync(path.join(bundles, name, 'cli.js')))).toBe(true);
    // The manifest aside (its keys of copied files hold their mtimes), every byte is the same.
    const a = withoutMarker(hashTree(path.join(site, 'out-bundle')));
    expect(Object.keys(a).length).toBeGreaterThan(30);
    expect(withoutMarker(hashTree(path.join(site, 'out-source')))).toEqual(a);
  }, 120_000);

  test('a cached rebuild gives the same bytes as a build without cache, and rewrites no file', async () => {
    const fresh = await runCli(['build', '--root', site, '--out', 'out-cached', '--workers', '1']);
    expect(fresh.code, fresh.stderr).toBe(0);
    const out = path.join(site, 'out-cached');
    const before = inodes(out);
    const again = await runCli(['build', '--root', site, '--out', 'out-cached', '--workers', '1']);
    expect(again.code, again.stderr).toBe(0);
    // Same inode and mtime: the file was linked from the previous build, not written again.
    expect(inodes(out)).toEqual(before);
    const plain = await runCli(['build', '--root', site, '--out', 'out-plain', '--workers', '1', '--no-cache']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(withoutMarker(hashTree(out))).toEqual(withoutMarker(hashTree(path.join(site, 'out-plain'))));
  }, 120_000);

  test('editing one post rewrites its page and the lists it is on, not the other posts', async () => {
    const out = path.join(site, 'out-edit');
    expect((await runCli(['build', '--root', site, '--out', 'out-edit'])).code).toBe(0);
    const before = inodes(out);
    await appendFile(path.join(site, 'content', 'posts', 'post-00003.md'), '\n\n새 문단: $e^{i\\pi} + 1 = 0$\n');
    const result = await runCli(['build', '--root', site, '--out', 'out-edit']);
    expect(result.code, result.stderr).toBe(0);
    const after = inodes(out);
    const changed = Object.keys(after).filter((file) => after[file] !== before[file]);
    expect(changed).toContain('posts/post-00003/index.html');
    expect(changed).not.toContain('posts/post-00010/index.html');
    expect(readFileSync(path.join(out, 'posts', 'post-00003', 'index.html'), 'utf8')).toContain('새 문단');
    // Whatever moved in, the folder is the site a build from nothing makes.
    const fresh = await runCli(['build', '--root', site, '--out', 'out-edit-fresh', '--no-cache']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(withoutMarker(hashTree(out))).toEqual(withoutMarker(hashTree(path.join(site, 'out-edit-fresh'))));
  }, 120_000);

  test('a template and a post edited together: every page renders again, beside the main thread, and the feed and search index hold the new body', async () => {
    const out = path.join(site, 'out-both');
    expect((await runCli(['build', '--root', site, '--out', 'out-both'])).code).toBe(0);
    const template = path.join(site, 'templates', 'post.liquid');
    const original = readFileSync(template, 'utf8');
    try {
      // The post compiles in the main thread (one miss) and its page goes to a render helper
      // (the template edit makes every page stale): its body crosses to the helper and must stay.
      writeFileSync(template, `${original}\n{% comment %}edited{% endcomment %}\n`);
      // The newest post, which the feed holds.
      const newest = /\/posts\/(post-\d+)\//.exec(readFileSync(path.join(out, 'feed.xml'), 'utf8'))![1]!;
      await appendFile(path.join(site, 'content', 'posts', `${newest}.md`), '\n\n함께 고친 문단.\n');
      const result = await runCli(['build', '--root', site, '--out', 'out-both']);
      expect(result.code, result.stderr).toBe(0);
      expect(readFileSync(path.join(out, 'feed.xml'), 'utf8')).toContain('함께 고친 문단.');
      const fresh = await runCli(['build', '--root', site, '--out', 'out-both-fresh', '--no-cache']);
      expect(fresh.code, fresh.stderr).toBe(0);
      expect(withoutMarker(hashTree(out))).toEqual(withoutMarker(hashTree(path.join(site, 'out-both-fresh'))));
    } finally {
      writeFileSync(template, original);
    }
  }, 120_000);

  test('deleting a post removes its page and index files, and leaves the site a build from nothing makes', async () => {
    const out = path.join(site, 'out-delete');
    expect((await runCli(['build', '--root', site, '--out', 'out-delete'])).code).toBe(0);
    expect(existsSync(path.join(out, 'posts', 'post-00007', 'index.html'))).toBe(true);
    await rm(path.join(site, 'content', 'posts', 'post-00007.md'));
    const result = await runCli(['build', '--root', site, '--out', 'out-delete']);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(path.join(out, 'posts', 'post-00007'))).toBe(false);
    const fresh = await runCli(['build', '--root', site, '--out', 'out-delete-fresh', '--no-cache']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(withoutMarker(hashTree(out))).toEqual(withoutMarker(hashTree(path.join(site, 'out-delete-fresh'))));
  }, 120_000);
});

describe('template errors', () => {
  test('an error met on every post page is reported at its place in the template, once, with 1 worker or 3; dist/ is left as it was', async () => {
    const site = await copySite('basic');
    try {
      const built = await runCli(['build', '--root', site, '--no-cache']);
      expect(built.code, built.stderr).toBe(0);
      const before = hashTree(path.join(site, 'dist'));
      const post = path.join(site, 'templates', 'post.liquid');
      const lines = readFileSync(post, 'utf8').split('\n');
      // An unknown variable on line 3, met on every post page.
      lines.splice(2, 0, '{{ post.nowhere }}');
      writeFileSync(post, lines.join('\n'));
      const runs = [];
      for (const workers of ['1', '3']) {
        const run = await runCli(['build', '--root', site, '--no-cache', '--workers', workers]);
        expect(run.code, workers).toBe(1);
        runs.push(run.stderr);
      }
      expect(runs[1]).toBe(runs[0]);
      const problems = runs[0]!.split('\n').filter((line) => /^templates\//.test(line));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^templates\/post\.liquid:3:\d+: template error: .*nowhere/);
      expect(hashTree(path.join(site, 'dist'))).toEqual(before);
    } finally {
      await cleanup(site);
    }
  }, 120_000);
});

describe('template errors in partials and the layout', () => {
  test('are reported in the partial or layout at their line, not in the page template that used them, with 1 worker or 3', async () => {
    const site = await copySite('basic');
    try {
      const partial = path.join(site, 'templates', 'partials', 'mine.liquid');
      writeFileSync(partial, '<span>\n  {{ post.nope }}\n</span>\n');
      const item = path.join(site, 'templates', 'partials', 'post-item.liquid');
      writeFileSync(item, `{% render "partials/mine", post: post %}\n${readFileSync(item, 'utf8')}`);
      const problemsOf = async (workers: string) => {
        const run = await runCli(['build', '--root', site, '--no-cache', '--workers', workers]);
        expect(run.code).toBe(1);
        return run.stderr.split('\n').filter((line) => /^templates\//.test(line));
      };
      for (const workers of ['1', '3']) {
        expect(await problemsOf(workers), workers).toEqual(['templates/partials/mine.liquid:2:6: template error: undefined variable: post.nope']);
      }
      // The layout is rendered around every page: its error is met first.
      const base = path.join(site, 'templates', 'base.liquid');
      const layout = readFileSync(base, 'utf8').split('\n');
      layout.splice(1, 0, '{{ site.params.nothing }}');
      writeFileSync(base, layout.join('\n'));
      for (const workers of ['1', '3']) {
        expect(await problemsOf(workers), workers).toEqual(['templates/base.liquid:2:4: template error: undefined variable: site.params.nothing']);
      }
    } finally {
      await cleanup(site);
    }
  }, 120_000);
});

describe('the post cache is never trusted blindly', () => {
  let site: string;
  beforeAll(async () => {
    site = await copySite('basic');
  });
  afterAll(() => cleanup(site));

  const entries = () => {
    const dir = path.join(site, '.cache', 'geul', 'posts');
    return readdirSync(dir).flatMap((folder) => readdirSync(path.join(dir, folder)).map((file) => path.join(dir, folder, file)));
  };

  test('a corrupt entry is ignored and the build output is unchanged', async () => {
    expect((await runCli(['build', '--root', site, '--out', 'good', '--no-cache'])).code).toBe(0);
    expect((await runCli(['build', '--root', site, '--out', 'cached'])).code).toBe(0);
    const files = entries();
    expect(files.length).toBeGreaterThan(0);
    // Truncate one entry, flip bytes in another, replace a third with valid JSON of another shape.
    const [first, second, third] = files;
    writeFileSync(first!, readFileSync(first!, 'utf8').slice(0, 40));
    const text = readFileSync(second!, 'utf8');
    writeFileSync(second!, text.replace(/<p>/, '<p>tampered '));
    if (third) writeFileSync(third, '{"format":3}\n{}');
    await rm(path.join(site, 'cached'), { recursive: true });
    const result = await runCli(['build', '--root', site, '--out', 'cached']);
    expect(result.code, result.stderr).toBe(0);
    expect(withoutMarker(hashTree(path.join(site, 'cached')))).toEqual(withoutMarker(hashTree(path.join(site, 'good'))));
  }, 60_000);

  test('an entry whose image changed is not reused', async () => {
    expect((await runCli(['build', '--root', site, '--out', 'img'])).code).toBe(0);
    // Replace the image a post refers to with one of another size: the cached width/height are stale.
    const image = findImage(path.join(site, 'images'));
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="77" height="33" viewBox="0 0 77 33"></svg>';
    const target = image.replace(/\.[a-z]+$/, '.svg');
    writeFileSync(target, svg);
    const posts = path.join(site, 'content', 'posts');
    const usesImage = readdirSync(posts, { recursive: true })
      .map(String)
      .filter((file) => file.endsWith('.md'))
      .find((file) => readFileSync(path.join(posts, file), 'utf8').includes(path.basename(image)));
    expect(usesImage).toBeDefined();
    const postFile = path.join(posts, usesImage!);
    writeFileSync(postFile, readFileSync(postFile, 'utf8').replaceAll(path.basename(image), path.basename(target)));
    expect((await runCli(['build', '--root', site, '--out', 'img'])).code).toBe(0);
    // Now change only the image (same name): the post text is unchanged, its cache entry is not.
    writeFileSync(target, svg.replace('width="77"', 'width="91"'));
    const result = await runCli(['build', '--root', site, '--out', 'img']);
    expect(result.code, result.stderr).toBe(0);
    const html = readdirSync(path.join(site, 'img', 'posts'), { recursive: true })
      .map(String)
      .filter((file) => file.endsWith('.html'))
      .map((file) => readFileSync(path.join(site, 'img', 'posts', file), 'utf8'))
      .find((page) => page.includes(path.basename(target)));
    expect(html).toContain('width="91"');
  }, 60_000);
});

function inodes(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const file of readdirSync(dir, { recursive: true }).map(String)) {
    const stat = statSync(path.join(dir, file));
    if (stat.isFile() && file !== '.geul') result[file] = `${stat.ino}:${stat.mtimeMs}`;
  }
  return result;
}


function findImage(dir: string): string {
  const file = readdirSync(dir).find((name) => /\.(png|svg|jpe?g)$/.test(name));
  if (!file) throw new Error(`no image in ${dir}`);
  return path.join(dir, file);
}
