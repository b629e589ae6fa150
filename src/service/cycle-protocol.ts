import { readFileSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CycleReport } from './run-cycle.js';

/**
 * How the service and its cycles talk. The service starts `heraut run --once` as a child, writes the configuration
 * it validated to the child's stdin (an environment variable would cap it near 128 KiB), and reads the child's
 * report as one JSON line on file descriptor 3.
 */
const cycleVariable = 'HERAUT_CYCLE';
const reportFd = 3;
const cliEntry = fileURLToPath(new URL('../cli/main.js', import.meta.url));
/** A small young generation: reading a 13 MB feed peaks ~30 MB lower, no slower. */
const cycleFlags = ['--max-semi-space-size=4'];

export interface CycleChild {
  pid?: number;
  /** Resolves when the child is gone, with its report when it sent one. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; report?: CycleReport }>;
  kill(signal: NodeJS.Signals): void;
}

export function startCycle(options: { args: string[]; configText: string; onError: (error: Error) => void }): CycleChild {
  const flags = [...new Set([...process.execArgv, ...cycleFlags])];
  // Only the service starts cycles: a cycle itself does not load child_process.
  const child = process.getBuiltinModule('node:child_process').spawn(process.execPath, [...flags, cliEntry, ...options.args], {
    stdio: ['pipe', 'inherit', 'inherit', 'pipe'],
    env: { ...process.env, [cycleVariable]: '1' },
  });
  // A child that dies before reading its configuration closes the pipe: that is reported by its exit, not here.
  child.stdin?.on('error', () => {});
  child.stdin?.end(options.configText);
  let report = '';
  child.stdio[reportFd]?.on('data', (chunk: Buffer) => (report += chunk.toString('utf8')));
  child.on('error', options.onError);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; report?: CycleReport }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, report: parseReport(report) })),
  );
  return { pid: child.pid, done, kill: (signal) => child.exitCode === null && child.signalCode === null && child.kill(signal) };
}

function parseReport(text: string): CycleReport | undefined {
  const last = text.trim().split('\n').pop();
  if (!last) return undefined;
  try {
    return JSON.parse(last) as CycleReport;
  } catch {
    return undefined;
  }
}

/** In a cycle the service started: the configuration text it handed over. Undefined in a process a person started. */
export function readCycleConfig(): string | undefined {
  if (process.env[cycleVariable] !== '1') return undefined;
  return readFileSync(0, 'utf8');
}

/** A cycle run by the service hands its report back; a cycle a person started has nobody to tell. */
export function sendCycleReport(report: CycleReport): void {
  if (process.env[cycleVariable] !== '1') return;
  try {
    writeSync(reportFd, `${JSON.stringify(report)}\n`);
  } catch {
    // The service went away; the queue already holds everything this cycle did.
  }
}
