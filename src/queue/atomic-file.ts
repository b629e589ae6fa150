import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Temp files start with this; readers skip them, so a crash mid-write leaves nothing that looks like data. */
export const tempPrefix = '.tmp-';

function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `${tempPrefix}${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}`);
}

/** Queue files can hold tokens and error texts: only their owner reads them, whatever the umask. */
export const fileMode = 0o600;
export const dirMode = 0o700;

async function writeSynced(file: string, data: string): Promise<void> {
  const handle = await fs.open(file, 'wx', fileMode);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function syncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Some platforms (Windows) cannot fsync a folder; the rename is still atomic there.
    if (!isCode(error, 'EISDIR', 'EPERM', 'EINVAL', 'EBADF')) throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * Replaces `file` with `data` so that a crash leaves either the old or the new content, never a mix. `durable: false`
 * skips the fsyncs, for files such as locks that only matter while their process lives.
 */
export async function writeFileAtomic(file: string, data: string, options: { durable?: boolean } = {}): Promise<void> {
  const durable = options.durable ?? true;
  const temp = tempPathFor(file);
  try {
    if (durable) await writeSynced(temp, data);
    else await fs.writeFile(temp, data, { flag: 'wx', mode: fileMode });
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  if (durable) await syncDir(path.dirname(file));
}

/**
 * Appends whole lines and fsyncs them. A line left unfinished by a crash is closed first, so the new lines start clean
 * (the unfinished one is then a damaged line that readers skip).
 */
export async function appendLines(file: string, lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  const handle = await fs.open(file, 'a+', fileMode);
  try {
    const { size } = await handle.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await handle.write(`${prefix}${lines.join('\n')}\n`);
    await handle.sync();
    if (size === 0) await syncDir(path.dirname(file));
  } finally {
    await handle.close();
  }
}

/**
 * Creates `file` with `data` only if it does not exist yet; returns false when it already did. `durable: false`
 * skips the fsyncs, for files such as locks that only matter while their process lives.
 */
export async function createFileAtomic(file: string, data: string, options: { durable?: boolean } = {}): Promise<boolean> {
  const durable = options.durable ?? true;
  const temp = tempPathFor(file);
  if (durable) await writeSynced(temp, data);
  else await fs.writeFile(temp, data, { flag: 'wx', mode: fileMode });
  try {
    // link() fails with EEXIST instead of replacing: an atomic, exclusive create of complete content.
    await fs.link(temp, file);
    return true;
  } catch (error) {
    if (isCode(error, 'EEXIST')) return false;
    throw error;
  } finally {
    await fs.rm(temp, { force: true });
    if (durable) await syncDir(path.dirname(file));
  }
}

export async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/** The names in a folder; none when it does not exist (yet). */
export async function listIfExists(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return [];
    throw error;
  }
}

export function isCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes((error as NodeJS.ErrnoException).code ?? '');
}

/** Removes temp files left by processes that died mid-write (their pid is in the name); others may still be writing theirs. */
export async function removeStrayTemps(dir: string, isDead: (pid: number) => boolean): Promise<number> {
  let removed = 0;
  for (const name of await fs.readdir(dir)) {
    if (!name.startsWith(tempPrefix)) continue;
    const pid = Number(/\.(\d+)\.[0-9a-f]+$/.exec(name)?.[1]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isDead(pid)) {
      await fs.rm(path.join(dir, name), { force: true });
      removed += 1;
    }
  }
  return removed;
}
