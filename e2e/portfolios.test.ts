import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Api, newContext, openAsAdmin } from './browser.js';

let browser: Browser;
let context: BrowserContext;
let page: Page;
let api: Api;
const baseUrl = inject('baseUrl');

beforeAll(async () => { ({ api, browser, context, page } = await openAsAdmin(baseUrl)); });
afterAll(async () => { await browser?.close(); });

describe('the portfolios page', () => {
  it('shows a salesperson\'s portfolio and reassigns it from a keyboard-driven dialog with a preview and a summary', async () => {
    const leaving = await api.ok<{ id: string }>('POST', '/users', { email: 'rocio@cartera.es', name: 'Rocío Saliente', role: 'sales', password: 'una contraseña larga' });
    const staying = await api.ok<{ id: string }>('POST', '/users', { email: 'tomas@cartera.es', name: 'Tomás Entrante', role: 'sales', password: 'una contraseña larga' });
    const client = await api.ok<{ id: string }>('POST', '/contacts', { firstName: 'Clienta', lastName: 'De Rocío', lifecycle: 'client', ownerId: leaving.id });
    await api.ok('POST', '/contacts', { firstName: 'Prospecto', lastName: 'De Rocío', ownerId: leaving.id });
    const lead = await api.ok<{ id: string }>('POST', '/leads', { title: 'Cocina de la clienta', contactId: client.id, ownerId: leaving.id, amount: 4000 });

    await page.getByRole('link', { name: 'Carteras' }).click();
    await page.getByRole('heading', { level: 1, name: 'Carteras por comercial' }).waitFor();
    const row = page.locator(`tr[data-user="${leaving.id}"]`);
    await row.getByRole('link', { name: 'Clientes de Rocío Saliente: 1' }).waitFor();

    // Keyboard only: focus the row's button, open, choose, preview, confirm.
    await row.getByRole('button', { name: 'Reasignar la cartera de Rocío Saliente' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Reasignar la cartera de Rocío Saliente' });
    await dialog.getByLabel('Nuevo comercial').selectOption({ label: 'Tomás Entrante' });
    await dialog.getByRole('button', { name: 'Ver qué se moverá' }).press('Enter');
    await dialog.getByText('Se moverá a Tomás Entrante:').waitFor();
    expect(await dialog.locator('dl').innerText()).toMatch(/Contactos\s+2[\s\S]*Oportunidades abiertas \(con su próxima acción\)\s+1/);
    await dialog.getByRole('button', { name: 'Confirmar la reasignación' }).press('Enter');
    await dialog.getByRole('status').filter({ hasText: 'Hecho: la cartera es ahora de Tomás Entrante.' }).waitFor();

    expect((await api.ok('GET', `/contacts/${client.id}`)).ownerId).toBe(staying.id);
    expect((await api.ok('GET', `/leads/${lead.id}`)).ownerId).toBe(staying.id);

    await dialog.getByRole('link', { name: 'Ver sus contactos' }).click();
    await page.getByRole('heading', { level: 1, name: 'Contactos' }).waitFor();
    await page.getByRole('link', { name: /Clienta De Rocío/ }).waitFor();
    // The filter lives in the URL: a reload (which also refreshes the cached list of users) keeps it.
    await page.reload();
    await page.getByRole('link', { name: /Prospecto De Rocío/ }).waitFor();
    expect(await page.getByLabel('Comercial', { exact: true }).inputValue()).toBe(staying.id);
  });

  it('fits a 375 px screen: each salesperson is a card and nothing scrolls sideways', async () => {
    const phone = await newContext(browser, baseUrl, { width: 375, height: 740 });
    await phone.addCookies(await context.cookies());
    const small = await phone.newPage();
    await small.goto('/portfolios');
    await small.getByRole('heading', { level: 1, name: 'Carteras por comercial' }).waitFor();
    await small.getByRole('button', { name: 'Reasignar la cartera de Tomás Entrante' }).waitFor();
    const overflow = await small.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.close();
  });
});
