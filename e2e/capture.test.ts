import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Api, launchBrowser, loginThroughUi, newContext } from './browser.js';

let browser: Browser;
let context: BrowserContext;
let page: Page;
let api: Api;
let previousPolicy: Record<string, unknown>;
const baseUrl = inject('baseUrl');

beforeAll(async () => {
  api = await new Api(baseUrl).asAdmin();
  const { version: _v, updatedAt: _u, ...policy } = await api.ok('GET', '/capture/policy');
  previousPolicy = policy;
  browser = await launchBrowser();
  context = await newContext(browser, baseUrl);
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('PAGEERROR', e.message));
  await loginThroughUi(page);
});
afterAll(async () => {
  await browser?.close();
  // Leave the shared workspace's policy as the other journeys expect it.
  if (previousPolicy) await api.ok('PUT', '/capture/policy', previousPolicy);
});

const row = (n: number) => page.locator('tr.batch-row').nth(n);

describe('batch entry with capture policies', () => {
  it('sets the policy in settings, then captures two prospects with the keyboard only, seeing the policy error and the duplicate warning live', async () => {
    // The admin sets the policy in settings: last name in uppercase, postal code required.
    await page.goto('/settings/capture');
    await page.getByRole('heading', { name: 'Políticas de captura' }).waitFor();
    await page.locator('input[name="required.contact.postalCode"]').check();
    await page.locator('select[name="casing.contact.lastName"]').selectOption('upper');
    await page.getByRole('button', { name: 'Guardar política' }).click();
    await page.getByText('Política guardada.').waitFor();
    expect(await api.ok('GET', '/capture/policy')).toMatchObject({ required: { contact: expect.arrayContaining(['firstName', 'postalCode']) }, casing: { 'contact.lastName': 'upper' } });
    const fair = await api.ok('POST', '/sources', { name: 'Feria Hábitat e2e', kind: 'fair' });
    const campaign = await api.ok('POST', '/campaigns', { name: 'Hábitat e2e 2026', sourceId: fair.id });
    const carmen = await api.ok('POST', '/contacts', { firstName: 'Carmen', lastName: 'Vidal', email: 'carmen.vidal@correo.es', postalCode: '46001' });

    await page.goto('/capture/batch');
    await page.getByRole('heading', { level: 1, name: 'Captura por lotes' }).waitFor();
    await page.getByLabel('Fuente', { exact: true }).selectOption(fair.id);
    await page.getByLabel('Campaña', { exact: true }).selectOption(campaign.id);

    // Row 1: no postal code yet → the policy's error shows on that cell while typing.
    await page.getByLabel('Nombre, fila 1').focus();
    await page.keyboard.type('Pedro');
    await page.keyboard.press('Tab');
    await page.keyboard.type('martín');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Talleres Pérez');
    await page.keyboard.press('Tab');
    await page.keyboard.type('612 34 56 78');
    await row(0).getByText('Obligatorio.').waitFor();
    expect(await row(0).getAttribute('data-status')).not.toBe('batch.status.saved');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type('46002');
    await page.keyboard.press('Enter');
    await row(0).getByText('Guardado').waitFor();
    expect(await page.locator(':focus').getAttribute('aria-label')).toBe('Nombre, fila 2');

    // Row 2: the same email as an existing contact → warning, nothing saved until the user answers.
    await page.keyboard.type('Carmen');
    await page.keyboard.press('Tab');
    await page.keyboard.type('vidal');
    await page.keyboard.press('ArrowRight'); // caret at the end: moves to the next cell like Tab
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type('carmen.vidal@correo.es');
    await page.keyboard.press('Tab');
    await page.keyboard.type('46001');
    await page.keyboard.press('Enter');
    await page.getByText('Puede que ya exista:').waitFor();
    await row(1).getByText('Posible duplicado').waitFor();
    // From row 3, back with Shift+Tab over "Crear de todos modos" to "Usar este".
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    expect(await page.locator(':focus').textContent()).toBe('Usar este');
    await page.keyboard.press('Enter');
    await row(1).getByText('Guardado').waitFor();

    const pedro = (await api.ok('GET', '/contacts?q=Pedro')).data;
    expect(pedro).toEqual([expect.objectContaining({ firstName: 'Pedro', lastName: 'MARTÍN', phone: '+34612345678', postalCode: '46002', companyName: 'Talleres Pérez' })]);
    const pedroLeads = (await api.ok('GET', `/leads?contactId=${pedro[0].id}`)).data;
    expect(pedroLeads).toEqual([expect.objectContaining({ sourceId: fair.id, campaignId: campaign.id, nextActionType: 'call', status: 'open' })]);
    const carmens = (await api.ok('GET', '/contacts?q=Carmen&limit=100')).data.filter((c: { email: string | null }) => c.email === 'carmen.vidal@correo.es');
    expect(carmens.map((c: { id: string }) => c.id)).toEqual([carmen.id]);
    expect(carmens[0].lastName).toBe('VIDAL');
    const carmenLeads = (await api.ok('GET', `/leads?contactId=${carmen.id}`)).data;
    expect(carmenLeads).toEqual([expect.objectContaining({ sourceId: fair.id, campaignId: campaign.id })]);

    // The batch survives a reload: saved rows stay marked with their lead.
    await page.reload();
    await row(0).getByText('Guardado').waitFor();
    expect(await row(0).getByRole('link', { name: 'Abrir' }).getAttribute('href')).toBe(`/leads/${pedroLeads[0].id}`);
  });

  it('the new-contact form offers the surname split and "Usar este" on the contact that already exists', async () => {
    const carmen = (await api.ok('GET', '/contacts?q=Carmen&limit=100')).data.find((c: { email: string | null }) => c.email === 'carmen.vidal@correo.es');
    await page.goto('/contacts');
    await page.getByRole('button', { name: 'Nuevo contacto' }).click();
    const dialog = page.getByRole('dialog', { name: 'Nuevo contacto' });
    await dialog.getByLabel('Nombre', { exact: true }).fill('Carmen');
    await dialog.getByLabel('Apellido(s)').fill('vidal soler');
    await dialog.getByRole('button', { name: 'Separar' }).click();
    expect(await dialog.getByLabel('Apellido(s)').inputValue()).toBe('VIDAL');
    await dialog.getByText('Segundo apellido: SOLER').waitFor();
    await dialog.getByLabel('Correo', { exact: true }).fill('Carmen.Vidal@correo.es');
    await dialog.getByText('Puede que ya exista:').waitFor();
    await dialog.getByRole('button', { name: 'Usar este' }).click();
    await page.waitForURL(`**/contacts/${carmen.id}`);
    const updated = await api.ok('GET', `/contacts/${carmen.id}`);
    expect(updated).toMatchObject({ lastName: 'VIDAL', secondLastName: 'SOLER', email: 'carmen.vidal@correo.es' });
  });
});
