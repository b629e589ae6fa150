// npm run build: bundles the CLI with esbuild into dist/cli/. A start reads main.js alone; each command, platform
// and heavy library is a chunk that is read only when something imports it.
import { chmodSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Native code, and modules that find their own files at run time (pino-pretty is required by name, sharp loads a binary).
const external = ['sharp', 'pino-pretty'];

rmSync(path.join(root, 'dist'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external,
  chunkNames: '[name]-[hash]',
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
  // Bundled CommonJS packages still call require() for node: built-ins.
  banner: { js: "import { createRequire as __herautRequire } from 'node:module'; const require = __herautRequire(import.meta.url);" },
});
chmodSync(path.join(root, 'dist/cli/main.js'), 0o755);
