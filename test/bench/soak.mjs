// Runs the service's cycle 2,000 times in one plain node process (the built code, as `heraut run` loads it) against
// the bench's local feed server, and prints RSS after 10, 1,000 and 2,000 cycles. Started by run.ts with --expose-gc,
// so that the figures are live memory, not garbage waiting for a collection.
// Usage: node --expose-gc test/bench/soak.mjs http://127.0.0.1:PORT/soak.xml [cycles]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../dist/config/load-config.js';
import { silentLogger } from '../../dist/log.js';
import { runCycle } from '../../dist/service/run-cycle.js';
import { createRuntime } from '../../dist/service/runtime.js';

const feedUrl = process.argv[2];
const cycles = Number(process.argv[3] ?? 2000);
const dir = mkdtempSync(path.join(tmpdir(), 'heraut-soak-'));
const file = path.join(dir, 'heraut.yaml');
writeFileSync(file, `dryRun: true\nqueue: ./queue\nretention: 1s\naccounts:\n  x: { platform: x }\n  bluesky: { platform: bluesky }\nfeeds:\n  - id: soak\n    url: ${feedUrl}\n    firstRun: all\n    maxAge: "0"\n`);
const runtime = await createRuntime(loadConfig({ file }), { log: silentLogger(), write: () => undefined });
const rssMb = () => {
  globalThis.gc?.();
  return process.memoryUsage().rss / 1024 / 1024;
};
const rss = {};
for (let cycle = 1; cycle <= cycles; cycle++) {
  await runCycle(runtime);
  if (cycle === 10 || cycle === 1000 || cycle === cycles) rss[cycle] = rssMb();
}
await runtime.close();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ cycles, rss }));
