// npm run build: bundles the CLI with esbuild into dist/cli/. The executable, main.js, is one CommonJS file (Node
// starts CommonJS faster than an ES module) holding the argument parser and nothing else; each command is an ES
// module loaded when it runs, sharing chunks with the others, and heavy libraries sit in chunks only their users read.
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
// Identifies the code: a configuration cached by one build is validated again by another (src/config/config-cache.ts).
const buildId = createHash('sha256');
for (const file of ['package.json', 'package-lock.json', ...readdirSync(path.join(root, 'src'), { recursive: true }).map((name) => path.join('src', name)).sort()]) {
  if (/\.(ts|json)$/.test(file)) buildId.update(file).update(readFileSync(path.join(root, file)));
}
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
  metafile: true,
  define: { HERAUT_BUILD_ID: JSON.stringify(`${version}+${buildId.digest('hex').slice(0, 16)}`) },
};

rmSync(path.join(root, 'dist'), { recursive: true, force: true });
const commands = readdirSync(path.join(root, 'src/cli/commands')).filter((file) => file.endsWith('.ts')).map((file) => file.slice(0, -3));
const modules = await build({
  ...common,
  entryPoints: Object.fromEntries([...commands.map((name) => [name, `src/cli/commands/${name}.ts`]), ['report-error', 'src/cli/report-error.ts']]),
  outdir: 'dist/cli',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  format: 'esm',
  // Native code, and a module that is found by name at run time.
  external: ['sharp', 'pino-pretty'],
  chunkNames: '[name]-[hash]',
  // Bundled CommonJS packages still call require() for node: built-ins.
  banner: { js: "import { createRequire as __herautRequire } from 'node:module'; const require = __herautRequire(import.meta.url);" },
});

/** main.ts imports its commands as ./commands/NAME.js: in the bundle they are the ES modules built above. */
const commandModules = {
  name: 'command-modules',
  setup(plugin) {
    plugin.onResolve({ filter: /^\.\/(commands\/)?[\w-]+\.js$/ }, ({ path: request, importer }) => {
      if (!importer.endsWith(path.join('src', 'cli', 'main.ts'))) return undefined;
      return { path: `./${path.basename(request, '.js')}.mjs`, external: true };
    });
  },
};
const executable = await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli/main.js',
  format: 'cjs',
  plugins: [commandModules],
  define: { ...common.define, HERAUT_VERSION: JSON.stringify(version) },
});
// The package is "type": "module"; the executable alone is CommonJS.
writeFileSync(path.join(root, 'dist/package.json'), '{ "type": "commonjs" }\n');
chmodSync(path.join(root, 'dist/cli/main.js'), 0o755);
// What each file imports, for the test that keeps a command from loading what it does not use.
writeFileSync(path.join(root, 'dist/meta.json'), JSON.stringify({ inputs: { ...modules.metafile.inputs, ...executable.metafile.inputs }, outputs: { ...modules.metafile.outputs, ...executable.metafile.outputs } }));
