import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { openAsAdmin, type Api } from './browser.js';

let browser: Browser;
let page: Page;
let api: Api;
let previousRules: unknown[] = [];
const baseUrl = inject('baseUrl');
const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

beforeAll(async () => {
  ({ api, browser, page } = await openAsAdmin(baseUrl));
  page.on('pageerror', (e) => console.error('PAGEERROR', e.message));
  previousRules = (await api.ok('GET', '/score/rules')).rules.map((r: Record<string, unknown>) => ({ id: r['id'], label: r['label'], weight: r['weight'], condition: r['condition'] }));
});
afterAll(async () => {
  // Leave the shared workspace's rules as the other journeys found them.
  await api?.ok('PUT', '/score/rules', { rules: previousRules });
  await browser?.close();
});

describe('the score', () => {
  it('is set up by an admin in settings, refused with a precise error, and explained on the board and the lead page', async () => {
    await page.goto('/settings/score');
    await page.getByRole('heading', { name: 'Puntuación', level: 2 }).first().waitFor();
    await page.getByRole('button', { name: 'Añadir regla' }).click();
    const rule = page.getByTestId('score-rule').last();
    await rule.getByLabel('Explicación').fill('sector objetivo e2e');
    await rule.getByLabel('Puntos').fill('veinte');
    await rule.getByLabel('Condición').selectOption('sector');
    await rule.getByLabel('Valores (separados por comas)').fill('Hostelería e2e');
    await page.getByRole('button', { name: 'Guardar reglas' }).click();
    // A non-numeric weight is refused at save time, next to the field.
    await rule.getByRole('alert').first().waitFor();
    await rule.getByLabel('Puntos').fill('60');
    await page.getByRole('button', { name: 'Guardar reglas' }).click();
    await page.getByText('Reglas guardadas.', { exact: false }).waitFor();
    expect((await api.ok('GET', '/score/rules')).rules.map((r: { label: string; weight: number }) => [r.label, r.weight])).toContainEqual(['sector objetivo e2e', 60]);

    const co = await api.ok('POST', '/companies', { name: 'Hotel Puntuado e2e', sector: 'Hostelería e2e' });
    const lead = await api.ok('POST', '/leads', { title: 'Camas hotel e2e', companyId: co.id, nextActionAt: inHours(30), nextActionType: 'call' });
    expect(lead.score).toBe(60);

    // The board sorts each column by score: this lead comes first in its column.
    await page.goto('/leads/board');
    await page.getByLabel('Ordenar').selectOption('score');
    const column = page.locator(`section[data-stage-id="${lead.stageId}"]`);
    await expect.poll(async () => column.locator('li.kcard').first().getAttribute('data-lead-id'), { timeout: 10_000 }).toBe(lead.id);
    // Its score opens its explanation from the keyboard, and Escape closes it.
    const badge = column.locator('li.kcard').first().getByRole('button', { name: 'Por qué: puntuación 60' });
    await badge.focus();
    await page.keyboard.press('Enter');
    await column.getByText('+60 sector objetivo e2e').waitFor();
    await page.keyboard.press('Escape');
    await column.getByText('+60 sector objetivo e2e').waitFor({ state: 'detached' });

    // The lead page shows the rule score, the measured probability (no model yet) and the salesperson's.
    await page.goto(`/leads/${lead.id}`);
    await page.getByTestId('rule-score').getByText('60').waitFor();
    await page.getByTestId('measured-probability').getByText('Sin modelo todavía').waitFor();
    await page.getByText('Probabilidad del comercial').waitFor();
  });
});
