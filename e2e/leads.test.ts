import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { Api, openAsAdmin } from './browser.js';

let browser: Browser;
let context: BrowserContext;
let page: Page;
let api: Api;
const baseUrl = inject('baseUrl');
let board: { id: string; stages: { id: string; name: string; kind: string }[] } | undefined;

beforeAll(async () => { ({ api, browser, context, page } = await openAsAdmin(baseUrl)); });
afterAll(async () => {
  await browser?.close();
  // Leave the shared workspace as other journeys expect it: one pipeline (the default).
  if (board) {
    const leads = await api.ok<{ data: { id: string }[] }>('GET', `/leads?pipelineId=${board.id}&includeCancelled=true&limit=500`);
    for (const l of leads.data) {
      const sales = await api.ok<{ data: { id: string }[] }>('GET', `/sales?leadId=${l.id}`);
      for (const sale of sales.data) await api.ok('DELETE', `/sales/${sale.id}`);
      await api.ok('DELETE', `/leads/${l.id}`);
    }
    await api.ok('DELETE', `/pipelines/${board.id}`);
  }
});

/** Drags with real pointer events, in small steps, as a hand would. */
async function drag(from: Locator, to: Locator) {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height - 8);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height - 8, { steps: 4 });
  await page.mouse.move(b.x + b.width / 2, b.y + 80, { steps: 12 });
  await page.mouse.up();
  // For 50 ms after a drop, dnd-kit's pointer sensor clears any text selection (PointerSensor.detach
  // removes its selectionchange listener on a timer). Playwright's fill selects the field's text and
  // inserts the new text in one go, so a fill in that window was lost: the Won dialog kept the lead's
  // amount in one CI run. A hand cannot type that fast after dropping; the test waits it out.
  await page.waitForTimeout(100);
}

type Lead = { id: string; stageId: string; status: string; lostReason: string | null; amount: number };

describe('leads: quick-add, table and kanban', () => {
  it('creates a contact and its lead from quick-add opened with the "n" key', async () => {
    const product = await api.ok('POST', '/products', { name: 'Cocina a medida', unitPrice: 8900 });
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Hoy' }).waitFor();
    const started = Date.now();
    await page.keyboard.press('n');
    const dialog = page.getByRole('dialog', { name: 'Nuevo prospecto' });
    await dialog.getByLabel('Nombre y apellidos').fill('Marta Quintana Vidal');
    await dialog.getByLabel('Teléfono o correo').fill('marta@quintana.es');
    const sourceOptions = await dialog.getByLabel('Fuente').locator('option').allTextContents();
    await dialog.getByLabel('Fuente').selectOption({ label: sourceOptions[1]! });
    await dialog.getByLabel('Servicio de interés').selectOption({ label: 'Cocina a medida' });
    await dialog.getByRole('button', { name: 'Crear' }).click();
    await page.waitForURL(/\/leads\/[0-9a-f-]{36}$/);
    // Typed at machine speed, but it shows the round trips fit well inside the 10 s a person has.
    expect(Date.now() - started).toBeLessThan(10_000);

    const leadId = page.url().split('/').pop()!;
    const lead = await api.ok('GET', `/leads/${leadId}`);
    expect(lead.contactName).toBe('Marta Quintana Vidal');
    expect(lead.productIds).toEqual([product.id]);
    expect(lead.sourceId).not.toBeNull();
    const contact = await api.ok('GET', `/contacts/${lead.contactId}`);
    expect(contact.email).toBe('marta@quintana.es');
  });

  it('shows leads in a table that sorts by clicking headers and keeps saved views', async () => {
    for (const [title, amount] of [['Tabla A', 100], ['Tabla B', 300], ['Tabla C', 200]] as const) {
      await api.ok('POST', '/leads', { title, amount });
    }
    await page.getByRole('navigation', { name: 'Navegación principal' }).getByRole('link', { name: 'Prospectos' }).click();
    await page.getByLabel('Buscar', { exact: true }).fill('Tabla');
    const table = page.locator('.vtable table');
    await expect.poll(() => table.locator('tbody tr td:first-child').allTextContents()).toHaveLength(3);

    const amountHeader = table.getByRole('columnheader', { name: /Importe/ });
    await amountHeader.getByRole('button').click();
    await expect.poll(() => table.locator('tbody tr td:first-child').allTextContents()).toEqual(['Tabla A', 'Tabla C', 'Tabla B']);
    expect(await amountHeader.getAttribute('aria-sort')).toBe('ascending');
    await amountHeader.getByRole('button').click();
    await expect.poll(() => table.locator('tbody tr td:first-child').allTextContents()).toEqual(['Tabla B', 'Tabla C', 'Tabla A']);

    // Hide a column, save the view, reload, apply it.
    await page.getByRole('button', { name: 'Columnas ▾' }).click();
    await page.getByRole('group', { name: 'Columnas' }).getByLabel('Comercial').uncheck();
    await page.keyboard.press('Escape');
    expect(await table.getByRole('columnheader', { name: 'Comercial' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Vistas guardadas ▾' }).click();
    await page.getByLabel('Nombre de la vista').fill('Tablas por importe');
    await page.getByRole('button', { name: 'Guardar vista' }).click();
    await expect.poll(async () => (await api.ok<{ data: { name: string }[] }>('GET', '/saved-views?entity=lead')).data.map((v) => v.name)).toContain('Tablas por importe');
    // The URL holds the current view: a reload keeps it, a bare /leads is the default view again.
    await page.reload();
    await expect.poll(() => table.locator('tbody tr td:first-child').allTextContents()).toEqual(['Tabla B', 'Tabla C', 'Tabla A']);
    await page.goto('/leads');
    await table.getByRole('columnheader', { name: /Comercial/ }).waitFor();
    await page.getByRole('button', { name: 'Vistas guardadas ▾' }).click();
    await page.getByRole('button', { name: 'Tablas por importe', exact: true }).click();
    await expect.poll(() => table.locator('tbody tr td:first-child').allTextContents()).toEqual(['Tabla B', 'Tabla C', 'Tabla A']);
    expect(await table.getByRole('columnheader', { name: 'Comercial' }).count()).toBe(0);
  });

  it('sorts the table by company name, a looked-up column', async () => {
    for (const [title, company] of [['Orden 1', 'Zafiro Hogar'], ['Orden 2', 'Ámbar Cocinas'], ['Orden 3', 'Marfil Baños']] as const) {
      const co = await api.ok<{ id: string }>('POST', '/companies', { name: company });
      await api.ok('POST', '/leads', { title, companyId: co.id });
    }
    await page.goto('/leads?q=Orden');
    const table = page.locator('.vtable table');
    const companies = () => table.locator('tbody tr td:nth-child(2)').allTextContents();
    await expect.poll(companies).toHaveLength(3);
    await table.getByRole('columnheader', { name: /Empresa/ }).getByRole('button').click();
    await expect.poll(companies).toEqual(['Ámbar Cocinas', 'Marfil Baños', 'Zafiro Hogar']);
    expect(page.url()).toContain('sort=company');
  });

  // Its own pipeline, so cards created by other journeys never crowd these columns (removed afterwards).
  async function kanbanPipeline() {
    board ??= await api.ok('POST', '/pipelines', {
      name: 'Reformas e2e', stages: [
        { name: 'Nuevo', kind: 'open', probability: 10, temperature: 'cold' },
        { name: 'Propuesta', kind: 'open', probability: 50, temperature: 'warm' },
        { name: 'Ganado', kind: 'won', probability: 100 },
        { name: 'Perdido', kind: 'lost', probability: 0 },
      ],
    });
    return board!;
  }
  async function openBoard() {
    const p = await kanbanPipeline();
    await page.goto('/leads/board');
    await page.getByLabel('Embudo').selectOption({ label: 'Reformas e2e' });
    return p;
  }

  it('moves a lead across the kanban by dragging; Lost asks the reason and Won asks for the sale', async () => {
    const { id: pipelineId, stages } = await kanbanPipeline();
    const [cold, warm] = stages.filter((s) => s.kind === 'open');
    const won = stages.find((s) => s.kind === 'won')!;
    const lost = stages.find((s) => s.kind === 'lost')!;
    const buyer = await api.ok('POST', '/contacts', { firstName: 'Rosa', lastName: 'Alcázar' });
    const a = await api.ok<Lead>('POST', '/leads', { title: 'Kanban Alcázar', contactId: buyer.id, pipelineId, stageId: cold!.id, amount: 1500 });
    const b = await api.ok<Lead>('POST', '/leads', { title: 'Kanban Benítez', pipelineId, stageId: cold!.id, amount: 700 });

    await openBoard();
    const column = (id: string) => page.locator(`section.column[data-stage-id="${id}"]`);
    const card = (id: string) => page.locator(`li.kcard[data-lead-id="${id}"]`);
    await card(a.id).waitFor();

    await drag(card(a.id), column(warm!.id));
    await column(warm!.id).locator(`li.kcard[data-lead-id="${a.id}"]`).waitFor();
    await expect.poll(async () => (await api.ok<Lead>('GET', `/leads/${a.id}`)).stageId).toBe(warm!.id);

    await drag(card(b.id), column(lost.id));
    const lostDialog = page.getByRole('dialog', { name: /^Motivo de la pérdida/ });
    await lostDialog.getByRole('button', { name: 'Confirmar' }).click();
    await lostDialog.getByText('Obligatorio.').waitFor();
    await lostDialog.getByLabel('Motivo').fill('Precio fuera de presupuesto');
    await lostDialog.getByRole('button', { name: 'Confirmar' }).click();
    await lostDialog.waitFor({ state: 'detached' });
    const lostLead = await api.ok<Lead>('GET', `/leads/${b.id}`);
    expect([lostLead.status, lostLead.lostReason]).toEqual(['lost', 'Precio fuera de presupuesto']);

    await drag(card(a.id), column(won.id));
    const wonDialog = page.getByRole('dialog', { name: /^Registrar la venta/ });
    await wonDialog.getByLabel('Precio unitario 1').fill('1650');
    await expect.poll(() => wonDialog.getByLabel('Precio unitario 1').inputValue()).toBe('1650');
    await wonDialog.getByRole('button', { name: 'Confirmar' }).click();
    await wonDialog.waitFor({ state: 'detached', timeout: 5000 }).catch(async (e) => { throw new Error(`${String(e)}\n${await wonDialog.innerText()}`); });
    await column(won.id).locator(`li.kcard[data-lead-id="${a.id}"]`).waitFor();
    expect((await api.ok<Lead>('GET', `/leads/${a.id}`)).status).toBe('won');
    const sales = await api.ok<{ data: { total: number }[] }>('GET', `/sales?leadId=${a.id}`);
    expect(sales.data.map((s) => s.total)).toEqual([1650]);
  });

  it('starts the Won dialog from the lead\'s products at their prices, on a board that has not loaded the products yet', async () => {
    const { id: pipelineId, stages } = await kanbanPipeline();
    const cold = stages.find((s) => s.kind === 'open')!;
    const won = stages.find((s) => s.kind === 'won')!;
    const product = await api.ok<{ id: string }>('POST', '/products', { name: 'Armario empotrado', unitPrice: 2350 });
    const buyer = await api.ok<{ id: string }>('POST', '/contacts', { firstName: 'Iker', lastName: 'Zabala' });
    const l = await api.ok<Lead>('POST', '/leads', { title: 'Kanban Zabala', contactId: buyer.id, pipelineId, stageId: cold.id, amount: 900, productIds: [product.id] });
    await page.goto('about:blank'); // a fresh app: the product list is not cached
    await openBoard();
    const card = page.locator(`li.kcard[data-lead-id="${l.id}"]`);
    await drag(card, page.locator(`section.column[data-stage-id="${won.id}"]`));
    const wonDialog = page.getByRole('dialog', { name: /^Registrar la venta/ });
    await expect.poll(() => wonDialog.getByLabel('Precio unitario 1').inputValue()).toBe('2350');
    expect(await wonDialog.getByLabel('Producto 1').inputValue()).toBe(product.id);
    await wonDialog.getByRole('button', { name: 'Cancelar' }).click();
    await wonDialog.waitFor({ state: 'detached' });
  });

  it('moves a card with the keyboard alone', async () => {
    const { id: pipelineId, stages } = await kanbanPipeline();
    const [cold, warm] = stages.filter((s) => s.kind === 'open');
    const c = await api.ok<Lead>('POST', '/leads', { title: 'Kanban Teclado', pipelineId, stageId: cold!.id });
    await openBoard();
    const card = page.locator(`li.kcard[data-lead-id="${c.id}"]`);
    await card.focus();
    // dnd-kit measures the columns between key presses; give it a frame each time.
    await page.keyboard.press('Space');
    await page.waitForTimeout(150);
    await page.keyboard.press('ArrowRight');
    await page.waitForTimeout(300);
    await page.keyboard.press('Space');
    await expect.poll(async () => (await api.ok<Lead>('GET', `/leads/${c.id}`)).stageId).toBe(warm!.id);
  });
});
