import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One canned answer: a chat-completion whose message content is `content`, or a bare HTTP status. */
export type LlmReply = { content: string } | { status: number; body?: string } | { raw: string };

export interface LlmRequestLog {
  authorization?: string;
  body: { model?: string; messages?: Array<{ role: string; content: string }>; [key: string]: unknown };
  path: string;
}

export interface LlmServer {
  /** Base URL to put in llm.baseUrl (ends with /v1). */
  baseUrl: string;
  requests: LlmRequestLog[];
  /** Answers given in order; once used up, every further request gets HTTP 500. */
  reply(...replies: LlmReply[]): void;
  /** Forgets answers not used yet. */
  clear(): void;
  close(): Promise<void>;
}

/** A tiny OpenAI-compatible chat-completions server on 127.0.0.1 that answers what the test queued. */
export async function startLlmServer(): Promise<LlmServer> {
  const queue: LlmReply[] = [];
  const requests: LlmRequestLog[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: LlmRequestLog['body'] = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = {};
      }
      requests.push({ authorization: req.headers.authorization, body, path: req.url ?? '' });
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
        return;
      }
      const reply = queue.shift() ?? { status: 500, body: '{"error":{"message":"no canned answer left"}}' };
      if ('status' in reply) {
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body ?? '{"error":{"message":"failure"}}');
      } else if ('raw' in reply) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(reply.raw);
      } else {
        const completion = {
          id: `chatcmpl-${requests.length}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body.model ?? 'test',
          choices: [{ index: 0, message: { role: 'assistant', content: reply.content }, finish_reason: 'stop' }],
        };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    reply: (...replies) => queue.push(...replies),
    clear: () => queue.splice(0),
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
