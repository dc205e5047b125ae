#!/usr/bin/env node
// geul runs its TypeScript sources directly through tsx: no compile step to forget, and
// stack traces point at the .ts files a contributor edits.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
