import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HerautError } from '../errors.js';
import { createFileAtomic, isCode, readIfExists, writeFileAtomic } from './atomic-file.js';

export const lockStaleAfterMs = 15 * 60_000;

export interface LockInfo {
  pid: number;
  hostname: string;
  /** Taken or last renewed. */
  at: string;
  token: string;
  /** The holder's lease; others take the lock over once `at` is older than this (default lockStaleAfterMs). */
  leaseMs?: number;
}

export interface FileLock {
  readonly file: string;
  /** False when another process has taken the lock over (it thought we were dead). */
  isHeld(): Promise<boolean>;
  /** Moves the lease on from now; false when the lock was lost. */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

export function pidIsDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return isCode(error, 'ESRCH');
  }
}

export function isStale(info: LockInfo | undefined, now: Date, staleAfterMs = lockStaleAfterMs): boolean {
  if (!info) return true;
  if (info.hostname === os.hostname() && info.pid !== process.pid && pidIsDead(info.pid)) return true;
  const at = Date.parse(info.at);
  return !Number.isFinite(at) || now.getTime() - at > (info.leaseMs ?? staleAfterMs);
}

function parseLock(text: string | undefined): LockInfo | undefined {
  if (text === undefined) return undefined;
  try {
    const info = JSON.parse(text) as LockInfo;
    return typeof info.pid === 'number' && typeof info.token === 'string' ? info : undefined;
  } catch {
    return undefined;
  }
}

async function readLock(file: string): Promise<{ exists: boolean; info?: LockInfo }> {
  const text = await readIfExists(file);
  return { exists: text !== undefined, info: parseLock(text) };
}

/** Who holds `file` and until when, or undefined when it is free or stale. */
export async function lockHolder(file: string, now: Date): Promise<{ worker: string; until: string } | undefined> {
  const { info } = await readLock(file);
  if (!info || isStale(info, now)) return undefined;
  return { worker: `${info.hostname}:${info.pid}`, until: new Date(Date.parse(info.at) + (info.leaseMs ?? lockStaleAfterMs)).toISOString() };
}

/** Exclusive create of the lock file with its whole content, so no one ever reads a half-written lock. */
function createLock(file: string, info: LockInfo): Promise<boolean> {
  return createFileAtomic(file, JSON.stringify(info), { durable: false });
}

/**
 * Takes `file` if it is free or stale; undefined when a live holder has it.
 * Breaking a stale lock goes through a second exclusive file, so two processes that both find
 * the same stale lock cannot both remove it and each believe they hold the new one.
 */
export async function tryLock(file: string, now: () => Date, leaseMs = lockStaleAfterMs): Promise<FileLock | undefined> {
  const info: LockInfo = { pid: process.pid, hostname: os.hostname(), at: now().toISOString(), token: randomBytes(8).toString('hex'), leaseMs };
  if (await createLock(file, info)) return heldLock(file, info, now);
  const existing = await readLock(file);
  if (existing.exists && !isStale(existing.info, now())) return undefined;
  const breaker = `${file}.break`;
  const breakerInfo = { ...info, token: `${info.token}b` };
  if (!(await createLock(breaker, breakerInfo))) {
    const other = await readLock(breaker);
    // A breaker left by a process that died while breaking; the next attempt can go through.
    if (other.exists && isStale({ ...other.info!, leaseMs: 60_000 }, now())) await fs.rm(breaker, { force: true });
    return undefined;
  }
  try {
    const again = await readLock(file);
    if (again.exists) {
      if (again.info?.token !== existing.info?.token) return undefined;
      await fs.rm(file, { force: true });
    }
  } finally {
    await fs.rm(breaker, { force: true });
  }
  return (await createLock(file, info)) ? heldLock(file, info, now) : undefined;
}

function heldLock(file: string, info: LockInfo, now: () => Date): FileLock {
  const { token } = info;
  let released = false;
  const isHeld = async () => !released && (await readLock(file)).info?.token === token;
  return {
    file,
    isHeld,
    async renew() {
      if (!(await isHeld())) return false;
      await writeFileAtomic(file, JSON.stringify({ ...info, at: now().toISOString() }), { durable: false });
      return true;
    },
    async release() {
      if (released) return;
      released = true;
      if ((await readLock(file)).info?.token === token) await fs.rm(file, { force: true });
    },
  };
}

/** Runs `fn` holding `file`, waiting a bounded time for short critical sections of other processes. */
export async function withLock<T>(file: string, now: () => Date, fn: () => Promise<T>, waitMs = 10_000): Promise<T> {
  const deadline = performance.now() + waitMs;
  for (;;) {
    const lock = await tryLock(file, now);
    if (lock) {
      try {
        return await fn();
      } finally {
        await lock.release();
      }
    }
    if (performance.now() > deadline) {
      throw new HerautError('queue-busy', `${path.basename(file)} stayed locked by another heraut process for ${Math.round(waitMs / 1000)}s; if no other heraut is running, delete ${file}`, { retryable: true });
    }
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
  }
}
