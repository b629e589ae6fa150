import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedAlert {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface AlertReceiver {
  url: string;
  received: ReceivedAlert[];
  /** Status codes to answer, in order; 200 once they run out. */
  answer(...statuses: number[]): void;
  close(): Promise<void>;
}

/** A webhook / ntfy endpoint on 127.0.0.1 that records what it receives. */
export async function startAlertReceiver(): Promise<AlertReceiver> {
  const received: ReceivedAlert[] = [];
  const statuses: number[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '/', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(statuses.shift() ?? 200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer: (...codes) => statuses.push(...codes),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
