import http from 'node:http';
import { TwitterApi, type ITwitterApiClientPlugin } from 'twitter-api-v2';
import type { XCredentials } from './x-credentials.js';

export const X_DEFAULT_API_BASE_URL = 'https://api.x.com';

export interface XClientOptions {
  credentials: XCredentials;
  apiBaseUrl?: string;
  /** Time limit of each API call, in ms. */
  timeoutMs: number;
  /** Aborts every call made with this client (the caller gave up). */
  signal?: AbortSignal;
  /** Reused for http:// targets, so connections can be closed with the publisher. */
  httpAgent?: http.Agent;
}

export interface XClient {
  api: TwitterApi;
  /** Whether the latest call was cut off by the time limit (as opposed to failing on its own). */
  timedOut(): boolean;
}

/**
 * twitter-api-v2 hard-codes https://api.x.com and cloneWithPrefix() throws, so a plugin rewrites each request's
 * protocol and host after signing (the signature stays over api.x.com, which is what X behind a proxy checks),
 * and bounds each call with an abort signal.
 */
export function createXClient(options: XClientOptions): XClient {
  const base = new URL(options.apiBaseUrl ?? X_DEFAULT_API_BASE_URL);
  const prefix = base.pathname.replace(/\/+$/, '');
  const redirect = base.origin !== X_DEFAULT_API_BASE_URL || prefix !== '';
  const httpAgent = base.protocol === 'http:' ? (options.httpAgent ?? new http.Agent()) : undefined;
  let lastTimeout: AbortSignal | undefined;

  const plugin: ITwitterApiClientPlugin = {
    onBeforeRequest({ computedParams, requestOptions }) {
      if (redirect) {
        const url = computedParams.url;
        url.protocol = base.protocol;
        url.host = base.host;
        url.pathname = prefix + url.pathname;
      }
      if (httpAgent) requestOptions.agent = httpAgent;
      const timeout = AbortSignal.timeout(options.timeoutMs);
      lastTimeout = timeout;
      requestOptions.signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    },
  };

  const api = new TwitterApi({ ...options.credentials }, { plugins: [plugin] });
  return { api, timedOut: () => lastTimeout?.aborted === true };
}
