import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Database } from '../src/db/client.js';
import { parsePeriod, type MetricPeriod, type PeriodUnit } from '../src/domain/metrics/period.js';
import { conversion, stageConversion, type LeadFact, type StageDef } from '../src/domain/metrics/conversion.js';
import { costPerLead, type CampaignFact } from '../src/domain/metrics/cpl.js';
import { clientKeyOf, frequencyAndIntensity, salesByClientType, type SaleFact } from '../src/domain/metrics/sales.js';
import { complaints, nps, type ComplaintFact, type FeedbackFact } from '../src/domain/metrics/satisfaction.js';
import { pipeline, portfolio, winRate, type ContactFact } from '../src/domain/metrics/portfolio.js';
import { cadenceMisses, interactions, overdueNextActions, type ActivityFact } from '../src/domain/metrics/activity.js';
import { weeklyBySource, weeklyNewLeads, type NewLeadFact } from '../src/domain/metrics/weekly.js';
import type { MetricFilter } from '../src/db/queries/metrics/filter.js';
import { conversionSql, defaultPipelineId, overdueNextActionsSql, pipelineSql, stageConversionSql, weeklyNewLeadsBySourceSql, weeklyNewLeadsSql, winRateSql } from '../src/db/queries/metrics/leads.js';
import { costPerLeadSql } from '../src/db/queries/metrics/cpl.js';
import { frequencySql, portfolioSql, salesByClientTypeSql } from '../src/db/queries/metrics/sales.js';
import { complaintsSql, npsSql } from '../src/db/queries/metrics/post-sale.js';
import { cadenceMissesSql, interactionsSql } from '../src/db/queries/metrics/activity.js';
import { setupWorkspace, testApp, type TestApp } from './harness.js';

// The same metric computed by the pure domain function over rows read back, and by SQL, must agree
// on varied data (random but seeded, so a failure reproduces), for several periods and filters.

let t: TestApp;
let db: Database;
let ws: string;
let users: string[];
let sources: string[];
let pipelineId: string;
const tz = 'Europe/Madrid';
const now = new Date('2026-05-20T10:00:00Z');

let seed = 42;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const maybe = <T>(v: T, p = 0.5): T | null => (rnd() < p ? v : null);
const dateBetween = (a: string, b: string) => new Date(Date.parse(a) + rnd() * (Date.parse(b) - Date.parse(a)));
const day = (d: Date) => d.toISOString().slice(0, 10);

// One multi-row INSERT per table keeps the seed fast on both engines.
async function insert(table: string, rows: Record<string, unknown>[]) {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]!);
  const values: unknown[] = [];
  const tuples = rows.map((r) => `(${cols.map((c) => { values.push(r[c] ?? null); return `$${values.length}`; }).join(', ')})`);
  await db.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${tuples.join(', ')}`, values);
}

beforeAll(async () => {
  t = await testApp();
  db = t.deps.database;
  const w = await setupWorkspace(t);
  ws = w.workspaceId;
  users = [w.adminId, randomUUID(), randomUUID()];
  await insert('app_user', users.slice(1).map((id, i) => ({ workspace_id: ws, id, email: `u${i}@garcia.es`, name: `U${i}`, role: 'sales' })));
  sources = (await db.query<{ id: string }>('SELECT id FROM source WHERE workspace_id = $1 ORDER BY name', [ws])).map((r) => r.id).slice(0, 4);
  pipelineId = (await defaultPipelineId(db, ws))!;
  const stages = await db.query<{ id: string; kind: string; position: number }>('SELECT id, kind, position FROM stage WHERE workspace_id = $1 AND pipeline_id = $2 ORDER BY position', [ws, pipelineId]);
  const open = stages.filter((s) => s.kind === 'open');
  const won = stages.find((s) => s.kind === 'won')!;
  const lost = stages.find((s) => s.kind === 'lost')!;

  const campaigns = [
    { id: randomUUID(), workspace_id: ws, name: 'Feria', source_id: sources[0], starts_on: '2026-02-20', ends_on: '2026-03-10', cost: 1900 },
    { id: randomUUID(), workspace_id: ws, name: 'Sin fechas', source_id: sources[1], starts_on: null, ends_on: null, cost: 333.33, created_at: new Date('2026-03-31T22:30:00Z') },
    { id: randomUUID(), workspace_id: ws, name: 'Sin coste', source_id: sources[2], starts_on: '2026-01-01', ends_on: '2026-12-31', cost: 0 },
    { id: randomUUID(), workspace_id: ws, name: 'Sin fuente', source_id: null, starts_on: '2025-12-01', ends_on: '2026-05-31', cost: 1234.56 },
    { id: randomUUID(), workspace_id: ws, name: 'Un día', source_id: sources[0], starts_on: '2026-04-10', ends_on: null, cost: 77.7 },
  ];
  await insert('campaign', campaigns);
  const companies = Array.from({ length: 6 }, (_, i) => ({ id: randomUUID(), workspace_id: ws, name: `Empresa ${i}`, neighbourhood: maybe(pick(['Centro', 'Norte'])), city: maybe(pick(['Madrid', 'Sevilla']), 0.8) }));
  await insert('company', companies);
  const contacts = Array.from({ length: 40 }, (_, i) => ({
    id: randomUUID(), workspace_id: ws, first_name: `Cliente${i}`, lifecycle: pick(['prospect', 'client', 'former']), status: rnd() < 0.1 ? 'cancelled' : 'active',
    owner_id: maybe(pick(users), 0.9), company_id: maybe(pick(companies).id, 0.3), neighbourhood: maybe(pick(['Chamberí', 'Triana', 'Salamanca']), 0.6), city: maybe(pick(['Madrid', 'Sevilla']), 0.6),
  }));
  await insert('contact', contacts);
  const products = Array.from({ length: 3 }, (_, i) => ({ id: randomUUID(), workspace_id: ws, name: `Producto ${i}` }));
  await insert('product', products);

  const leadRows: Record<string, unknown>[] = [];
  const historyRows: Record<string, unknown>[] = [];
  for (let i = 0; i < 220; i++) {
    const createdAt = dateBetween('2025-11-01T00:00:00Z', '2026-07-01T00:00:00Z');
    const status = pick(['open', 'open', 'won', 'lost', 'cancelled'] as const);
    const path = open.slice(0, 1 + Math.floor(rnd() * open.length)).filter(() => rnd() < 0.8);
    const final = status === 'won' ? won : status === 'lost' ? lost : pick(open);
    const closedAt = status === 'won' || status === 'lost' ? new Date(createdAt.getTime() + rnd() * 90 * 86_400_000) : null;
    const id = randomUUID();
    leadRows.push({
      id, workspace_id: ws, title: `Lead ${i}`, pipeline_id: pipelineId, stage_id: final.id, probability: Math.floor(rnd() * 101),
      amount: Math.round(rnd() * 500000) / 100, currency: 'EUR', status, closed_at: closedAt, created_at: createdAt,
      owner_id: maybe(pick(users), 0.9), source_id: maybe(pick(sources), 0.85), campaign_id: maybe(pick(campaigns).id, 0.4),
      contact_id: maybe(pick(contacts).id, 0.7), company_id: maybe(pick(companies).id, 0.3),
      product_ids: products.filter(() => rnd() < 0.35).map((p) => p.id), expected_close_date: maybe(day(dateBetween('2026-03-01T00:00:00Z', '2026-12-31T00:00:00Z')), 0.7),
      next_action_at: status === 'open' ? maybe(dateBetween('2026-04-01T00:00:00Z', '2026-07-01T00:00:00Z'), 0.9) : null,
      cancel_reason: status === 'cancelled' ? 'duplicado' : null, cancelled_at: status === 'cancelled' ? createdAt : null,
    });
    historyRows.push(...[...path, final].map((s, k) => ({ id: randomUUID(), workspace_id: ws, lead_id: id, to_stage_id: s.id, changed_at: new Date(createdAt.getTime() + k * 3_600_000) })));
  }
  await insert('lead', leadRows);
  await insert('lead_stage_history', historyRows);
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < 300; i++) {
    const type = pick(['call', 'email', 'meeting', 'visit', 'message', 'note', 'task'] as const);
    const logged = rnd() < 0.5;
    const at = dateBetween('2026-01-01T00:00:00Z', '2026-07-01T00:00:00Z');
    const doneAt = logged ? at : maybe(new Date(at.getTime() + (rnd() - 0.3) * 4 * 86_400_000), 0.6);
    rows.push({ workspace_id: ws, type, user_id: maybe(pick(users), 0.95), occurred_at: logged ? at : null, due_at: logged ? null : at, done_at: doneAt });
  }
  await insert('activity', rows.splice(0));
  for (let i = 0; i < 160; i++) {
    const who = rnd();
    // Contacts 15–29 first buy in 2026 (new clients); the others have bought since 2025 (existing).
    const isNew = rnd() < 0.25;
    rows.push({
      workspace_id: ws, sold_at: isNew ? dateBetween('2026-01-01T00:00:00Z', '2026-07-01T00:00:00Z') : dateBetween('2025-06-01T00:00:00Z', '2026-07-01T00:00:00Z'), total: Math.round(rnd() * 300000) / 100, currency: 'EUR',
      owner_id: maybe(pick(users), 0.9), contact_id: isNew ? pick(contacts.slice(15, 30)).id : who < 0.65 ? pick(contacts.slice(0, 15)).id : null, company_id: !isNew && who >= 0.65 ? pick(companies).id : null,
    });
  }
  await insert('sale', rows.splice(0));
  for (let i = 0; i < 80; i++) {
    const n = maybe(Math.floor(rnd() * 11), 0.8);
    rows.push({ workspace_id: ws, nps: n, satisfaction: n === null ? 1 + Math.floor(rnd() * 5) : maybe(1 + Math.floor(rnd() * 5), 0.5), channel: 'phone', answered_at: dateBetween('2026-01-01T00:00:00Z', '2026-07-01T00:00:00Z'), user_id: maybe(pick(users), 0.9) });
  }
  await insert('feedback', rows.splice(0));
  for (let i = 0; i < 50; i++) {
    const createdAt = dateBetween('2026-01-01T00:00:00Z', '2026-07-01T00:00:00Z');
    const status = pick(['open', 'in_progress', 'resolved'] as const);
    rows.push({
      workspace_id: ws, category: pick(['quality_defect', 'durability', 'portability', 'after_sales_service', 'functionality', 'other']), description: 'x', status, created_at: createdAt,
      resolved_at: status === 'resolved' ? new Date(createdAt.getTime() + rnd() * 20 * 86_400_000) : null, resolution: status === 'resolved' ? 'repair' : null, owner_id: maybe(pick(users), 0.9),
    });
  }
  await insert('complaint', rows.splice(0));
});
afterAll(async () => { await t.close(); });

// Facts read back from the tables, as the domain functions take them.
async function facts() {
  const leads = (await db.query<LeadFact & { productIds: string[]; neighbourhood: string | null; city: string | null; amount: number }>(
    `SELECT l.id, l.created_at AS "createdAt", l.status, l.closed_at AS "closedAt", l.owner_id AS "ownerId", l.source_id AS "sourceId", l.campaign_id AS "campaignId",
            l.pipeline_id AS "pipelineId", l.stage_id AS "stageId", l.amount, l.probability, to_char(l.expected_close_date, 'YYYY-MM-DD') AS "expectedCloseDate",
            l.next_action_at AS "nextActionAt", l.product_ids AS "productIds", coalesce(ct.neighbourhood, co.neighbourhood) AS neighbourhood, coalesce(ct.city, co.city) AS city
       FROM lead l LEFT JOIN contact ct ON ct.workspace_id = l.workspace_id AND ct.id = l.contact_id LEFT JOIN company co ON co.workspace_id = l.workspace_id AND co.id = l.company_id
      WHERE l.workspace_id = $1`, [ws])).map((l) => ({ ...l, amount: Number(l.amount) }));
  const history = await db.query<{ leadId: string; toStageId: string }>('SELECT lead_id AS "leadId", to_stage_id AS "toStageId" FROM lead_stage_history WHERE workspace_id = $1', [ws]);
  const stages = await db.query<StageDef>('SELECT id, name, position, kind FROM stage WHERE workspace_id = $1 AND pipeline_id = $2', [ws, pipelineId]);
  const campaigns = (await db.query<CampaignFact>(`SELECT id, name, source_id AS "sourceId", to_char(starts_on, 'YYYY-MM-DD') AS "startsOn", to_char(ends_on, 'YYYY-MM-DD') AS "endsOn", created_at AS "createdAt", cost FROM campaign WHERE workspace_id = $1`, [ws]))
    .map((c) => ({ ...c, cost: Number(c.cost) }));
  const sales = (await db.query<{ id: string; contactId: string | null; companyId: string | null; ownerId: string | null; soldAt: Date; total: number }>(
    'SELECT id, contact_id AS "contactId", company_id AS "companyId", owner_id AS "ownerId", sold_at AS "soldAt", total FROM sale WHERE workspace_id = $1', [ws]))
    .map((s): SaleFact => ({ id: s.id, clientKey: clientKeyOf(s), ownerId: s.ownerId, soldAt: s.soldAt, total: Number(s.total) }));
  const contacts = await db.query<ContactFact & { ownerId: string | null }>('SELECT lifecycle, status, owner_id AS "ownerId" FROM contact WHERE workspace_id = $1', [ws]);
  const feedback = await db.query<FeedbackFact & { userId: string | null }>('SELECT nps, satisfaction, answered_at AS "answeredAt", user_id AS "userId" FROM feedback WHERE workspace_id = $1', [ws]);
  const complaintRows = await db.query<ComplaintFact & { ownerId: string | null }>('SELECT category, status, created_at AS "createdAt", resolved_at AS "resolvedAt", owner_id AS "ownerId" FROM complaint WHERE workspace_id = $1', [ws]);
  const activities = await db.query<ActivityFact>('SELECT type, user_id AS "userId", occurred_at AS "occurredAt", due_at AS "dueAt", done_at AS "doneAt" FROM activity WHERE workspace_id = $1', [ws]);
  return { leads, history, stages, campaigns, sales, contacts, feedback, complaints: complaintRows, activities };
}

type Case = { name: string; period: MetricPeriod; unit: PeriodUnit; ownerIds: () => string[] | null; sourceId: () => string | null };
const cases: Case[] = [
  { name: 'the first half of 2026, everyone, by month', period: parsePeriod('2026-01-01', '2026-06-30', tz), unit: 'month', ownerIds: () => null, sourceId: () => null },
  { name: 'one quarter for one salesperson, by week', period: parsePeriod('2026-01-01', '2026-03-31', tz), unit: 'week', ownerIds: () => [users[1]!], sourceId: () => null },
  { name: 'two users and one source, by quarter', period: parsePeriod('2025-10-01', '2026-09-30', tz), unit: 'quarter', ownerIds: () => [users[0]!, users[2]!], sourceId: () => sources[0]! },
  { name: 'a one-day period', period: parsePeriod('2026-03-02', '2026-03-02', tz), unit: 'week', ownerIds: () => null, sourceId: () => null },
  { name: 'an empty period in the future', period: parsePeriod('2030-01-01', '2030-01-31', tz), unit: 'month', ownerIds: () => null, sourceId: () => null },
];

describe.each(cases)('metrics over $name', (c) => {
  let f: MetricFilter;
  let d: Awaited<ReturnType<typeof facts>>;
  const owned = <T>(xs: readonly T[], owner: (x: T) => string | null) => { const o = f.ownerIds; return o ? xs.filter((x) => { const v = owner(x); return v !== null && o.includes(v); }) : [...xs]; };
  const leadsF = () => owned(d.leads, (l) => l.ownerId).filter((l) => !f.sourceId || l.sourceId === f.sourceId);

  beforeAll(async () => {
    f = { workspaceId: ws, period: c.period, unit: c.unit, ownerIds: c.ownerIds(), sourceId: c.sourceId(), now };
    d = await facts();
  });

  it('agree on conversion, in total and by source, owner and period unit', async () => {
    for (const by of ['total', 'source', 'owner', 'period'] as const) {
      expect(await conversionSql(db, f, by), by).toEqual(conversion(leadsF(), c.period, by, c.unit));
    }
  });

  it('agree on stage-to-stage conversion from the stage history', async () => {
    const cohort = leadsF().filter((l) => l.status !== 'cancelled' && l.pipelineId === pipelineId && l.createdAt >= c.period.from && l.createdAt < c.period.to);
    const reached = new Map(cohort.map((l) => [l.id, [l.stageId, ...d.history.filter((h) => h.leadId === l.id).map((h) => h.toStageId)]]));
    expect(await stageConversionSql(db, f, pipelineId)).toEqual(stageConversion(d.stages, reached));
  });

  it('agree on cost per lead, in total, per source and per campaign', async () => {
    const campaigns = d.campaigns.filter((x) => !f.sourceId || x.sourceId === f.sourceId);
    const sqlCpl = await costPerLeadSql(db, f);
    const pure = costPerLead(campaigns, leadsF(), c.period);
    expect(sqlCpl.total.leads).toBe(pure.total.leads);
    expect(sqlCpl).toEqual(pure);
  });

  it('agree on new vs existing clients, frequency and intensity', async () => {
    const first = new Map<string, Date>();
    for (const s of d.sales) if (s.clientKey && (!first.has(s.clientKey) || s.soldAt < first.get(s.clientKey)!)) first.set(s.clientKey, s.soldAt);
    const sales = owned(d.sales, (s) => s.ownerId);
    expect(await salesByClientTypeSql(db, f)).toEqual(salesByClientType(sales, first, c.period));
    expect(await frequencySql(db, f)).toEqual(frequencyAndIntensity(sales, c.period, c.unit));
  });

  it('agree on NPS, satisfaction and complaints', async () => {
    expect(await npsSql(db, f)).toEqual(nps(owned(d.feedback, (x) => x.userId), c.period));
    expect(await complaintsSql(db, f)).toEqual(complaints(owned(d.complaints, (x) => x.ownerId), c.period));
  });

  it('agree on portfolio, pipeline and win rate', async () => {
    const p = await portfolioSql(db, f);
    expect({ ...p, topClients: p.topClients.map(({ name: _, ...x }) => x) }).toEqual(portfolio(owned(d.contacts, (x) => x.ownerId), owned(d.sales, (s) => s.ownerId), c.period));
    expect(await pipelineSql(db, f)).toEqual(pipeline(leadsF().filter((l) => l.status !== 'cancelled')));
    expect(await winRateSql(db, f)).toEqual(winRate(leadsF(), c.period));
  });

  it('agree on interactions, overdue next actions and cadence misses', async () => {
    const acts = owned(d.activities, (a) => a.userId);
    expect(await interactionsSql(db, f)).toEqual(interactions(acts, c.period));
    expect(await overdueNextActionsSql(db, f)).toEqual(overdueNextActions(leadsF(), now));
    expect(await cadenceMissesSql(db, f)).toEqual(cadenceMisses(acts, c.period, now));
  });

  it('agree on the weekly new-lead statistics', async () => {
    const rows: NewLeadFact[] = leadsF();
    expect(await weeklyNewLeadsSql(db, f)).toEqual(weeklyNewLeads(rows, c.period));
    // The dashboard's card, from the rollups and from raw rows.
    for (const rollups of [true, false]) {
      expect(await weeklyNewLeadsBySourceSql(db, { ...f, rollups }), `rollups ${rollups}`).toEqual({ byWeek: weeklyBySource(weeklyNewLeads(rows, c.period)) });
    }
  });
});

describe('the seeded data', () => {
  it('is varied enough that the agreement above means something', async () => {
    const f: MetricFilter = { workspaceId: ws, period: cases[0]!.period, unit: 'month', ownerIds: null, sourceId: null, now };
    const [conv] = await conversionSql(db, f, 'total');
    expect(conv!.created).toBeGreaterThan(50);
    expect(conv!.won).toBeGreaterThan(5);
    expect((await salesByClientTypeSql(db, f)).newClients.count).toBeGreaterThan(0);
    expect((await salesByClientTypeSql(db, f)).existingClients.count).toBeGreaterThan(0);
    expect((await complaintsSql(db, f)).medianHoursToResolve).not.toBeNull();
    expect((await cadenceMissesSql(db, f)).total).toBeGreaterThan(0);
    expect((await costPerLeadSql(db, f)).byCampaign.length).toBeGreaterThan(2);
  });
});
