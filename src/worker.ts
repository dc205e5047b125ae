import { Worker, type ResourceLimits } from 'node:worker_threads';

/**
 * Start one of geul's worker threads, `<name>.ts` in src/. From the bundle bin/geul.js runs
 * (see there), the worker's own bundled entry `<name>.js` sits beside this code; from the
 * TypeScript sources (tests, GEUL_FROM_SOURCE), an eval'd bootstrap registers tsx in the
 * worker first.
 */
export function startWorker(name: 'compile-worker' | 'watch-worker' | 'render-worker', workerData: unknown, resourceLimits?: ResourceLimits): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, import.meta.url), { workerData, resourceLimits });
  const workerModule = new URL(`./${name}.ts`, import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(workerModule)}); });`;
  return new Worker(bootstrap, { eval: true, workerData, resourceLimits });
}
