import http from 'node:http';
import type { SendTweetV2Params } from 'twitter-api-v2';
import { parseDuration } from '../../config/parse-duration.js';
import { errorMessage } from '../../errors.js';
import { registerSecret } from '../../log.js';
import type { PostRequest, PostResult, Publisher, PublisherContext } from '../platform.js';
import { downloadImage } from './download-image.js';
import type { XAccount } from './x-account.js';
import { createXClient, type XClient } from './x-client.js';
import { xCredentialKeys, xCredentials } from './x-credentials.js';
import { isXDuplicate, mapXError } from './x-error.js';

export const X_MAX_IMAGE_BYTES = 5 * 1024 * 1024;
export const X_MAX_ALT_TEXT = 1000;

export function createXPublisher(context: Omit<PublisherContext<XAccount>, 'sessions'>): Publisher {
  const { name, account, log } = context;
  for (const key of xCredentialKeys) registerSecret(account[key]);
  const timeoutMs = parseDuration(account.timeout ?? '30s');
  const httpAgent = new http.Agent({ keepAlive: false });
  let handle: string | undefined;

  function client(signal?: AbortSignal): XClient {
    return createXClient({ credentials: xCredentials(name, account), apiBaseUrl: account.apiBaseUrl, timeoutMs, signal, httpAgent });
  }

  function fail(error: unknown, x: XClient, action: string, signal?: AbortSignal): unknown {
    return mapXError(error, { account: name, action, timeoutMs, timedOut: x.timedOut(), aborted: signal?.aborted === true }) ?? error;
  }

  async function attachImage(x: XClient, request: PostRequest, signal?: AbortSignal): Promise<string | undefined> {
    const imageUrl = request.link.image;
    if (request.media !== 'image' || !imageUrl) return undefined;
    try {
      const image = await downloadImage(imageUrl, { timeoutMs, maxBytes: X_MAX_IMAGE_BYTES, signal });
      const mediaId = await x.api.v2.uploadMedia(image.data, { media_type: image.mediaType });
      const altText = [...request.link.title.trim()].slice(0, X_MAX_ALT_TEXT).join('');
      if (altText) await x.api.v2.createMediaMetadata(mediaId, { alt_text: { text: altText } });
      log.debug({ jobId: request.jobId, mediaId, bytes: image.data.length, mediaType: image.mediaType }, 'x image uploaded');
      return mediaId;
    } catch (error) {
      const reason = errorMessage(fail(error, x, 'upload the image', signal));
      log.warn({ jobId: request.jobId, image: imageUrl, reason }, 'x image not attached; posting without it');
      return undefined;
    }
  }

  return {
    platform: 'x',
    account: name,

    async publish(request: PostRequest, signal?: AbortSignal): Promise<PostResult> {
      const x = client(signal);
      const mediaId = await attachImage(x, request, signal);
      const payload: SendTweetV2Params = { text: request.text };
      if (mediaId) payload.media = { media_ids: [mediaId] };
      try {
        const { data } = await x.api.v2.tweet(payload);
        const url = `https://x.com/${handle ?? 'i'}/status/${data.id}`;
        log.info({ jobId: request.jobId, id: data.id, url }, 'x post published');
        return { id: data.id, url };
      } catch (error) {
        // Only an earlier attempt that may have gone through makes a duplicate ours; on a first attempt X refused it.
        if (isXDuplicate(error) && (request.attempt ?? 2) > 1) {
          log.info({ jobId: request.jobId }, 'x already has this post; an earlier attempt went through');
          return { id: '', url: '', alreadyPosted: true };
        }
        throw fail(error, x, 'post', signal);
      }
    },

    async verify(): Promise<{ handle: string }> {
      const x = client();
      try {
        const { data } = await x.api.v2.me();
        handle = data.username;
        return { handle: data.username };
      } catch (error) {
        throw fail(error, x, 'verify the credentials');
      }
    },

    async close(): Promise<void> {
      httpAgent.destroy();
    },
  };
}
