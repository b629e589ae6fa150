import { z } from 'zod';
import { Media, Pace, Timeout, Url, Utm } from '../../config/fields.js';

export const BlueskyAccount = z
  .strictObject({
    platform: z.literal('bluesky'),
    service: Url.default('https://bsky.social').describe('The PDS (or entryway) URL of the account.'),
    identifier: z.string().min(1).optional().describe('Handle or DID; use ${BLUESKY_IDENTIFIER}.'),
    password: z.string().min(1).optional().describe('An app password (Settings > App passwords); use ${BLUESKY_APP_PASSWORD}.'),
    media: Media.optional(),
    pace: Pace.optional(),
    utm: Utm.optional(),
    timeout: Timeout.default('30s').describe('Time limit of one API call.'),
  })
  .describe('A Bluesky account.');
export type BlueskyAccount = z.infer<typeof BlueskyAccount>;
