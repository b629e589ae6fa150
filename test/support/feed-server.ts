import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

export type FeedRoute = (request: http.IncomingMessage, response: http.ServerResponse) => void;

export interface RecordedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface FeedServer {
  /** http://127.0.0.1:PORT, no trailing slash. */
  url: string;
  requests: RecordedRequest[];
  /** How many requests reached `path`. */
  count(path: string): number;
  route(path: string, handler: FeedRoute): void;
  close(): Promise<void>;
}

/** A local HTTP server on 127.0.0.1 (port 0) that serves the given routes and records every request. */
export async function startFeedServer(routes: Record<string, FeedRoute> = {}): Promise<FeedServer> {
  const table = new Map(Object.entries(routes));
  const requests: RecordedRequest[] = [];
  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    requests.push({ path, headers: request.headers });
    const handler = table.get(path);
    if (!handler) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: (path) => requests.filter((request) => request.path === path).length,
    route: (path, handler) => void table.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ServeFeedOptions {
  body: string | Buffer;
  contentType?: string;
  etag?: string;
  lastModified?: string;
  /** Compress the body and say so in Content-Encoding. */
  encoding?: 'gzip' | 'br' | 'deflate';
  status?: number;
  headers?: Record<string, string>;
}

/** A route that serves a document, answering 304 to a matching If-None-Match / If-Modified-Since. */
export function serveFeed(options: ServeFeedOptions): FeedRoute {
  return (request, response) => {
    const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/rss+xml; charset=utf-8', ...options.headers };
    if (options.etag) headers.etag = options.etag;
    if (options.lastModified) headers['last-modified'] = options.lastModified;
    const etagMatches = options.etag !== undefined && request.headers['if-none-match'] === options.etag;
    const dateMatches = options.lastModified !== undefined && request.headers['if-modified-since'] === options.lastModified;
    if (etagMatches || (dateMatches && !request.headers['if-none-match'])) {
      response.writeHead(304, headers).end();
      return;
    }
    let body = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : options.body;
    if (options.encoding === 'gzip') body = zlib.gzipSync(body);
    if (options.encoding === 'br') body = zlib.brotliCompressSync(body);
    if (options.encoding === 'deflate') body = zlib.deflateSync(body);
    if (options.encoding) headers['content-encoding'] = options.encoding;
    headers['content-length'] = String(body.length);
    response.writeHead(options.status ?? 200, headers).end(body);
  };
}

/** A route that answers with a redirect. */
export function redirectTo(location: string, status = 301): FeedRoute {
  return (_request, response) => {
    response.writeHead(status, { location }).end();
  };
}
