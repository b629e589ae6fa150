import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { packageRoot } from '../config/load-config.js';
import { errorMessage, HerautError, isHerautError, type ErrorCode } from '../errors.js';
import { scrubSecrets, type Logger } from '../log.js';
import { renderHealth, renderJob, renderLogin, renderPage } from './render-page.js';
import type { JobView, ReviewModel } from './review-model.js';

export type PageHandler = (request: IncomingMessage, response: ServerResponse) => void;

export interface PageOptions {
  model: ReviewModel;
  /** The address the server listens on: a loopback one only answers requests addressed to a loopback name. */
  host: string;
  /** When set, every request but the page's static files must carry it (cookie from the sign-in form, or Authorization: Bearer). */
  token?: string;
  mode: 'live' | 'dry-run';
  log: Logger;
}

// Static files are not compiled: they are read from the package as they are, once.
const staticDir = path.join(packageRoot, 'src/web/static');
const staticTypes: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
const staticFiles = new Map<string, Buffer>();

const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src http: https: data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const cookieName = 'heraut_web';
const maxBody = 64 * 1024;
const maxDoneShown = 50;
const actions = new Set(['approve', 'skip', 'retry', 'edit']);
const statusByCode: Partial<Record<ErrorCode, number>> = { 'teaser-invalid': 422, 'article-not-found': 404, 'queue-busy': 409, usage: 400 };

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/gu, '');
  if (bare === 'localhost') return true;
  return ipaddr.isValid(bare) && ipaddr.process(bare).range() === 'loopback';
}

/** The page shows and changes the queue: beyond loopback it needs a token, or anyone on the network could approve posts. */
export function assertPageAllowed(host: string, token: string | undefined): void {
  if (!isLoopbackHost(host) && !token) {
    throw new HerautError('usage', `the review page on ${host} would be open to the network; set web: { token: \${HERAUT_WEB_TOKEN} } in the config (and export HERAUT_WEB_TOKEN), or serve it on 127.0.0.1`);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function sameSecret(given: string | undefined, expected: Buffer): boolean {
  return given !== undefined && timingSafeEqual(digest(given), expected);
}

function cookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  response
    .writeHead(status, { 'content-type': type, 'content-security-policy': csp, 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin', 'cache-control': 'no-store', ...headers })
    .end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

async function readBody(request: IncomingMessage): Promise<Record<string, string>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBody) throw new HerautError('usage', `the request is larger than ${maxBody} bytes; a teaser is far shorter`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if ((request.headers['content-type'] ?? '').startsWith('application/json')) {
    const value = JSON.parse(text || '{}') as unknown;
    if (!value || typeof value !== 'object') throw new HerautError('usage', 'the request body must be a JSON object');
    return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function staticFile(name: string): Buffer | undefined {
  if (!/^[a-z-]+\.(js|css)$/u.test(name)) return undefined;
  let file = staticFiles.get(name);
  if (!file) {
    try {
      file = readFileSync(path.join(staticDir, name));
    } catch {
      return undefined;
    }
    staticFiles.set(name, file);
  }
  return file;
}

/** Everything that may need a person, and only the latest of what is done: the page stays short after months of posts. */
function recentFirst(jobs: JobView[]): JobView[] {
  let done = 0;
  return jobs.filter((job) => !(job.state === 'published' || job.state === 'skipped') || ++done <= maxDoneShown);
}

/** The review page's requests: for `heraut web`'s own server and for the health server of `heraut run`. */
export function createPageHandler(options: PageOptions): PageHandler {
  const { model, log } = options;
  const tokenDigest = options.token ? digest(options.token) : undefined;
  const cookieValue = tokenDigest?.toString('hex');
  const loopbackOnly = isLoopbackHost(options.host);

  function signedIn(request: IncomingMessage): boolean {
    if (!tokenDigest || !cookieValue) return true;
    const bearer = /^Bearer (.+)$/u.exec(request.headers.authorization ?? '')?.[1];
    return sameSecret(bearer, tokenDigest) || sameSecret(cookie(request, cookieName), digest(cookieValue));
  }

  async function jobAnswer(job: JobView): Promise<{ job: string; health: string }> {
    return { job: renderJob(job).value, health: renderHealth(await model.health()).value };
  }

  async function act(request: IncomingMessage, response: ServerResponse, jobId: string, action: string): Promise<void> {
    const body = await readBody(request);
    const account = body.account || undefined;
    const job =
      action === 'edit'
        ? await model.edit(jobId, account ?? '', body.text ?? '')
        : await model[action as 'approve' | 'skip' | 'retry'](jobId, account);
    if ((request.headers.accept ?? '').includes('application/json')) sendJson(response, 200, await jobAnswer(job));
    else send(response, 303, 'text/plain', 'done', { location: '/' });
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const hostHeader = request.headers.host ?? '';
    // A loopback page answers only to loopback names: a web page that rebinds its own name to 127.0.0.1 gets nothing.
    if (loopbackOnly && !isLoopbackHost(hostHeader.replace(/:\d+$/u, ''))) return send(response, 403, 'text/plain', 'this page answers only at a loopback address such as 127.0.0.1');
    if (request.method === 'GET' && url.pathname.startsWith('/static/')) {
      const name = url.pathname.slice('/static/'.length);
      const file = staticFile(name);
      return file ? send(response, 200, staticTypes[path.extname(name)]!, file, { 'cache-control': 'no-cache' }) : send(response, 404, 'text/plain', 'not found');
    }
    if (request.method === 'POST') {
      // Browsers always send Origin on a POST; a request from another site, or without one, changes nothing. https: behind a TLS proxy.
      if (request.headers.origin !== `http://${hostHeader}` && request.headers.origin !== `https://${hostHeader}`) return sendJson(response, 403, { refusal: 'requests that change something must come from this page (Origin does not match)' });
      if (url.pathname === '/login') {
        const given = (await readBody(request)).token;
        if (!tokenDigest || !sameSecret(given, tokenDigest)) return send(response, 401, 'text/html; charset=utf-8', renderLogin({ failed: true }));
        return send(response, 303, 'text/plain', 'signed in', { location: '/', 'set-cookie': `${cookieName}=${cookieValue}; HttpOnly; SameSite=Strict; Path=/` });
      }
    }
    if (!signedIn(request)) {
      return request.method === 'GET' && url.pathname === '/'
        ? send(response, 401, 'text/html; charset=utf-8', renderLogin({ failed: false }))
        : sendJson(response, 401, { refusal: 'sign in first: this page needs the token set in web.token' });
    }
    if (request.method === 'GET' && url.pathname === '/') {
      const [jobs, health] = await Promise.all([model.list(), model.health()]);
      return send(response, 200, 'text/html; charset=utf-8', renderPage({ jobs: recentFirst(jobs), health, mode: options.mode }));
    }
    if (request.method === 'POST' && url.pathname === '/api/measure') {
      const body = await readBody(request);
      return sendJson(response, 200, await model.measure(body.jobId ?? '', body.account ?? '', body.text ?? ''));
    }
    const match = /^\/api\/jobs\/([^/]+)\/([a-z]+)$/u.exec(url.pathname);
    if (request.method === 'POST' && match && actions.has(match[2]!)) return act(request, response, decodeURIComponent(match[1]!), match[2]!);
    if (request.method !== 'GET' && request.method !== 'POST') return send(response, 405, 'text/plain', 'method not allowed', { allow: 'GET, POST' });
    return send(response, 404, 'text/plain', 'not found');
  }

  return (request, response) => {
    route(request, response).catch((error: unknown) => {
      const status = isHerautError(error) ? (statusByCode[error.code] ?? 500) : error instanceof SyntaxError ? 400 : 500;
      if (status === 500) log.error({ err: errorMessage(error), path: request.url }, 'review page request failed');
      if (!response.headersSent) sendJson(response, status, { refusal: scrubSecrets(errorMessage(error)) });
    });
  };
}

export async function startWebServer(options: { host: string; port: number; handler: PageHandler }): Promise<Server> {
  const server = createServer(options.handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}
