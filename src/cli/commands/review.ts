import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HerautError } from '../../errors.js';
import { reviewableFrom } from '../../queue/transitions.js';
import { checkEditedTeaser } from '../../teaser/write-teasers.js';
import { openRuntime, splitList } from '../context.js';
import type { GlobalOptions, ReviewOptions } from '../options.js';

type ReviewAction = 'approve' | 'skip' | 'retry' | 'edit';


export async function reviewCommand(global: GlobalOptions, action: ReviewAction, query: string, options: ReviewOptions): Promise<void> {
  const runtime = await openRuntime(global, { dryRun: options.dryRun });
  try {
    const found = await runtime.stores.jobs.find(query);
    if (!found) throw new HerautError('article-not-found', `no job matches "${query}"; run heraut status to list jobs`);
    const claim = await runtime.stores.jobs.claim(found.id);
    if (!claim) throw new HerautError('queue-busy', `job ${found.id} is being published right now; try again in a moment`);
    try {
      const accounts = splitList(options.to) ?? Object.keys(claim.job.targets);
      for (const account of accounts) {
        if (!claim.job.targets[account]) throw new HerautError('usage', `job ${found.id} has no target "${account}"; it has: ${Object.keys(claim.job.targets).join(', ')}`);
      }
      const changed: string[] = [];
      for (const account of accounts) {
        const target = claim.job.targets[account]!;
        if (!reviewableFrom[action].includes(target.state)) continue;
        if (action === 'edit') {
          const text = editInEditor(target.teaser.text);
          if (text === target.teaser.text) continue;
          await claim.edit(account, { ...checkEditedTeaser(target.platform, text, target.teaser.link, target.teaser.langs), writer: target.teaser.writer });
        } else {
          await claim[action](account);
        }
        changed.push(`${account}: ${claim.job.targets[account]!.state}`);
      }
      const job = claim.job;
      runtime.write(changed.length > 0 ? `${job.id}: ${changed.join(', ')}\n` : `${job.id}: nothing to ${action} (states: ${Object.values(job.targets).map((t) => `${t.account} ${t.state}`).join(', ')})\n`);
    } finally {
      await claim.release();
    }
  } finally {
    await runtime.close();
  }
}

function editInEditor(text: string): string {
  const editor = process.env.VISUAL ?? process.env.EDITOR;
  if (!editor) throw new HerautError('usage', 'no editor: set EDITOR (e.g. export EDITOR=nano) to edit a teaser');
  const dir = mkdtempSync(path.join(tmpdir(), 'heraut-edit-'));
  const file = path.join(dir, 'teaser.txt');
  try {
    writeFileSync(file, text);
    const result = spawnSync(`${editor} "${file}"`, { shell: true, stdio: 'inherit' });
    if (result.status !== 0) throw new HerautError('usage', `the editor (${editor}) exited with ${result.status}; the teaser is unchanged`);
    return readFileSync(file, 'utf8').replace(/\s+$/u, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
