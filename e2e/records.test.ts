import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Api, launchBrowser, loginThroughUi, newContext } from './browser.js';

let browser: Browser;
let context: BrowserContext;
let page: Page;
let api: Api;
const baseUrl = inject('baseUrl');

beforeAll(async () => {
  api = await new Api(baseUrl).asAdmin();
  browser = await launchBrowser();
  context = await newContext(browser, baseUrl);
  page = await context.newPage();
  await loginThroughUi(page);
});
afterAll(async () => { await browser?.close(); });

describe('the contact page', () => {
  it('saves a field edited inline and shows the API refusal next to the field, keeping the typed text', async () => {
    const contact = await api.ok('POST', '/contacts', { firstName: 'Lucía', lastName: 'Ferrer Vidal' });
    await page.goto(`/contacts/${contact.id}`);
    await page.getByRole('heading', { level: 1, name: 'Lucía Ferrer Vidal' }).waitFor();

    const job = page.getByLabel('Cargo', { exact: true });
    await job.fill('Arquitecta');
    await job.press('Enter');
    await expect.poll(async () => (await api.ok('GET', `/contacts/${contact.id}`)).jobTitle).toBe('Arquitecta');

    const email = page.getByLabel('Correo', { exact: true });
    await email.fill('no-es-un-correo');
    await email.press('Enter');
    const alert = page.locator('.inline-field', { has: email }).getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/no válido/);
    expect(await email.inputValue()).toBe('no-es-un-correo');
    expect((await api.ok('GET', `/contacts/${contact.id}`)).email).toBeNull();
  });

  it('logs an interaction that appears first in the timeline, and asks for confirmation when the person asked not to be contacted', async () => {
    const contact = await api.ok('POST', '/contacts', { firstName: 'Jordi', lastName: 'Puig Mas', doNotContact: true });
    await api.ok('POST', '/activities', { type: 'note', contactId: contact.id, body: 'Nota antigua' });
    await page.goto(`/contacts/${contact.id}`);
    await page.getByRole('heading', { level: 1, name: 'Jordi Puig Mas' }).waitFor();
    await page.getByRole('note').filter({ hasText: 'No contactar' }).waitFor();

    const form = page.getByRole('region', { name: 'Registrar interacción' });
    await form.getByLabel('Tipo', { exact: true }).selectOption('call');
    await form.getByLabel('Nota', { exact: true }).fill('Llamó él para pedir la factura');
    const submit = form.getByRole('button', { name: 'Guardar' });
    // Outbound to a do-not-contact person: the form waits for an explicit confirmation.
    expect(await submit.isDisabled()).toBe(true);
    await form.getByLabel('Sí, lo registro igualmente').check();
    await submit.click();
    await page.getByRole('status').filter({ hasText: 'Interacción registrada.' }).waitFor();

    const timeline = page.getByRole('region', { name: 'Historial' });
    await expect.poll(() => timeline.locator('.timeline > li').count()).toBe(2);
    expect(await timeline.locator('.timeline > li').first().innerText()).toContain('Llamó él para pedir la factura');
    const activities = await api.ok('GET', `/activities?contactId=${contact.id}`);
    expect(activities.data.find((a: { body: string }) => a.body === 'Llamó él para pedir la factura')).toMatchObject({ type: 'call', direction: 'outbound' });
  });

  it('lists contacts filtered by do-not-contact and opens one from the list', async () => {
    await api.ok('POST', '/contacts', { firstName: 'Marta', lastName: 'Filtro Uno' });
    await api.ok('POST', '/contacts', { firstName: 'Marta', lastName: 'Filtro Dos', doNotContact: true });
    await page.goto('/contacts');
    await page.getByLabel('Buscar contactos').fill('Filtro');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(2);
    await page.getByLabel('No contactar', { exact: true }).selectOption('true');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.getByRole('link', { name: 'Marta Filtro Dos' }).click();
    await page.getByRole('heading', { level: 1, name: 'Marta Filtro Dos' }).waitFor();
  });
});

describe('the company page', () => {
  it('creates a company from the list and edits a number field inline', async () => {
    await page.goto('/companies');
    await page.getByRole('button', { name: 'Nueva empresa' }).click();
    const dialog = page.getByRole('dialog', { name: 'Nueva empresa' });
    await dialog.getByLabel('Nombre').fill('Cocinas Levante');
    await dialog.getByRole('button', { name: 'Guardar' }).click();
    await page.getByRole('heading', { level: 1, name: 'Cocinas Levante' }).waitFor();
    const id = page.url().split('/').pop()!;
    const employees = page.getByLabel('Empleados', { exact: true });
    await employees.fill('12');
    await employees.press('Enter');
    await expect.poll(async () => (await api.ok('GET', `/companies/${id}`)).employees).toBe(12);
  });
});
