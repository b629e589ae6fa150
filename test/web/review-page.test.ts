import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileTitle, launchChromium, readJob, reviewQueue, skipBrowser, startWeb, type WebProcess } from './web-kit.js';

const work = mkdtempSync(path.join(tmpdir(), 'heraut-web-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(skipBrowser)('the review page in Chromium', () => {
  let browser: Browser;
  let web: WebProcess;
  let config: string;
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    config = await reviewQueue(path.join(work, 'page'));
    [browser, web] = await Promise.all([launchChromium(), startWeb(config)]);
    page = await browser.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const response = await page.goto(web.url);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    // Set once: a full reload would lose it.
    await page.evaluate(() => ((window as unknown as { loadedOnce: boolean }).loadedOnce = true));
  });
  afterAll(async () => {
    await browser?.close();
    await web?.stop();
  });

  const job = (slug: string) => page.locator('[data-job-id]').filter({ has: page.locator(`a[href$="/${slug}"]`) });
  const notReloaded = () => page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce === true);

  it('lists the jobs waiting for review, with a preview and a counter per account', async () => {
    await expect.poll(() => page.locator('[data-job-id][data-state="review"]').count()).toBe(3);
    const target = job('reseau-electrique').locator('[data-account="bluesky"]');
    await expect.poll(() => target.locator('.tag').first().textContent()).toBe('#Énergie');
    expect(await target.locator('[data-counter]').textContent()).toMatch(/^\d+ \/ 300$/);
    expect(await job('reseau-electrique').locator('[data-account="x"] [data-counter]').textContent()).toMatch(/^\d+ \/ 280$/);
    expect(await target.locator('.card-host').textContent()).toBe('explainers.example');
  });

  it('shows what a feed sends as text and never runs it', async () => {
    const hostile = job('hostile');
    expect(await hostile.locator('h3').textContent()).toBe(hostileTitle);
    expect(await page.locator('main img[src="x"], main script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });

  it('Approve moves one account to pending without a reload', async () => {
    const target = job('reseau-electrique').locator('[data-account="bluesky"]');
    await target.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => target.getAttribute('data-target-state')).toBe('pending');
    expect(await job('reseau-electrique').getAttribute('data-state')).toBe('review');
    await job('reseau-electrique').locator('[data-account="x"]').getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => job('reseau-electrique').getAttribute('data-state')).toBe('pending');
    expect(await page.locator('#status').textContent()).toContain('approve done');
    expect(await notReloaded()).toBe(true);
    expect(readJob(config, 'reseau-electrique').targets).toMatchObject({ x: { state: 'pending' }, bluesky: { state: 'pending' } });
  });

  it('Skip settles an account for good', async () => {
    for (const account of ['x', 'bluesky']) await job('hostile').locator(`[data-account="${account}"]`).getByRole('button', { name: 'Skip' }).click().then(() => expect.poll(() => job('hostile').locator(`[data-account="${account}"]`).getAttribute('data-target-state')).toBe('skipped'));
    await expect.poll(() => job('hostile').getAttribute('data-state')).toBe('skipped');
    expect(await job('hostile').getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(readJob(config, 'hostile').targets).toMatchObject({ x: { state: 'skipped' }, bluesky: { state: 'skipped' } });
    expect(await notReloaded()).toBe(true);
  });

  it('an edit over the limit is counted live and refused on Save; nothing changes', async () => {
    const target = job('batteries-sodium').locator('[data-account="x"]');
    const before = readJob(config, 'batteries-sodium').targets.x!.teaser.text;
    await target.getByRole('button', { name: 'Edit' }).click();
    const textarea = target.locator('textarea');
    await expect.poll(() => textarea.inputValue()).toBe(before);
    await textarea.fill(`${'Très long. '.repeat(30)}https://explainers.example/2026/12/batteries-sodium`);
    // 30 × 11 characters, with the link counted 23 only if X sees it as a URL (it does not know ".example").
    await expect.poll(() => target.locator('[data-counter]').textContent()).toMatch(/^(3[3-9]\d) \/ 280$/);
    expect(await target.locator('.counter').getAttribute('class')).toContain('over');
    await target.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => target.locator('.refusal').textContent()).toMatch(/too long: \d+ weighted characters, X allows 280/);
    expect(await target.locator('textarea').count()).toBe(1);
    expect(readJob(config, 'batteries-sodium').targets.x!.teaser).toMatchObject({ text: before });

    await textarea.fill('Sans lien, ce texte ne peut pas partir.');
    await expect.poll(() => target.locator('.hint').textContent()).toMatch(/does not contain the article's link/);
    await target.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => target.locator('.refusal').textContent()).toMatch(/put https:\/\/explainers\.example\/2026\/12\/batteries-sodium back/);
    expect(readJob(config, 'batteries-sodium').targets.x!.teaser.text).toBe(before);
  });

  it('an edit that fits is kept and previewed', async () => {
    const target = job('batteries-sodium').locator('[data-account="bluesky"]');
    const shownLink = await target.locator('.post-text a.link').textContent();
    expect(shownLink).toBe('explainers.example/2026/12/batt…');
    await target.getByRole('button', { name: 'Edit' }).click();
    const text = `À lire : les batteries au sodium arrivent. #Batteries\n\n${shownLink}`;
    await target.locator('textarea').fill(text);
    await expect.poll(() => target.locator('[data-counter]').textContent()).toBe(`${[...new Intl.Segmenter().segment(text)].length} / 300`);
    await target.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => target.locator('textarea').count()).toBe(0);
    expect(await target.locator('.post-text').textContent()).toBe(text);
    expect(await target.locator('.post-text .tag').textContent()).toBe('#Batteries');
    expect(await target.locator('.post-text a.link').getAttribute('href')).toBe('https://explainers.example/2026/12/batteries-sodium');
    expect(readJob(config, 'batteries-sodium').targets.bluesky!.teaser).toMatchObject({ text, edited: true });
    expect(await target.getAttribute('data-target-state')).toBe('review');
    expect(await notReloaded()).toBe(true);
  });

  it('a page of another origin cannot change a job', async () => {
    const before = readJob(config, 'batteries-sodium');
    const evil: Server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end(
        `<form id="f" method="post" action="${web.url}/api/jobs/${before.id}/approve"><input name="account" value="x"></form><script>document.getElementById('f').submit()</script>`,
      );
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      const other = await browser.newPage();
      const answer = other.waitForResponse((response) => response.url().includes('/api/jobs/'));
      await other.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      expect((await answer).status()).toBe(403);
      await other.close();
    } finally {
      evil.close();
    }
    expect(readJob(config, 'batteries-sodium').targets.x!.state).toBe('review');
  });
});

describe.skipIf(skipBrowser)('the review page with a token', () => {
  let browser: Browser;
  let web: WebProcess;
  const token = 'correct-horse-battery-staple-42';

  beforeAll(async () => {
    const config = await reviewQueue(path.join(work, 'token'), { extra: 'web:\n  token: ${HERAUT_WEB_TOKEN}\n', env: { HERAUT_WEB_TOKEN: token } });
    [browser, web] = await Promise.all([launchChromium(), startWeb(config, [], { HERAUT_WEB_TOKEN: token })]);
  });
  afterAll(async () => {
    await browser?.close();
    await web?.stop();
  });

  it('asks for the token, refuses a wrong one and lets the right one in', async () => {
    const page = await browser.newPage();
    const first = await page.goto(web.url);
    expect(first?.status()).toBe(401);
    expect(await page.locator('[data-job-id]').count()).toBe(0);
    await page.getByLabel(/Access token/).fill('wrong-token-wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('That token is wrong.');
    await page.getByLabel(/Access token/).fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('[data-job-id]').count()).toBe(3);
    const target = page.locator('[data-job-id]').first().locator('[data-account="x"]');
    await target.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => target.getAttribute('data-target-state')).toBe('pending');
    expect(web.stderr()).not.toContain(token);
  });
});
