// Takes docs/review-page.png from a real `heraut web` (run `npm run build` first): npx tsx test/web/take-screenshot.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { repoRoot } from '../support/run-cli.js';
import { launchChromium, reviewQueue, startWeb } from './web-kit.js';

const work = mkdtempSync(path.join(tmpdir(), 'heraut-screenshot-'));
const picture = await sharp({ create: { width: 1200, height: 628, channels: 3, background: '#2f6f8f' } })
  .composite([{ input: Buffer.from('<svg width="1200" height="628"><circle cx="900" cy="250" r="180" fill="#f3c64a"/><rect y="430" width="1200" height="198" fill="#1d4257"/></svg>') }])
  .png()
  .toBuffer();
const images = createServer((_request, response) => response.writeHead(200, { 'content-type': 'image/png' }).end(picture));
await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
const image = `http://127.0.0.1:${(images.address() as AddressInfo).port}/cover.png`;
try {
  const config = await reviewQueue(work, {
    items: [
      { slug: 'reseau-electrique', title: 'Le réseau électrique face aux centres de données', description: 'Les centres de données consomment de plus en plus d’électricité. Le réseau doit suivre, et les factures aussi.', image },
      { slug: 'batteries-sodium', title: 'Les batteries au sodium arrivent dans les voitures', description: 'Moins chères que le lithium, les batteries au sodium équipent les premières citadines. Leur autonomie reste plus faible.', image },
    ],
    extra: '',
  });
  const [browser, web] = await Promise.all([launchChromium(), startWeb(config)]);
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1500 } });
    await page.goto(web.url);
    const target = page.locator('[data-job-id]').first().locator('[data-account="x"]');
    await target.getByRole('button', { name: 'Edit' }).click();
    await target.locator('textarea').fill(`${await target.locator('textarea').inputValue()} Et c’est une bonne nouvelle pour les petites voitures électriques vendues en ville, où l’autonomie compte moins que le prix.`);
    await target.locator('.hint', { hasText: 'Cannot be saved' }).waitFor({ timeout: 10_000 });
    await page.mouse.wheel(0, -5000);
    await page.screenshot({ path: path.join(repoRoot, 'docs/review-page.png') });
  } finally {
    await browser.close();
    await web.stop();
  }
} finally {
  images.close();
  rmSync(work, { recursive: true, force: true });
}
