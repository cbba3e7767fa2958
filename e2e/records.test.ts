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

describe('post-sale', () => {
  it('completes a follow-up with satisfaction, NPS and a comment, recorded as feedback', async () => {
    const contact = await api.ok('POST', '/contacts', { firstName: 'Rosa', lastName: 'Seguimiento Gil' });
    const sale = await api.ok('POST', '/sales', { contactId: contact.id, lines: [{ description: 'Sofá cama', quantity: 1, unitPrice: 890 }] });
    const followUps = await api.ok('GET', `/follow-ups?saleId=${sale.id}`);
    expect(followUps.data).toHaveLength(1);

    await page.goto('/follow-ups');
    await page.getByRole('button', { name: 'Completar el seguimiento de Rosa Seguimiento Gil' }).click();
    const dialog = page.getByRole('dialog', { name: 'Completar el seguimiento de Rosa Seguimiento Gil' });
    await dialog.getByRole('group', { name: 'Satisfacción (1–5)' }).getByLabel('4', { exact: true }).check();
    await dialog.getByRole('group', { name: /NPS/ }).getByLabel('9', { exact: true }).check();
    await dialog.getByLabel('Comentario').fill('Muy contenta con la entrega');
    await dialog.getByRole('button', { name: 'Completar' }).click();
    await dialog.waitFor({ state: 'detached' });

    const after = await api.ok('GET', `/follow-ups/${followUps.data[0].id}`);
    expect(after.status).toBe('done');
    const feedback = await api.ok('GET', `/feedback?saleId=${sale.id}`);
    expect(feedback.data[0]).toMatchObject({ satisfaction: 4, nps: 9, comment: 'Muy contenta con la entrega', channel: 'phone' });
    await expect.poll(() => page.getByRole('button', { name: 'Completar el seguimiento de Rosa Seguimiento Gil' }).count()).toBe(0);
  });

  it('files a complaint from the contact page and resolves it with a resolution, shown in its events', async () => {
    const contact = await api.ok('POST', '/contacts', { firstName: 'Íñigo', lastName: 'Queja Ruiz' });
    await page.goto(`/contacts/${contact.id}`);
    await page.getByRole('button', { name: 'Nueva queja' }).click();
    const dialog = page.getByRole('dialog', { name: 'Nueva queja' });
    await dialog.getByLabel('Categoría').selectOption('durability');
    await dialog.getByLabel('Descripción').fill('La bisagra se ha roto al mes');
    await dialog.getByRole('button', { name: 'Guardar' }).click();
    await page.getByRole('link', { name: 'Durabilidad' }).click();
    await page.getByRole('heading', { level: 1, name: 'Durabilidad' }).waitFor();

    await page.getByLabel('Estado', { exact: true }).selectOption('resolved');
    await page.getByLabel('Resolución').selectOption('repair');
    await page.getByLabel('Nota del cambio').fill('Técnico enviado');
    await page.getByRole('button', { name: 'Guardar' }).click();
    const events = page.getByRole('region', { name: 'Historial' });
    await events.getByText('Técnico enviado').waitFor();
    const complaints = await api.ok('GET', `/complaints?contactId=${contact.id}`);
    expect(complaints.data[0]).toMatchObject({ status: 'resolved', resolution: 'repair' });
  });

  it('shows a complaint\'s due date as the workspace calendar does and keeps it when only the status is saved', async () => {
    const contact = await api.ok('POST', '/contacts', { firstName: 'Maite', lastName: 'Plazo Soler' });
    // 00:30 in Madrid on 10 December is still 9 December in UTC.
    const dueAt = '2026-12-10T00:30:00+01:00';
    const complaint = await api.ok('POST', '/complaints', { contactId: contact.id, category: 'durability', description: 'El cajón no cierra', dueAt });
    await page.goto(`/complaints/${complaint.id}`);
    await page.getByRole('heading', { level: 1, name: 'Durabilidad' }).waitFor();
    expect(await page.getByLabel('Fecha límite').inputValue()).toBe('2026-12-10');
    await page.getByLabel('Estado', { exact: true }).selectOption('in_progress');
    await page.getByRole('button', { name: 'Guardar' }).click();
    await page.getByRole('region', { name: 'Historial' }).getByText('Abierta → En curso').waitFor();
    const saved = await api.ok('GET', `/complaints/${complaint.id}`);
    expect(new Date(saved.dueAt).getTime()).toBe(new Date(dueAt).getTime());

    // A date picked in the form is due until the end of that day in the workspace zone.
    await page.getByLabel('Fecha límite').fill('2026-12-12');
    await page.getByRole('button', { name: 'Guardar' }).click();
    await expect.poll(async () => (await api.ok('GET', `/complaints/${complaint.id}`)).dueAt).toBe('2026-12-12T22:59:00.000Z');
  });

  it('shows the unread notifications in the header bell and marks them read', async () => {
    await page.goto('/');
    const bell = page.getByRole('button', { name: /^Avisos: \d+ sin leer$/ });
    await bell.click();
    const panel = page.getByRole('region', { name: 'Avisos' });
    await panel.waitFor();
    const unread = (await api.ok('GET', '/notifications')).unreadCount as number;
    if (unread > 0) {
      await panel.getByRole('button', { name: 'Marcar todo como leído' }).click();
      await expect.poll(async () => (await api.ok('GET', '/notifications')).unreadCount).toBe(0);
    }
    await page.getByRole('button', { name: 'Avisos: 0 sin leer' }).waitFor();
  });
});

// Runs in the page; typed without the DOM library, which the Node-side tests do not load.
const pageWidth = () => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth;

describe('at 375 px', () => {
  it('keeps the contact page within the screen width', async () => {
    const narrow = await newContext(browser, baseUrl, { width: 375, height: 740 });
    const p = await narrow.newPage();
    await loginThroughUi(p);
    const contact = await api.ok('POST', '/contacts', { firstName: 'Ana', lastName: 'Estrecha' });
    await p.goto(`/contacts/${contact.id}`);
    await p.getByRole('heading', { level: 1, name: 'Ana Estrecha' }).waitFor();
    expect(await p.evaluate(pageWidth)).toBeLessThanOrEqual(375);
    await p.goto('/settings/stages');
    await p.getByRole('heading', { level: 2, name: /^Etapas de/ }).waitFor();
    expect(await p.evaluate(pageWidth)).toBeLessThanOrEqual(375);
    await narrow.close();
  });
});
