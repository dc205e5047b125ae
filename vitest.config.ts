import { defineConfig } from 'vitest/config';

// Tests spawn the CLI in child processes and build small sites in temp folders; files run in
// parallel (one fork per core) and each file reuses its builds across assertions.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
