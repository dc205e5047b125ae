#!/usr/bin/env node
// geul's sources are TypeScript. Run through tsx, every module of the unified ecosystem (some
// hundreds) crosses tsx's loader thread on each start: about 1.5 s of CPU before any work. So
// the CLI runs from a bundle that esbuild (already installed, as tsx's own compiler) makes
// from src/ whenever src/ or the installed packages change: start-up falls to about 0.3 s,
// and compile workers start as fast. The bundle lives in node_modules/.cache, so packages left
// out of it (native or large ones) resolve as usual. GEUL_FROM_SOURCE=1, or a bundle that
// cannot be made, runs the sources through tsx as before.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = await bundledEntry().catch((error) => {
  console.error(`geul: running from source (${error instanceof Error ? error.message : String(error)})`);
  return undefined;
});
let main;
if (entry) {
  // Errors point at the .ts line through the bundle's source map.
  process.setSourceMapsEnabled(true);
  // For the post cache's digest of the sources (see cache.ts).
  globalThis.geulSourceDir = path.join(repo, 'src');
  ({ main } = await import(pathToFileURL(entry).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli.ts'));
}
process.exitCode = await main(process.argv.slice(2));

/** The bundle's cli.js for the current sources, made first if needed; undefined to run from source. */
async function bundledEntry() {
  if (process.env.GEUL_FROM_SOURCE === '1') return undefined;
  const cacheDir = path.join(repo, 'node_modules', '.cache', 'geul-cli');
  const dir = path.join(cacheDir, sourceDigest());
  const cli = path.join(dir, 'cli.js');
  if (existsSync(cli)) return cli;
  const esbuild = await import('esbuild');
  mkdirSync(cacheDir, { recursive: true });
  // Built beside its final place and renamed: a process started meanwhile never sees half a
  // bundle, and of two processes building at once the second one's rename just loses.
  const temporary = `${dir}.${process.pid}.tmp`;
  await esbuild.build({
    entryPoints: {
      cli: path.join(repo, 'src', 'cli.ts'),
      'compile-worker': path.join(repo, 'src', 'compile-worker.ts'),
      'watch-worker': path.join(repo, 'src', 'watch-worker.ts'),
      'render-worker': path.join(repo, 'src', 'render-worker.ts'),
    },
    outdir: temporary,
    bundle: true,
    // Lazily imported stages (the markdown chain, the dev server, the link checker) stay in
    // chunks of their own, loaded only by the builds that need them.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'silent',
    // Native code, WebAssembly and packages that load their own files by path stay outside.
    external: ['sharp', 'pagefind', 'shiki', 'shiki/*', '@shikijs/*', 'chokidar', 'lighthouse', 'playwright-core', 'esbuild', 'tsx', 'fsevents'],
    plugins: [withoutVisitorNames()],
    // Bundled CommonJS packages may call require().
    banner: { js: "import { createRequire as __geulCreateRequire } from 'node:module'; const require = __geulCreateRequire(import.meta.url);" },
  });
  // Says the chunks are ES modules: without it Node reads each one's text to guess its
  // format, some 25 ms of every start.
  writeFileSync(path.join(temporary, 'package.json'), '{ "type": "module" }\n');
  try {
    renameSync(temporary, dir);
  } catch {
    rmSync(temporary, { recursive: true, force: true });
    if (!existsSync(cli)) throw new Error('could not place the bundle');
  }
  pruneOld(cacheDir, dir);
  return cli;
}

/**
 * unist-util-visit-parents, which every plugin of the chain walks its tree with, names each
 * visit closure after its node (`Object.defineProperty(visit, 'name', …)`) for readable stack
 * traces. That is a property redefinition and a string per node per walk: 15 % of compiling a
 * post, measured. The bundle leaves the naming out; the walk is otherwise the same. Should the
 * package's code change, nothing matches and it is bundled as it is.
 */
function withoutVisitorNames() {
  return {
    name: 'geul-without-visitor-names',
    setup(build) {
      build.onLoad({ filter: /[\\/]unist-util-visit-parents[\\/]lib[\\/]index\.js$/ }, (args) => {
        const code = readFileSync(args.path, 'utf8');
        const patched = code.replace(/Object\.defineProperty\(visit, 'name', \{\s*value:\s*'node \(' \+ color\([^;]*?\) \+ '\)'\s*\}\)/, 'void name');
        return { contents: patched, loader: 'js' };
      });
    },
  };
}

/** A digest of what the bundle is made of: the sources, this file, the installed packages. */
function sourceDigest() {
  const hash = createHash('sha256').update(process.version.split('.')[0]);
  const src = path.join(repo, 'src');
  for (const file of readdirSync(src, { recursive: true }).map(String).sort()) {
    const full = path.join(src, file);
    if (statSync(full).isFile()) hash.update(file).update('\0').update(readFileSync(full)).update('\0');
  }
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  // npm rewrites this file on every install: a changed package means a new bundle.
  for (const file of ['package.json', 'node_modules/.package-lock.json']) {
    const full = path.join(repo, file);
    if (existsSync(full)) hash.update(readFileSync(full));
  }
  return hash.digest('hex').slice(0, 20);
}

/**
 * Remove bundles of older sources: all but the 8 newest, once an hour old (every edit of src/
 * makes a new bundle of some megabytes; a dev server started from an older one may still load
 * its lazy chunks and its compile workers for a while).
 */
function pruneOld(cacheDir, keep) {
  const hourAgo = Date.now() - 3_600_000;
  const bundles = [];
  for (const name of readdirSync(cacheDir)) {
    const full = path.join(cacheDir, name);
    try {
      if (full !== keep) bundles.push({ full, mtime: statSync(full).mtimeMs });
    } catch {
      // removed by another process meanwhile
    }
  }
  bundles.sort((a, b) => b.mtime - a.mtime);
  for (const { full, mtime } of bundles.slice(7)) if (mtime < hourAgo) rmSync(full, { recursive: true, force: true });
}
