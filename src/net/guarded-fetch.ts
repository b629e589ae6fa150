import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import type zlib from 'node:zlib';
import ipaddr from 'ipaddr.js';

/** Addresses of a host name, as the system resolver gives them; injected in tests so that no real name is looked up. */
export type Resolve = (hostname: string) => Promise<string[]>;

// Built-in modules a poll may not need (TLS for an http:// feed, zlib for an uncompressed answer) are loaded on first
// use: each costs milliseconds of a start, and a cycle that finds nothing new is little more than its start.
export const systemResolve: Resolve = async (hostname) => (await process.getBuiltinModule('node:dns/promises').lookup(hostname, { all: true })).map((entry) => entry.address);

/** "public", or the ipaddr.js name of a range that is not: private, loopback, linkLocal, uniqueLocal, carrierGradeNat... */
export function addressKind(address: string): string {
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? 'public' : range;
}

/** Raised before connecting to an address the redirect chain may not reach. */
export class AddressRefusedError extends Error {
  readonly code = 'ADDRESS_REFUSED';
  constructor(readonly hostname: string, readonly address: string, readonly kind: string) {
    super(`${hostname} resolves to ${address}, a ${kind} address`);
    this.name = 'AddressRefusedError';
  }
}

/**
 * The addresses one fetch with its redirects may connect to. The configured host's own kinds are allowed (a feed on a
 * private network stays reachable); after that only public addresses are, so a public feed cannot redirect heraut to
 * loopback, a private network or the cloud metadata service (169.254.169.254).
 */
export class AddressGuard {
  private allowed?: Set<string>;

  check(hostname: string, addresses: string[]): void {
    const kinds = addresses.map(addressKind);
    if (!this.allowed) {
      this.allowed = new Set(kinds);
      return;
    }
    kinds.forEach((kind, index) => {
      if (kind !== 'public' && !this.allowed!.has(kind)) throw new AddressRefusedError(hostname, addresses[index]!, kind);
    });
  }
}

export interface GuardedResponse {
  status: number;
  headers: { get(name: string): string | null };
  body: ReadableStream<Uint8Array> | null;
}

export interface GuardedRequest {
  headers: Record<string, string>;
  signal: AbortSignal;
  guard: AddressGuard;
  resolve?: Resolve;
}

function decoder(encoding: string | undefined): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return process.getBuiltinModule('node:zlib').createGunzip();
    case 'deflate':
      return process.getBuiltinModule('node:zlib').createInflate();
    case 'br':
      return process.getBuiltinModule('node:zlib').createBrotliDecompress();
    default:
      return undefined;
  }
}

/**
 * One GET, redirects not followed, whose addresses pass `guard` before the socket connects: the check runs inside the
 * connection's own lookup, so the address checked is the address used. No connection is pooled, so no socket opened
 * for one feed is reused for another. Bodies are decompressed (gzip, deflate, br).
 */
export function guardedGet(url: string, request: GuardedRequest): Promise<GuardedResponse> {
  const target = new URL(url);
  const resolve = request.resolve ?? systemResolve;
  const hostname = target.hostname.replace(/^\[|\]$/g, '');
  const lookup: LookupFunction = (name, options, callback) => {
    resolve(name)
      .then((addresses) => {
        if (addresses.length === 0) throw Object.assign(new Error(`${name} has no address`), { code: 'ENOTFOUND' });
        request.guard.check(name, addresses);
        return addresses.map((address) => ({ address, family: ipaddr.parse(address).kind() === 'ipv6' ? 6 : 4 }));
      })
      .then(
        (entries) => {
          if (options.all) (callback as (error: null, all: Array<{ address: string; family: number }>) => void)(null, entries);
          else callback(null, entries[0]!.address, entries[0]!.family);
        },
        (error: NodeJS.ErrnoException) => callback(error, '', 0),
      );
  };
  return new Promise((resolvePromise, reject) => {
    // A literal address is never looked up: it is checked here, before the request is made.
    if (ipaddr.isValid(hostname)) {
      try {
        request.guard.check(hostname, [hostname]);
      } catch (error) {
        reject(error);
        return;
      }
    }
    const client = target.protocol === 'https:' ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http');
    const outgoing = client.request(target, { method: 'GET', headers: request.headers, signal: request.signal, agent: false, lookup }, (incoming) => {
      const status = incoming.statusCode ?? 0;
      const headers = {
        get(name: string) {
          const value = incoming.headers[name.toLowerCase()];
          return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
        },
      };
      // 204 and 304 have no body (RFC 9110): none is made, so a poll answered "not modified" never starts web streams.
      if (status === 204 || status === 304) {
        incoming.resume();
        resolvePromise({ status, headers, body: null });
        return;
      }
      const unpack = decoder(incoming.headers['content-encoding'] as string | undefined);
      const stream = unpack ? incoming.pipe(unpack) : incoming;
      if (unpack) incoming.on('error', (error) => unpack.destroy(error));
      resolvePromise({ status, headers, body: Readable.toWeb(stream) as ReadableStream<Uint8Array> });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}
