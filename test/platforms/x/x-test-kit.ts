import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { XAccount } from '../../../src/platforms/x/x-account.js';
import { createLogger, type Logger } from '../../../src/log.js';
import type { PostRequest } from '../../../src/platforms/platform.js';

export interface TestSecrets {
  appKey: string;
  appSecret: string;
  accessToken: string;
  accessSecret: string;
}

export function makeSecrets(): TestSecrets {
  const token = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;
  return { appKey: token('ak'), appSecret: token('as'), accessToken: `1849273610000000001-${token('at')}`, accessSecret: token('xs') };
}

export function xAccount(url: string, secrets: Partial<TestSecrets>, extra: Record<string, unknown> = {}): XAccount {
  return XAccount.parse({ platform: 'x', apiBaseUrl: url, timeout: '3s', ...secrets, ...extra });
}

export function postRequest(text: string, overrides: Partial<PostRequest> = {}): PostRequest {
  return {
    jobId: 'job-1',
    text,
    langs: ['fr'],
    link: { url: 'https://example.org/article', title: 'Pourquoi le ciel est bleu', description: 'Une explication.' },
    postKey: '3l2abcdefgh2a',
    media: 'none',
    ...overrides,
  };
}

/** A real pino logger writing JSON lines into an array, so tests can read every line. */
export function captureLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', pretty: false, destination: { write: (line: string) => void lines.push(line) } });
  return { log, lines };
}

export async function catchError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves fixed responses by path, for article images. */
export async function startStaticServer(routes: Record<string, { type: string; body: Buffer; headers?: Record<string, string> }>): Promise<StaticServer> {
  const server = http.createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://127.0.0.1').pathname];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': route.type, 'content-length': route.body.length, ...route.headers });
    res.end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
