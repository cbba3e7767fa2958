import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Config } from '../src/config.js';
import type { Database } from '../src/db/client.js';
import { jobHandler } from '../src/jobs/registry.js';
import { WEEKLY_SUMMARY_KIND, WEEKLY_SUMMARY_PLAN_KIND } from '../src/jobs/weekly-summary.js';
import { createScheduler } from '../src/jobs/scheduler.js';
import { sendWeeklySummary } from '../src/mail/weekly-summary.js';
import { setupWorkspace, testApp, type Client, type TestApp } from './harness.js';
import { startSmtpServer, type TestSmtpServer } from './smtp-server.js';

// Monday 23 November 2026, 08:05 in Madrid (UTC+1): the summary of 16–22 November goes out.
const MONDAY = '2026-11-23';
const NOW = new Date('2026-11-23T07:05:00Z');

let t: TestApp;
let db: Database;
let smtp: TestSmtpServer;
let smtpConfig: Config['smtp'];
let ws: string;
let adminId: string;
let admin: Client;
const u = { marta: randomUUID(), luis: randomUUID(), pedro: randomUUID(), sara: randomUUID() };
let sources: { id: string; name: string }[];

async function insert(table: string, rows: Record<string, unknown>[]) {
  const cols = Object.keys(rows[0]!);
  const values: unknown[] = [];
  const tuples = rows.map((r) => `(${cols.map((c) => { values.push(r[c] ?? null); return `$${values.length}`; }).join(', ')})`);
  await db.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${tuples.join(', ')}`, values);
}

const send = (userId: string, now = NOW) => sendWeeklySummary(t.deps, { workspaceId: ws, userId, monday: MONDAY, jobId: `weekly-summary:${MONDAY}:${userId}`, now });
const mailTo = (email: string) => smtp.messages.filter((m) => m.to[0] === email);
const en = { money: new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' }) };

beforeAll(async () => {
  t = await testApp();
  t.setNow(NOW);
  db = t.deps.database;
  smtp = await startSmtpServer();
  smtpConfig = { host: '127.0.0.1', port: smtp.port, secure: false, user: undefined, password: undefined, from: 'Seguimiento <crm@garcia.es>' };
  t.deps.config = { ...t.deps.config, smtp: smtpConfig, publicUrl: 'https://crm.garcia.es' };
  const w = await setupWorkspace(t);
  ws = w.workspaceId;
  adminId = w.adminId;
  admin = w.admin;
  await db.query(`UPDATE workspace SET time_zone = 'Europe/Madrid', locale = 'es', currency = 'EUR' WHERE id = $1`, [ws]);
  const north = randomUUID();
  const south = randomUUID();
  await insert('team', [{ workspace_id: ws, id: north, name: 'Norte' }, { workspace_id: ws, id: south, name: 'Sur' }]);
  await insert('app_user', [
    { workspace_id: ws, id: u.marta, email: 'marta@garcia.es', name: 'Marta Gil', role: 'manager', locale: 'en', team_id: north },
    { workspace_id: ws, id: u.luis, email: 'luis@garcia.es', name: 'Luis Ortega', role: 'sales', locale: 'es', team_id: north },
    { workspace_id: ws, id: u.pedro, email: 'pedro@garcia.es', name: 'Pedro Ruiz <b>', role: 'sales', locale: null, team_id: north },
    { workspace_id: ws, id: u.sara, email: 'sara@garcia.es', name: 'Sara Vidal', role: 'sales', locale: null, team_id: south },
  ]);
  await db.query('UPDATE team SET manager_id = $2 WHERE workspace_id = $1 AND id = $3', [ws, u.marta, north]);
  sources = await db.query('SELECT id, name FROM source WHERE workspace_id = $1 ORDER BY name LIMIT 2', [ws]);
  const a = sources[0]!;
  const b = sources[1]!;
  const stages = await db.query<{ id: string; kind: string; pipelineId: string }>(
    `SELECT s.id, s.kind, s.pipeline_id AS "pipelineId" FROM stage s JOIN pipeline p ON p.workspace_id = s.workspace_id AND p.id = s.pipeline_id
      WHERE s.workspace_id = $1 AND p.is_default ORDER BY s.position`, [ws]);
  const stageOf = (kind: string) => stages.find((s) => s.kind === kind)!;
  const lead = (owner: string, source: string, createdAt: string, o: { status?: 'won' | 'lost'; closedAt?: string; nextActionAt?: string } = {}) => ({
    workspace_id: ws, title: 'Cocina', pipeline_id: stageOf('open').pipelineId, stage_id: stageOf(o.status ?? 'open').id, probability: 50, amount: 1000,
    currency: 'EUR', owner_id: owner, source_id: source, created_at: new Date(createdAt), status: o.status ?? 'open',
    closed_at: o.closedAt ? new Date(o.closedAt) : null, next_action_at: o.nextActionAt ? new Date(o.nextActionAt) : null, next_action_type: o.nextActionAt ? 'call' : null,
  });
  await insert('lead', [
    lead(u.luis, a.id, '2026-11-16T09:00:00Z', { nextActionAt: '2026-11-20T09:00:00Z' }),
    lead(u.luis, a.id, '2026-11-17T09:00:00Z', { status: 'won', closedAt: '2026-11-19T09:00:00Z' }),
    lead(u.luis, b.id, '2026-11-22T22:30:00Z', { nextActionAt: '2026-11-22T09:00:00Z' }), // 23:30 Sunday in Madrid: in the week
    lead(u.pedro, a.id, '2026-11-18T09:00:00Z', { status: 'lost', closedAt: '2026-11-21T09:00:00Z' }),
    lead(u.pedro, b.id, '2026-11-10T09:00:00Z', { nextActionAt: '2026-11-21T09:00:00Z' }), // created the week before
    lead(u.luis, b.id, '2026-11-09T09:00:00Z', { status: 'won', closedAt: '2026-11-18T09:00:00Z' }),
    lead(u.sara, b.id, '2026-11-19T09:00:00Z', { nextActionAt: '2026-11-22T09:00:00Z' }),
    lead(u.sara, b.id, '2026-11-22T23:30:00Z'), // 00:30 Monday in Madrid: next week
  ]);
  await insert('sale', [
    { workspace_id: ws, owner_id: u.luis, company_id: null, contact_id: await contactId(), sold_at: new Date('2026-11-17T10:00:00Z'), total: 1000, currency: 'EUR' },
    { workspace_id: ws, owner_id: u.luis, company_id: null, contact_id: await contactId(), sold_at: new Date('2026-11-20T10:00:00Z'), total: 500.5, currency: 'EUR' },
    { workspace_id: ws, owner_id: u.luis, company_id: null, contact_id: await contactId(), sold_at: new Date('2026-11-10T10:00:00Z'), total: 200, currency: 'EUR' },
    { workspace_id: ws, owner_id: u.sara, company_id: null, contact_id: await contactId(), sold_at: new Date('2026-11-18T10:00:00Z'), total: 999, currency: 'EUR' },
  ]);
  await insert('feedback', [10, 9, 3, 10].map((nps, i) => ({
    workspace_id: ws, user_id: [u.luis, u.luis, u.pedro, u.sara][i], nps, channel: 'phone', answered_at: new Date('2026-11-19T10:00:00Z'),
  })));
  await insert('objective', [{ workspace_id: ws, name: 'Ventas Norte noviembre', team_id: north, metric: 'sales_amount', period_start: '2026-11-01', period_end: '2026-11-30', target: 10000 }]);
});
afterAll(async () => {
  await smtp?.close();
  await t?.close();
});

async function contactId(): Promise<string> {
  const id = randomUUID();
  await insert('contact', [{ workspace_id: ws, id, first_name: 'Cliente' }]);
  return id;
}

describe('weekly summary email', () => {
  it('gives a manager their team\'s week in their language: sales against the objective with pace, new leads by source, conversion, NPS, overdue per salesperson, links', async () => {
    expect(await send(u.marta)).toBe('sent');
    const [m] = mailTo('marta@garcia.es');
    expect(m!.subject).toBe(`Weekly summary 16 Nov – 22 Nov: 2 sales, ${en.money.format(1500.5)}`);
    expect(m!.headers['auto-submitted']).toBe('auto-generated');
    const text = m!.text;
    expect(text).toContain(`2 sales for ${en.money.format(1500.5)}`);
    // The objective runs over November: the team's 1,700.50 so far against 10,000, with 22 of 30 days gone.
    expect(text).toContain(`Behind · Ventas Norte noviembre: ${en.money.format(1700.5)} of ${en.money.format(10000)} (17%); a steady pace would be at ${en.money.format(7333.33)}`);
    expect(text).toContain('NEW LEADS BY SOURCE (4)');
    expect(text).toContain(`${sources[0]!.name}: 3`);
    expect(text).toContain(`${sources[1]!.name}: 1`);
    expect(text).toContain('Of 4 new leads, 1 already won (25%).');
    expect(text).toContain('Closed this week: 2 won and 1 lost (win rate 66.7%).');
    expect(text).toContain('NPS 33.3 from 3 answers.');
    expect(text).toContain('OVERDUE NEXT ACTIONS PER SALESPERSON (3)');
    expect(text.indexOf('Luis Ortega: 2')).toBeLessThan(text.indexOf('Pedro Ruiz <b>: 1'));
    expect(text).not.toContain('Sara Vidal');
    expect(text).toContain('https://crm.garcia.es/dashboard?from=2026-11-16&to=2026-11-22');
    expect(m!.html).toContain('Pedro Ruiz &lt;b&gt;: 1');
    expect(m!.html).not.toContain('<b>');
    expect(m!.html).toContain('href="https://crm.garcia.es/dashboard?from=2026-11-16&amp;to=2026-11-22"');
  });

  it('gives an admin the whole workspace, in the workspace language', async () => {
    expect(await send(adminId)).toBe('sent');
    const [m] = mailTo('ana@garcia.es');
    const es = new Intl.NumberFormat('es-ES', { style: 'currency', currency: 'EUR' });
    expect(m!.subject).toBe(`Resumen semanal 16 nov – 22 nov: 3 ventas, ${es.format(2499.5)}`);
    expect(m!.text).toContain(`De 5 prospectos nuevos, 1 ya ganados (${new Intl.NumberFormat('es-ES', { style: 'percent' }).format(0.2)}).`);
    expect(m!.text).toContain('NPS 50 con 4 respuestas.');
    expect(m!.text).toContain('Sara Vidal: 1');
    expect(m!.text).toContain('Así fue la semana en Muebles García');
  });

  it('is not sent to a salesperson, late on Monday evening, or on Tuesday', async () => {
    const before = smtp.messages.length;
    expect(await send(u.luis)).toBe('not_a_manager');
    expect(await send(u.marta, new Date('2026-11-23T19:30:00Z'))).toBe('too_late');
    expect(await send(u.marta, new Date('2026-11-24T07:05:00Z'))).toBe('too_late');
    expect(smtp.messages.length).toBe(before);
  });

  it('is planned for Monday 08:00 local and sent once to each manager and admin, however many instances tick', async () => {
    smtp.messages.length = 0;
    let clock = new Date('2026-11-23T06:30:00Z'); // 07:30 in Madrid: planned, not yet due
    const a = createScheduler(t.deps, { now: () => clock });
    const b = createScheduler(t.deps, { now: () => clock });
    await Promise.all([a.tick(), b.tick()]);
    expect(smtp.messages).toHaveLength(0);
    const queued = await db.query<{ id: string; runAt: Date }>(`SELECT id, run_at AS "runAt" FROM job WHERE workspace_id = $1 AND kind = $2 ORDER BY id`, [ws, WEEKLY_SUMMARY_KIND]);
    expect(queued.map((j) => j.id)).toEqual([adminId, u.marta].map((id) => `weekly-summary:${MONDAY}:${id}`).sort());
    expect(queued.every((j) => new Date(j.runAt).toISOString() === '2026-11-23T07:00:00.000Z')).toBe(true);

    clock = new Date('2026-11-23T07:01:00Z');
    await Promise.all([a.tick(), b.tick()]);
    await Promise.all([a.tick(), b.tick()]);
    expect(smtp.messages.map((m) => m.to[0]).sort()).toEqual(['ana@garcia.es', 'marta@garcia.es']);
    expect(jobHandler(WEEKLY_SUMMARY_PLAN_KIND)).toBeDefined();
  });

  it('carries a one-click unsubscribe link (RFC 8058) that turns it off without logging in; a forged link does nothing', async () => {
    smtp.messages.length = 0;
    expect(await send(u.marta)).toBe('sent');
    const mail = mailTo('marta@garcia.es')[0]!;
    const link = /^<(https:\/\/crm\.garcia\.es\/mail\/unsubscribe\/[^>]+)>$/.exec(mail.headers['list-unsubscribe'] ?? '')?.[1];
    expect(link).toBeDefined();
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(mail.text).toContain(link!);
    const path = new URL(link!).pathname;

    // A GET (a link scanner, a preview) only asks.
    const page = await t.app.request(path);
    expect(page.status).toBe(200);
    const asked = await page.text();
    expect(asked).toContain('<form method="post">');
    expect(asked).toMatch(/¿Dejar de recibir el resumen semanal de .+ en .+\?|Stop getting the weekly summary of .+ at .+\?/);
    expect(await send(u.marta)).toBe('sent');

    const forged = await t.app.request(`${path.slice(0, -2)}AA`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(forged.status).toBe(404);
    expect(await forged.text()).toContain('Este enlace no es válido.');
    expect(await send(u.marta)).toBe('sent');

    // What a mail client's one-click sends (RFC 8058 §3.2); a second click changes nothing.
    for (let i = 0; i < 2; i++) {
      const r = await t.app.request(path, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(r.status).toBe(200);
      expect(await r.text()).toMatch(/ya no recibirás el resumen semanal|no longer get the weekly summary/);
    }
    expect(await send(u.marta)).toBe('opted_out');
    const audit = await db.query<{ action: string; changes: Record<string, unknown> }>(
      `SELECT action, changes FROM audit_event WHERE workspace_id = $1 AND entity_id = $2 AND action LIKE 'weekly_summary_%'`, [ws, u.marta]);
    expect(audit).toEqual([{ action: 'weekly_summary_opt_out', changes: { _meta: { via: 'email' } } }]);

    // The next Monday's plan queues no job for her.
    const plan = jobHandler(WEEKLY_SUMMARY_PLAN_KIND)!;
    await db.query('DELETE FROM job WHERE workspace_id = $1 AND kind = $2', [ws, WEEKLY_SUMMARY_KIND]);
    await plan({ deps: t.deps, workspaceId: ws, jobId: 'weekly-summary-plan:2026-11-30', payload: { monday: '2026-11-30' }, now: NOW } as never);
    const queued = await db.query<{ id: string }>(`SELECT id FROM job WHERE workspace_id = $1 AND kind = $2`, [ws, WEEKLY_SUMMARY_KIND]);
    expect(queued.map((j) => j.id)).toEqual([`weekly-summary:2026-11-30:${adminId}`]);
  });

  it('is turned off and back on by the manager or admin from their settings', async () => {
    expect((await admin.get('/api/v1/weekly-summary/subscription')).body).toEqual({ subscribed: true, eligible: true });
    const off = await admin.req('PUT', '/api/v1/weekly-summary/subscription', { subscribed: false });
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ subscribed: false, eligible: true });
    expect(await send(adminId)).toBe('opted_out');
    expect((await admin.req('PUT', '/api/v1/weekly-summary/subscription', { subscribed: true })).body.subscribed).toBe(true);
    smtp.messages.length = 0;
    expect(await send(adminId)).toBe('sent');
    expect((await admin.req('PUT', '/api/v1/weekly-summary/subscription', { subscribed: 'no' })).status).toBe(422);
  });
});
