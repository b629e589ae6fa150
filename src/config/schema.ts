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

const Url = z.string().refine((value) => {
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

export const Budget = z
  .strictObject({
    monthly: z.number().positive().optional().describe('Most USD to spend on posts in a calendar month; jobs wait when the next post would go over.'),
    pricePerPost: z.number().nonnegative().default(0.2).describe('USD per post; X charges $0.20 for a post that contains a URL.'),
  })
  .describe('Spending cap for a pay-per-use API.');
export type Budget = z.infer<typeof Budget>;

const Media = z.enum(['none', 'image']);

export const Utm = z
  .strictObject({
    source: z.string().min(1).describe('utm_source, e.g. "bluesky".'),
    medium: z.string().min(1).default('social').describe('utm_medium.'),
    campaign: z.string().min(1).optional().describe('utm_campaign.'),
  })
  .describe('Tracking parameters added to the links this account posts, so the site sees where readers came from; the feed\'s own utm_* are always removed.');
export type Utm = z.infer<typeof Utm>;

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
    budget: Budget.optional(),
    utm: Utm.optional(),
    timeout: Duration.default('30s').describe('Time limit of one API call.'),
  })
  .describe('An X account.');
export type XAccount = z.infer<typeof XAccount>;

export const BlueskyAccount = z
  .strictObject({
    platform: z.literal('bluesky'),
    service: Url.default('https://bsky.social').describe('The PDS (or entryway) URL of the account.'),
    identifier: z.string().min(1).optional().describe('Handle or DID; use ${BLUESKY_IDENTIFIER}.'),
    password: z.string().min(1).optional().describe('An app password (Settings > App passwords); use ${BLUESKY_APP_PASSWORD}.'),
    media: Media.optional(),
    pace: Pace.optional(),
    utm: Utm.optional(),
    timeout: Duration.default('30s').describe('Time limit of one API call.'),
  })
  .describe('A Bluesky account.');
export type BlueskyAccount = z.infer<typeof BlueskyAccount>;

export const Account = z.discriminatedUnion('platform', [XAccount, BlueskyAccount]);
export type Account = z.infer<typeof Account>;

const FirstRun = z
  .string()
  .regex(/^(baseline|all|latest:\d+)$/, 'must be "baseline", "all" or "latest:N" (N a whole number)')
  .describe('What to do with the items a feed already has the first time heraut sees it.');

const RegexString = z.string().refine((value) => {
  try {
    new RegExp(value, 'iu');
    return true;
  } catch {
    return false;
  }
}, 'must be a valid regular expression');

const Template = z.union([
  z.string(),
  z.strictObject({ default: z.string().optional(), x: z.string().optional(), bluesky: z.string().optional() }),
]);

export const FeedConfig = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'must be letters, digits, "-" or "_"').describe('A name you choose; used in logs, status and the queue.'),
    url: z.string().min(1).describe('An http(s) URL, a file: URL, or a file path relative to the config file.'),
    schedule: z.string().default('*/15 * * * *').describe('When to poll, as a cron expression in `timezone`.'),
    jitter: Duration.default('0').describe('Random delay added to each scheduled poll.'),
    language: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP-47 tag such as "fr" or "en-GB"').optional().describe('The articles\' language; otherwise read from the feed.'),
    hashtags: z
      .union([z.array(z.string().min(1)), z.record(z.string(), z.array(z.string().min(1)))])
      .default([])
      .describe('Topic tags put first in this feed\'s teasers, most important first; a map by language ({ fr: [IA], en: [AI], default: [...] }) when they differ. #IA becomes #AI on English items.'),
    maxHashtags: z.number().int().min(0).max(5).default(3),
    emojis: z
      .strictObject({
        keywords: z.record(z.string(), z.array(z.string())).optional().describe('Extra emoji -> keywords entries, added to the bundled dictionary.'),
        neutral: z.union([z.string(), z.literal(false)]).optional().describe('Emoji used when nothing matches; none by default.'),
        max: z.number().int().min(0).max(3).default(3),
      })
      .optional(),
    targets: z.array(z.string()).optional().describe('Account names to post to; default: every account.'),
    firstRun: FirstRun.default('baseline'),
    maxAge: Duration.default('7d').describe('Older items are recorded as skipped, not posted; "0" for no limit.'),
    include: z.array(RegexString).optional().describe('Post only items whose title, categories or text match one of these regular expressions.'),
    exclude: z.array(RegexString).optional().describe('Never post items whose title, categories or text match one of these.'),
    dedupe: z.enum(['feed', 'link']).default('feed').describe('"link": the same link in two feeds is posted once per account.'),
    maxBytes: z.number().int().positive().default(10 * 1024 * 1024).describe('Largest feed document read, in bytes.'),
    timeout: Duration.default('30s').describe('Time limit of one fetch of the feed.'),
    writer: z.enum(['extractive', 'template', 'llm']).default('extractive'),
    template: Template.optional().describe('For writer "template": text with {title} {hook} {summary} {emojis} {hashtags} {link} {author} {feed}.'),
    summaryHeadings: z.array(z.string()).optional().describe('Headings of the section the hook is taken from, added to the bundled ones.'),
    typography: z.enum(['fr']).optional().describe('French items always get narrow no-break spaces before ! ? ; : and inside « »; "fr" also applies them when the language is unknown.'),
    media: Media.optional(),
    review: z.boolean().default(false).describe('New jobs wait for `heraut approve`.'),
  })
  .describe('A feed to watch.');
export type FeedConfig = z.infer<typeof FeedConfig>;

export const Llm = z
  .strictObject({
    baseUrl: Url.describe('An OpenAI-compatible API base, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1.'),
    model: z.string().min(1),
    apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional().describe('Name of the environment variable holding the API key.'),
    timeout: Duration.default('60s'),
  })
  .describe('The chat-completions endpoint used by writer "llm".');
export type Llm = z.infer<typeof Llm>;

export const Config = z
  .strictObject({
    $schema: z.string().optional(),
    dryRun: z.boolean().default(false).describe('Print and record what would be posted; no platform calls, no credentials needed.'),
    timezone: z
      .string()
      .default('UTC')
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'must be an IANA time zone such as "Europe/Paris" or "UTC"'),
    queue: z.string().optional().describe('State folder, relative to the config file; default: the project\'s queue/.'),
    retention: Duration.default('90d').describe('Published jobs older than this are compacted into the history index.'),
    retry: z
      .strictObject({
        maxAttempts: z.number().int().positive().default(8),
        baseDelay: Duration.default('30s'),
        maxDelay: Duration.default('6h'),
      })
      .prefault({}),
    accounts: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'must be letters, digits, "-" or "_"'), Account).default({}),
    feeds: z.array(FeedConfig).default([]),
    llm: Llm.optional(),
    health: z
      .strictObject({
        port: z.number().int().min(0).max(65535),
        host: z.string().default('127.0.0.1'),
      })
      .optional()
      .describe('HTTP /healthz and /metrics; off when absent.'),
  })
  .superRefine((config, ctx) => {
    const names = Object.keys(config.accounts);
    const seen = new Set<string>();
    config.feeds.forEach((feed, index) => {
      if (seen.has(feed.id)) ctx.addIssue({ code: 'custom', path: ['feeds', index, 'id'], message: `feed id "${feed.id}" is used twice; give each feed its own id` });
      seen.add(feed.id);
      feed.targets?.forEach((target, t) => {
        if (!names.includes(target))
          ctx.addIssue({ code: 'custom', path: ['feeds', index, 'targets', t], message: `no account named "${target}"; must be one of: ${names.join(', ') || '(no accounts defined)'}` });
      });
      if (feed.writer === 'template' && !feed.template) ctx.addIssue({ code: 'custom', path: ['feeds', index, 'template'], message: 'writer "template" needs a template; add template: "{hook} {emojis} {hashtags} {link}"' });
      if (feed.writer === 'llm' && !config.llm) ctx.addIssue({ code: 'custom', path: ['feeds', index, 'writer'], message: 'writer "llm" needs a top-level llm: { baseUrl, model, apiKeyEnv }' });
    });
  });
export type Config = z.infer<typeof Config>;
