// Schema pieces shared by the config and the platforms' account schemas: apart, so that the config can compose the
// accounts from the platform registry without an import cycle.
import { z } from 'zod';

const durationPattern = /^(0|\d+(\.\d+)?(ms|s|m|h|d|w))$/;

/** "90s", "5m", "2h", "7d", "1w", or "0". */
export const Duration = z.string().regex(durationPattern, 'must be a duration such as "30s", "5m", "2h", "7d" or "0"');
export type Duration = z.infer<typeof Duration>;

export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(value.trim());
  if (!match) throw new Error(`not a duration: ${value}`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] ?? 'ms'];
  return Math.round(Number(match[1]) * unit!);
}

export const Url = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an http:// or https:// URL');

export const Pace = z
  .strictObject({
    minGap: Duration.default('5m').describe('Least time between two posts of this account; "0" turns it off.'),
    maxPerDay: z.number().int().positive().optional().describe('Most posts in a calendar day (in `timezone`).'),
    slots: z.array(z.string()).optional().describe('Cron expressions (in `timezone`) of the minutes when posting is allowed.'),
  })
  .describe('Pacing of this account\'s posts.');
export type Pace = z.infer<typeof Pace>;

export const Media = z.enum(['none', 'image']);
export type Media = z.infer<typeof Media>;
