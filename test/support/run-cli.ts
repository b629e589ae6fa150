import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const cliPath = path.join(repoRoot, 'dist/cli/main.js');

/** The user's config, state and cache folders of every CLI a test starts: never the real ones of whoever runs the tests. */
const home = mkdtempSync(path.join(tmpdir(), 'heraut-home-'));
export const isolatedEnv: NodeJS.ProcessEnv = { XDG_CONFIG_HOME: path.join(home, 'config'), XDG_STATE_HOME: path.join(home, 'state'), XDG_CACHE_HOME: path.join(home, 'cache'), HOME: home };
// A CLI a test spawns itself with process.env (a service and its cycles) keeps its configuration cache here too.
process.env.XDG_CACHE_HOME = isolatedEnv.XDG_CACHE_HOME;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would, with a time limit so a hung process fails the test instead of the suite. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return runCliAt(cliPath, args, options);
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  input?: string;
}

/** Runs a copy of the CLI (an installed package, say) the same way. */
export function runCliAt(cli: string, args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, ...isolatedEnv, HERAUT_CONFIG: '', HERAUT_LOG_LEVEL: 'info', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
