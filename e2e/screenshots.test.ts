import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { gzipSync } from 'node:zlib';
import { launchBrowser, loginThroughUi, newContext, screenshot } from './browser.js';

// The pictures in docs/screenshots, taken on the demo workspace as one of its sales people.
let browser: Browser;
const baseUrl = inject('baseUrl');
const demo = inject('demo');
const seller = { email: demo.userEmails.find((e) => e.startsWith('lucia')) ?? demo.userEmails[0] ?? demo.email, password: demo.password };

beforeAll(async () => { browser = await launchBrowser(); });
afterAll(async () => { await browser?.close(); });

describe('screenshots on demo data', () => {
  it('keeps the leads table virtual: scrolling loads further pages but renders only the visible rows', async () => {
    const context = await newContext(browser, baseUrl, { width: 1280, height: 800 });
    const page = await context.newPage();
    await loginThroughUi(page, { email: demo.email, password: demo.password });
    await page.goto('/leads');
    await page.getByLabel('Estado').selectOption('');
    const status = page.locator('p[aria-live="polite"]');
    await expect.poll(() => status.innerText()).toMatch(/^100 cargados\+$/);
    // Scrolling to the end asks for the next cursor page.
    for (let i = 0; i < 3; i++) {
      await page.locator('.vtable').evaluate((el) => { (el as unknown as { scrollTop: number; scrollHeight: number }).scrollTop = (el as unknown as { scrollHeight: number }).scrollHeight; });
      await page.waitForTimeout(400);
    }
    await expect.poll(async () => Number((await status.innerText()).replace(/\D/g, ''))).toBeGreaterThan(100);
    const loaded = Number((await status.innerText()).replace(/\D/g, ''));
    const rendered = await page.locator('.vtable tbody tr:not([aria-hidden])').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(60);
    expect(rendered).toBeLessThan(loaded);
    await context.close();
  });

  it('captures Today, the leads table, the kanban and a lead (desktop and 375 px)', async () => {
    const context = await newContext(browser, baseUrl, { width: 1440, height: 900 });
    const page = await context.newPage();
    // Budget: the JavaScript of the first page (login, then Today) stays under 300 KB gzipped.
    const scripts: Promise<number>[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('.js')) scripts.push(r.body().then((b) => gzipSync(b).length));
    });
    await loginThroughUi(page, seller);
    await page.getByRole('region', { name: /^Vencidas/ }).locator('.item').first().waitFor();
    const jsBytes = (await Promise.all(scripts)).reduce((a, b) => a + b, 0);
    expect(jsBytes).toBeGreaterThan(10_000);
    expect(jsBytes).toBeLessThan(300 * 1024);
    await screenshot(page, 'today.png');

    await page.goto('/leads');
    await page.locator('.vtable tbody tr').nth(5).waitFor();
    expect(await page.locator('.vtable tbody tr').count()).toBeGreaterThan(5);
    await screenshot(page, 'leads-table.png');

    await page.goto('/leads/board');
    await page.locator('li.kcard').first().waitFor();
    await screenshot(page, 'kanban.png');

    await page.goto('/leads');
    await page.locator('.vtable tbody tr td a').first().click();
    await page.getByRole('region', { name: 'Historial' }).locator('.timeline > li, .empty').first().waitFor();
    await screenshot(page, 'lead.png');
    const leadUrl = page.url();
    await context.close();

    const phone = await newContext(browser, baseUrl, { width: 375, height: 812 });
    const small = await phone.newPage();
    await loginThroughUi(small, seller);
    await small.goto(leadUrl);
    await small.getByRole('region', { name: 'Datos' }).waitFor();
    // Usable at 375 px: nothing wider than the screen, the navigation is a bottom bar.
    expect(await small.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    const nav = (await small.getByRole('navigation', { name: 'Navegación principal' }).boundingBox())!;
    expect(nav.y + nav.height).toBeGreaterThan(800);
    await screenshot(small, 'lead-375.png');
    await phone.close();
  });
});
