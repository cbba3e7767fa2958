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

describe('the segments page', () => {
  it('builds a segment with the keyboard, shows its live count, saves it and opens its contacts', async () => {
    // A town no other journey uses, so the counts are this test's own.
    await api.ok('POST', '/contacts', { firstName: 'Lucía', lastName: 'Segmentada', city: 'Villasegmento', lifecycle: 'client' });
    await api.ok('POST', '/contacts', { firstName: 'Pablo', lastName: 'Segmentado', city: 'VILLASEGMENTO', lifecycle: 'prospect' });

    await page.getByRole('link', { name: 'Segmentos' }).click();
    await page.getByRole('heading', { level: 1, name: 'Segmentos' }).waitFor();
    // Built-ins are there in every workspace, each with its live count.
    await page.getByTestId('segment-at_risk').getByText(/contactables/).waitFor();

    await page.getByRole('button', { name: 'Nuevo segmento' }).click();
    const dialog = page.getByRole('dialog', { name: 'Nuevo segmento' });
    await dialog.getByLabel('Nombre', { exact: true }).fill('Clientes de Villasegmento');
    await dialog.getByLabel('Campo (Condición 1)').selectOption({ label: 'Ciudad' });
    await dialog.getByLabel('Valor (Condición 1)').fill('villasegmento');
    const live = dialog.getByTestId('segment-live-count');
    await live.filter({ hasText: '2 contactos · 2 contactables' }).waitFor();

    await dialog.getByRole('button', { name: 'Añadir condición' }).press('Enter');
    await dialog.getByLabel('Campo (Condición 2)').selectOption({ label: 'Ciclo de vida' });
    await dialog.getByLabel('Valor (Condición 2)').selectOption({ label: 'Cliente' });
    await live.filter({ hasText: '1 contactos · 1 contactables' }).waitFor();

    // A contradiction is explained on the condition before anything is saved.
    await dialog.getByRole('button', { name: 'Añadir condición' }).press('Enter');
    await dialog.getByLabel('Campo (Condición 3)').selectOption({ label: 'Ciclo de vida' });
    await dialog.getByLabel('Valor (Condición 3)').selectOption({ label: 'Prospecto' });
    await dialog.getByRole('alert').filter({ hasText: 'ningún contacto puede cumplir ambas' }).waitFor();
    await dialog.getByRole('button', { name: 'Quitar condición 3' }).press('Enter');
    await live.filter({ hasText: '1 contactos · 1 contactables' }).waitFor();

    await dialog.getByRole('button', { name: 'Guardar segmento' }).press('Enter');
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByTestId('segment-Clientes de Villasegmento');
    await row.getByText('1 (1 contactables)').waitFor();

    await row.getByRole('link', { name: 'Contactos de «Clientes de Villasegmento»' }).click();
    await page.getByRole('heading', { level: 1, name: 'Contactos' }).waitFor();
    await page.getByRole('link', { name: /Lucía/ }).waitFor();
    expect(await page.getByRole('link', { name: /Pablo/ }).count()).toBe(0);
  });

  it('fits the editor in a 375 px screen without sideways scrolling', async () => {
    const phone = await newContext(browser, baseUrl, { width: 375, height: 740 });
    await phone.addCookies(await context.cookies());
    const small = await phone.newPage();
    await small.goto('/segments');
    await small.getByRole('button', { name: 'Nuevo segmento' }).click();
    await small.getByLabel('Campo (Condición 1)').selectOption({ label: 'Facturación en 12 meses (M)' });
    await small.getByLabel('Operador (Condición 1)').selectOption({ label: 'entre' });
    await small.getByLabel('Desde (Condición 1)').waitFor();
    const overflow = await small.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.close();
  });
});
