import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchLimited } from '../../src/net/fetch-limited.js';
import type { Resolve } from '../../src/net/guarded-fetch.js';
import { redirectTo, serveFeed, startFeedServer, type FeedServer } from '../support/feed-server.js';

const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
let server: FeedServer;
let port: string;
const resolve: Resolve = async (hostname) => {
  const address = ({ 'cdn.test': '127.0.0.1', 'metadata.test': '169.254.169.254' } as Record<string, string>)[hostname];
  if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return [address];
};

beforeAll(async () => {
  server = await startFeedServer({
    '/image.png': serveFeed({ body: png, contentType: 'image/png', encoding: 'gzip' }),
    '/to-metadata': redirectTo('http://metadata.test/latest/meta-data/iam', 302),
    '/loop': redirectTo('/loop', 302),
  });
  port = new URL(server.url).port;
  server.route('/moved.png', redirectTo(`http://cdn.test:${port}/image.png`, 301));
});
afterAll(() => server.close());

describe('fetchLimited', () => {
  it('follows redirects through the injected resolver and decompresses', async () => {
    const result = await fetchLimited(`${server.url}/moved.png`, { timeoutMs: 5_000, maxBytes: 1_000, accept: ['image/'], resolve });
    expect(result.body.equals(png)).toBe(true);
    expect(result.url).toBe(`http://cdn.test:${port}/image.png`);
    expect(result.contentType).toBe('image/png');
  });

  it('refuses an image that redirects to the metadata service, before connecting', async () => {
    await expect(fetchLimited(`${server.url}/to-metadata`, { timeoutMs: 5_000, maxBytes: 1_000, resolve })).rejects.toThrow('169.254.169.254, a linkLocal address');
  });

  it('stops after 5 redirects', async () => {
    const before = server.count('/loop');
    await expect(fetchLimited(`${server.url}/loop`, { timeoutMs: 5_000, maxBytes: 1_000, resolve })).rejects.toThrow('more than 5 redirects');
    expect(server.count('/loop') - before).toBe(6);
  });
});
