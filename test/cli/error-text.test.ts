import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { explainSystemError, shortenUrls } from '../../src/error-text.js';
import { createLogger } from '../../src/log.js';

const errno = (code: string, fields: Record<string, unknown>) => Object.assign(new Error(`${code}: raw message`), { code, ...fields });

describe('what a person reads when something fails', () => {
  it.each([
    [errno('EACCES', { path: '/srv/heraut/queue/jobs', syscall: 'mkdir' }), /^\/srv\/heraut\/queue\/jobs: permission denied \(EACCES\); let this user write there/],
    [errno('ENOTDIR', { path: '/srv/file/queue', syscall: 'mkdir' }), /^\/srv\/file\/queue: part of this path is a file, not a folder \(ENOTDIR\); fix the path/],
    [errno('ENOSPC', { path: '/srv/heraut/queue/history.log', syscall: 'write' }), /^\/srv\/heraut\/queue\/history\.log: no space left on the device \(ENOSPC\); free some space/],
    [errno('EADDRINUSE', { address: '127.0.0.1', port: 8080, syscall: 'listen' }), /^port 8080 on 127\.0\.0\.1: already in use \(EADDRINUSE\); stop the other process or choose a free port \(health\.port\)/],
    [Object.assign(new TypeError('terminated'), { cause: new Error('other side closed') }), /^a connection was cut in the middle of an answer \(other side closed\); check the network/],
  ])('%s becomes one line with the place and the fix', (error, expected) => {
    const line = explainSystemError(error)!;
    expect(line).toMatch(expected);
    expect(line).not.toContain('\n');
  });

  it('leaves alone what it cannot improve', () => {
    expect(explainSystemError(new Error('something else'))).toBeUndefined();
    expect(explainSystemError('a string')).toBeUndefined();
  });

  it('quotes a short prefix of a long URL, and short URLs whole', () => {
    const long = `https://news.example/${'a'.repeat(1800)}`;
    const text = shortenUrls(`no x teaser fits ${long} (x)`);
    expect(text.length).toBeLessThan(120);
    expect(text).toMatch(/^no x teaser fits https:\/\/news\.example\/a+… \(x\)$/);
    expect(shortenUrls('see https://example.org/feed.xml')).toBe('see https://example.org/feed.xml');
  });

  it('a warning log carries an error\'s message, never its stack trace or a long URL', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', pretty: false, destination: { write: (line: string) => void lines.push(line) } });
    log.warn({ err: new Error(`cannot read https://news.example/${'b'.repeat(500)}`) }, 'feed poll failed');
    log.warn({ err: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) }, 'feed poll failed');
    const [first, second] = lines.map((line) => JSON.parse(line));
    expect(first.err).toMatch(/^cannot read https:\/\/news\.example\/b+…$/);
    expect(second.err).toEqual({ message: 'refused', code: 'ECONNREFUSED' });
    expect(lines.join('')).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
  });

  it('pretty logs honour NO_COLOR', () => {
    const write = (env: NodeJS.ProcessEnv) => {
      let out = '';
      const destination = new Writable({ write: (chunk: Buffer, _encoding, done) => void ((out += chunk.toString()), done()) });
      const log = createLogger({ level: 'info', pretty: true, env, destination });
      log.info('hello');
      return out;
    };
    expect(write({})).toMatch(/\x1b\[\d+m/);
    expect(write({ NO_COLOR: '1' })).not.toMatch(/\x1b\[\d+m/);
    expect(write({ NO_COLOR: '1' })).toMatch(/INFO.*hello/);
  });
});
