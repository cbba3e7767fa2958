import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Api, launchBrowser, loginThroughUi, newContext } from './browser.js';

let browser: Browser;
let page: Page;
let api: Api;
const baseUrl = inject('baseUrl');
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

beforeAll(async () => {
  api = await new Api(baseUrl).asAdmin();
  browser = await launchBrowser();
  // A phone: the panel must be usable at 375 px without sideways scrolling.
  const context = await newContext(browser, baseUrl, { width: 375, height: 812 });
  page = await context.newPage();
  await loginThroughUi(page);
});
afterAll(async () => { await browser?.close(); });

describe('the client profile', () => {
  it('shows age, purchases and reply rate, and lets the lifecycle be set by hand and back to automatic', async () => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Madrid' }).format(new Date());
    const contact = await api.ok('POST', '/contacts', {
      firstName: 'Rocío', lastName: 'Perfil Móvil', birthDate: `${Number(today.slice(0, 4)) - 52}-01-01`, city: 'Cádiz', region: 'Andalucía', country: 'ES',
    });
    const product = await api.ok('POST', '/products', { name: 'Aparador de nogal', unitPrice: 640 });
    await api.ok('POST', '/sales', { contactId: contact.id, soldAt: ago(20), lines: [{ productId: product.id, quantity: 1 }] });
    await api.ok('POST', '/activities', { type: 'email', direction: 'outbound', contactId: contact.id, subject: 'Entrega', occurredAt: ago(15) });
    await api.ok('POST', '/activities', { type: 'email', direction: 'inbound', contactId: contact.id, subject: 'Re: Entrega', occurredAt: ago(14) });

    await page.goto(`/contacts/${contact.id}`);
    const panel = page.getByRole('region', { name: 'Perfil', exact: true });
    await panel.waitFor();
    expect(await panel.getByTestId('profile-age').innerText()).toMatch(/^5[12] años$/);
    expect(await panel.getByTestId('profile-lifecycle').innerText()).toBe('Cliente');
    expect(await panel.getByTestId('profile-purchases').innerText()).toBe('1');
    expect(await panel.getByRole('rowheader', { name: 'Aparador de nogal' }).count()).toBe(1);
    expect(await panel.getByTestId('profile-reply-rate').innerText()).toMatch(/^100\s?%$/);
    expect(await panel.innerText()).toContain('Cádiz (Andalucía), ES');

    const lifecycle = panel.getByLabel('Ciclo de vida', { exact: true });
    await lifecycle.selectOption('former');
    await expect.poll(async () => (await api.ok('GET', `/contacts/${contact.id}`)).lifecycleOverride).toBe('former');
    await panel.getByText('Fijado a mano').waitFor();
    expect(await panel.getByTestId('profile-lifecycle').innerText()).toBe('Antiguo cliente');
    await lifecycle.selectOption('');
    await expect.poll(async () => (await api.ok('GET', `/contacts/${contact.id}`)).lifecycle).toBe('client');

    await panel.getByLabel('Mejor momento para contactar').selectOption('midday');
    await expect.poll(async () => (await api.ok('GET', `/contacts/${contact.id}`)).bestTimeToContact).toBe('midday');

    type Doc = { documentElement: { scrollWidth: number; clientWidth: number } };
    const overflow = await page.evaluate(() => {
      const root = (globalThis as unknown as { document: Doc }).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
