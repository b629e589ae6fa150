import { setTimeout as sleep } from 'node:timers/promises';
import { parseDuration } from '../../config/parse-duration.js';
import { errorMessage, isHerautError } from '../../errors.js';
import { registerSecret } from '../../log.js';
import { fetchLimited } from '../../net/fetch-limited.js';
import type { PostRequest, PostResult, Publisher, PublisherContext } from '../platform.js';
import type { MastodonAccount } from './mastodon-account.js';
import { createMastodonClient, type MastodonClient, type MastodonCredentials, type MastodonInstance, type MastodonMedia, type MastodonStatus } from './mastodon-client.js';
import { mapMastodonError } from './mastodon-error.js';
import { rememberMastodonLimits, type MastodonLimits } from './mastodon-limits.js';

/** `sessions` keeps when each post was first tried, across processes: past the Idempotency-Key's hour a retry must look before it posts. */
export interface MastodonPublisherOptions extends PublisherContext<MastodonAccount> {
  now?: () => number;
  /** Wait between two looks at an image the server is still processing. */
  mediaPollMs?: number;
}

/** Mastodon keeps an Idempotency-Key for one hour; past 50 minutes heraut no longer counts on it. */
const IDEMPOTENCY_TRUSTED_MS = 50 * 60_000;
const MASTODON_MAX_IMAGE_BYTES = 16 * 1024 * 1024;
const MASTODON_MAX_ALT_TEXT = 1500;
const MEDIA_POLLS = 20;
const STATUS_PAGES = 3;
const STATUS_PAGE_SIZE = 40;

export function createMastodonPublisher(options: MastodonPublisherOptions): Publisher {
  const { name, account, sessions, log } = options;
  const now = options.now ?? Date.now;
  const mediaPollMs = options.mediaPollMs ?? 1000;
  registerSecret(account.accessToken);
  const timeoutMs = parseDuration(account.timeout ?? '30s');
  let me: MastodonCredentials | undefined;
  let limits: MastodonLimits | undefined;

  const client = (): MastodonClient => createMastodonClient(name, account, timeoutMs);
  const fail = (error: unknown, action: string): unknown => mapMastodonError(error, { account: name, action, timeoutMs, now: now() }) ?? error;
  const attemptKey = (postKey: string): string => `mastodon-${name}-attempt-${postKey}`;

  async function readLimits(rest: MastodonClient, signal?: AbortSignal): Promise<MastodonLimits | undefined> {
    if (limits) return limits;
    try {
      const { data } = await rest.get<MastodonInstance>('/api/v2/instance', { signal });
      const { max_characters: maxCharacters, characters_reserved_per_url: charactersReservedPerUrl } = data.configuration.statuses;
      limits = { maxCharacters, charactersReservedPerUrl };
      rememberMastodonLimits(account.instance, limits);
      log.debug(limits, 'mastodon instance limits read');
    } catch (error) {
      log.warn({ reason: errorMessage(fail(error, 'read the instance limits')) }, 'mastodon instance limits not read; using the stock ones');
    }
    return limits;
  }

  async function whoAmI(rest: MastodonClient, signal?: AbortSignal): Promise<MastodonCredentials> {
    me ??= (await rest.get<MastodonCredentials>('/api/v1/accounts/verify_credentials', { signal })).data;
    return me;
  }

  /** When this post was first tried; recorded before the first attempt so a crash right after posting still knows. */
  async function firstAttempt(postKey: string): Promise<number> {
    const recorded = Number(await sessions.read(attemptKey(postKey)));
    if (Number.isFinite(recorded) && recorded > 0) return recorded;
    const at = now();
    await sessions.write(attemptKey(postKey), String(at));
    return at;
  }

  /** The account's own statuses since the first attempt, newest first, looked through for the link (bounded: a few pages). */
  async function findPosted(rest: MastodonClient, link: string, since: number, signal?: AbortSignal): Promise<MastodonStatus | undefined> {
    const { id } = await whoAmI(rest, signal);
    const href = `href="${escapeHtml(link)}"`;
    let maxId: string | undefined;
    for (let page = 0; page < STATUS_PAGES; page += 1) {
      const query = { limit: STATUS_PAGE_SIZE, max_id: maxId, exclude_reblogs: true };
      const { data: statuses } = await rest.get<MastodonStatus[]>(`/api/v1/accounts/${encodeURIComponent(id)}/statuses`, { query, signal });
      const found = statuses.find((status) => status.card?.url === link || status.content.includes(href));
      if (found) return found;
      const oldest = statuses.at(-1);
      if (!oldest || statuses.length < STATUS_PAGE_SIZE || Date.parse(oldest.created_at) < since - 60_000) return undefined;
      maxId = oldest.id;
    }
    return undefined;
  }

  async function attachImage(rest: MastodonClient, request: PostRequest, signal?: AbortSignal): Promise<string | undefined> {
    const imageUrl = request.link.image;
    if (request.media !== 'image' || !imageUrl) return undefined;
    try {
      const { body } = await fetchLimited(imageUrl, { timeoutMs, maxBytes: MASTODON_MAX_IMAGE_BYTES, signal });
      const description = [...request.link.title.trim()].slice(0, MASTODON_MAX_ALT_TEXT).join('') || undefined;
      const form = new FormData();
      form.set('file', new Blob([body]), 'image');
      if (description) form.set('description', description);
      let { data: media } = await rest.post<MastodonMedia>('/api/v2/media', { body: form, signal });
      for (let poll = 0; !media.url; poll += 1) {
        if (poll >= MEDIA_POLLS) throw new Error(`the server was still processing the image after ${MEDIA_POLLS} looks`);
        await sleep(mediaPollMs, undefined, { signal });
        ({ data: media } = await rest.get<MastodonMedia>(`/api/v1/media/${encodeURIComponent(media.id)}`, { signal }));
      }
      log.debug({ jobId: request.jobId, mediaId: media.id, bytes: body.length }, 'mastodon image uploaded');
      return media.id;
    } catch (error) {
      const reason = errorMessage(fail(error, 'upload the image'));
      log.warn({ jobId: request.jobId, image: imageUrl, reason }, 'mastodon image not attached; posting without it');
      return undefined;
    }
  }

  return {
    platform: 'mastodon',
    account: name,

    async publish(request: PostRequest, signal?: AbortSignal): Promise<PostResult> {
      const rest = client();
      await readLimits(rest, signal);
      const since = await firstAttempt(request.postKey);
      if (now() - since > IDEMPOTENCY_TRUSTED_MS) {
        let found: MastodonStatus | undefined;
        try {
          found = await findPosted(rest, request.link.url, since, signal);
        } catch (error) {
          throw fail(error, 'look for an earlier attempt among its statuses');
        }
        if (found) {
          log.info({ jobId: request.jobId, id: found.id }, 'mastodon already has this post; an earlier attempt went through');
          await sessions.write(attemptKey(request.postKey), undefined);
          return { id: found.id, url: found.url ?? found.uri, alreadyPosted: true };
        }
      }
      const mediaId = await attachImage(rest, request, signal);
      let status: MastodonStatus;
      try {
        const body = { status: request.text, visibility: account.visibility, language: iso639(request.langs[0]), media_ids: mediaId ? [mediaId] : undefined };
        ({ data: status } = await rest.post<MastodonStatus>('/api/v1/statuses', { body, headers: { 'idempotency-key': request.postKey }, signal }));
      } catch (error) {
        const mapped = fail(error, 'post');
        if (isHerautError(mapped, 'platform-rejected')) await sessions.write(attemptKey(request.postKey), undefined);
        throw mapped;
      }
      await sessions.write(attemptKey(request.postKey), undefined);
      const url = status.url ?? status.uri;
      log.info({ jobId: request.jobId, id: status.id, url }, 'mastodon post published');
      return { id: status.id, url };
    },

    async verify(): Promise<{ handle: string }> {
      const rest = client();
      try {
        const credentials = await whoAmI(rest);
        const read = await readLimits(rest);
        const shown = read ? ` (${read.maxCharacters} characters a post, a link counts ${read.charactersReservedPerUrl})` : '';
        return { handle: `@${credentials.acct}@${new URL(account.instance).host}${shown}` };
      } catch (error) {
        throw fail(error, 'verify the token');
      }
    },
  };
}

/** Mastodon takes an ISO 639 code, not a full BCP-47 tag. */
function iso639(tag: string | undefined): string | undefined {
  const primary = tag?.split('-')[0]?.toLowerCase();
  return primary && /^[a-z]{2,3}$/.test(primary) ? primary : undefined;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

