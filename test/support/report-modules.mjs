// Preloaded into a CLI a test starts (`node --import ./test/support/report-modules.mjs ...`): when it exits, it writes
// Node's own modules it loaded, one per line, to the file named by HERAUT_TEST_MODULES; with HERAUT_TEST_MODULES_ESM=1
// also every ES module it loads (through a loader hook, which runs on a worker thread of its own).
import { appendFileSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';

const out = process.env.HERAUT_TEST_MODULES;
if (out) {
  writeFileSync(out, '');
  if (process.env.HERAUT_TEST_MODULES_ESM === '1') {
    register('data:text/javascript,' + encodeURIComponent(`import { appendFileSync } from 'node:fs'; export async function load(url, context, next) { appendFileSync(${JSON.stringify(out)}, url + '\\n'); return next(url, context); }`));
  }
  process.on('exit', () => appendFileSync(out, process.moduleLoadList.map((name) => `node:${name}\n`).join('')));
}
