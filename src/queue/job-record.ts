import { z } from 'zod';
import { waitReasons, type Job } from './job.js';

const isoTime = z.string().refine((value) => Number.isFinite(Date.parse(value)), 'must be an ISO time');

/** What a stored job must look like (imported when jobs are read, so a start that reads none builds no schema); article and teaser are checked where the queue relies on them and kept whole. */
export const JobRecord = z.object({
  version: z.literal(1),
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/),
  feedId: z.string().min(1),
  articleKey: z.string(),
  canonicalLink: z.string(),
  article: z.looseObject({ key: z.string(), link: z.string(), title: z.string() }),
  createdAt: isoTime,
  dryRun: z.boolean(),
  targets: z.record(
    z.string(),
    z.object({
      account: z.string(),
      platform: z.string(),
      teaser: z.looseObject({ text: z.string(), link: z.string(), langs: z.array(z.string()) }),
      postKey: z.string().min(1),
      state: z.enum(['pending', 'review', 'publishing', 'published', 'failed', 'skipped']),
      attempts: z.number().int().nonnegative(),
      notBefore: isoTime.optional(),
      waitReason: z.enum(waitReasons).optional(),
      lastError: z.object({ code: z.string(), message: z.string(), at: z.string() }).optional(),
      postId: z.string().optional(),
      postUrl: z.string().optional(),
      publishedAt: z.string().optional(),
      media: z.enum(['none', 'image']).optional(),
    }),
  ),
});

/** The stored job, or what is wrong with it. */
export function checkJob(value: unknown): { job: Job; problem?: undefined } | { job?: undefined; problem: string } {
  const checked = JobRecord.safeParse(value);
  if (checked.success) return { job: checked.data as unknown as Job };
  const issue = checked.error.issues[0]!;
  return { problem: `${issue.path.join('.') || 'the job'} ${issue.message}` };
}
