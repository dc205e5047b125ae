// Preloaded into benchmarked processes (`node --import ./bench/rusage.mjs ...`): on exit,
// write the process's own CPU time and peak RSS to the file named by GEUL_RUSAGE_FILE.
import { writeFileSync } from 'node:fs';

const target = process.env.GEUL_RUSAGE_FILE;
if (target) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(target, JSON.stringify({ cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssKb: usage.maxRSS }));
  });
}
