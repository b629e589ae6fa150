// A real Bluesky PDS (and PLC directory) for tests, from @atproto/dev-env, bound to 127.0.0.1.
// A plain module (no vitest): tests, other helpers and child processes can all use it.
import './loopback-preload.mjs';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AtpAgent } from '@atproto/api';
import { TestNetworkNoAppView } from '@atproto/dev-env';

export interface PdsAccount {
  did: string;
  handle: string;
  /** An app password, the kind a bot logs in with. */
  password: string;
  /** The account's main password. */
  accountPassword: string;
}

/** A canned answer the proxy gives instead of forwarding, to make the PDS look rate-limited or down. */
export interface PdsFault {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** The body's message quotes the request's Authorization header, as some proxies do. */
  echoAuthorization?: boolean;
}

export interface Pds {
  /** Where clients should connect: the counting proxy in front of the PDS. */
  url: string;
  /** The PDS itself, bypassing the proxy. */
  directUrl: string;
  createAccount(handle: string): Promise<PdsAccount>;
  /** How many requests for an XRPC method (e.g. "com.atproto.server.createSession") went through the proxy. */
  calls(method: string): number;
  resetCalls(): void;
  /** The next `times` requests for `method` get `fault` instead of reaching the PDS. */
  failNext(method: string, fault: PdsFault, times?: number): void;
  /** The next request for `method` reaches the PDS, which does it, but its answer is lost (the connection drops). */
  loseNextAnswer(method: string): void;
  /** An agent logged in as the account, for reading back what a test wrote. */
  reader(account: PdsAccount): Promise<AtpAgent>;
  close(): Promise<void>;
}

/**
 * Starts a PLC directory and a PDS (handles end in ".test"; "bot.test" is reserved) behind a counting proxy.
 * Everything dev-env writes goes to a fresh TMPDIR that close() removes.
 */
export async function startPds(): Promise<Pds> {
  const previousTmpdir = process.env.TMPDIR;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'heraut-pds-'));
  process.env.TMPDIR = tmp;
  let network: TestNetworkNoAppView;
  try {
    // dev-env's servers and its get-port probes call listen() without a host: loopback-preload.mjs binds them to 127.0.0.1.
    network = await TestNetworkNoAppView.create({ pds: { hostname: 'localhost' } });
  } catch (error) {
    restoreTmpdir(previousTmpdir);
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  const directUrl = network.pds.url;
  const target = new URL(directUrl);

  const counts = new Map<string, number>();
  const faults = new Map<string, { fault: PdsFault; times: number }>();
  const losing = new Set<string>();
  let proxyUrl = '';

  const proxy = http.createServer((req, res) => {
    const method = /^\/xrpc\/([^?/]+)/.exec(req.url ?? '')?.[1];
    if (method) counts.set(method, (counts.get(method) ?? 0) + 1);
    const planned = method ? faults.get(method) : undefined;
    if (planned && planned.times > 0) {
      planned.times--;
      req.resume();
      const { fault } = planned;
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      const echoed = fault.echoAuthorization ? { error: 'InvalidRequest', message: `Bad request (Authorization: ${req.headers.authorization ?? ''})` } : undefined;
      res.end(JSON.stringify(echoed ?? fault.body ?? { error: 'InternalServerError', message: 'Injected failure' }));
      return;
    }
    const lose = method !== undefined && losing.delete(method);
    const upstream = http.request(
      { host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host, 'accept-encoding': 'identity' } },
      (upstreamRes) => {
        if (lose) {
          upstreamRes.resume();
          upstreamRes.on('end', () => res.socket?.destroy());
          return;
        }
        const headers = { ...upstreamRes.headers };
        const type = String(headers['content-type'] ?? '');
        if (!type.startsWith('application/json')) {
          res.writeHead(upstreamRes.statusCode ?? 502, headers);
          upstreamRes.pipe(res);
          return;
        }
        // Session answers carry the DID document, whose PDS endpoint clients switch to: keep them on the proxy.
        // (The request asked for no compression, so the body can be read as text.)
        const chunks: Buffer[] = [];
        upstreamRes.on('data', (chunk: Buffer) => chunks.push(chunk));
        upstreamRes.on('end', () => {
          const body = Buffer.from(Buffer.concat(chunks).toString('utf8').split(directUrl).join(proxyUrl), 'utf8');
          delete headers['content-length'];
          delete headers['transfer-encoding'];
          res.writeHead(upstreamRes.statusCode ?? 502, { ...headers, 'content-length': String(body.length) });
          res.end(body);
        });
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'UpstreamFailure', message: error.message }));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  async function createAccount(handle: string): Promise<PdsAccount> {
    const fullHandle = handle.includes('.') ? handle : `${handle}.test`;
    const accountPassword = randomBytes(12).toString('base64url');
    const agent = new AtpAgent({ service: directUrl });
    const created = await agent.createAccount({ handle: fullHandle, email: `${fullHandle.replace(/\./g, '-')}@example.com`, password: accountPassword });
    const appPassword = await agent.com.atproto.server.createAppPassword({ name: `heraut-${randomBytes(4).toString('hex')}` });
    return { did: created.data.did, handle: created.data.handle, password: appPassword.data.password, accountPassword };
  }

  async function reader(account: PdsAccount): Promise<AtpAgent> {
    const agent = new AtpAgent({ service: directUrl });
    await agent.login({ identifier: account.handle, password: account.accountPassword });
    return agent;
  }

  let closed = false;
  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await network.close();
    restoreTmpdir(previousTmpdir);
    await rm(tmp, { recursive: true, force: true });
  }

  return {
    url: proxyUrl,
    directUrl,
    createAccount,
    calls: (method) => counts.get(method) ?? 0,
    resetCalls: () => counts.clear(),
    failNext: (method, fault, times = 1) => void faults.set(method, { fault, times }),
    loseNextAnswer: (method) => void losing.add(method),
    reader,
    close,
  };
}

function restoreTmpdir(previous: string | undefined): void {
  if (previous === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previous;
}
