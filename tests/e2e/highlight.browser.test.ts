/**
 * Highlighted code in a real browser, against a built site served as static files: the scheme
 * picks the token colours, a long line scrolls inside its block at 375 px without widening
 * the page, and selecting the code copies it without the line numbers.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { lookup } from 'mrmime';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cleanup, copySite, runCli } from '../helpers/site.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

// Run in the page; the project is type-checked without the DOM library.
declare const document: any;
declare const getComputedStyle: (element: unknown, pseudo?: string) => Record<string, string> & { getPropertyValue(name: string): string };
declare const getSelection: () => { selectAllChildren(node: unknown): void; toString(): string };

let site: string | undefined;
let server: Server | undefined;
let base = '';
let browser: Browser | undefined;

beforeAll(async () => {
  site = await copySite('code-highlight');
  const built = await runCli(['build', '--root', site, '--out', 'out', '--no-cache']);
  expect(built.code, built.stderr).toBe(0);
  const out = path.join(site, 'out');
  // Files from disk, index.html for folders: what any static host does.
  server = createServer((request, response) => {
    const relative = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    let file = path.join(out, relative);
    if (!file.startsWith(out)) return void response.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!existsSync(file)) return void response.writeHead(404).end();
    response.writeHead(200, { 'Content-Type': lookup(file) ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  if (existsSync(CHROMIUM)) browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await cleanup(site);
});

describe.each(['light', 'dark'] as const)('highlighted code, %s scheme, 375 px', (scheme) => {
  test('tokens take the scheme\'s colour, long lines scroll inside the block, numbers are not copied', async () => {
    expect(browser, `Chromium at ${CHROMIUM}`).toBeDefined();
    const context = await browser!.newContext({ viewport: { width: 375, height: 800 }, colorScheme: scheme });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
    await page.goto(new URL('posts/long/', base).href, { waitUntil: 'load' });
    const facts = await page.evaluate((variable) => {
      const pre = document.querySelector('pre.shiki.has-highlighted');
      const keyword = [...pre.querySelectorAll('.line span')].find((span: any) => span.textContent === 'import');
      const selection = getSelection();
      selection.selectAllChildren(pre.querySelector('code'));
      return {
        pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        blockScrolls: pre.scrollWidth > pre.clientWidth,
        colour: getComputedStyle(keyword).color,
        expected: getComputedStyle(keyword).getPropertyValue(variable).trim(),
        lineNumber: getComputedStyle(pre.querySelector('.line'), '::before').content,
        copied: selection.toString(),
        label: document.querySelector('.code-block .code-label').textContent,
      };
    }, scheme === 'light' ? '--shiki-light' : '--shiki-dark');
    await context.close();

    expect(problems).toEqual([]);
    expect(facts.pageOverflow).toBe(0);
    expect(facts.blockScrolls).toBe(true);
    expect(facts.colour).toBe(rgb(facts.expected));
    expect(facts.lineNumber).toBe('counter(line)');
    expect(facts.copied.split('\n')[0]).toBe('import torch');
    expect(facts.copied).not.toMatch(/^\s*\d/m);
    expect(facts.label).toBe('Python');
  });
});

test('printed from the dark scheme, a page is in the light scheme: dark text and code tokens on white paper, tables whole', async () => {
  expect(browser, `Chromium at ${CHROMIUM}`).toBeDefined();
  const context = await browser!.newContext({ viewport: { width: 800, height: 1000 }, colorScheme: 'dark' });
  const page = await context.newPage();
  await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
  await page.goto(new URL('posts/code/', base).href, { waitUntil: 'load' });
  const code = await page.evaluate(() => {
    const keyword = [...document.querySelectorAll('pre.shiki .line span')].find((span: any) => span.textContent === 'def');
    return { colour: getComputedStyle(keyword).color, light: getComputedStyle(keyword).getPropertyValue('--shiki-light').trim(), text: getComputedStyle(document.querySelector('.prose p')).color };
  });
  await page.goto(new URL('posts/plain/', base).href, { waitUntil: 'load' });
  const table = await page.evaluate(() => {
    const element = document.querySelector('.prose table');
    return { foreground: getComputedStyle(document.documentElement).getPropertyValue('--fg').trim(), scrolls: element.scrollWidth > element.clientWidth, overflow: getComputedStyle(element).overflowX };
  });
  await context.close();
  // Browsers print no backgrounds: the dark scheme's light text (#e5e7eb) came out white on white.
  expect(code.colour).toBe(rgb(code.light));
  expect(code.text).toBe('rgb(0, 0, 0)');
  // The theme's colours (headings, links, borders) are the light scheme's.
  expect(table.foreground).toBe('#1b1f24');
  // A scroll box is cut off on paper.
  expect(table).toMatchObject({ scrolls: false, overflow: 'visible' });
});

/** `#rrggbb` as the `rgb(r, g, b)` that getComputedStyle reports. */
function rgb(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}
