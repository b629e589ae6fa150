import { Agent, CredentialSession, XRPCError, type AppBskyEmbedExternal, type AppBskyFeedPost, type AtpSessionData, type AtpSessionEvent, type BlobRef } from '@atproto/api';
import { TID } from '@atproto/common-web';
import { parseDuration } from '../../config/parse-duration.js';
import { HerautError, isHerautError } from '../../errors.js';
import { leadingGraphemes } from '../../graphemes.js';
import { registerSecret } from '../../log.js';
import type { PostRequest, PostResult, Publisher, PublisherContext } from '../platform.js';
import type { BlueskyAccount } from './bluesky-account.js';
import { failureReason, toBlueskyError } from './bluesky-error.js';
import { BLUESKY_MAX_BYTES, BLUESKY_MAX_GRAPHEMES, measureBluesky } from './bluesky-limits.js';
import { fetchCardThumb } from './card-thumb.js';
import { formatSavedSession, parseSavedSession } from './saved-session.js';

const POST_COLLECTION = 'app.bsky.feed.post';
const DEFAULT_SERVICE = 'https://bsky.social';
// The lexicon sets no limit, but the app shows a line or three: keep records small.
const MAX_CARD_TITLE = 300;
const MAX_CARD_DESCRIPTION = 1000;

export interface BlueskyPublisherOptions extends PublisherContext<BlueskyAccount> {
  /** Time limit of each page or image download for link cards; default 10 s. API calls use the account's `timeout`. */
  fetchTimeoutMs?: number;
}

/** A fresh record key for a post. The queue stores it with the job before the first attempt, so every retry writes the same record. */
export function newBlueskyPostKey(): string {
  return TID.nextStr();
}

/** The post's createdAt, taken from its record key so a retry writes a byte-identical record. */
export function createdAtFromPostKey(postKey: string): string {
  return new Date(Math.floor(TID.fromStr(postKey).timestamp() / 1000)).toISOString();
}

export function createBlueskyPublisher(options: BlueskyPublisherOptions): Publisher {
  const { name, account, sessions, log } = options;
  const sessionKey = `bluesky-${name}`;
  const service = account.service ?? DEFAULT_SERVICE;
  const apiTimeoutMs = parseDuration(account.timeout ?? '30s');
  const fetchTimeoutMs = options.fetchTimeoutMs ?? 10_000;
  registerSecret(account.password);

  const session = new CredentialSession(new URL(service), timedFetch(apiTimeoutMs), persist);
  const agent = new Agent(session);

  let triedSavedSession = false;
  let loggedIn = false;
  let authFailure: HerautError | undefined;
  let establishing: Promise<void> | undefined;
  // The library reports sessions synchronously; writes are chained in order and awaited before a call returns.
  let saving = Promise.resolve();

  function persist(event: AtpSessionEvent, data: AtpSessionData | undefined): void {
    if (data) {
      registerSecret(data.accessJwt);
      registerSecret(data.refreshJwt);
    }
    let value: string | undefined;
    if ((event === 'create' || event === 'update') && data) value = formatSavedSession({ service, identifier: account.identifier, session: data, savedAt: new Date().toISOString() });
    else if (event !== 'expired') return;
    saving = saving
      .then(() => sessions.write(sessionKey, value))
      .catch((error: unknown) => log.warn({ event, session: sessionKey, reason: failureReason(error) }, 'could not save the Bluesky session; the next run will log in again'));
  }

  async function ensureSession(): Promise<AtpSessionData> {
    if (authFailure) throw authFailure;
    if (!session.session) {
      establishing ??= establish().finally(() => {
        establishing = undefined;
      });
      await establishing;
    }
    const current = session.session;
    if (!current) throw noSession();
    return current;
  }

  async function establish(): Promise<void> {
    if (!triedSavedSession) {
      triedSavedSession = true;
      const saved = parseSavedSession(await sessions.read(sessionKey).catch(() => undefined));
      if (saved && saved.service === service && sameAccount(saved.identifier, saved.session)) {
        registerSecret(saved.session.accessJwt);
        registerSecret(saved.session.refreshJwt);
        try {
          await session.resumeSession(saved.session);
          log.debug({ handle: session.session?.handle }, 'resumed the saved Bluesky session');
          return;
        } catch (error) {
          // Network trouble or a rate limit says nothing about the tokens: keep them and try later. Any other refusal means they are spent.
          const failure = toBlueskyError(error, { account: name, action: 'resuming the saved session' });
          if (!isHerautError(failure) || failure.retryable) throw failure;
          log.info({ reason: failure.message }, 'saved Bluesky session no longer valid; logging in');
        }
      } else if (saved) {
        log.info({ session: sessionKey }, 'saved Bluesky session belongs to another account or service; logging in');
      }
    }
    await login();
  }

  function sameAccount(identifier: string | undefined, saved: AtpSessionData): boolean {
    const wanted = account.identifier?.toLowerCase().replace(/^@/, '');
    if (!wanted) return true;
    return wanted === identifier?.toLowerCase().replace(/^@/, '') || wanted === saved.handle.toLowerCase() || wanted === saved.did;
  }

  async function login(): Promise<void> {
    if (loggedIn) throw noSession();
    if (!account.identifier) {
      throw setAuthFailure(new HerautError('platform-auth', `Bluesky account "${name}" has no identifier and no saved session: set BLUESKY_IDENTIFIER to its handle (e.g. name.bsky.social) and reference it as identifier: \${BLUESKY_IDENTIFIER}`));
    }
    if (!account.password) {
      throw setAuthFailure(new HerautError('platform-auth', `Bluesky account "${name}" has no app password and no saved session: create one at bsky.app Settings > App passwords, set BLUESKY_APP_PASSWORD to it and reference it as password: \${BLUESKY_APP_PASSWORD}`));
    }
    try {
      await session.login({ identifier: account.identifier, password: account.password });
      loggedIn = true;
      log.info({ handle: session.session?.handle }, 'logged in to Bluesky');
    } catch (error) {
      const failure = toBlueskyError(error, { account: name, action: 'logging in' });
      // Any answer from the server used up a login; only a network failure may try again.
      if (!(error instanceof XRPCError && Number(error.status) < 100)) loggedIn = true;
      if (isHerautError(failure, 'platform-auth')) setAuthFailure(failure);
      throw failure;
    }
  }

  function setAuthFailure(error: HerautError): HerautError {
    authFailure = error;
    return error;
  }

  function noSession(): HerautError {
    return new HerautError('platform-auth', `The Bluesky session of account "${name}" ended and heraut logs in at most once per run (Bluesky limits logins): check that its app password still exists, then restart heraut`);
  }

  async function call<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toBlueskyError(error, { account: name, action });
    }
  }

  async function existingPost(did: string, rkey: string, signal?: AbortSignal): Promise<string | undefined> {
    try {
      const found = await agent.com.atproto.repo.getRecord({ repo: did, collection: POST_COLLECTION, rkey }, { signal });
      return found.data.uri;
    } catch (error) {
      if (error instanceof XRPCError && (error.error === 'RecordNotFound' || Number(error.status) === 404)) return undefined;
      throw error;
    }
  }

  async function cardThumb(request: PostRequest, signal?: AbortSignal): Promise<BlobRef | undefined> {
    let thumb;
    try {
      thumb = await fetchCardThumb(request.link, { timeoutMs: fetchTimeoutMs, signal });
    } catch (error) {
      log.warn({ jobId: request.jobId, url: request.link.image ?? request.link.url, reason: failureReason(error) }, 'link card image unavailable; posting the card without a thumbnail');
      return undefined;
    }
    if (!thumb) {
      log.warn({ jobId: request.jobId, url: request.link.url }, 'article has no image; posting the card without a thumbnail');
      return undefined;
    }
    try {
      const uploaded = await agent.uploadBlob(thumb.data, { encoding: thumb.mimeType, signal });
      return uploaded.data.blob;
    } catch (error) {
      const failure = toBlueskyError(error, { account: name, action: 'uploading the card image' });
      if (!isHerautError(failure) || failure.code === 'platform-auth' || failure.code === 'platform-rate-limited') throw failure;
      log.warn({ jobId: request.jobId, url: thumb.source, reason: failure.message }, 'link card image upload failed; posting the card without a thumbnail');
      return undefined;
    }
  }

  function postUrl(handle: string, rkey: string): string {
    return `https://bsky.app/profile/${handle}/post/${rkey}`;
  }

  async function publish(request: PostRequest, signal?: AbortSignal): Promise<PostResult> {
    const rkey = request.postKey;
    if (!TID.is(rkey)) {
      throw new HerautError('platform-rejected', `Job ${request.jobId} has postKey "${rkey}", which is not a Bluesky record key (TID): create jobs with newBlueskyPostKey()`);
    }
    const length = measureBluesky(request.text);
    if (!length.valid) {
      throw new HerautError('platform-rejected', `Teaser of job ${request.jobId} does not fit Bluesky (${length.graphemes} graphemes, ${length.bytes} bytes; at most ${BLUESKY_MAX_GRAPHEMES} and ${BLUESKY_MAX_BYTES}): shorten the teaser template`);
    }
    const current = await ensureSession();
    const jobLog = log.child({ jobId: request.jobId, rkey });

    const existing = await call('checking for an earlier attempt', () => existingPost(current.did, rkey, signal));
    if (existing) {
      jobLog.info({ uri: existing }, 'Bluesky post already exists; not posting again');
      return { id: existing, url: postUrl(session.session?.handle ?? current.handle, rkey), alreadyPosted: true };
    }

    const thumb = await cardThumb(request, signal);
    const external: AppBskyEmbedExternal.External = { uri: request.link.url, title: clip(request.link.title, MAX_CARD_TITLE), description: clip(request.link.description, MAX_CARD_DESCRIPTION) };
    if (thumb) external.thumb = thumb;
    const record: AppBskyFeedPost.Record = {
      $type: POST_COLLECTION,
      text: request.text,
      createdAt: createdAtFromPostKey(rkey),
      embed: { $type: 'app.bsky.embed.external', external },
    };
    if (request.facets?.length) record.facets = request.facets;
    const langs = request.langs.slice(0, 3);
    if (langs.length) record.langs = langs;

    // putRecord with the job's own key: a retry writes the same record again (a no-op), never a second post.
    const written = await call('publishing the post', () =>
      agent.com.atproto.repo.putRecord({ repo: current.did, collection: POST_COLLECTION, rkey, record: record as unknown as Record<string, unknown> }, { signal }),
    );
    const url = postUrl(session.session?.handle ?? current.handle, rkey);
    jobLog.info({ uri: written.data.uri, url, thumb: Boolean(thumb) }, 'posted to Bluesky');
    return { id: written.data.uri, url };
  }

  async function verify(): Promise<{ handle: string }> {
    await ensureSession();
    const me = await call('checking the session', () => agent.com.atproto.server.getSession());
    return { handle: me.data.handle };
  }

  // A session saved before a call returns is what a process started right after finds.
  const settled = <A extends unknown[], T>(run: (...args: A) => Promise<T>) => (...args: A) => run(...args).finally(() => saving);

  return { platform: 'bluesky', account: name, publish: settled(publish), verify: settled(verify) };
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const segment of leadingGraphemes(text, max)) {
    if (out.length + segment.length > max - 1) break;
    out += segment;
  }
  return `${out.trimEnd()}…`;
}

/** Every API call gets a time limit; the caller's own signal still applies. */
function timedFetch(timeoutMs: number): typeof globalThis.fetch {
  return (input, init) => {
    const request = new Request(input, init);
    return globalThis.fetch(request, { signal: AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)]) });
  };
}
