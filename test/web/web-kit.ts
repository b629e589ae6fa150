import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { cliPath, repoRoot, runCli } from '../support/run-cli.js';

export const chromiumPath = '/usr/bin/chromium';

/** Browser tests need Debian's Chromium; a machine without it skips them with this message, CI never does (it fails instead). */
export const skipBrowser = !existsSync(chromiumPath) && !process.env.CI;
if (skipBrowser) process.stderr.write(`\nbrowser tests SKIPPED: ${chromiumPath} is missing; install it with: apt-get install -y chromium\n\n`);

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const hostileTitle = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> Hostile title';

function escapeXml(text: string): string {
  return text.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;').replace(/"/gu, '&quot;');
}

export interface FeedItem {
  slug: string;
  title: string;
  description: string;
  image?: string;
}

export function feedXml(items: FeedItem[]): string {
  const entries = items.map(
    (item, index) => `<item><title>${escapeXml(item.title)}</title><link>https://explainers.example/2026/12/${item.slug}</link><guid isPermaLink="false">${item.slug}</guid>` +
      `<pubDate>${new Date(Date.UTC(2026, 11, 1, 8 + index)).toUTCString()}</pubDate><description>${escapeXml(item.description)}</description>` +
      `${item.image ? `<enclosure url="${escapeXml(item.image)}" type="image/png" length="1000"/>` : ''}<category>Énergie</category></item>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Explainers</title><link>https://explainers.example/</link><description>test</description><language>fr</language>${entries.join('')}</channel></rss>\n`;
}

export const defaultItems: FeedItem[] = [
  { slug: 'reseau-electrique', title: 'Le réseau électrique face aux centres de données', description: 'Les centres de données consomment de plus en plus d’électricité. Le réseau doit suivre, et les factures aussi.' },
  { slug: 'batteries-sodium', title: 'Les batteries au sodium arrivent dans les voitures', description: 'Moins chères que le lithium, les batteries au sodium équipent les premières citadines. Leur autonomie reste plus faible.' },
  { slug: 'hostile', title: hostileTitle, description: '<script>window.pwned=3</script> Une description qui essaie d’injecter du code dans la page.' },
];

/** A folder with a dry-run config whose feed's jobs wait for review, filled by one `heraut run --once`. */
export async function reviewQueue(dir: string, options: { items?: FeedItem[]; extra?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'feed.xml'), feedXml(options.items ?? defaultItems));
  const config = path.join(dir, 'heraut.yaml');
  writeFileSync(
    config,
    `dryRun: true\nqueue: ./queue\naccounts:\n  x: { platform: x }\n  bluesky: { platform: bluesky }\nfeeds:\n  - { id: explainers, url: ./feed.xml, firstRun: all, maxAge: "0", review: true, hashtags: [Énergie] }\n${options.extra ?? ''}`,
  );
  const run = await runCli(['--config', config, 'run', '--once'], { env: options.env });
  if (run.code !== 0) throw new Error(`run --once failed: ${run.stderr}`);
  return config;
}

export function readJob(config: string, slug: string): { id: string; targets: Record<string, { state: string; teaser: { text: string; edited?: boolean } }> } {
  const dir = path.join(path.dirname(config), 'queue/dry-run/jobs');
  for (const file of readdirSync(dir)) {
    const job = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    if (job.article.link.endsWith(`/${slug}`)) return job;
  }
  throw new Error(`no job for ${slug}`);
}

export interface WebProcess {
  url: string;
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts the built `heraut web` on a free port and waits (at most 15 s) for the address it logs. */
export function startWeb(config: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<WebProcess> {
  const child = spawn(process.execPath, [cliPath, '--config', config, 'web', '--port', '0', ...args], {
    cwd: repoRoot,
    env: { ...process.env, HERAUT_CONFIG: '', HERAUT_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const stop = async () => {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`heraut web did not start in 15 s: ${stderr}`));
    }, 15_000);
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)\/"/u.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, stderr: () => stderr, stop });
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`heraut web exited with ${code}: ${stderr}`));
    });
  });
}
