import { z } from 'zod';
import { Media, Pace, Timeout, Url, Utm } from '../../config/fields.js';

export const Budget = z
  .strictObject({
    monthly: z.number().positive().optional().describe('Most USD to spend on posts in a calendar month; jobs wait when the next post would go over.'),
    pricePerPost: z.number().nonnegative().default(0.2).describe('USD per post; X charges $0.20 for a post that contains a URL.'),
  })
  .describe('Spending cap for a pay-per-use API.');
export type Budget = z.infer<typeof Budget>;

export const XAccount = z
  .strictObject({
    platform: z.literal('x'),
    appKey: z.string().min(1).optional().describe('OAuth 1.0a consumer key; use ${X_APP_KEY}.'),
    appSecret: z.string().min(1).optional().describe('OAuth 1.0a consumer secret; use ${X_APP_SECRET}.'),
    accessToken: z.string().min(1).optional().describe('OAuth 1.0a access token of the posting account; use ${X_ACCESS_TOKEN}.'),
    accessSecret: z.string().min(1).optional().describe('OAuth 1.0a access token secret; use ${X_ACCESS_SECRET}.'),
    apiBaseUrl: Url.default('https://api.x.com').describe('Where API calls go; for proxies and local test servers.'),
    media: Media.optional().describe('"image" uploads the article\'s image with the post; default "none" lets X build its own card.'),
    pace: Pace.optional(),
    utm: Utm.optional(),
    budget: Budget.optional(),
    timeout: Timeout.default('30s').describe('Time limit of one API call.'),
  })
  .describe('An X account.');
export type XAccount = z.infer<typeof XAccount>;
