import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Api, loginThroughUi, newContext, openAsAdmin } from './browser.js';

let browser: Browser;
let context: BrowserContext;
let page: Page;
let api: Api;
const baseUrl = inject('baseUrl');

beforeAll(async () => { ({ api, browser, context, page } = await openAsAdmin(baseUrl)); });
afterAll(async () => { await browser?.close(); });

type Stage = { id: string; name: string; position: number };
const defaultStages = async (): Promise<Stage[]> => {
  const pipelines = await api.ok('GET', '/pipelines');
  const p = pipelines.data.find((x: { isDefault: boolean }) => x.isDefault);
  return [...p.stages].sort((a: Stage, b: Stage) => a.position - b.position);
};

describe('settings as admin', () => {
  it('creates a product, refuses a bad price naming the field, and edits the price in the list', async () => {
    await page.goto('/settings/products');
    const form = page.getByRole('form', { name: 'Añadir producto' });
    await form.getByLabel('Nombre').fill('Armario a medida');
    await form.getByLabel('Precio unitario').fill('-5');
    await form.getByRole('button', { name: 'Añadir producto' }).click();
    await form.getByRole('alert').first().waitFor();
    expect(await form.getByLabel('Nombre').inputValue()).toBe('Armario a medida');

    await form.getByLabel('Precio unitario').fill('1450,50');
    await form.getByRole('button', { name: 'Añadir producto' }).click();
    await expect.poll(async () => (await api.ok('GET', '/products?limit=100')).data.find((p: { name: string }) => p.name === 'Armario a medida')?.unitPrice).toBe(1450.5);
    // The form empties once the answer is handled, a moment after the server has the product.
    await expect.poll(() => form.getByLabel('Nombre').inputValue()).toBe('');

    const price = page.getByLabel('Precio unitario: Armario a medida');
    await price.fill('1500');
    await price.press('Enter');
    await expect.poll(async () => (await api.ok('GET', '/products?limit=100')).data.find((p: { name: string }) => p.name === 'Armario a medida')?.unitPrice).toBe(1500);
  });

  it('reorders a stage with its button and with the keyboard, and renames it', async () => {
    const before = await defaultStages();
    const [first, second] = before;
    await page.goto('/settings/stages');
    await page.getByRole('button', { name: `Bajar ${first!.name}` }).click();
    await expect.poll(async () => (await defaultStages()).map((s) => s.id).slice(0, 2)).toEqual([second!.id, first!.id]);

    // The page must show the new order before the key is pressed: with the old order on screen the stage
    // is still first there and Alt+↑ has nothing to do.
    await expect.poll(() => page.locator('tbody tr').first().locator('input').first().getAttribute('id')).toBe(`stage-${second!.id}-name`);

    // Back up with Alt+↑ from the stage's own name field.
    const name = page.locator(`#stage-${first!.id}-name`);
    await name.focus();
    await page.keyboard.press('Alt+ArrowUp');
    await expect.poll(async () => (await defaultStages()).map((s) => s.id).slice(0, 2)).toEqual([first!.id, second!.id]);

    await expect.poll(() => page.locator('tbody tr').first().locator('input').first().getAttribute('id')).toBe(`stage-${first!.id}-name`);
    await page.locator(`#stage-${second!.id}-name`).fill('Tibio');
    await page.locator(`#stage-${second!.id}-name`).press('Enter');
    await expect.poll(async () => (await defaultStages()).find((s) => s.id === second!.id)?.name).toBe('Tibio');
  });

  it('changes the workspace cadence and shows the API reason for an impossible follow-up window', async () => {
    await page.goto('/settings/workspace');
    await page.getByLabel('Cadencia de contacto (días)').fill('10');
    await page.getByRole('button', { name: 'Guardar' }).click();
    await page.getByRole('status').filter({ hasText: 'Guardado' }).waitFor();
    expect((await api.ok('GET', '/workspace')).settings.cadenceDays).toBe(10);

    await page.getByLabel('Seguimiento post-venta: no antes del día').fill('abc');
    await page.getByRole('button', { name: 'Guardar' }).click();
    await page.locator('.field--invalid').first().waitFor();
    expect(await page.getByLabel('Seguimiento post-venta: no antes del día').inputValue()).toBe('abc');
  });

  it('shows a new API token once', async () => {
    await page.goto('/settings');
    await page.getByLabel('Nombre del token').fill('Integración ERP');
    await page.getByRole('button', { name: 'Crear token' }).click();
    const token = await page.getByLabel('Token', { exact: true }).innerText();
    expect(token.length).toBeGreaterThan(20);
    const r = await fetch(`${baseUrl}/api/v1/contacts?limit=1`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    await page.reload();
    await page.getByRole('cell', { name: 'Integración ERP', exact: true }).waitFor();
    expect(await page.getByText(token).count()).toBe(0);
  });
});

describe('custom fields', () => {
  it('an admin adds a choice field for contacts, which the contact page then edits inline', async () => {
    await page.goto('/settings/custom-fields');
    const form = page.getByRole('form', { name: 'Añadir campo' });
    await form.getByLabel('Registro').selectOption('contact');
    await form.getByLabel('Clave').fill('room');
    await form.getByLabel('Etiqueta').fill('Estancia preferida');
    await form.getByLabel('Tipo').selectOption('choice');
    await form.getByLabel('Opciones').fill('Salón, Cocina');
    await form.getByRole('button', { name: 'Añadir campo' }).click();
    await page.getByRole('cell', { name: 'Salón, Cocina' }).waitFor();

    const contact = await api.ok('POST', '/contacts', { firstName: 'Nuria', lastName: 'Campos' });
    await page.goto(`/contacts/${contact.id}`);
    await page.getByLabel('Estancia preferida').selectOption('Cocina');
    await expect.poll(async () => (await api.ok('GET', `/contacts/${contact.id}`)).customFields.room).toBe('Cocina');
  });
});

describe('settings as a salesperson', () => {
  it('shows reference lists read-only and hides the admin-only sections', async () => {
    const email = `vendedor.${Date.now()}@garcia.es`;
    await api.ok('POST', '/users', { email, name: 'Vicente Ventas', role: 'sales', password: 'una contraseña larga' });
    const sales = await newContext(browser, baseUrl);
    const p = await sales.newPage();
    await loginThroughUi(p, { email, password: 'una contraseña larga' });
    await p.goto('/settings/products');
    await p.getByRole('heading', { level: 2, name: 'Productos' }).waitFor();
    await p.getByText('Solo lectura: pide cambios a administración.').waitFor();
    expect(await p.getByRole('form', { name: 'Añadir producto' }).count()).toBe(0);
    expect(await p.getByRole('cell', { name: 'Armario a medida' }).count()).toBe(1);
    const nav = p.getByRole('navigation', { name: 'Secciones de ajustes' });
    expect(await nav.getByRole('link', { name: 'Campos personalizados' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Usuarios' }).count()).toBe(0);
    await p.goto('/settings/stages');
    await p.getByRole('heading', { level: 2, name: /^Etapas de/ }).waitFor();
    expect(await p.getByRole('button', { name: /^Bajar / }).count()).toBe(0);
    await sales.close();
  });
});
