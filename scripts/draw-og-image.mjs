// Renders the theme's default link-preview image, templates/assets/og-default.png (1200×630,
// the size Open Graph and X cards show without cropping), from the SVG below with sharp.
// Shown for pages without an image of their own when site.toml names no `image`.
// Run by hand once, `node scripts/draw-og-image.mjs`; the PNG is committed, so builds never draw it.
// The glyphs need Debian's fonts-noto-cjk (librsvg finds fonts through fontconfig).
import { execFileSync } from 'node:child_process';
import { Buffer } from 'node:buffer';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cjk = execFileSync('fc-list', [':family=Noto Sans CJK KR', 'family'], { encoding: 'utf8' });
if (!cjk.trim()) throw new Error('font "Noto Sans CJK KR" is missing; install fonts-noto-cjk');

// The theme's colours: dark background, accent blue, soft text lines of a page with a formula.
const lines = [
  [180, 300, 520],
  [180, 340, 600],
  [180, 380, 460],
  [180, 470, 560],
  [180, 510, 380],
]
  .map(([x, y, w]) => `<rect x="${x}" y="${y}" width="${w}" height="14" rx="7" fill="#cdd1d8" opacity="0.35"/>`)
  .join('');
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630" viewBox="0 0 1200 630">
  <rect width="1200" height="630" fill="#15171b"/>
  <clipPath id="card"><rect x="120" y="90" width="960" height="450" rx="28"/></clipPath>
  <rect x="120" y="90" width="960" height="450" rx="28" fill="#1f2228" stroke="#2c3037" stroke-width="2"/>
  <rect x="120" y="90" width="12" height="450" fill="#8ab6ff" clip-path="url(#card)"/>
  <text x="180" y="235" font-family="Noto Sans CJK KR" font-weight="700" font-size="96" fill="#e5e7eb">글</text>
  <text x="300" y="232" font-family="DejaVu Serif" font-style="italic" font-size="64" fill="#8ab6ff">−∑ p(x) log p(x)</text>
  ${lines}
  <circle cx="960" cy="420" r="72" fill="none" stroke="#8ab6ff" stroke-width="6" opacity="0.8"/>
  <path d="M 900 470 Q 960 330 1020 470" fill="none" stroke="#b3d0ff" stroke-width="6" opacity="0.8"/>
</svg>`;

const out = path.join(root, 'templates', 'assets', 'og-default.png');
await sharp(Buffer.from(svg)).png({ compressionLevel: 9, palette: true }).toFile(out);
console.log(`wrote ${path.relative(root, out)}`);
