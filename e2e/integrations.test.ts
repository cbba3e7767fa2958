import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Api, launchBrowser, loginThroughUi, newContext } from './browser.js';

let browser: Browser;
let context: BrowserContext;
let page: Page;
let api: Api;
const baseUrl = inject('baseUrl');

beforeAll(async () => {
  api = await new Api(baseUrl).asAdmin();
  await api.ok('POST', '/contacts', { firstName: 'Exportina', lastName: 'Peñalver' });
  await api.ok('POST', '/contacts', { firstName: 'Exportino', lastName: 'Noquiere', doNotContact: true });
  browser = await launchBrowser();
  // The phone width: the menu must fit and work there too.
  context = await newContext(browser, baseUrl, { width: 375, height: 780 });
  page = await context.newPage();
  await loginThroughUi(page);
});
afterAll(async () => { await browser?.close(); });

describe('exports and integrations', () => {
  it('exports the filtered contacts from the Exportar menu, for a campaign without people who asked not to be contacted', async () => {
    await page.goto('/contacts');
    await page.getByRole('searchbox').fill('export');
    await page.getByRole('link', { name: /Exportina/ }).waitFor();
    await page.getByRole('button', { name: /^Exportar/ }).click();
    const menu = page.getByRole('group', { name: 'Exportar' });
    await menu.getByLabel(/Para campaña/).check();
    const csv = menu.getByRole('link', { name: 'CSV (Excel en español)' });
    expect(await csv.getAttribute('href')).toMatch(/^\/api\/v1\/contacts\/export\?.*q=export.*format=csv&purpose=campaign&lang=es/);
    const [download] = await Promise.all([page.waitForEvent('download'), csv.click()]);
    expect(download.suggestedFilename()).toMatch(/^contacts-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text).toContain('Exportina;Peñalver');
    expect(text).not.toContain('Exportino');
    await expect(menu.getByRole('link', { name: 'vCard (agenda de contactos)' }).getAttribute('href')).resolves.toContain('format=vcard');
    await page.keyboard.press('Escape');
    await expect(menu.count()).resolves.toBe(0);
  });

  it('an admin adds a webhook in settings, sees its secret once, and finds the delivery of a new lead in its log', async () => {
    await page.goto('/settings/webhooks');
    await page.getByRole('button', { name: 'Nuevo webhook' }).click();
    const form = page.getByRole('form', { name: 'Nuevo webhook' });
    await form.getByLabel('Nombre').fill('ERP e2e');
    await form.getByLabel('URL que recibe los eventos').fill('ftp://erp.example/in');
    await form.getByRole('button', { name: 'Crear webhook' }).click();
    await form.getByText('Solo se admiten direcciones http:// o https://.').waitFor();
    await form.getByLabel('URL que recibe los eventos').fill('http://127.0.0.1:9/hook');
    await form.getByRole('button', { name: 'Crear webhook' }).click();
    const secret = page.getByLabel('Secreto de firma');
    await expect(secret.textContent()).resolves.toMatch(/^whsec_/);

    await api.ok('POST', '/leads', { title: 'Lead para el webhook' });
    await page.getByRole('button', { name: 'Envíos' }).click();
    const log = page.getByRole('region', { name: 'Envíos de «ERP e2e»' });
    await log.getByRole('cell', { name: 'Oportunidad creada' }).first().waitFor();
    await page.getByRole('button', { name: 'Cerrar', exact: true }).click();
    await expect(page.getByLabel('Secreto de firma').count()).resolves.toBe(0);
  });

  it('creates an API token limited to reading contacts, which the API then holds to it', async () => {
    await page.goto('/settings');
    await page.getByLabel('Nombre del token').fill('Solo contactos e2e');
    await page.getByLabel('Solo lo que elija').check();
    await page.getByLabel('Contactos y empresas').selectOption({ label: 'Lectura' });
    await page.getByRole('button', { name: 'Crear token' }).click();
    const token = await page.getByLabel('Token', { exact: true }).innerText();
    await page.getByRole('cell', { name: 'Contactos y empresas: Lectura' }).waitFor();
    const get = (path: string) => fetch(`${baseUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await get('/contacts?limit=1')).status).toBe(200);
    const refused = await get('/leads?limit=1');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ scope: 'leads:read' });
  });
});
