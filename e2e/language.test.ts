import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Api, launchBrowser, loginThroughUi, newContext } from './browser.js';

let browser: Browser;
const baseUrl = inject('baseUrl');
const seller = { email: 'irene@garcia.es', password: 'irene-password-1' };
let leadId: string;

beforeAll(async () => {
  const admin = await new Api(baseUrl).asAdmin();
  await admin.ok('POST', '/users', { email: seller.email, name: 'Irene Campos', role: 'sales', password: seller.password });
  const asSeller = new Api(baseUrl);
  const login = await asSeller.ok('POST', '/auth/login', seller);
  (asSeller as unknown as { csrf: string }).csrf = login.csrfToken;
  leadId = (await asSeller.ok('POST', '/leads', { title: 'Cocina en inglés', amount: 12345.5 })).id;
  browser = await launchBrowser();
});
afterAll(async () => { await browser?.close(); });

describe('language', () => {
  it('switches to English from the header, saves it for the user and formats money the English way', async () => {
    const context = await newContext(browser, baseUrl);
    const page = await context.newPage();
    await loginThroughUi(page, seller);
    const nav = page.getByRole('navigation', { name: 'Navegación principal' });
    expect(await nav.getByRole('link').first().innerText()).toBe('Hoy');

    await page.getByLabel('Idioma').selectOption('en');
    await page.getByRole('heading', { level: 1, name: 'Today' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link').allInnerTexts())
      .toEqual(expect.arrayContaining(['Today', 'Leads', 'Contacts', 'Companies', 'Settings']));
    expect(await page.locator('html').getAttribute('lang')).toBe('en');

    // Saved on the server: a new browser (no local storage) opens in English after login.
    await expect.poll(async () => {
      const r = await page.request.get('/api/v1/auth/me');
      return (await r.json()).user.locale;
    }).toBe('en');
    const fresh = await newContext(browser, baseUrl);
    const page2 = await fresh.newPage();
    await loginThroughUi(page2, seller);
    await page2.goto(`/leads/${leadId}`);
    await page2.getByRole('heading', { level: 2, name: 'Details' }).waitFor();
    expect(await page2.locator('.page__header').innerText()).toContain('€12,345.50');

    // API field errors come out in English too.
    const probability = page2.getByLabel('Probability', { exact: true });
    await probability.fill('150');
    await probability.press('Enter');
    await page2.locator('.inline-field', { has: probability }).getByText('Too long or too large.').waitFor();

    await page2.getByLabel('Language').selectOption('es');
    await page2.getByRole('heading', { level: 2, name: 'Datos' }).waitFor();
    expect(await page2.locator('.page__header').innerText()).toMatch(/12\.345,50\s€/);
    await context.close();
    await fresh.close();
  });
});
