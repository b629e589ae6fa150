import { html, safeUrl, type SafeHtml } from './html.js';
import type { HealthView, JobView, TargetView, TextPart } from './review-model.js';

const platformNames: Record<string, string> = { x: 'X', bluesky: 'Bluesky' };

function platformName(platform: string): string {
  return platformNames[platform] ?? platform;
}

function head(title: string): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/page.css">
<script type="module" src="/static/page.js"></script>
</head>`;
}

export function renderPage(options: { jobs: JobView[]; health: HealthView; mode: 'live' | 'dry-run' }): string {
  return html`${head('heraut review')}
<body>
<header class="top"><h1>heraut review</h1><p class="mode">${options.mode === 'dry-run' ? 'Dry run: nothing is posted for real' : 'Live'}</p></header>
<main>
${renderHealth(options.health)}
<p id="status" class="status" role="status" aria-live="polite"></p>
<section aria-labelledby="jobs-title">
<h2 id="jobs-title">Jobs</h2>
${options.jobs.length === 0 ? html`<p>No jobs in the queue.</p>` : html`<ol class="jobs">${options.jobs.map((job) => html`<li>${renderJob(job)}</li>`)}</ol>`}
</section>
</main>
</body>
</html>
`.value;
}

export function renderHealth(health: HealthView): SafeHtml {
  return html`<section id="health" class="health" aria-labelledby="health-title">
<h2 id="health-title">Health</h2>
<div class="health-tables">
<table>
<caption>Feeds</caption>
<thead><tr><th scope="col">Feed</th><th scope="col">Last poll</th><th scope="col">Last success</th><th scope="col">Failures in a row</th></tr></thead>
<tbody>${health.feeds.map(
    (feed) => html`<tr class="${feed.consecutiveFailures > 0 ? 'bad' : ''}"><th scope="row">${feed.id}</th><td>${time(feed.lastPollAt)}</td><td>${time(feed.lastSuccessAt)}</td><td>${feed.consecutiveFailures}${feed.lastError ? html` <span class="error">${feed.lastError}</span>` : ''}</td></tr>`,
  )}</tbody>
</table>
<table>
<caption>Accounts</caption>
<thead><tr><th scope="col">Account</th><th scope="col">State</th><th scope="col">Spent this month</th></tr></thead>
<tbody>${health.accounts.map(
    (account) => html`<tr class="${account.needsAttention ? 'bad' : ''}"><th scope="row">${account.name} <span class="platform">${platformName(account.platform)}</span></th><td>${account.needsAttention ? html`<strong>Needs attention:</strong> ${account.needsAttention}` : 'OK'}</td><td>$${account.spentThisMonth.toFixed(2)}${account.monthlyBudget !== undefined ? ` of $${account.monthlyBudget.toFixed(2)}` : ''}</td></tr>`,
  )}</tbody>
</table>
</div>
</section>`;
}

function time(iso: string | undefined): SafeHtml {
  return iso ? html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/u, 'Z')}</time>` : html`never`;
}

function externalLink(url: string | undefined, content: SafeHtml | string, className = ''): SafeHtml {
  const href = safeUrl(url);
  return href ? html`<a class="${className}" href="${href}" target="_blank" rel="noopener noreferrer">${content}</a>` : html`<span class="${className}">${content}</span>`;
}

export function renderJob(job: JobView): SafeHtml {
  const titleId = `job-${job.id}-title`;
  const image = safeUrl(job.article.image);
  return html`<article class="job" data-job-id="${job.id}" data-state="${job.state}" aria-labelledby="${titleId}">
<header class="job-head">
<p class="meta"><span class="badge state-${job.state}">${job.state}</span> ${job.feedId} · ${time(job.createdAt)} · <code>${job.id}</code></p>
<h3 id="${titleId}" tabindex="-1">${externalLink(job.article.link, job.article.title || job.article.link)}</h3>
${image ? html`<img class="article-image" src="${image}" alt="" loading="lazy" referrerpolicy="no-referrer">` : ''}
</header>
<div class="targets">${job.targets.map((target) => renderTarget(job, target))}</div>
</article>`;
}

function renderTarget(job: JobView, target: TargetView): SafeHtml {
  const headingId = `target-${job.id}-${target.account}`;
  const over = target.measure.used > target.measure.limit;
  const image = safeUrl(job.article.image);
  const showImage = target.platform === 'x' && target.media === 'image' && image;
  return html`<section class="target platform-${target.platform}" data-account="${target.account}" data-target-state="${target.state}" aria-labelledby="${headingId}">
<h4 id="${headingId}">${target.account} <span class="platform">${platformName(target.platform)}</span> <span class="badge state-${target.state}">${target.state}</span>${target.edited ? html` <span class="badge">edited</span>` : ''}</h4>
<div class="post">
<p class="post-text">${target.parts.map(renderPart)}</p>
${showImage ? html`<img class="post-image" src="${image}" alt="${job.article.title}" loading="lazy" referrerpolicy="no-referrer">` : renderCard(job)}
</div>
<p class="counter${over ? ' over' : ''}"><span data-counter>${target.measure.used} / ${target.measure.limit}</span> <span class="unit">${target.platform === 'x' ? 'weighted characters' : 'characters'}</span></p>
${target.waitingUntil ? html`<p class="note">Waiting until ${time(target.waitingUntil)}${target.waitReason ? ` (${target.waitReason})` : ''}</p>` : ''}
${target.lastError ? html`<p class="note error">Last error: ${target.lastError}</p>` : ''}
${target.postUrl ? html`<p class="note">${externalLink(target.postUrl, 'See the post')}</p>` : ''}
<div class="actions">
${target.state === 'review' ? actionButton(job, target, 'approve', 'Approve', headingId) : ''}
${target.state === 'failed' ? actionButton(job, target, 'retry', 'Retry', headingId) : ''}
${['review', 'pending', 'failed'].includes(target.state) ? html`<button type="button" class="edit" data-edit aria-describedby="${headingId}">Edit</button>` : ''}
${['review', 'pending', 'failed'].includes(target.state) ? actionButton(job, target, 'skip', 'Skip', headingId) : ''}
</div>
<p class="refusal" role="alert" hidden></p>
</section>`;
}

function actionButton(job: JobView, target: TargetView, action: string, label: string, describedBy: string): SafeHtml {
  return html`<form method="post" action="/api/jobs/${encodeURIComponent(job.id)}/${action}" data-action="${action}"><input type="hidden" name="account" value="${target.account}"><button type="submit" class="${action}" aria-describedby="${describedBy}">${label}</button></form>`;
}

function renderPart(part: TextPart): SafeHtml | string {
  if (part.kind === 'tag') return html`<span class="tag">${part.text}</span>`;
  if (part.kind === 'link') return externalLink(part.href, part.text, 'link');
  return part.text;
}

/** The link card the platform builds from the article: the thumbnail, then the title, a line of description and the site. */
function renderCard(job: JobView): SafeHtml {
  const image = safeUrl(job.article.image);
  let host = '';
  try {
    host = new URL(job.article.link).host;
  } catch {
    // A link that is no URL has no site to show.
  }
  return html`<div class="card">
${image ? html`<img class="card-thumb" src="${image}" alt="" loading="lazy" referrerpolicy="no-referrer">` : ''}
<div class="card-body"><p class="card-title">${job.article.title}</p><p class="card-description">${job.article.summary}</p><p class="card-host">${host}</p></div>
</div>`;
}

export function renderLogin(options: { failed: boolean }): string {
  return html`${head('heraut review: sign in')}
<body>
<main class="login">
<h1>heraut review</h1>
<form method="post" action="/login">
<label for="token">Access token (the value of web.token)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
${options.failed ? html`<p class="refusal" role="alert">That token is wrong.</p>` : ''}
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
`.value;
}
