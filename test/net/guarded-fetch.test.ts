import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HerautError } from '../../src/errors.js';
import { readFeed } from '../../src/feeds/read-feed.js';
import { AddressGuard, AddressRefusedError, addressKind, type Resolve } from '../../src/net/guarded-fetch.js';
import { redirectTo, serveFeed, startFeedServer, type FeedServer } from '../support/feed-server.js';

const feedXml = '<rss version="2.0"><channel><title>T</title><item><title>Inside</title><link>https://example.org/inside</link></item></channel></rss>';

describe('addressKind', () => {
  it.each([
    ['93.184.216.34', 'public'],
    ['2606:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['169.254.169.254', 'linkLocal'],
    ['10.1.2.3', 'private'],
    ['192.168.0.10', 'private'],
    ['fd00::5', 'uniqueLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
  ])('%s is %s', (address, kind) => {
    expect(addressKind(address)).toBe(kind);
  });
});

describe('AddressGuard', () => {
  it('refuses a public feed a redirect to loopback, private or link-local addresses', () => {
    for (const target of ['127.0.0.1', '::1', '10.0.0.7', '169.254.169.254', 'fd00::5']) {
      const guard = new AddressGuard();
      guard.check('news.example', ['93.184.216.34']);
      expect(() => guard.check('evil.example', [target]), target).toThrow(AddressRefusedError);
    }
  });

  it('refuses a target when any of its addresses is refused', () => {
    const guard = new AddressGuard();
    guard.check('news.example', ['93.184.216.34']);
    expect(() => guard.check('mixed.example', ['93.184.216.35', '127.0.0.1'])).toThrow(/127\.0\.0\.1, a loopback address/);
  });

  it('lets a feed on a private network stay there, and go public', () => {
    const guard = new AddressGuard();
    guard.check('intranet', ['10.0.0.5']);
    expect(() => guard.check('other.intranet', ['10.0.0.6'])).not.toThrow();
    expect(() => guard.check('cdn.example', ['93.184.216.34'])).not.toThrow();
    expect(() => guard.check('metadata', ['169.254.169.254'])).toThrow(AddressRefusedError);
  });
});

describe('readFeed redirects, checked on the resolved address before connecting', () => {
  let server: FeedServer;
  let port: string;
  const asked: string[] = [];
  // Every name resolves here, so no real name is looked up; only loopback names lead to this machine.
  const names: Record<string, string> = { 'feed.test': '127.0.0.1', 'mirror.test': '127.0.0.1', 'metadata.test': '169.254.169.254', 'intranet.test': '10.0.0.7' };
  const resolve: Resolve = async (hostname) => {
    asked.push(hostname);
    const address = names[hostname];
    if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return [address];
  };

  beforeAll(async () => {
    server = await startFeedServer({ '/feed': serveFeed({ body: feedXml }) });
    port = new URL(server.url).port;
    server.route('/to-metadata', redirectTo('http://metadata.test/latest/meta-data/iam', 302));
    server.route('/to-metadata-literal', redirectTo('http://169.254.169.254/latest/meta-data/', 302));
    server.route('/to-intranet', redirectTo('http://intranet.test/feed', 301));
    server.route('/to-mirror', redirectTo(`http://mirror.test:${port}/feed`, 302));
  });
  afterAll(() => server.close());

  async function refusal(path: string): Promise<HerautError> {
    const error = await readFeed({ id: 'hop', url: `http://feed.test:${port}${path}` }, { baseDir: '/', resolve }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HerautError);
    return error as HerautError;
  }

  it('follows a redirect that stays on the feed\'s own kind of address, through the injected resolver', async () => {
    const result = await readFeed({ id: 'hop', url: `http://feed.test:${port}/to-mirror` }, { baseDir: '/', resolve });
    expect(result.status === 'ok' && result.articles.map((a) => a.title)).toEqual(['Inside']);
    expect(asked).toContain('mirror.test');
  });

  it('refuses a redirect to the metadata service, by name or by literal address', async () => {
    for (const path of ['/to-metadata', '/to-metadata-literal']) {
      const error = await refusal(path);
      expect(error.code).toBe('feed-unreachable');
      expect(error.message).toContain('169.254.169.254, a linkLocal address');
      expect(error.message).toContain('only to public addresses');
      expect(error.details).toMatchObject({ refused: '169.254.169.254' });
    }
  });

  it('refuses a redirect from loopback to a private network', async () => {
    const error = await refusal('/to-intranet');
    expect(error.message).toContain('10.0.0.7, a private address');
  });
});
