import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Api, launchBrowser, loginThroughUi, newContext } from './browser.js';

let browser: Browser;
let api: Api;
const baseUrl = inject('baseUrl');

beforeAll(async () => {
  api = await new Api(baseUrl).asAdmin();
  browser = await launchBrowser();
});
afterAll(async () => { await browser?.close(); });

describe('Funnel scenarios', () => {
  it('builds a what-if with a lever, shows baseline vs scenario with P10–P90 bands and saves it by name', async () => {
    for (const title of ['Cocina Ortega', 'Baño Prieto', 'Salón Vidal']) await api.ok('POST', '/leads', { title, amount: 3000 });
    const context = await newContext(browser, baseUrl, { width: 375, height: 800 });
    const page = await context.newPage();
    await loginThroughUi(page);
    await page.goto(`${baseUrl}/funnel/scenarios`);
    await page.getByRole('heading', { name: 'Escenarios «¿y si…?»' }).waitFor();

    await page.getByLabel('Palanca', { exact: true }).selectOption('averageDeal');
    const deal = page.getByRole('group', { name: 'Venta media (€)' }).getByLabel('Venta media (€)', { exact: true });
    await deal.fill('-5');
    await page.getByRole('button', { name: 'Calcular' }).click();
    // An impossible lever is refused next to its field, not silently computed.
    await page.getByRole('group', { name: 'Venta media (€)' }).getByText('Demasiado corto o pequeño.').waitFor();

    await deal.fill('4500');
    await page.getByRole('button', { name: 'Calcular' }).click();
    const chart = page.getByRole('figure', { name: 'Ingresos acumulados: base frente a escenario (P10–P90)' });
    await chart.waitFor();
    expect(await chart.locator('.recharts-area').count()).toBe(2);
    expect(await chart.locator('.recharts-line').count()).toBe(2);
    await page.getByRole('heading', { name: 'Sensibilidad: cuánto vale un punto más en cada paso' }).waitFor();

    await page.getByLabel('Nombre del escenario', { exact: true }).fill('Venta media 4500');
    await page.getByRole('button', { name: 'Guardar escenario' }).click();
    await page.getByRole('checkbox', { name: 'Seleccionar Venta media 4500' }).waitFor();
    const saved = await api.ok<{ data: { name: string; levers: unknown[] }[] }>('GET', '/funnel/scenarios');
    expect(saved.data.find((s) => s.name === 'Venta media 4500')?.levers).toEqual([{ kind: 'averageDeal', amount: 4500 }]);
    await context.close();
  });
});

describe('Funnel model', () => {
  it('narrows the measured model to a saved segment of contacts picked on the page', async () => {
    const contact = await api.ok<{ id: string }>('POST', '/contacts', { firstName: 'Berta', lastName: 'Segmento', lifecycle: 'former' });
    await api.ok('POST', '/leads', { title: 'Cocina Berta', amount: 2500, contactId: contact.id });
    const segment = await api.ok<{ id: string }>('POST', '/segments', {
      name: 'Antiguos clientes', definition: { type: 'group', combinator: 'and', children: [{ type: 'condition', field: 'contact.lifecycle', operator: 'eq', value: 'former' }] },
    });
    const expected = await api.ok<{ model: { leads: number } }>('GET', `/funnel/model?segmentId=${segment.id}`);
    expect(expected.model.leads).toBeGreaterThanOrEqual(1);
    const context = await newContext(browser, baseUrl, { width: 375, height: 800 });
    const page = await context.newPage();
    await loginThroughUi(page);
    await page.goto(`${baseUrl}/funnel`);
    await page.getByRole('heading', { name: 'Modelo medido' }).first().waitFor();
    await page.getByLabel('Segmento', { exact: true }).selectOption({ label: 'Antiguos clientes' });
    await page.getByText(`${expected.model.leads} prospectos en el periodo`, { exact: false }).waitFor();
    await context.close();
  });
});

describe('Funnel model being prepared', () => {
  it('says the model is being prepared instead of figures, then shows them by itself once ready', async () => {
    const context = await newContext(browser, baseUrl, { width: 375, height: 800 });
    const page = await context.newPage();
    await loginThroughUi(page);
    // As a large workspace answers while its rollups are rebuilt after a journey change (the API test
    // covers when); the page must say so and ask again, then show the figures.
    let preparing = true;
    await page.route('**/api/v1/funnel/{model,projection}?**', async (route) => {
      if (!preparing) return route.continue();
      const body = { pipelineId: '00000000-0000-0000-0000-000000000000', period: { from: '2026-01-01', to: '2026-11-23', timeZone: 'Europe/Madrid' }, status: 'preparing', via: null, model: null, projection: null, sensitivity: [] };
      return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
    });
    await page.goto(`${baseUrl}/funnel`);
    const message = page.getByRole('status').filter({ hasText: 'El modelo se está preparando' });
    await message.waitFor();
    expect(await page.getByText('prospectos en el periodo', { exact: false }).count()).toBe(0);
    preparing = false;
    await page.getByText('prospectos en el periodo', { exact: false }).first().waitFor({ timeout: 15_000 });
    expect(await message.count()).toBe(0);
    await context.close();
  });
});
