import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { lead, pipeline, sale, stage, team } from '../src/db/schema.js';
import { Client, PASSWORD, setupWorkspace, testApp, type TestApp, addLoggedInUser } from './harness.js';

let t: TestApp;
let admin: Client;
let workspaceId: string;
let otherTeamId: string;
// Luis and Marta sell in Pedro's team; Sara sells outside it.
let luis: { id: string; c: Client };
let marta: { id: string; c: Client };
let sara: { id: string; c: Client };
let pedro: { id: string; c: Client };

const db = () => t.deps.database.db;
const Q = 'from=2026-01-01&to=2026-03-31';

const addUser = (name: string, email: string, role: 'manager' | 'sales', teamId: string | null = null) =>
  addLoggedInUser(t, workspaceId, { name, email, role, teamId });

beforeAll(async () => {
  t = await testApp();
  t.setNow(new Date('2026-04-15T10:00:00Z'));
  ({ admin, workspaceId } = await setupWorkspace(t));
  const [tm] = await db().insert(team).values({ workspaceId, name: 'Norte' }).returning();
  const [other] = await db().insert(team).values({ workspaceId, name: 'Sur' }).returning();
  otherTeamId = other!.id;
  pedro = await addUser('Pedro Ruiz', 'pedro@garcia.es', 'manager');
  await db().update(team).set({ managerId: pedro.id }).where(eq(team.id, tm!.id));
  luis = await addUser('Luis Pérez', 'luis@garcia.es', 'sales', tm!.id);
  marta = await addUser('Marta Gil', 'marta@garcia.es', 'sales', tm!.id);
  sara = await addUser('Sara López', 'sara@garcia.es', 'sales', otherTeamId);

  const [pl] = await db().select().from(pipeline).where(eq(pipeline.workspaceId, workspaceId));
  const stages = await db().select().from(stage).where(eq(stage.workspaceId, workspaceId)).orderBy(stage.position);
  const won = stages.find((s) => s.kind === 'won')!;
  const cold = stages[0]!;
  const mk = (ownerId: string, status: 'open' | 'won', createdAt: string) => ({
    workspaceId, title: 'Sofá', pipelineId: pl!.id, stageId: status === 'won' ? won.id : cold.id, probability: 10, currency: 'EUR', ownerId, status,
    createdAt: new Date(createdAt), closedAt: status === 'won' ? new Date('2026-03-20T10:00:00Z') : null, amount: 1000,
  });
  // In Q1 2026: Luis 3 (1 won), Marta 2 (1 won), Sara 1; one of Luis's outside the period.
  await db().insert(lead).values([
    mk(luis.id, 'won', '2026-01-10T10:00:00Z'), mk(luis.id, 'open', '2026-02-10T10:00:00Z'), mk(luis.id, 'open', '2026-03-10T10:00:00Z'),
    mk(marta.id, 'won', '2026-01-15T10:00:00Z'), mk(marta.id, 'open', '2026-02-15T10:00:00Z'),
    mk(sara.id, 'open', '2026-02-20T10:00:00Z'), mk(luis.id, 'open', '2025-12-10T10:00:00Z'),
  ]);
  const c = await admin.post('/api/v1/contacts', { firstName: 'Carmen', lastName: '=Ruiz' });
  await db().insert(sale).values([
    { workspaceId, contactId: c.body.id, ownerId: luis.id, soldAt: new Date('2026-02-01T10:00:00Z'), total: 300, currency: 'EUR' },
    { workspaceId, contactId: c.body.id, ownerId: marta.id, soldAt: new Date('2026-03-01T10:00:00Z'), total: 200.5, currency: 'EUR' },
  ]);
});
afterAll(async () => { await t.close(); });

describe('GET /api/v1/dashboard', () => {
  it('answers every card for the period, for an admin over the whole workspace', async () => {
    const r = await admin.get(`/api/v1/dashboard?${Q}&unit=month`);
    expect(r.status).toBe(200);
    expect(r.body.period).toEqual({ from: '2026-01-01', to: '2026-03-31', timeZone: 'Europe/Madrid', unit: 'month' });
    expect(r.body.ownerIds).toBeNull();
    expect(Object.keys(r.body.cards)).toEqual(expect.arrayContaining(['conversion', 'stageConversion', 'costPerLead', 'salesByClientType', 'frequency', 'nps', 'complaints', 'portfolio', 'pipeline', 'winRate', 'interactions', 'overdueNextActions', 'cadenceMisses', 'weeklyNewLeads']));
    expect(r.body.cards.conversion.value.total).toEqual({ key: 'all', created: 6, won: 2, rate: 2 / 6 });
    expect(r.body.cards.conversion.value.byPeriod.map((x: { key: string; created: number }) => [x.key, x.created])).toEqual([['2026-01-01', 2], ['2026-02-01', 3], ['2026-03-01', 1]]);
    expect(r.body.cards.salesByClientType.value.newClients).toEqual({ clients: 1, count: 2, amount: 500.5 });
    expect(r.body.cards.winRate.value).toMatchObject({ won: 2, lost: 0, winRate: 1 });
  });

  it('shows "—" (null), never NaN, where there is nothing to divide', async () => {
    const r = await admin.get('/api/v1/dashboard?from=2030-01-01&to=2030-01-01');
    expect(r.status).toBe(200);
    const c = r.body.cards;
    expect(c.conversion.value.total.rate).toBeNull();
    expect(c.portfolio.value.averageBasket).toBeNull();
    expect(c.nps.value.nps).toBeNull();
    expect(c.costPerLead.value.total.cpl).toBeNull();
    expect(JSON.stringify(r.body)).not.toMatch(/NaN|Infinity/);
  });

  it('gives each number a drill-down that lists exactly the records behind it', async () => {
    const r = await admin.get(`/api/v1/dashboard?${Q}`);
    const dd = r.body.cards.conversion.drillDown;
    const created = await admin.get(`${dd.created}&limit=500`);
    expect(created.status).toBe(200);
    expect(created.body.data).toHaveLength(6);
    const won = await admin.get(dd.won);
    expect(won.body.data).toHaveLength(2);
    const bySale = await admin.get(r.body.cards.portfolio.drillDown.sales);
    expect(bySale.status).toBe(200);
    expect(bySale.body.data).toHaveLength(2);
  });

  it('refuses a reversed range naming `to`, and a malformed or missing day naming `from`', async () => {
    const reversed = await admin.get('/api/v1/dashboard?from=2026-03-01&to=2026-01-01');
    expect(reversed.status).toBe(422);
    expect(reversed.body.errors ?? reversed.body.fields).toEqual([expect.objectContaining({ field: 'to', code: 'before_from' })]);
    const malformed = await admin.get('/api/v1/dashboard?from=2026-13-01&to=2026-01-01');
    expect(malformed.status).toBe(422);
    expect(JSON.stringify(malformed.body)).toContain('"field":"from"');
    const missing = await admin.get('/api/v1/dashboard?to=2026-01-01');
    expect(missing.status).toBe(422);
    expect(JSON.stringify(missing.body)).toContain('"field":"from"');
  });

  it('shows a sales user their own numbers only, and refuses someone else\'s', async () => {
    const r = await luis.c.get(`/api/v1/dashboard?${Q}`);
    expect(r.body.ownerIds).toEqual([luis.id]);
    expect(r.body.cards.conversion.value.total).toMatchObject({ created: 3, won: 1 });
    expect((await luis.c.get(`/api/v1/dashboard?${Q}&ownerId=${sara.id}`)).status).toBe(403);
  });

  it('shows a manager their team, one member on request, and refuses another team', async () => {
    const team = await pedro.c.get(`/api/v1/dashboard?${Q}`);
    expect(team.body.cards.conversion.value.total).toMatchObject({ created: 5, won: 2 });
    const one = await pedro.c.get(`/api/v1/dashboard?${Q}&ownerId=${marta.id}`);
    expect(one.body.cards.conversion.value.total).toMatchObject({ created: 2, won: 1 });
    expect((await pedro.c.get(`/api/v1/dashboard?${Q}&teamId=${otherTeamId}`)).status).toBe(403);
    expect((await pedro.c.get(`/api/v1/dashboard?${Q}&ownerId=${sara.id}`)).status).toBe(403);
    const admins = await admin.get(`/api/v1/dashboard?${Q}&teamId=${otherTeamId}`);
    expect(admins.body.cards.conversion.value.total).toMatchObject({ created: 1, won: 0 });
  });
});

describe('GET /api/v1/metrics/{name}', () => {
  it('answers one metric with its drill-down', async () => {
    const r = await admin.get(`/api/v1/metrics/conversion?${Q}`);
    expect(r.status).toBe(200);
    expect(r.body.name).toBe('conversion');
    expect(r.body.value.total.created).toBe(6);
    expect(r.body.drillDown.won).toContain('status=won');
  });

  it('drills the win rate and the sales cycle down to the leads closed in the period only', async () => {
    // Both won leads closed on 20 March; a won lead closed outside the period must not be listed.
    const r = await admin.get(`/api/v1/metrics/winRate?from=2026-03-01&to=2026-03-31`);
    expect(r.body.value).toMatchObject({ won: 2, lost: 0 });
    const listed = await admin.get(r.body.drillDown.won);
    expect(listed.status).toBe(200);
    expect(listed.body.data).toHaveLength(2);
    expect(r.body.drillDown.cycle).toBe(r.body.drillDown.won);
    const before = await admin.get((await admin.get(`/api/v1/metrics/winRate?from=2026-01-01&to=2026-02-28`)).body.drillDown.won);
    expect(before.body.data).toHaveLength(0);
  });

  it('downloads the breakdown a table shows (conversion by owner), and refuses one the metric has not', async () => {
    const res = await t.app.request(`/api/v1/metrics/conversion?${Q}&format=csv&table=byOwner`, { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('conversion-byOwner-2026-01-01-2026-03-31.csv');
    const text = await res.text();
    expect(text).toContain(luis.id);
    expect(text).toContain(marta.id);
    const bad = await admin.get(`/api/v1/metrics/nps?${Q}&format=csv&table=byOwner`);
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toMatchObject({ field: 'table', code: 'not_a_table' });
  });

  it('refuses an unknown metric', async () => {
    expect((await admin.get(`/api/v1/metrics/happiness?${Q}`)).status).toBe(422);
  });

  it('downloads a table as CSV a spreadsheet opens: UTF-8 BOM, header row, one line per client', async () => {
    const res = await t.app.request(`/api/v1/metrics/portfolio?${Q}&format=csv`, { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toContain('portfolio-2026-01-01-2026-03-31.csv');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    expect(text.split('\r\n')[0]).toBe('clientKey,amount,count,name');
    expect(text.split('\r\n')[1]).toMatch(/^contact:[0-9a-f-]{36},500\.5,2,Carmen =Ruiz$/);
  });

  it('downloads a table as XLSX with the same rows', async () => {
    const res = await t.app.request(`/api/v1/metrics/conversion?${Q}&format=xlsx`, { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const sheet = wb.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([undefined, 'key', 'created', 'won', 'rate']);
    expect(sheet.getRow(2).getCell(2).value).toBe(6);
  });

  it('is listed in the OpenAPI document', async () => {
    const doc = await admin.get('/api/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/dashboard', '/metrics/{name}']));
  });
});

describe('segment filter', () => {
  let segmentId = '';
  it('restricts every number to the records of the segment\'s contacts, and refuses an unknown segment', async () => {
    const [pl] = await db().select().from(pipeline).where(eq(pipeline.workspaceId, workspaceId));
    const stages = await db().select().from(stage).where(eq(stage.workspaceId, workspaceId)).orderBy(stage.position);
    const dolores = await admin.post('/api/v1/contacts', { firstName: 'Dolores', lastName: 'Soler' });
    await db().insert(lead).values({ workspaceId, title: 'Mesa', pipelineId: pl!.id, stageId: stages.find((s) => s.kind === 'won')!.id, probability: 100, currency: 'EUR',
      ownerId: luis.id, status: 'won', createdAt: new Date('2026-02-05T10:00:00Z'), closedAt: new Date('2026-02-20T10:00:00Z'), amount: 700, contactId: dolores.body.id });
    await db().insert(sale).values({ workspaceId, contactId: dolores.body.id, ownerId: luis.id, soldAt: new Date('2026-02-02T10:00:00Z'), total: 500, currency: 'EUR' });
    const seg = await admin.post('/api/v1/segments', { name: 'Dolores', definition: { type: 'group', combinator: 'and', children: [{ type: 'condition', field: 'contact.firstName', operator: 'eq', value: 'Dolores' }] } });
    expect(seg.status).toBe(201);
    segmentId = seg.body.id;

    const all = (await admin.get(`/api/v1/dashboard?${Q}`)).body.cards;
    const r = await admin.get(`/api/v1/dashboard?${Q}&segmentId=${seg.body.id}`);
    expect(r.status).toBe(200);
    expect(r.body.segmentId).toBe(seg.body.id);
    const cards = r.body.cards;
    expect(all.conversion.value.total.created).toBe(7);
    expect(cards.conversion.value.total).toMatchObject({ created: 1, won: 1 });
    expect(cards.winRate.value).toMatchObject({ won: 1, lost: 0 });
    expect(cards.portfolio.value).toMatchObject({ salesCount: 1, salesAmount: 500, buyingClients: 1 });
    expect(cards.salesByClientType.value.newClients).toEqual({ clients: 1, count: 1, amount: 500 });
    expect(cards.weeklyNewLeads.value.byWeek).toEqual([expect.objectContaining({ count: 1 })]);
    expect(cards.pipeline.value.total.count).toBe(0);

    const missing = await admin.get(`/api/v1/dashboard?${Q}&segmentId=00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0]).toMatchObject({ field: 'segmentId' });
  });

  it('gives an objective with a segment progress from that segment only', async () => {
    const mk = async (segmentId: string | null) => (await admin.post('/api/v1/objectives', {
      name: 'Ventas', userId: luis.id, metric: 'sales_amount', periodStart: '2026-01-01', periodEnd: '2026-03-31', target: 1000, ...(segmentId ? { segmentId } : {}),
    })).body;
    const plain = await mk(null);
    const segmented = await mk(segmentId);
    expect(segmented.segmentId).toBe(segmentId);
    expect((await admin.get(`/api/v1/objectives/${plain.id}/progress`)).body.actual).toBe(800);
    expect((await admin.get(`/api/v1/objectives/${segmented.id}/progress`)).body.actual).toBe(500);
    const bad = await admin.post('/api/v1/objectives', { name: 'X', userId: luis.id, metric: 'sales_count', periodStart: '2026-01-01', periodEnd: '2026-03-31', target: 1, segmentId: '00000000-0000-4000-8000-000000000000' });
    expect(bad.status).toBe(404);
  });
});

describe('PATCH /api/v1/workspace time zone', () => {
  it('refuses an unknown time zone naming the field, and keeps the stored one', async () => {
    const r = await admin.patch('/api/v1/workspace', { timeZone: 'Europe/Atlantis' });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'timeZone', code: 'invalid_time_zone' })]);
    expect((await admin.get('/api/v1/workspace')).body.timeZone).toBe('Europe/Madrid');
  });

  it('accepts a known zone', async () => {
    const r = await admin.patch('/api/v1/workspace', { timeZone: 'Atlantic/Canary' });
    expect(r.status).toBe(200);
    expect(r.body.timeZone).toBe('Atlantic/Canary');
    expect((await admin.patch('/api/v1/workspace', { timeZone: 'Europe/Madrid' })).status).toBe(200);
  });
});
