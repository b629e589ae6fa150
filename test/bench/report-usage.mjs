// Preloaded into benchmarked processes (`node --import`): reports the process's peak RSS when it exits.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `\nHERAUT_BENCH_USAGE ${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS })}\n`);
});
