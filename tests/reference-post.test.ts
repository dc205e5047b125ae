/**
 * The repo's own site, drafts included, built by the CLI into a temp folder: the reference
 * post `content/posts/foundation-models.md` (a draft) is the long Korean paper review the
 * generator exists for.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Root } from 'hast';
import { selectAll } from 'hast-util-select';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { brokenLinks, cleanup, readHtml, REPO_ROOT, runCli, tempDir, textOf, type CliResult } from './helpers/site.ts';

let temp: string;
let out: string;
let run: CliResult;
let post: Root;

beforeAll(async () => {
  temp = await tempDir('geul-reference-');
  out = path.join(temp, 'site');
  run = await runCli(['build', '--root', REPO_ROOT, '--drafts', '--out', out]);
  const file = path.join(out, 'posts/foundation-models/index.html');
  if (existsSync(file)) post = readHtml(file);
});

afterAll(() => cleanup(temp));

describe('the reference post', () => {
  test('the repo builds with drafts and the page exists', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(post).toBeDefined();
  });

  test('its $...$ formulas are KaTeX, none in error', () => {
    const formulas = selectAll('.prose .katex', post);
    expect(formulas.length).toBeGreaterThanOrEqual(3);
    for (const formula of formulas) expect(selectAll('math', formula)).toHaveLength(1);
    expect(selectAll('.katex-error', post)).toEqual([]);
    const tex = selectAll('.prose .katex annotation', post).map(textOf);
    expect(tex).toContain('p(\\text{future observations} | \\text{actions, past observations})');
  });

  test('every h2–h6 of the article has an id', () => {
    const headings = selectAll('.prose h2, .prose h3, .prose h4, .prose h5, .prose h6', post);
    expect(headings.length).toBeGreaterThan(5);
    const missing = headings.filter((heading) => typeof heading.properties.id !== 'string' || heading.properties.id === '').map(textOf);
    expect(missing).toEqual([]);
    const ids = headings.map((heading) => String(heading.properties.id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('both figures resolve to files and have their size', () => {
    const images = selectAll('.prose img', post);
    // CONTRACT: the src is the original's site-absolute URL; the copies are in srcset, and the
    // 1600 px original is the widest candidate.
    expect(images.map((img) => img.properties.src)).toEqual(['/images/figure1.png', '/images/figure2.png']);
    expect(images.map((img) => String(img.properties.srcSet).split(', ').pop())).toEqual(['/images/figure1.png 1600w', '/images/figure2.png 1600w']);
    for (const img of images) {
      expect(existsSync(path.join(out, decodeURIComponent(String(img.properties.src))))).toBe(true);
      expect(img.properties.width).toBeGreaterThan(0);
      expect(img.properties.height).toBeGreaterThan(0);
    }
  });

  test('no internal link in the whole output is unresolved', () => {
    expect(brokenLinks(out, 'https://example.com/')).toEqual([]);
  });
});
