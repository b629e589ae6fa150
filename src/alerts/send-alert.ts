import type { AlertDestination } from '../config/schema.js';
import { HerautError } from '../errors.js';
import { scrubSecrets } from '../log.js';
import { type Alert, alertTitles } from './alert.js';

const ntfyTags: Record<Alert['kind'], string> = {
  'account-attention': 'warning,key',
  'post-failed': 'x',
  'feed-failing': 'warning,rss',
  'budget-reached': 'moneybag',
  'worker-crashed': 'boom',
};

function describe(alert: Alert): string {
  return `${alert.message} ${alert.fix}${alert.link ? ` ${alert.link}` : ''}`;
}

/** The request that carries one alert to one destination; every text in it has passed through scrubSecrets. */
export function alertRequest(alert: Alert, destination: AlertDestination): { url: string; init: RequestInit } {
  const title = alertTitles[alert.kind];
  if (destination.ntfy) {
    const headers: Record<string, string> = { title, tags: ntfyTags[alert.kind], priority: alert.kind === 'post-failed' ? 'default' : 'high' };
    if (destination.token) headers.authorization = `Bearer ${destination.token}`;
    return { url: destination.ntfy, init: { method: 'POST', headers, body: scrubSecrets(describe(alert)) } };
  }
  const body = { event: alert.kind, subject: alert.subject, title, message: alert.message, fix: alert.fix, link: alert.link, at: new Date(alert.at).toISOString() };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (destination.token) headers.authorization = `Bearer ${destination.token}`;
  return { url: destination.webhook!, init: { method: 'POST', headers, body: scrubSecrets(JSON.stringify(body)) } };
}

/** Sends one alert; a refusal or a fault is a retryable HerautError that names the destination by its host only. */
export async function sendAlert(alert: Alert, destination: AlertDestination, timeoutMs: number): Promise<void> {
  const { url, init } = alertRequest(alert, destination);
  const host = new URL(url).host;
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new HerautError('alert-failed', `alert to ${host} not sent (${(error as Error).name}); check that the destination is reachable`, { retryable: true });
  }
  await response.body?.cancel();
  if (!response.ok) throw new HerautError('alert-failed', `alert to ${host} refused with HTTP ${response.status}; check the destination's URL and token`, { retryable: response.status >= 500 || response.status === 429 });
}
