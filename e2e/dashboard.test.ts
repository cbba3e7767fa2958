import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Api, ADMIN, launchBrowser, loginThroughUi, newContext, screenshot } from './browser.js';

let browser: Browser;
let api: Api;
const baseUrl = inject('baseUrl');
const demo = inject('demo');
// The numbers are computed on each request; on a busy two-core machine that can take seconds.
const slow = { timeout: 15_000 };

beforeAll(async () => {
  api = await new Api(baseUrl).asAdmin();
  browser = await launchBrowser();
});
afterAll(async () => { await browser?.close(); });

describe('Dashboard', () => {
  it('shows a card\'s value, follows the period picker, drills down to the leads behind a number, sets an objective, and shows a salesperson only their own numbers', async () => {
    // Other journeys share this workspace: a source of our own keeps these numbers ours.
    const source = await api.ok<{ id: string }>('POST', '/sources', { name: 'Feria del Mueble E2E', kind: 'fair' });
    const contact = await api.ok<{ id: string }>('POST', '/contacts', { firstName: 'Rosa', lastName: 'Panel Prieto' });
    const leads = [];
    for (const title of ['Cocina Panel', 'Armario Panel', 'Salón Panel', 'Baño Panel']) {
      leads.push(await api.ok<{ id: string }>('POST', '/leads', { title, contactId: contact.id, sourceId: source.id, amount: 1000 }));
    }
    const seller = { email: 'silvia.panel@garcia.es', password: 'una clave bastante larga' };
    const sellerUser = await api.ok<{ id: string }>('POST', '/users', { ...seller, name: 'Silvia Panel', role: 'sales' });
    await api.ok('POST', '/leads', { title: 'Comedor de Silvia', sourceId: source.id, ownerId: sellerUser.id, amount: 500 });
    // A sale that closes one lead: won.
    await api.ok('POST', '/sales', { contactId: contact.id, leadId: leads[0]!.id, lines: [{ description: 'Cocina', quantity: 1, unitPrice: 1200 }] });

    const context = await newContext(browser, baseUrl);
    const page = await context.newPage();
    await loginThroughUi(page);
    await page.getByRole('navigation', { name: 'Navegación principal' }).getByRole('link', { name: 'Panel', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Panel' }).waitFor();
    await page.getByLabel('Fuente', { exact: true }).selectOption(source.id);
    expect(page.url()).toContain(`sourceId=${source.id}`);

    const conversion = page.getByRole('region', { name: 'Conversión', exact: true });
    const value = conversion.locator('.dash-card__value');
    await expect.poll(() => value.innerText(), slow).toMatch(/^20\s%$/);

    // A past month has no leads: a zero denominator reads "—", never NaN.
    await page.getByLabel('Periodo', { exact: true }).selectOption('custom');
    await page.getByLabel('Desde', { exact: true }).fill('2020-01-01');
    await page.getByLabel('Hasta', { exact: true }).fill('2019-12-31');
    await page.getByText('La fecha final es anterior a la inicial.').waitFor();
    await page.getByLabel('Hasta', { exact: true }).fill('2020-01-31');
    await expect.poll(() => value.innerText(), slow).toBe('—');
    expect(page.url()).toContain('period=custom&from=2020-01-01&to=2020-01-31');
    expect(await conversion.innerText()).not.toContain('NaN');

    await page.getByLabel('Periodo', { exact: true }).selectOption('year');
    await expect.poll(() => value.innerText(), slow).toMatch(/^20\s%$/);

    // The number drills down to exactly the leads it counted.
    await conversion.getByRole('link', { name: 'Creados: 5' }).click();
    await page.getByRole('heading', { level: 1, name: 'Prospectos' }).waitFor();
    await expect.poll(() => page.getByTestId('records-count').innerText(), slow).toBe('5 registros');
    for (const title of ['Cocina Panel', 'Armario Panel', 'Salón Panel', 'Baño Panel', 'Comedor de Silvia']) await page.getByRole('link', { name: title }).waitFor();
    await page.getByRole('link', { name: /Volver al panel/ }).click();
    await expect.poll(() => value.innerText(), slow).toMatch(/^20\s%$/);

    // An objective for this year with its progress bar and pace mark.
    const objectives = page.getByRole('region', { name: 'Objetivos' });
    await objectives.getByRole('button', { name: 'Nuevo objetivo' }).click();
    const dialog = page.getByRole('dialog', { name: 'Nuevo objetivo' });
    await dialog.getByLabel('Nombre').fill('Ventas del año E2E');
    await dialog.getByLabel('Meta', { exact: true }).fill('10000');
    await dialog.getByLabel('Comercial', { exact: true }).selectOption({ label: ADMIN.name });
    await dialog.getByRole('button', { name: 'Guardar' }).click();
    await dialog.waitFor({ state: 'detached' });
    const meter = objectives.getByRole('meter', { name: /Ventas del año E2E/ });
    await meter.waitFor();
    expect(await meter.getAttribute('aria-valuetext')).toMatch(/de 10\.000,00\s€/);

    // Each table downloads as CSV with the dashboard's filters.
    const csv = await objectives.page().getByRole('link', { name: /«Conversión por fuente» como CSV/ }).getAttribute('href');
    expect(csv).toContain('/api/v1/metrics/conversion?');
    expect(csv).toContain(`sourceId=${source.id}`);
    expect(csv).toContain('format=csv');

    // The weekly statistics table comes only when it is opened, each row a link to its leads.
    const weekly = page.getByRole('region', { name: /^Estadística semanal/ });
    expect(await weekly.getByRole('table').count()).toBe(0);
    await weekly.getByText('Ver la tabla').click();
    await weekly.getByRole('table').waitFor(slow);
    await weekly.getByText(/^Filas \d+ de \d+\.$/).waitFor();
    expect(await weekly.getByRole('row').count()).toBeGreaterThan(1);
    expect(await weekly.getByRole('table').getByRole('link').first().getAttribute('href')).toContain(source.id);
    await context.close();

    // A salesperson sees their own numbers only, with no team or owner pickers and no objective editor.
    const own = await newContext(browser, baseUrl);
    const mine = await own.newPage();
    await loginThroughUi(mine, seller);
    await mine.goto(`/dashboard?sourceId=${source.id}`);
    await mine.getByText('Tus números').waitFor();
    const myConversion = mine.getByRole('region', { name: 'Conversión', exact: true });
    await expect.poll(() => myConversion.locator('.dash-card__value').innerText(), slow).toMatch(/^0\s%$/);
    expect(await myConversion.getByRole('link', { name: 'Creados: 1' }).count()).toBe(1);
    expect(await mine.getByLabel('Comercial', { exact: true }).count()).toBe(0);
    expect(await mine.getByRole('button', { name: 'Nuevo objetivo' }).count()).toBe(0);
    await own.close();
  });

  it('captures the dashboard on demo data at desktop width and at 375 px, where nothing is wider than the screen', async () => {
    const context = await newContext(browser, baseUrl, { width: 1440, height: 1500 });
    const page = await context.newPage();
    await loginThroughUi(page, { email: demo.email, password: demo.password });
    await page.goto('/dashboard?period=last90&unit=month');
    // The demo workspace's numbers take a while on a busy machine (PGlite serves one query at a time).
    await page.getByRole('region', { name: 'Conversión', exact: true }).locator('.dash-card__value').waitFor({ timeout: 30_000 });
    await page.locator('.dash-chart .recharts-bar-rectangle').first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'dashboard.png');

    await page.setViewportSize({ width: 375, height: 812 });
    const small = page;
    await small.locator('.dash-chart .recharts-bar-rectangle').first().waitFor();
    expect(await small.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    // More sections than fit in the bottom bar: it scrolls, and the last one can still be reached.
    const nav = small.getByRole('navigation', { name: 'Navegación principal' });
    await nav.getByRole('link', { name: 'Ajustes' }).scrollIntoViewIfNeeded();
    const settings = (await nav.getByRole('link', { name: 'Ajustes' }).boundingBox())!;
    expect(settings.x + settings.width).toBeLessThanOrEqual(376);
    await nav.getByRole('link', { name: 'Hoy' }).scrollIntoViewIfNeeded();
    // Cards stack and charts shrink to the screen.
    await small.getByRole('region', { name: 'Próximas acciones vencidas' }).scrollIntoViewIfNeeded();
    const chart = (await small.locator('.dash-chart').first().boundingBox())!;
    expect(chart.width).toBeLessThanOrEqual(375);
    await screenshot(small, 'dashboard-375.png');
    await context.close();
  });
});
