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

async function newLead(title: string) {
  const contact = await api.ok('POST', '/contacts', { firstName: 'Pablo', lastName: `${title} Soler` });
  return api.ok('POST', '/leads', { title, contactId: contact.id, amount: 1200 });
}

describe('the lead page', () => {
  it('logs an interaction only with its next action, and shows it first in the timeline', async () => {
    const lead = await newLead('Reforma');
    await api.ok('POST', '/activities', { type: 'note', leadId: lead.id, body: 'Nota antigua' });
    await page.goto(`/leads/${lead.id}`);
    await page.getByRole('heading', { level: 1, name: 'Pablo Reforma Soler' }).waitFor();

    const form = page.getByRole('region', { name: 'Registrar interacción' });
    await form.getByLabel('Tipo', { exact: true }).selectOption('visit');
    await form.getByLabel('Resultado').selectOption('interested');
    await form.getByLabel('Nota', { exact: true }).fill('Visita al piso: quiere presupuesto de baño');
    await form.getByRole('button', { name: 'Guardar y programar' }).click();
    await form.getByText('Obligatorio.').first().waitFor();
    expect(await form.getByLabel('Nota', { exact: true }).inputValue()).toBe('Visita al piso: quiere presupuesto de baño');

    await form.getByRole('button', { name: 'dentro de 3 días' }).click();
    await form.getByLabel('Hora').fill('11:30');
    await form.getByLabel('Tipo de la próxima acción').selectOption('email');
    await form.getByLabel('Nota de la próxima acción').fill('Enviar presupuesto');
    await form.getByRole('button', { name: 'Guardar y programar' }).click();
    await page.getByRole('status').filter({ hasText: 'Interacción registrada.' }).waitFor();

    const timeline = page.getByRole('region', { name: 'Historial' });
    await expect.poll(() => timeline.locator('.timeline > li').count()).toBe(2);
    expect(await timeline.locator('.timeline > li').first().innerText()).toContain('Visita al piso: quiere presupuesto de baño');
    expect(await timeline.locator('.timeline > li').nth(1).innerText()).toContain('Nota antigua');

    const after = await api.ok('GET', `/leads/${lead.id}`);
    expect(after.nextActionType).toBe('email');
    expect(after.nextActionNote).toBe('Enviar presupuesto');
    // 11:30 in the workspace zone (Europe/Madrid by default).
    expect(new Intl.DateTimeFormat('es-ES', { timeZone: 'Europe/Madrid', hour: '2-digit', minute: '2-digit' }).format(new Date(after.nextActionAt))).toBe('11:30');

    // "Programar" opens on the action the lead has, so moving it is changing one box.
    await page.getByRole('button', { name: 'Programar', exact: true }).click();
    const schedule = page.getByRole('dialog', { name: /^Próxima acción/ });
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Madrid' }).format(new Date(after.nextActionAt));
    expect(await schedule.locator('input[name="nextActionDate"]').inputValue()).toBe(day);
    expect(await schedule.getByLabel('Hora').inputValue()).toBe('11:30');
    expect(await schedule.getByLabel('Tipo de la próxima acción').inputValue()).toBe('email');
    expect(await schedule.getByLabel('Nota de la próxima acción').inputValue()).toBe('Enviar presupuesto');
    await schedule.getByLabel('Hora').fill('12:15');
    await schedule.getByRole('button', { name: 'Programar' }).click();
    await schedule.waitFor({ state: 'detached' });
    const moved = await api.ok('GET', `/leads/${lead.id}`);
    expect([moved.nextActionType, moved.nextActionNote]).toEqual(['email', 'Enviar presupuesto']);
    expect(new Intl.DateTimeFormat('es-ES', { timeZone: 'Europe/Madrid', dateStyle: 'short', timeStyle: 'short' }).format(new Date(moved.nextActionAt)))
      .toBe(new Intl.DateTimeFormat('es-ES', { timeZone: 'Europe/Madrid', dateStyle: 'short' }).format(new Date(after.nextActionAt)) + ', 12:15');
  });

  it('edits fields inline, shows API errors next to the field in Spanish and keeps what was typed', async () => {
    const lead = await newLead('Ático');
    await page.goto(`/leads/${lead.id}`);
    const amount = page.getByLabel('Importe', { exact: true });
    await amount.fill('2450,50');
    await amount.press('Enter');
    await expect.poll(async () => (await api.ok('GET', `/leads/${lead.id}`)).amount).toBe(2450.5);

    const probability = page.getByLabel('Probabilidad', { exact: true });
    await probability.fill('150');
    await probability.press('Enter');
    await page.locator('.inline-field', { has: probability }).getByRole('alert').waitFor();
    expect(await page.locator('.inline-field', { has: probability }).getByRole('alert').innerText()).toBe('Demasiado largo o grande.');
    expect(await probability.inputValue()).toBe('150');
  });

  it('edits custom fields and the service of interest inline', async () => {
    await api.ok('POST', '/custom-fields', { entity: 'lead', key: 'budget', label: 'Presupuesto del cliente', type: 'number' });
    await api.ok('POST', '/custom-fields', { entity: 'lead', key: 'room', label: 'Estancia', type: 'choice', options: ['Cocina', 'Baño'] });
    const product = await api.ok('POST', '/products', { name: 'Encimera de granito', unitPrice: 1200 });
    const lead = await newLead('Campos');
    await page.goto(`/leads/${lead.id}`);
    const budget = page.getByLabel('Presupuesto del cliente');
    await budget.fill('18000');
    await budget.press('Enter');
    await page.getByLabel('Estancia').selectOption('Baño');
    await expect.poll(async () => (await api.ok('GET', `/leads/${lead.id}`)).customFields).toEqual({ budget: 18000, room: 'Baño' });

    await page.locator('details.picker summary').click();
    await page.locator('details.picker').getByLabel('Encimera de granito').check();
    await expect.poll(async () => (await api.ok('GET', `/leads/${lead.id}`)).productIds).toEqual([product.id]);
  });

  it('shows both versions on a conflicting edit and saves mine when the user chooses it', async () => {
    const lead = await newLead('Conflicto');
    await page.goto(`/leads/${lead.id}`);
    await page.getByRole('heading', { level: 1, name: 'Pablo Conflicto Soler' }).waitFor();
    // Someone else changes the amount after the page loaded.
    await api.ok('PATCH', `/leads/${lead.id}`, { amount: 999, version: lead.version });
    const amount = page.getByLabel('Importe', { exact: true });
    await amount.fill('3000');
    await amount.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Alguien ha cambiado este registro' });
    const row = dialog.getByRole('row', { name: /Importe/ });
    expect(await row.innerText()).toMatch(/3000[\s\S]*999/);
    await dialog.getByRole('button', { name: 'Guardar la mía' }).click();
    await expect.poll(async () => (await api.ok('GET', `/leads/${lead.id}`)).amount).toBe(3000);
  });

  it('renders a stored XSS attempt in a comment as plain text', async () => {
    const lead = await newLead('Seguridad');
    const activity = await api.ok('POST', '/activities', { type: 'note', leadId: lead.id, body: '<b>nota</b> en negrita no' });
    const attack = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    await page.goto(`/leads/${lead.id}`);
    const timeline = page.getByRole('region', { name: 'Historial' });
    await timeline.getByLabel('Comentario').fill(attack);
    await timeline.getByRole('button', { name: 'Enviar' }).click();
    await timeline.getByText(attack).waitFor();
    const stored = await api.ok('GET', `/activities/${activity.id}/comments`);
    expect(stored.data[0].body).toBe(attack);

    await page.reload();
    await page.getByRole('region', { name: 'Historial' }).getByText(attack).waitFor();
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('.timeline img, .timeline script, .timeline b').count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Historial' }).getByText('<b>nota</b> en negrita no').count()).toBe(1);
  });

  it('links to its contact and its company, so the client\'s phone is one click away', async () => {
    const company = await api.ok('POST', '/companies', { name: 'Carpintería Enlace S.L.' });
    const contact = await api.ok('POST', '/contacts', { firstName: 'Nuria', lastName: 'Enlace Pons', companyId: company.id });
    const lead = await api.ok('POST', '/leads', { title: 'Vestidor Enlace', contactId: contact.id, companyId: company.id });
    await page.goto(`/leads/${lead.id}`);
    await page.getByRole('heading', { level: 1, name: 'Nuria Enlace Pons' }).waitFor();
    await page.getByRole('link', { name: 'Carpintería Enlace S.L.' }).waitFor();
    await page.getByRole('region', { name: 'Datos' }).getByRole('link', { name: 'Nuria Enlace Pons' }).click();
    await page.waitForURL(`**/contacts/${contact.id}`);
    await page.getByRole('heading', { level: 1, name: 'Nuria Enlace Pons' }).waitFor();
  });

  it('shows the Won dialog\'s lines whole on a phone: the product name and the full price', async () => {
    const product = await api.ok('POST', '/products', { name: 'Mueble de baño suspendido', unitPrice: 1234567.89 });
    const contact = await api.ok('POST', '/contacts', { firstName: 'Irene', lastName: 'Móvil Sanz' });
    const lead = await api.ok('POST', '/leads', { title: 'Baño Móvil', contactId: contact.id, productIds: [product.id] });
    const phone = await newContext(browser, baseUrl, { width: 375, height: 800 });
    const p = await phone.newPage();
    await loginThroughUi(p);
    await p.goto(`/leads/${lead.id}`);
    await p.getByRole('heading', { level: 1, name: 'Irene Móvil Sanz' }).waitFor();
    await p.getByLabel('Etapa', { exact: true }).selectOption({ label: 'Ganado' });
    const dialog = p.getByRole('dialog', { name: /^Registrar la venta/ });
    await expect.poll(() => dialog.getByLabel('Precio unitario 1').inputValue()).toBe('1234567.89');
    const productBox = await dialog.getByLabel('Producto 1').boundingBox();
    expect(productBox!.width).toBeGreaterThan(250);
    const price = dialog.getByLabel('Precio unitario 1');
    expect(await price.evaluate((i) => (i as unknown as { scrollWidth: number; clientWidth: number }).scrollWidth <= (i as unknown as { clientWidth: number }).clientWidth)).toBe(true);
    await phone.close();
  });
});
