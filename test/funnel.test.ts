import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditEvent, lead, leadStageHistory, pipeline, stage } from '../src/db/schema.js';
import { addLoggedInUser, Client, setupWorkspace, testApp, type TestApp } from './harness.js';

let t: TestApp;
let admin: Client;
let workspaceId: string;
let pipelineId: string;
let sales: { id: string; c: Client };
let stages: { id: string; name: string; kind: string; position: number }[];
const db = () => t.deps.database.db;
const DAY = 86_400_000;
const BASE = 'from=2026-01-01&to=2026-06-30';

/**
 * 200 leads created in the first half of 2026 walk the default pipeline with known rates:
 * half reach Templado, half of those Caliente, 60 % of those are won (1000 € each); the rest lost.
 * Ten more are open in Templado now. Leads i % 10 === 0 belong to the salesperson.
 */
beforeAll(async () => {
  t = await testApp();
  t.setNow(new Date('2026-07-15T10:00:00Z'));
  ({ admin, workspaceId } = await setupWorkspace(t));
  sales = await addLoggedInUser(t, workspaceId, { name: 'Luis Pérez', email: 'luis@garcia.es', role: 'sales' });
  const [pl] = await db().select().from(pipeline).where(eq(pipeline.workspaceId, workspaceId));
  pipelineId = pl!.id;
  stages = await db().select().from(stage).where(eq(stage.workspaceId, workspaceId)).orderBy(stage.position);
  const [cold, warm, hot, won, lost] = ['open', 'open', 'open', 'won', 'lost'].map((k, i) => (k === 'open' ? stages.filter((s) => s.kind === 'open')[i]! : stages.find((s) => s.kind === k)!));
  const start = Date.parse('2026-01-02T10:00:00Z');
  const leads: (typeof lead.$inferInsert)[] = [];
  const history: (typeof leadStageHistory.$inferInsert)[] = [];
  for (let i = 0; i < 210; i++) {
    const open = i >= 200;
    const created = open ? Date.parse('2026-07-01T10:00:00Z') + (i - 200) * 3600_000 : start + (i % 175) * DAY;
    const path = [cold!];
    if (open || i % 2 === 0) path.push(warm!);
    if (!open && i % 4 === 0) path.push(hot!);
    const isWon = !open && i % 4 === 0 && (i / 4) % 5 < 3;
    const final = open ? warm! : isWon ? won! : lost!;
    const id = crypto.randomUUID();
    leads.push({
      id, workspaceId, title: `Cocina ${i}`, pipelineId, stageId: final.id, probability: open ? 40 : isWon ? 100 : 0, amount: open ? 2000 : 1000, currency: 'EUR',
      status: open ? 'open' : isWon ? 'won' : 'lost', closedAt: open ? null : new Date(created + 20 * DAY), createdAt: new Date(created),
      ownerId: i % 10 === 0 ? sales.id : null,
    });
    path.forEach((s, k) => history.push({ workspaceId, leadId: id, fromStageId: k ? path[k - 1]!.id : null, toStageId: s.id, changedAt: new Date(created + k * 5 * DAY) }));
    if (!open) history.push({ workspaceId, leadId: id, fromStageId: path.at(-1)!.id, toStageId: final.id, changedAt: new Date(created + 20 * DAY) });
  }
  await db().insert(lead).values(leads);
  await db().insert(leadStageHistory).values(history);
});
afterAll(async () => { await t.close(); });

const steps = async () => (await admin.get(`/api/v1/funnel/journey?pipelineId=${pipelineId}`)).body.steps as { id: string; name: string; kind: string; position: number }[];

describe('the customer journey', () => {
  it('is built from the pipeline\'s stages on first use, once, and audited', async () => {
    const r = await admin.get('/api/v1/funnel/journey');
    expect(r.status).toBe(200);
    expect(r.body.pipelineId).toBe(pipelineId);
    expect(r.body.steps.map((s: { name: string; kind: string }) => `${s.kind}:${s.name}`)).toEqual([
      'stage:Frío', 'stage:Templado', 'stage:Caliente', 'sale:Ganado', 'repeat_sale:Recompra', 'promoter:Promotor (NPS 9–10)',
    ]);
    expect((await steps()).map((s) => s.id)).toEqual(r.body.steps.map((s: { id: string }) => s.id));
    const audits = await db().select().from(auditEvent).where(and(eq(auditEvent.workspaceId, workspaceId), eq(auditEvent.entity, 'journeyStep')));
    expect(audits).toHaveLength(6);
  });

  it('refuses a stage step on the won stage, a count on a record step, and changes by a salesperson', async () => {
    const wonStage = stages.find((s) => s.kind === 'won')!;
    const r = await admin.post('/api/v1/funnel/steps', { pipelineId, name: 'Ganado', kind: 'stage', stageId: wonStage.id });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'stageId', code: 'not_open_stage' })]);
    const first = (await steps())[0]!;
    const c = await admin.post('/api/v1/funnel/counts', { stepId: first.id, periodStart: '2026-01-01', periodEnd: '2026-01-31', count: 10 });
    expect(c.status).toBe(422);
    expect(c.body.errors[0]).toMatchObject({ field: 'stepId', code: 'not_manual' });
    expect((await sales.c.post('/api/v1/funnel/steps', { pipelineId, name: 'Visitas', kind: 'manual' })).status).toBe(403);
  });
});

describe('the measured model', () => {
  it('recovers the known step rates within their intervals, with entrants, times, average deal and value per step', async () => {
    const r = await admin.get(`/api/v1/funnel/model?${BASE}`);
    expect(r.status).toBe(200);
    const m = r.body.model;
    expect(m.steps.map((s: { entrants: number }) => s.entrants)).toEqual([200, 100, 50, 30, 0, 0]);
    expect(m.steps.map((s: { rate: number | null }) => s.rate)).toEqual([null, 0.5, 0.5, 0.6, 0, null]);
    for (const [i, truth] of [[1, 0.5], [2, 0.5], [3, 0.6]] as const) {
      expect(m.steps[i].low).toBeLessThan(truth);
      expect(m.steps[i].high).toBeGreaterThan(truth);
    }
    expect(m.steps[1].medianDays).toBe(5);
    expect(m.steps[3].medianDays).toBe(10);
    expect(m.averageDeal).toBe(1000);
    expect(m.steps[0].valuePerEntrant).toBe(150); // 30 of 200 won × 1000 €
    expect(m.steps[0].revenueCarried).toBe(30_000);
    expect(m.steps[5].warning).toBe('no_entrants');
    expect(JSON.stringify(r.body)).not.toMatch(/NaN|Infinity/);
  });

  it('counts only the salesperson\'s own leads for a salesperson', async () => {
    const r = await sales.c.get(`/api/v1/funnel/model?${BASE}`);
    expect(r.status).toBe(200);
    expect(r.body.model.steps[0].entrants).toBe(20);
  });

  it('answers "—" everywhere for a period with no history', async () => {
    const r = await admin.get('/api/v1/funnel/model?from=2020-01-01&to=2020-01-31');
    expect(r.status).toBe(200);
    expect(r.body.model.steps.every((s: { rate: number | null }) => s.rate === null)).toBe(true);
    expect(r.body.model.averageDeal).toBeNull();
  });

  it('takes a manual step\'s hand-entered counts, warning when they are smaller than the next step', async () => {
    const v = await admin.post('/api/v1/funnel/steps', { pipelineId, name: 'Visitas a tienda', kind: 'manual', position: 1 });
    expect(v.status).toBe(201);
    expect((await steps()).map((s) => s.name).slice(0, 2)).toEqual(['Visitas a tienda', 'Frío']);
    const c = await admin.post('/api/v1/funnel/counts', { stepId: v.body.id, periodStart: '2026-01-01', periodEnd: '2026-06-30', count: 150 });
    expect(c.status).toBe(201);
    let m = (await admin.get(`/api/v1/funnel/model?${BASE}`)).body.model;
    expect(m.steps[0]).toMatchObject({ entrants: 150, warning: 'count_below_next' });
    expect(m.steps[1].rate).toBeNull();
    expect((await admin.patch(`/api/v1/funnel/counts/${c.body.id}`, { count: 800 })).status).toBe(200);
    m = (await admin.get(`/api/v1/funnel/model?${BASE}`)).body.model;
    expect(m.steps[0]).toMatchObject({ entrants: 800, warning: null });
    expect(m.steps[1].rate).toBe(0.25);
    expect(m.steps[0].valuePerEntrant).toBe(37.5);
  });
});

describe('filters', () => {
  it('narrows the cohort by source, product and a saved segment of contacts; a segment the user cannot see is refused', async () => {
    const q = (sql: string, params: unknown[]) => t.deps.database.query(sql, params);
    const [source] = await q('SELECT id FROM source WHERE workspace_id = $1 ORDER BY name LIMIT 1', [workspaceId]) as { id: string }[];
    const productId = crypto.randomUUID();
    const [ana, bruno] = [crypto.randomUUID(), crypto.randomUUID()];
    await q(`INSERT INTO contact (workspace_id, id, first_name, lifecycle) VALUES ($1, $2, 'Ana', 'client'), ($1, $3, 'Bruno', 'prospect')`, [workspaceId, ana, bruno]);
    // Of the 200 leads of the period: 12 from the source, 7 with the product, 9 of a client's and 5 of a prospect's.
    const titles = (from: number, n: number) => Array.from({ length: n }, (_, i) => `Cocina ${from + i}`);
    await q('UPDATE lead SET source_id = $2 WHERE workspace_id = $1 AND title = ANY($3)', [workspaceId, source!.id, titles(0, 12)]);
    await q('UPDATE lead SET product_ids = ARRAY[$2]::uuid[] WHERE workspace_id = $1 AND title = ANY($3)', [workspaceId, productId, titles(20, 7)]);
    await q('UPDATE lead SET contact_id = $2 WHERE workspace_id = $1 AND title = ANY($3)', [workspaceId, ana, titles(40, 9)]);
    await q('UPDATE lead SET contact_id = $2 WHERE workspace_id = $1 AND title = ANY($3)', [workspaceId, bruno, titles(60, 5)]);
    const leadsOf = async (extra: string) => (await admin.get(`/api/v1/funnel/model?${BASE}&${extra}`)).body.model.leads as number;
    expect(await leadsOf(`sourceId=${source!.id}`)).toBe(12);
    expect(await leadsOf(`productId=${productId}`)).toBe(7);
    const seg = await admin.post('/api/v1/segments', { name: 'Clientes', definition: { type: 'group', combinator: 'and', children: [{ type: 'condition', field: 'contact.lifecycle', operator: 'eq', value: 'client' }] } });
    expect(seg.status).toBe(201);
    expect(await leadsOf(`segmentId=${seg.body.id}`)).toBe(9);
    const p = await admin.get(`/api/v1/funnel/projection?${BASE}&segmentId=${seg.body.id}&simulations=100`);
    expect(p.status).toBe(200);
    expect(p.body.model.leads).toBe(9);
    expect((await sales.c.get(`/api/v1/funnel/model?${BASE}&segmentId=${seg.body.id}`)).status).toBe(404);
    expect((await admin.get(`/api/v1/funnel/model?${BASE}&segmentId=${crypto.randomUUID()}`)).status).toBe(404);
  });
});

describe('projection and what-if', () => {
  it('projects with P10 ≤ P50 ≤ P90, reproducibly for a seed, next to the salesperson\'s probability', async () => {
    const q = `/api/v1/funnel/projection?${BASE}&months=3&simulations=500&seed=7`;
    const a = await admin.get(q);
    expect(a.status).toBe(200);
    expect((await admin.get(q)).body.projection).toEqual(a.body.projection);
    const p = a.body.projection;
    expect(p.months.map((m: { month: string }) => m.month)).toEqual(['2026-07', '2026-08', '2026-09']);
    expect(p.total.revenue.p10).toBeLessThanOrEqual(p.total.revenue.p50);
    expect(p.total.revenue.p50).toBeLessThanOrEqual(p.total.revenue.p90);
    // The ten open leads sit in Templado; of the leads closed in the period that reached it, 30 % were won.
    const cell = p.pipeline.find((c: { leads: number }) => c.leads === 10);
    expect(cell).toMatchObject({ weighted: 8000, amount: 20_000 });
    expect(cell.measuredProbability).toBeCloseTo(0.3, 1);
    expect(a.body.sensitivity[0].revenueGain).toBeGreaterThan(0);
  });

  it('compares a scenario with the baseline and refuses an impossible lever naming it', async () => {
    const st = await steps();
    const hot = st.find((s) => s.name === 'Caliente')!;
    const bad = await admin.post('/api/v1/funnel/what-if', { from: '2026-01-01', to: '2026-06-30', levers: [{ kind: 'rate', stepId: hot.id, rate: 1.5 }, { kind: 'inflow', sourceId: null, factor: -1 }] });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`)).toEqual(['levers.0.rate:out_of_range', 'levers.1.factor:too_small']);
    const r = await admin.post('/api/v1/funnel/what-if', { from: '2026-01-01', to: '2026-06-30', months: 6, simulations: 300, levers: [{ kind: 'rate', stepId: hot.id, rate: 0.8 }, { kind: 'inflow', sourceId: null, factor: 2 }] });
    expect(r.status).toBe(200);
    expect(r.body.scenario.expected.revenue).toBeGreaterThan(r.body.baseline.expected.revenue * 2);
    expect(r.body.scenario.leadsPerMonth).toBeCloseTo(r.body.baseline.leadsPerMonth * 2, 1);
  });
});

describe('scenarios', () => {
  let scenarioId: string;
  it('are saved, named, listed and compared; absurd levers are refused on save', async () => {
    const hot = (await steps()).find((s) => s.name === 'Caliente')!;
    expect((await admin.post('/api/v1/funnel/scenarios', { name: 'Malo', pipelineId, baselineFrom: '2026-01-01', baselineTo: '2026-06-30', levers: [{ kind: 'averageDeal', amount: -5 }] })).status).toBe(422);
    const s = await admin.post('/api/v1/funnel/scenarios', {
      name: 'Más calientes', pipelineId, baselineFrom: '2026-01-01', baselineTo: '2026-06-30', months: 3, levers: [{ kind: 'rate', stepId: hot.id, rate: 0.7 }],
    });
    expect(s.status).toBe(201);
    scenarioId = s.body.id;
    const other = await admin.post('/api/v1/funnel/scenarios', { name: 'Doble de visitas', pipelineId, baselineFrom: '2026-01-01', baselineTo: '2026-06-30', levers: [{ kind: 'inflow', sourceId: null, factor: 2 }] });
    expect((await admin.get(`/api/v1/funnel/scenarios?pipelineId=${pipelineId}`)).body.data).toHaveLength(2);
    const cmp = await admin.post('/api/v1/funnel/scenarios/compare', { ids: [scenarioId, other.body.id], simulations: 200 });
    expect(cmp.status).toBe(200);
    expect(cmp.body.scenarios.map((x: { name: string; months: number }) => [x.name, x.months])).toEqual([['Más calientes', 3], ['Doble de visitas', 6]]);
    for (const x of cmp.body.scenarios) expect(x.projection.expected.revenue).toBeGreaterThan(x.baseline.expected.revenue);
  });

  it('become objectives with the rate change as a key result, whose progress is computed live', async () => {
    const r = await admin.post(`/api/v1/funnel/scenarios/${scenarioId}/objectives`, { userId: sales.id });
    expect(r.status).toBe(201);
    expect(r.body.objectives.map((o: { metric: string }) => o.metric)).toEqual(['sales_amount', 'leads_won']);
    expect(r.body.objectives[0]).toMatchObject({ name: 'Más calientes: ingresos', userId: sales.id, periodStart: '2026-07-15', periodEnd: '2026-09-30' });
    expect(r.body.objectives[0].keyResults).toEqual([{ title: 'Templado → Caliente: 50 % → 70 %', target: 70, done: false }]);
    const p = await admin.get(`/api/v1/objectives/${r.body.objectives[1].id}/progress`);
    expect(p.status).toBe(200);
    expect(p.body.actual).toBe(0);
    expect((await sales.c.post(`/api/v1/funnel/scenarios/${scenarioId}/objectives`, { userId: sales.id })).status).toBe(403);
  });
});

describe('plan vs actual', () => {
  it('lists the last weeks per step with the projected range and flags a week above it', async () => {
    const cold = stages.find((s) => s.kind === 'open')!;
    // A burst of 30 new leads this week, where the 12 weeks before saw about 8 a week.
    const now = new Date('2026-07-14T09:00:00Z');
    const burst = Array.from({ length: 30 }, (_, i) => ({ id: crypto.randomUUID(), workspaceId, title: `Nuevo ${i}`, pipelineId, stageId: cold.id, probability: 10, currency: 'EUR', createdAt: now }));
    await db().insert(lead).values(burst);
    await db().insert(leadStageHistory).values(burst.map((l) => ({ workspaceId, leadId: l.id, toStageId: cold.id, changedAt: now })));
    const r = await admin.get(`/api/v1/funnel/plan?pipelineId=${pipelineId}&weeks=3`);
    expect(r.status).toBe(200);
    expect(r.body.weeks.map((w: { week: string }) => w.week)).toEqual(['2026-06-29', '2026-07-06', '2026-07-13']);
    const coldId = (await steps()).find((s) => s.name === 'Frío')!.id;
    const thisWeek = r.body.weeks[2].steps.find((s: { stepId: string }) => s.stepId === coldId);
    expect(thisWeek).toMatchObject({ actual: 30, flag: 'above' });
    const visits = r.body.steps.find((s: { name: string }) => s.name === 'Visitas a tienda');
    expect(visits.expectedPerWeek).toBeGreaterThan(0);
  });
});
