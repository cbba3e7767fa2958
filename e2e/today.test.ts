import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Api, launchBrowser, loginThroughUi, newContext } from './browser.js';

let browser: Browser;
let api: Api;
const baseUrl = inject('baseUrl');
const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();

beforeAll(async () => {
  api = await new Api(baseUrl).asAdmin();
  browser = await launchBrowser();
});
afterAll(async () => { await browser?.close(); });

describe('Today', () => {
  it('lists today\'s actions, overdue ones in red oldest first, leads without next action and tasks; Done asks for the next action', async () => {
    const today = await api.ok<{ dayEnd: string }>('GET', '/today');
    // Later today, but never past midnight in the workspace zone.
    const laterToday = new Date(Math.min(Date.now() + 60 * 60_000, (Date.now() + new Date(today.dayEnd).getTime()) / 2)).toISOString();
    const contact = await api.ok('POST', '/contacts', { firstName: 'Lucía', lastName: 'Hoyos Prieto', phone: '600111222' });
    const due = await api.ok('POST', '/leads', { title: 'Cocina Hoyos', contactId: contact.id, nextActionAt: laterToday, nextActionType: 'call', nextActionNote: 'Confirmar medidas' });
    // The API allows a few minutes of grace into the past, which is enough to make leads overdue now.
    await api.ok('POST', '/leads', { title: 'Armario Ruiz (más antigua)', nextActionAt: minutes(-4), nextActionType: 'email' });
    await api.ok('POST', '/leads', { title: 'Baño Sanz (más reciente)', nextActionAt: minutes(-2), nextActionType: 'visit' });
    await api.ok('POST', '/leads', { title: 'Salón Gil sin plan' });
    await api.ok('POST', '/activities', { type: 'task', subject: 'Enviar catálogo a Gil', dueAt: laterToday, leadId: due.id });

    const context = await newContext(browser, baseUrl);
    const page = await context.newPage();
    await loginThroughUi(page);

    const dueSection = page.getByRole('region', { name: /^Para hoy/ });
    await dueSection.getByRole('link', { name: 'Lucía Hoyos Prieto' }).waitFor();
    expect(await dueSection.textContent()).toContain('Confirmar medidas');

    const overdue = page.getByRole('region', { name: /^Vencidas/ });
    const overdueTitles = await overdue.locator('.item__title').allTextContents();
    expect(overdueTitles.indexOf('Armario Ruiz (más antigua)')).toBeGreaterThanOrEqual(0);
    expect(overdueTitles.indexOf('Armario Ruiz (más antigua)')).toBeLessThan(overdueTitles.indexOf('Baño Sanz (más reciente)'));
    const red = await overdue.locator('h2').evaluate((h) => (globalThis as unknown as { getComputedStyle: (e: unknown) => { color: string } }).getComputedStyle(h).color);
    expect(red).toBe('rgb(180, 35, 24)');

    await page.getByRole('region', { name: /^Sin próxima acción/ }).getByText('Salón Gil sin plan').waitFor();
    await page.getByRole('region', { name: /^Tareas pendientes/ }).getByText('Enviar catálogo a Gil').waitFor();

    // One click: done → the dialog, which will not save without the next action.
    await dueSection.getByRole('button', { name: 'Marcar como hecha la acción de Lucía Hoyos Prieto' }).click();
    const dialog = page.getByRole('dialog', { name: 'Registrar interacción con Lucía Hoyos Prieto' });
    await dialog.getByLabel('Resultado').selectOption('reached');
    await dialog.getByLabel('Nota', { exact: true }).fill('Medidas confirmadas por teléfono');
    await dialog.getByRole('button', { name: 'Guardar y programar' }).click();
    await dialog.getByText('Obligatorio.').waitFor();
    expect(await dialog.getByLabel('Nota', { exact: true }).inputValue()).toBe('Medidas confirmadas por teléfono');

    await dialog.getByRole('button', { name: 'mañana' }).click();
    await dialog.getByRole('button', { name: 'Guardar y programar' }).click();
    await dialog.waitFor({ state: 'detached' });
    await dueSection.getByText('No tienes acciones para hoy.').waitFor();

    const timeline = await api.ok<{ data: { outcome: string; body: string }[] }>('GET', `/activities?leadId=${due.id}`);
    expect(timeline.data.some((a) => a.outcome === 'reached' && a.body === 'Medidas confirmadas por teléfono')).toBe(true);
    const after = await api.ok('GET', `/leads/${due.id}`);
    expect(new Date(after.nextActionAt).getTime()).toBeGreaterThan(new Date(today.dayEnd).getTime() - 1);
    await context.close();
  });

  it('marks a task-type next action done as a task, not as a call', async () => {
    const lead = await api.ok('POST', '/leads', { title: 'Presupuesto Llorens', nextActionAt: minutes(-3), nextActionType: 'task', nextActionNote: 'Preparar presupuesto' });
    const context = await newContext(browser, baseUrl);
    const page = await context.newPage();
    await loginThroughUi(page);
    await page.getByRole('region', { name: /^Vencidas/ }).getByRole('button', { name: 'Marcar como hecha la acción de Presupuesto Llorens' }).click();
    const dialog = page.getByRole('dialog', { name: 'Registrar interacción con Presupuesto Llorens' });
    expect(await dialog.getByLabel('Tipo', { exact: true }).inputValue()).toBe('task');
    await dialog.getByRole('button', { name: 'mañana' }).click();
    await dialog.getByRole('button', { name: 'Guardar y programar' }).click();
    await dialog.waitFor({ state: 'detached' });
    const done = await api.ok<{ data: { type: string; doneAt: string | null }[] }>('GET', `/activities?leadId=${lead.id}`);
    expect(done.data.map((a) => a.type)).toEqual(['task']);
    await context.close();
  });

  it('gives the focus back to the Done button when its dialog is closed with Escape', async () => {
    await api.ok('POST', '/leads', { title: 'Teclado Ferrer', nextActionAt: minutes(-3), nextActionType: 'call' });
    const context = await newContext(browser, baseUrl);
    const page = await context.newPage();
    await loginThroughUi(page);
    const done = page.getByRole('region', { name: /^Vencidas/ }).getByRole('button', { name: 'Marcar como hecha la acción de Teclado Ferrer' });
    await done.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Registrar interacción con Teclado Ferrer' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => done.evaluate((b) => b === b.ownerDocument.activeElement)).toBe(true);
    await context.close();
  });

  it('lets a manager or admin open a salesperson\'s day with their overdue actions', async () => {
    const seller = await api.ok('POST', '/users', { email: 'sergio.dia@garcia.es', name: 'Sergio Día', role: 'sales', password: 'una clave larga' });
    await api.ok('POST', '/leads', { title: 'Vencida de Sergio', ownerId: seller.id, nextActionAt: minutes(-3), nextActionType: 'call' });
    const context = await newContext(browser, baseUrl);
    const page = await context.newPage();
    await loginThroughUi(page);
    await page.getByLabel('Ver el día de').selectOption({ label: 'Sergio Día' });
    await page.getByRole('region', { name: /^Vencidas/ }).getByText('Vencida de Sergio').waitFor();
    await context.close();
  });

  it('opens a contact not touched for a week from its name', async () => {
    const seller = await api.ok('POST', '/users', { email: 'olga.olvido@garcia.es', name: 'Olga Olvido', role: 'sales', password: 'una clave larga' });
    const contact = await api.ok('POST', '/contacts', { firstName: 'Tomás', lastName: 'Olvido Ruiz', phone: '600333444', ownerId: seller.id });
    const context = await newContext(browser, baseUrl);
    const page = await context.newPage();
    await loginThroughUi(page, { email: 'olga.olvido@garcia.es', password: 'una clave larga' });
    await page.getByRole('region', { name: /^Contactos sin tocar/ }).getByRole('link', { name: 'Tomás Olvido Ruiz' }).click();
    await page.waitForURL(`**/contacts/${contact.id}`);
    await page.getByRole('heading', { level: 1, name: 'Tomás Olvido Ruiz' }).waitFor();
    await context.close();
  });

  it('lists the post-sale follow-ups due and completes one with the client\'s satisfaction and NPS', async () => {
    const contact = await api.ok('POST', '/contacts', { firstName: 'Rosa', lastName: 'Postventa Gil' });
    const threeDaysAgo = new Date(Date.now() - 3 * 24 * 3600_000).toISOString();
    const sale = await api.ok('POST', '/sales', { contactId: contact.id, soldAt: threeDaysAgo, lines: [{ description: 'Sofá modular', quantity: 1, unitPrice: 1200 }] });

    const context = await newContext(browser, baseUrl);
    const page = await context.newPage();
    await loginThroughUi(page);
    const section = page.getByRole('region', { name: /^Seguimientos post-venta/ });
    await section.getByRole('link', { name: 'Rosa Postventa Gil' }).waitFor();
    await section.getByRole('button', { name: 'Completar el seguimiento de Rosa Postventa Gil' }).click();
    const dialog = page.getByRole('dialog', { name: 'Completar el seguimiento de Rosa Postventa Gil' });
    await dialog.getByRole('group', { name: /satisfac/i }).getByLabel('5', { exact: true }).check();
    await dialog.getByRole('group', { name: /NPS|recomend/i }).getByLabel('9', { exact: true }).check();
    await dialog.getByRole('button', { name: 'Completar' }).click();
    await dialog.waitFor({ state: 'detached' });
    await section.getByRole('link', { name: 'Rosa Postventa Gil' }).waitFor({ state: 'detached' });
    const feedback = await api.ok<{ data: { saleId: string; nps: number; satisfaction: number }[] }>('GET', `/feedback?saleId=${sale.id}`);
    expect(feedback.data).toEqual([expect.objectContaining({ nps: 9, satisfaction: 5 })]);
    await context.close();
  });
});
