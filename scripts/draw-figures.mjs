// Renders scripts/figures/figure*.svg to images/figure*.png (1600px wide) with headless Chromium.
/* global document -- page.evaluate runs in the browser */
// Needs Debian's `chromium` and `fonts-noto-cjk` packages (for Hangul) plus the playwright-core dev dependency.
// Run by hand once, `node scripts/draw-figures.mjs`; the PNGs are committed, so builds never need a browser.
import { readFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Optional arguments pick figures by name (e.g. `figure2`); by default all of them are drawn.
const figures = process.argv.length > 2 ? process.argv.slice(2) : ['figure1', 'figure2'];
const WIDTH = 1600;

// Without the CJK font Chromium silently draws tofu boxes for Hangul, so refuse to run.
const cjk = execFileSync('fc-list', [':family=Noto Sans CJK KR', 'family'], { encoding: 'utf8' });
if (!cjk.trim()) throw new Error('font "Noto Sans CJK KR" is missing; install fonts-noto-cjk');

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
  ],
});

try {
  await mkdir(path.join(root, 'images'), { recursive: true });
  for (const name of figures) {
    const svg = await readFile(path.join(root, 'scripts', 'figures', `${name}.svg`), 'utf8');
    const viewBox = /viewBox="([\d.\s-]+)"/.exec(svg);
    if (!viewBox) throw new Error(`${name}.svg has no viewBox`);
    const [, , vw, vh] = viewBox[1].trim().split(/\s+/).map(Number);
    const height = Math.round((WIDTH * vh) / vw);

    const page = await browser.newPage({ viewport: { width: WIDTH, height }, deviceScaleFactor: 1 });
    const html = `<!doctype html><html lang="ko"><head><meta charset="utf-8"><style>
      html, body { margin: 0; background: #fff; }
      svg { display: block; width: ${WIDTH}px; height: ${height}px; }
    </style></head><body>${svg}</body></html>`;
    await page.setContent(html, { waitUntil: 'load' });
    await page.evaluate(() => document.fonts.ready);

    const out = path.join(root, 'images', `${name}.png`);
    await page.locator('svg').first().screenshot({ path: out, omitBackground: false });
    await page.close();
    console.log(`wrote ${path.relative(root, out)} (${WIDTH}x${height})`);
  }
} finally {
  await browser.close();
}
