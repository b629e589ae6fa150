import safeRegex from 'safe-regex2';
import { z } from 'zod';
import { alertKinds } from '../alerts/alert.js';
import { accountSchemas } from '../platforms/account-schemas.js';
import { platformIds, type PlatformId } from '../platforms/registry.js';
import { Duration, Media, Timeout, TimerDelay, Url } from './fields.js';
import { webTokenMinLength } from './secret-value-fits.js';

export { Duration, parseDuration, Pace, Utm } from './fields.js';

export const Account = z.discriminatedUnion('platform', accountSchemas);
export type Account = z.infer<typeof Account>;

const FirstRun = z
  .string()
  .regex(/^(baseline|all|latest:\d+)$/, 'must be "baseline", "all" or "latest:N" (N a whole number)')
  .describe('What to do with the items a feed already has the first time heraut sees it.');

function isSafePattern(pattern: string): boolean {
  try {
    return safeRegex(pattern);
  } catch {
    // A syntax the checker cannot read (some Unicode escapes) is left to the time limit where patterns run.
    return true;
  }
}

const RegexString = z.string().superRefine((value, ctx) => {
  try {
    new RegExp(value, 'iu');
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a valid regular expression' });
    return;
  }
  if (!isSafePattern(value))
    ctx.addIssue({ code: 'custom', message: `"${value.slice(0, 60)}" can take minutes on one title (a repetition inside a repetition, such as "(a+)+"); rewrite it without the nested repetition, e.g. "a+"` });
});

const platformTemplates = Object.fromEntries(platformIds.map((id) => [id, z.string().optional()])) as Record<PlatformId, z.ZodOptional<z.ZodString>>;
const Template = z.union([z.string(), z.strictObject({ default: z.string().optional(), ...platformTemplates })]);

export const FeedConfig = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'must be letters, digits, "-" or "_"').describe('A name you choose; used in logs, status and the queue.'),
    url: z.string().min(1).describe('An http(s) URL, a file: URL, or a file path relative to the config file.'),
    schedule: z.string().default('*/15 * * * *').describe('When to poll, as a cron expression in `timezone`.'),
    jitter: TimerDelay.default('0').describe('Random delay added to each scheduled poll.'),
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
    maxAge: Duration.default('7d').describe('Older items are recorded as skipped, not posted; 0 for no limit.'),
    include: z.array(RegexString).optional().describe('Post only items whose title, categories or text match one of these regular expressions.'),
    exclude: z.array(RegexString).optional().describe('Never post items whose title, categories or text match one of these.'),
    dedupe: z.enum(['feed', 'link']).default('feed').describe('"link": the same link in two feeds is posted once per account.'),
    maxBytes: z.number().int().positive().default(10 * 1024 * 1024).describe('Largest feed document read, in bytes.'),
    timeout: Timeout.default('30s').describe('Time limit of one fetch of the feed.'),
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
    timeout: Timeout.default('60s'),
  })
  .describe('The chat-completions endpoint used by writer "llm".');
export type Llm = z.infer<typeof Llm>;

export const AlertDestination = z
  .strictObject({
    webhook: Url.optional().describe('Receives a JSON POST {event, subject, title, message, fix, link, at}; use ${ALERT_WEBHOOK_URL}.'),
    ntfy: Url.optional().describe('An ntfy topic URL such as https://ntfy.sh/my-topic; the message is posted as text with a title and tags.'),
    token: z.string().min(1).optional().describe('Sent as "Authorization: Bearer"; use ${NTFY_TOKEN}.'),
    events: z.array(z.enum(alertKinds)).min(1).optional().describe('Which events go here; default all.'),
  })
  .refine((destination) => (destination.webhook === undefined) !== (destination.ntfy === undefined), 'give exactly one of webhook: or ntfy:')
  .describe('Where alerts go.');
export type AlertDestination = z.infer<typeof AlertDestination>;

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
    queue: z.string().optional().describe('State folder, relative to the config file, or a postgres:// URL shared by several heraut workers; default: queue/ beside the config file (queue-NAME/ for NAME.yaml), or $XDG_STATE_HOME/heraut/queue for a config in $XDG_CONFIG_HOME/heraut/.'),
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
    alerts: z.array(AlertDestination).default([]).describe('Where to tell a person that an account needs attention, a post failed, a feed keeps failing, the budget is reached or a worker crashed.'),
    health: z
      .strictObject({
        port: z.number().int().min(0).max(65535),
        host: z.string().default('127.0.0.1'),
      })
      .optional()
      .describe('HTTP /healthz and /metrics; off when absent.'),
    web: z
      .strictObject({ token: z.string().min(webTokenMinLength, `must be at least ${webTokenMinLength} characters; e.g. openssl rand -hex 16`).optional().describe('Required to serve the review page beyond loopback; use ${HERAUT_WEB_TOKEN}.') })
      .optional()
      .describe('The review page (heraut web, and heraut run on the health port).'),
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
