import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Database } from '../src/db/client.js';
import {
  FUNNEL_REBUILD_PARTS, fitFunnel, mergeOnReach, funnelRollupStatus, funnelRollupsReady, journeyOf, pipelineStages, rebuildFunnelRollups, weeklyStepEvents, type FunnelFilter,
} from '../src/db/queries/funnel.js';
import type { JourneyStage, JourneyStep } from '../src/domain/funnel/journey.js';
import { parsePeriod } from '../src/domain/metrics/period.js';
import { buildApp } from '../src/http/app.js';
import { drainJobs } from '../src/jobs/worker.js';
import '../src/jobs/funnel.js';
import { Client, setupWorkspace, testApp, type TestApp } from './harness.js';

// The funnel rollups (migration 0020) are kept by triggers on every write to leads, stage history,
// activities, sales and answers. After a seeded mix of writes, single-row and multi-row, the fit read
// from them must equal the fit read from the raw rows, and the tables must equal a rebuild. They
// depend on the journey: storing it queues their rebuild (a job), and until it ran they never answer.

let t: TestApp;
let db: Database;
let ws: string;
let admin: Client;
let pipelineId: string;
let users: string[];
let sources: string[];
let contacts: string[];
let companies: string[];
let stages: (JourneyStage & { id: string })[];

let seed = 11;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const maybe = <T>(v: T, p = 0.5): T | null => (rnd() < p ? v : null);
const dateBetween = (a: string, b: string) => new Date(Date.parse(a) + rnd() * (Date.parse(b) - Date.parse(a)));

async function insert(table: string, rows: Record<string, unknown>[]) {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]!);
  const values: unknown[] = [];
  const tuples = rows.map((r) => `(${cols.map((c) => { values.push(r[c] ?? null); return `$${values.length}`; }).join(', ')})`);
  await db.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${tuples.join(', ')}`, values);
}
const ids = async (table: string, where = 'true') =>
  (await db.query<{ id: string }>(`SELECT id FROM ${table} WHERE workspace_id = $1 AND ${where} ORDER BY id`, [ws])).map((r) => r.id);
const open = () => stages.filter((s) => s.kind === 'open');
const wonStage = () => stages.find((s) => s.kind === 'won')!;
const lostStage = () => stages.find((s) => s.kind === 'lost')!;

function newLead() {
  const status = pick(['open', 'open', 'won', 'won', 'lost', 'cancelled'] as const);
  const createdAt = dateBetween('2025-11-01T00:00:00Z', '2026-07-01T00:00:00Z');
  const stage = status === 'won' ? wonStage() : status === 'lost' ? lostStage() : pick(open());
  const contactId = maybe(pick(contacts), 0.7);
  return {
    id: randomUUID(), workspace_id: ws, title: 'Cocina', pipeline_id: pipelineId, stage_id: stage.id, probability: Math.floor(rnd() * 101),
    amount: rnd() < 0.85 ? Math.round(rnd() * 500000) / 100 : 0, currency: 'EUR', status, created_at: createdAt,
    closed_at: status === 'won' || status === 'lost' ? new Date(createdAt.getTime() + rnd() * 200 * 86_400_000) : null,
    cancelled_at: status === 'cancelled' ? createdAt : null, contact_id: contactId, company_id: contactId ? null : maybe(pick(companies), 0.7),
    owner_id: maybe(pick(users), 0.9), source_id: maybe(pick(sources), 0.8),
  };
}

/** One random write of the kinds the app makes; several touch many rows in one statement. */
async function randomWrite(): Promise<void> {
  const leads = await ids('lead');
  const someLead = leads.length ? pick(leads) : null;
  const op = pick(['create', 'create', 'move', 'move', 'won', 'lost', 'reopen', 'cancel', 'delete', 'reassign', 'history-delete',
    'sale', 'sale-edit', 'sale-delete', 'activity', 'activity', 'done', 'undone', 'activity-delete', 'feedback', 'feedback-edit'] as const);
  switch (op) {
    case 'create': {
      const rows = Array.from({ length: 1 + Math.floor(rnd() * 6) }, newLead);
      await insert('lead', rows);
      const hist = rows.filter(() => rnd() < 0.8).flatMap((l) => {
        const steps = open().slice(0, 1 + Math.floor(rnd() * open().length));
        return steps.map((s, k) => ({ workspace_id: ws, lead_id: l.id, to_stage_id: s.id, changed_at: new Date(l.created_at.getTime() + k * rnd() * 40 * 86_400_000) }));
      });
      await insert('lead_stage_history', hist);
      return;
    }
    case 'move': {
      if (!someLead) return;
      const to = pick(open());
      await db.query(`UPDATE lead SET stage_id = $3, status = 'open', closed_at = NULL WHERE workspace_id = $1 AND id = $2`, [ws, someLead, to.id]);
      await insert('lead_stage_history', [{ workspace_id: ws, lead_id: someLead, to_stage_id: to.id, changed_at: dateBetween('2026-01-01T00:00:00Z', '2026-08-01T00:00:00Z') }]);
      return;
    }
    case 'won': case 'lost': {
      if (!someLead) return;
      const s = op === 'won' ? wonStage() : lostStage();
      await db.query(`UPDATE lead SET stage_id = $3, status = $4, closed_at = created_at + interval '37 days' WHERE workspace_id = $1 AND id = $2`, [ws, someLead, s.id, op]);
      await insert('lead_stage_history', [{ workspace_id: ws, lead_id: someLead, to_stage_id: s.id }]);
      return;
    }
    case 'reopen':
      await db.query(`UPDATE lead SET status = 'open', stage_id = $2, closed_at = NULL, cancelled_at = NULL WHERE workspace_id = $1 AND status <> 'open' AND id = ANY($3::uuid[])`,
        [ws, open()[0]!.id, leads.filter(() => rnd() < 0.1)]);
      return;
    case 'cancel':
      if (someLead) await db.query(`UPDATE lead SET status = 'cancelled', cancelled_at = now() WHERE workspace_id = $1 AND id = $2`, [ws, someLead]);
      return;
    case 'delete':
      if (someLead) await db.query('DELETE FROM lead WHERE workspace_id = $1 AND id = $2', [ws, someLead]);
      return;
    case 'reassign':
      await db.query('UPDATE lead SET owner_id = $2, source_id = $3, amount = amount + 1, contact_id = coalesce($5, contact_id) WHERE workspace_id = $1 AND id = ANY($4::uuid[])',
        [ws, maybe(pick(users), 0.8), maybe(pick(sources), 0.8), leads.filter(() => rnd() < 0.2), maybe(pick(contacts), 0.3)]);
      return;
    case 'history-delete':
      if (someLead) await db.query('DELETE FROM lead_stage_history WHERE workspace_id = $1 AND lead_id = $2', [ws, someLead]);
      return;
    case 'sale':
      await insert('sale', Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
        const contactId = maybe(pick(contacts), 0.7);
        return { workspace_id: ws, sold_at: dateBetween('2025-12-01T00:00:00Z', '2026-08-01T00:00:00Z'), total: Math.round(rnd() * 300000) / 100, currency: 'EUR',
          owner_id: maybe(pick(users), 0.9), contact_id: contactId, company_id: contactId ? null : pick(companies) };
      }));
      return;
    case 'sale-edit': {
      const sales = await ids('sale');
      if (sales.length) await db.query(`UPDATE sale SET sold_at = least(sold_at + interval '20 days', '2026-12-31'), contact_id = coalesce($3, contact_id) WHERE workspace_id = $1 AND id = $2`,
        [ws, pick(sales), maybe(pick(contacts), 0.5)]);
      return;
    }
    case 'sale-delete': {
      const sales = await ids('sale');
      if (sales.length) await db.query('DELETE FROM sale WHERE workspace_id = $1 AND id = $2', [ws, pick(sales)]);
      return;
    }
    case 'activity':
      await insert('activity', Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => {
        const at = dateBetween('2025-12-01T00:00:00Z', '2026-08-01T00:00:00Z');
        const logged = rnd() < 0.6;
        return { workspace_id: ws, type: pick(['call', 'meeting', 'meeting', 'visit', 'note']), user_id: maybe(pick(users), 0.9),
          occurred_at: logged ? at : null, due_at: logged ? null : at, done_at: logged ? at : null, lead_id: leads.length ? pick(leads) : null };
      }));
      return;
    case 'done':
      await db.query('UPDATE activity SET done_at = coalesce(due_at, occurred_at) + interval \'3 hours\' WHERE workspace_id = $1 AND done_at IS NULL AND id = ANY($2::uuid[])',
        [ws, (await ids('activity')).filter(() => rnd() < 0.3)]);
      return;
    case 'undone': {
      const acts = await ids('activity', 'done_at IS NOT NULL');
      if (acts.length) await db.query('UPDATE activity SET done_at = NULL, occurred_at = NULL, due_at = coalesce(due_at, occurred_at) WHERE workspace_id = $1 AND id = $2', [ws, pick(acts)]);
      return;
    }
    case 'activity-delete': {
      const acts = await ids('activity');
      if (acts.length) await db.query('DELETE FROM activity WHERE workspace_id = $1 AND id = $2', [ws, pick(acts)]);
      return;
    }
    case 'feedback':
      await insert('feedback', [{ workspace_id: ws, contact_id: pick(contacts), nps: maybe(7 + Math.floor(rnd() * 4), 0.9), satisfaction: 3, channel: 'phone',
        answered_at: dateBetween('2025-12-01T00:00:00Z', '2026-08-01T00:00:00Z') }]);
      return;
    case 'feedback-edit': {
      const fb = await ids('feedback');
      if (fb.length) await db.query('UPDATE feedback SET nps = $3, answered_at = answered_at - interval \'30 days\' WHERE workspace_id = $1 AND id = $2', [ws, pick(fb), maybe(Math.floor(rnd() * 11), 0.7)]);
      return;
    }
  }
}

const NOW = new Date('2027-06-01T10:00:00Z');
// Dozens of writes, each through the rollup triggers, and fits both ways: seconds, more on a loaded machine.
const HEAVY = 90_000;
const filter = (extra: Partial<FunnelFilter> = {}): FunnelFilter => ({
  workspaceId: ws, pipelineId, period: parsePeriod('2025-12-01', '2026-08-31', 'Europe/Madrid'), ownerIds: null, sourceId: null, productId: null,
  asOf: NOW, live: true, ...extra,
});

async function journey(): Promise<JourneyStep[]> { return journeyOf(db, ws, pipelineId); }

const rollupJobs = () => db.query<{ id: string; status: string }>(`SELECT id, status FROM job WHERE workspace_id = $1 AND kind = 'funnel-rollups' ORDER BY id`, [ws]);
const runJobs = () => drainJobs(t.deps, { now: () => NOW });
/** The model as the API answers it for the filter() period, and as the raw rows give it (JSON, as sent). */
const MODEL_URL = '/api/v1/funnel/model?from=2025-12-01&to=2026-08-31';
const rawModel = async (steps: JourneyStep[]) => JSON.parse(JSON.stringify((await fitFunnel(db, filter(), steps, stages, 'raw')).model));

async function expectRollupsEqualRaw(steps: JourneyStep[]) {
  for (const f of [filter(), filter({ ownerIds: [users[0]!, users[1]!] }), filter({ sourceId: sources[0]! }), filter({ period: parsePeriod('2026-02-10', '2026-05-20', 'Europe/Madrid') })]) {
    const viaRollups = await fitFunnel(db, f, steps, stages, 'rollups');
    const viaRaw = await fitFunnel(db, f, steps, stages, 'raw');
    expect(viaRollups.via).toBe('rollups');
    expect({ ...viaRollups, via: null }).toEqual({ ...viaRaw, via: null });
    // Plan vs actual: leads reaching each step per local week, whenever they were created (0028).
    const range = { from: new Date('2025-11-01T00:00:00Z'), to: NOW };
    const weeklyRollups = Object.fromEntries([...(await weeklyStepEvents(db, f, steps, stages, range, 'rollups'))].sort());
    const weeklyRaw = Object.fromEntries([...(await weeklyStepEvents(db, f, steps, stages, range, 'raw'))].sort());
    expect(weeklyRollups).toEqual(weeklyRaw);
    expect(Object.keys(weeklyRaw).length).toBeGreaterThan(10);
  }
}

/** Every rollup row (without all-zero ones), as sorted strings. */
async function snapshot(): Promise<string[]> {
  const out: string[] = [];
  for (const table of ['funnel_lead_daily', 'funnel_step_days', 'funnel_won_cycle', 'funnel_lead_daily_all', 'funnel_step_days_all', 'funnel_won_cycle_all', 'funnel_step_reached', 'funnel_step_reached_all']) {
    const rows = await db.query<Record<string, unknown>>(`SELECT * FROM ${table} WHERE workspace_id = $1 AND leads <> 0`, [ws]);
    out.push(...rows.map((r) => `${table}|${Object.entries(r).map(([k, v]) => (['days', 'amount', 'amount_sq', 'weighted'].includes(k) ? Number(v).toFixed(4) : String(v))).join('|')}`));
  }
  return out.sort();
}

beforeAll(async () => {
  t = await testApp();
  t.setNow(NOW);
  db = t.deps.database;
  const w = await setupWorkspace(t);
  ws = w.workspaceId;
  admin = w.admin;
  users = [w.adminId, randomUUID(), randomUUID()];
  await insert('app_user', users.slice(1).map((id, i) => ({ workspace_id: ws, id, email: `f${i}@garcia.es`, name: `F${i}`, role: 'sales' })));
  sources = (await db.query<{ id: string }>('SELECT id FROM source WHERE workspace_id = $1 ORDER BY name', [ws])).map((r) => r.id).slice(0, 3);
  contacts = Array.from({ length: 12 }, () => randomUUID());
  await insert('contact', contacts.map((id) => ({ id, workspace_id: ws, first_name: 'Ana' })));
  companies = [randomUUID(), randomUUID()];
  await insert('company', companies.map((id, i) => ({ id, workspace_id: ws, name: `Muebles ${i}` })));
  const [pl] = await db.query<{ id: string }>('SELECT id FROM pipeline WHERE workspace_id = $1 ORDER BY position LIMIT 1', [ws]);
  pipelineId = pl!.id;
  stages = (await pipelineStages(db, ws, pipelineId)) as (JourneyStage & { id: string })[];
  // The default journey (stages, sale, repeat purchase, promoter) plus "meeting held" after the first stage and a manual step first.
  expect((await admin.get(`/api/v1/funnel/journey?pipelineId=${pipelineId}`)).status).toBe(200);
  expect((await admin.post('/api/v1/funnel/steps', { pipelineId, name: 'Reunión', kind: 'activity', activityType: 'meeting', position: 2 })).status).toBe(201);
  expect((await admin.post('/api/v1/funnel/steps', { pipelineId, name: 'Visitas', kind: 'manual', position: 1 })).status).toBe(201);
});
afterAll(async () => { await t.close(); });

describe('funnel rollups', () => {
  it('are rebuilt by a job that storing the journey queued; meanwhile a small pipeline is read raw, a large one is "being prepared", on every instance', async () => {
    const steps = await journey();
    await insert('lead', Array.from({ length: 30 }, newLead));
    for (let i = 0; i < 20; i++) await randomWrite();
    // beforeAll stored the default journey and added two steps: each queued the rebuild; none ran.
    const queued = await rollupJobs();
    expect(queued.length).toBeGreaterThan(0);
    expect(queued.every((j) => j.status === 'queued')).toBe(true);
    expect(await funnelRollupStatus(db, filter(), steps)).toBe('stale');
    // A second app instance on the same database.
    const other = { ...t, deps: { ...t.deps, config: { ...t.deps.config } } };
    other.app = buildApp(other.deps);
    const admin2 = Object.assign(new Client(other), { cookie: admin.cookie, csrf: admin.csrf });

    // Small pipeline: the figures are current, read from the raw rows.
    const small = await admin.get(MODEL_URL);
    expect(small.status).toBe(200);
    expect(small.body).toMatchObject({ status: 'ready', via: 'raw' });
    expect(small.body.model).toEqual(await rawModel(steps));

    // Large pipeline (the limit lowered below its leads): no figures, on either instance, never stale ones.
    t.deps.config.funnelRawMaxLeads = 10;
    other.deps.config.funnelRawMaxLeads = 10;
    for (const c of [admin, admin2]) {
      const m = await c.get(MODEL_URL);
      expect(m.body).toMatchObject({ status: 'preparing', via: null, model: null });
      const p = await c.get('/api/v1/funnel/projection?from=2025-12-01&to=2026-08-31&months=3&simulations=100');
      expect(p.body).toMatchObject({ status: 'preparing', model: null, projection: null, sensitivity: [] });
      expect((await c.get('/api/v1/funnel/plan?weeks=2')).body).toMatchObject({ status: 'preparing', via: null, steps: [], weeks: [] });
    }
    // The fits that found them stale queued one more rebuild between them, not one each.
    expect((await rollupJobs()).length).toBe(queued.length + 1);

    // The other instance's worker runs the jobs; both instances then answer from the rollups, equal to the raw rows.
    await drainJobs(other.deps, { now: () => NOW });
    expect((await rollupJobs()).every((j) => j.status === 'done')).toBe(true);
    expect(await funnelRollupStatus(db, filter(), steps)).toBe('ready');
    for (const c of [admin, admin2]) {
      const m = await c.get(MODEL_URL);
      expect(m.body).toMatchObject({ status: 'ready', via: 'rollups' });
      expect(m.body.model).toEqual(await rawModel(steps));
      expect((await c.get('/api/v1/funnel/plan?weeks=2')).body).toMatchObject({ status: 'ready', via: 'rollups' });
    }
    t.deps.config.funnelRawMaxLeads = 20_000;
  }, HEAVY);

  it('give the same fit as the raw rows after a mix of writes on every table they follow, and equal a rebuild', async () => {
    const steps = await journey();
    expect(await funnelRollupsReady(db, filter(), steps)).toBe(true); // rebuilt by the job for this journey
    // A first batch in few statements (a bulk load), then one write at a time.
    const batch = Array.from({ length: 50 }, newLead);
    await insert('lead', batch);
    await insert('lead_stage_history', batch.flatMap((l) => open().slice(0, 1 + Math.floor(rnd() * open().length))
      .map((s, k) => ({ workspace_id: ws, lead_id: l.id, to_stage_id: s.id, changed_at: new Date(l.created_at.getTime() + k * 6 * 86_400_000) }))));
    await insert('sale', contacts.flatMap((c) => [0, 1].map((k) => ({ workspace_id: ws, contact_id: c, total: 100, currency: 'EUR', sold_at: new Date(Date.parse('2026-03-01T00:00:00Z') + k * 40 * 86_400_000) }))));
    await insert('feedback', contacts.slice(0, 8).map((c) => ({ workspace_id: ws, contact_id: c, nps: 10, satisfaction: 3, channel: 'phone', answered_at: new Date('2026-07-01T00:00:00Z') })));
    for (let i = 0; i < 50; i++) await randomWrite();
    const before = await snapshot();
    expect(before.length).toBeGreaterThan(20);
    await expectRollupsEqualRaw(steps);
    // As the job does it (no JIT: compiling each of the rebuild's statements takes seconds on PostgreSQL).
    await db.query(`SELECT set_config('jit', 'off', true), funnel_rollups_rebuild($1)`, [ws]);
    expect(await snapshot()).toEqual(before);
    // Enough of each kind happened for the comparison to mean something.
    const fit = await fitFunnel(db, filter(), steps, stages);
    expect(fit.via).toBe('rollups');
    expect(fit.model.steps.map((s) => (s.entrants ?? 0) > 0)).toEqual([false, true, true, true, true, true, true, true]);
    expect(fit.openCells.length).toBeGreaterThan(0);
    expect(fit.cycleDays.length).toBe(40);
  }, HEAVY);

  it('stop answering when the journey is reordered, until the job it queued rebuilt them', async () => {
    const steps = await journey();
    const sale = steps.find((s) => s.kind === 'sale')!;
    const order = [sale, ...steps.filter((s) => s !== sale)].map((s) => s.id);
    const before = (await rollupJobs()).length;
    expect((await admin.req('PUT', '/api/v1/funnel/journey/order', { pipelineId, stepIds: order })).status).toBe(200);
    const moved = await journey();
    expect(moved[0]!.kind).toBe('sale');
    expect((await rollupJobs()).length).toBe(before + 1);
    for (let i = 0; i < 15; i++) await randomWrite();
    expect(await funnelRollupStatus(db, filter(), moved)).toBe('stale');
    await expect(fitFunnel(db, filter(), moved, stages, 'rollups')).rejects.toThrow(/not rebuilt yet/);
    expect((await fitFunnel(db, filter(), moved, stages)).via).toBe('raw');
    await runJobs();
    await expectRollupsEqualRaw(moved);
    const [state] = await db.query<{ fresh: boolean }>('SELECT signature = funnel_signature($1, $2) AS fresh FROM funnel_rollup_state WHERE workspace_id = $1 AND pipeline_id = $2', [ws, pipelineId]);
    expect(state!.fresh).toBe(true);
  }, HEAVY);

  it('are rebuilt in short transactions (a table, or a range of creation days): writes between two count once, the journey stored meanwhile leaves them stale, and they answer only once all are rebuilt', async () => {
    const steps = await journey();
    const stale = () => db.query(`UPDATE funnel_rollup_state SET signature = 'before an edit' WHERE workspace_id = $1 AND pipeline_id = $2`, [ws, pipelineId]);
    await stale();
    const parts: string[] = [];
    // Writes between the transactions (on PGlite, one connection: they could not run inside one).
    expect(await rebuildFunnelRollups(db, ws, pipelineId, async (part) => {
      parts.push(part);
      if (part === 'fresh') return;
      expect(await funnelRollupStatus(db, filter(), steps)).toBe('stale');
      for (let i = 0; i < 3; i++) await randomWrite();
    }, { chunkLeads: 40 })).toBe(true); // the creation-day tables a few days' leads at a time, as on PGlite
    expect([...new Set(parts)]).toEqual([...FUNNEL_REBUILD_PARTS, 'fresh']);
    expect(parts.filter((p) => p === 'funnel_lead_daily+funnel_step_days').length).toBeGreaterThan(2);
    // Plan vs actual's table too (keyed by the day a step was reached): its triggers skipped the leads not counted yet (0034), until the end.
    expect(parts.filter((p) => p === 'funnel_step_reached').length).toBeGreaterThan(2);
    expect(await db.query('SELECT * FROM funnel_rollup_cursor WHERE workspace_id = $1', [ws])).toEqual([]);
    // The two creation-day tables' statements share each lead's step instants: computed once, not given up for one by one.
    const args = `'SELECT * FROM lead', 'SELECT * FROM lead_stage_history', 'SELECT * FROM activity', 'SELECT * FROM sale', 'SELECT * FROM feedback'`;
    const [texts] = await db.query<{ reach: string; daily: string; days: string }>(
      `SELECT 'WITH ' || funnel_reach_sql(${args}) || ', ' AS reach, funnel_lead_daily_sql(${args}) AS daily, funnel_step_days_sql(${args}) AS days`);
    const merged = mergeOnReach(texts!.reach, [texts!.daily, texts!.days]);
    expect(merged?.split(' sr AS MATERIALIZED').length).toBe(2);
    expect(merged).toMatch(/funnel_all_0 AS \(INSERT INTO funnel_lead_daily_all [\s\S]*funnel_all_1 AS \(INSERT INTO funnel_step_days_all /);
    expect(await funnelRollupStatus(db, filter(), steps)).toBe('ready');
    await expectRollupsEqualRaw(steps);
    const kept = await snapshot();
    await db.query(`SELECT set_config('jit', 'off', true), funnel_rollups_rebuild($1)`, [ws]);
    expect(await snapshot()).toEqual(kept);

    // The journey reordered while they are rebuilt (between two tables): not marked fresh, for the job the edit queued.
    await stale();
    const last = steps.at(-1)!;
    expect(await rebuildFunnelRollups(db, ws, pipelineId, async (part) => {
      if (part === 'funnel_won_cycle') await db.query('UPDATE journey_step SET position = -1 WHERE workspace_id = $1 AND id = $2', [ws, last.id]);
    }, { chunkLeads: Infinity })).toBe(false);
    expect(await funnelRollupStatus(db, filter(), await journey())).toBe('stale');
    await db.query('UPDATE journey_step SET position = $3 WHERE workspace_id = $1 AND id = $2', [ws, last.id, last.position]);
    expect(await rebuildFunnelRollups(db, ws, pipelineId)).toBe(true);
    expect(await rebuildFunnelRollups(db, ws, pipelineId)).toBe(false);
    await expectRollupsEqualRaw(steps);

    // A whole rebuild (a zone or stage change) half-way through plan vs actual's ranges: the job stops, the whole rebuild's result stands.
    await stale();
    let whole = false;
    expect(await rebuildFunnelRollups(db, ws, pipelineId, async (part) => {
      if (part !== 'funnel_step_reached' || whole) return;
      whole = true;
      await db.query(`SELECT set_config('jit', 'off', true), funnel_rollups_rebuild($1)`, [ws]);
      await randomWrite();
    }, { chunkLeads: 40 })).toBe(false);
    expect(whole).toBe(true);
    expect(await funnelRollupStatus(db, filter(), steps)).toBe('ready');
    await expectRollupsEqualRaw(steps);
  }, HEAVY);

  it('leave a backtest\'s past cut-off, a product filter and another journey to the raw rows', async () => {
    const steps = await journey();
    expect(await funnelRollupsReady(db, filter({ live: false }), steps)).toBe(false);
    expect(await funnelRollupsReady(db, filter({ productId: randomUUID() }), steps)).toBe(false);
    expect(await funnelRollupsReady(db, filter(), steps.slice(1))).toBe(false);
    expect(await funnelRollupsReady(db, filter({ period: parsePeriod('2025-12-01', '2026-08-31', 'UTC') }), steps)).toBe(false);
  });
});
