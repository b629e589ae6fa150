import { z } from 'zod';
import { Media, Pace, Timeout, Url, Utm } from '../../config/fields.js';

export const MastodonAccount = z
  .strictObject({
    platform: z.literal('mastodon'),
    instance: Url.default('https://mastodon.social').describe('The server the account lives on.'),
    accessToken: z.string().min(1).optional().describe('An access token with scopes write:statuses, write:media and read:accounts; use ${MASTODON_ACCESS_TOKEN}.'),
    visibility: z.enum(['public', 'unlisted', 'private']).default('public').describe('"unlisted" keeps the posts out of the public timelines.'),
    media: Media.optional().describe('"image" uploads the article\'s image with the post; default "none" lets the server build the link card.'),
    pace: Pace.optional(),
    utm: Utm.optional(),
    timeout: Timeout.default('30s').describe('Time limit of one API call.'),
  })
  .describe('A Mastodon account.');
export type MastodonAccount = z.infer<typeof MastodonAccount>;
