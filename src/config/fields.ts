// Schema pieces shared by the config and the platforms' account schemas: apart, so that the config can compose the
// accounts from the platform registry without an import cycle.
import { z } from 'zod';

export { Duration, parseDuration, Timeout, TimerDelay } from './duration.js';
import { Duration } from './duration.js';
import { isHttpUrl } from './secret-value-fits.js';

export const Url = z.string().refine(isHttpUrl, 'must be an http:// or https:// URL');

export const Pace = z
  .strictObject({
    minGap: Duration.default('5m').describe('Least time between two posts of this account; 0 turns it off.'),
    maxPerDay: z.number().int().positive().optional().describe('Most posts in a calendar day (in `timezone`).'),
    slots: z.array(z.string()).optional().describe('Cron expressions (in `timezone`) of the minutes when posting is allowed.'),
  })
  .describe('Pacing of this account\'s posts.');
export type Pace = z.infer<typeof Pace>;

export const Media = z.enum(['none', 'image']);
export type Media = z.infer<typeof Media>;

export const Utm = z
  .strictObject({
    source: z.string().min(1).describe('utm_source, e.g. "bluesky".'),
    medium: z.string().min(1).default('social').describe('utm_medium.'),
    campaign: z.string().min(1).optional().describe('utm_campaign.'),
  })
  .describe('Tracking parameters added to the links this account posts, so the site sees where readers came from; the feed\'s own utm_* are always removed.');
export type Utm = z.infer<typeof Utm>;
