import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, setupWorkspace, testApp, type TestApp } from './harness.js';
import { DEMO_ADMIN_EMAIL, DEMO_PASSWORD, DEMO_WORKSPACE_NAME, loadDemo, type DemoResult } from '../src/cli/demo.js';
import { hashPassword } from '../src/auth/password.js';
import { finishPendingLoads, generateDataset, type GenerateResult } from '../src/db/queries/bulk.js';
import { loadDashboard } from '../src/db/queries/metrics/dashboard.js';
import { localDay, parsePeriod } from '../src/domain/metrics/period.js';
import { derivedLifecycle } from '../src/db/queries/profile.js';
import type { Lifecycle } from '../src/domain/profile.js';
import { DashboardOut, MetricOut } from '../src/http/routes/metric-schemas.js';
import { metricNames } from '../src/db/queries/metrics/dashboard.js';

let t: TestApp;
let demo: DemoResult;
let otherWorkspaceId: string;
let hash: string;
const now = new Date();

const q = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) => t.deps.database.query<T>(sql, params);
const one = async (sql: string, params: unknown[] = []) => Number(Object.values((await q(sql, params))[0] ?? {})[0]);

beforeAll(async () => {
  t = await testApp();
  // Another tenant exists first, so "all rows in one workspace" is checked against a neighbour.
  otherWorkspaceId = (await setupWorkspace(t)).workspaceId;
  hash = await hashPassword(DEMO_PASSWORD);
  demo = await loadDemo(t.deps.database, { now, passwordHash: hash });
}, 120_000);
afterAll(async () => { await t.close(); });

describe('seguimiento demo', () => {
  it('creates the demo workspace in euros, Madrid time and Spanish, with its admin', async () => {
    expect(demo.loaded).toBe(true);
    expect(demo.createdWorkspace).toBe(true);
    const ws = await q<{ name: string; currency: string; timeZone: string; locale: string }>(
      'SELECT name, currency, time_zone AS "timeZone", locale FROM workspace WHERE id = $1', [demo.workspaceId]);
    expect(ws[0]).toEqual({ name: DEMO_WORKSPACE_NAME, currency: 'EUR', timeZone: 'Europe/Madrid', locale: 'es' });
    expect(await one(`SELECT count(*) FROM app_user WHERE workspace_id = $1 AND email = $2 AND role = 'admin'`, [demo.workspaceId, DEMO_ADMIN_EMAIL])).toBe(1);
  });

  it('loads counts in the expected ranges', async () => {
    const count = (table: string) => one(`SELECT count(*) FROM ${table} WHERE workspace_id = $1`, [demo.workspaceId]);
    expect(await count('product')).toBeGreaterThanOrEqual(10);
    expect(await count('campaign')).toBeGreaterThanOrEqual(5);
    expect(await count('company')).toBeGreaterThanOrEqual(40);
    expect(await count('contact')).toBeGreaterThanOrEqual(250);
    expect(await count('lead')).toBeGreaterThanOrEqual(350);
    expect(await count('activity')).toBeGreaterThanOrEqual(1500);
    expect(await count('sale')).toBeGreaterThanOrEqual(80);
    expect(await count('lead_stage_history')).toBeGreaterThanOrEqual(await count('lead'));
    expect(await one(`SELECT count(*) FROM app_user WHERE workspace_id = $1 AND role = 'manager'`, [demo.workspaceId])).toBe(1);
    expect(await one(`SELECT count(*) FROM app_user WHERE workspace_id = $1 AND role = 'sales'`, [demo.workspaceId])).toBe(3);
    expect(await one(
      `SELECT count(*) FROM app_user u JOIN team t ON t.workspace_id = u.workspace_id AND t.id = u.team_id
        WHERE u.workspace_id = $1 AND u.role IN ('manager', 'sales') AND t.manager_id IS NOT NULL`, [demo.workspaceId])).toBe(4);
    // 18 months of activities, every campaign with a cost and a source.
    expect(await one(`SELECT extract(day FROM now() - min(occurred_at)) FROM activity WHERE workspace_id = $1`, [demo.workspaceId])).toBeGreaterThan(450);
    expect(await one(`SELECT count(*) FROM campaign WHERE workspace_id = $1 AND (cost <= 0 OR source_id IS NULL OR starts_on IS NULL)`, [demo.workspaceId])).toBe(0);
  });

  it('puts every open lead in an open stage and every closed lead in the stage of its outcome', async () => {
    const rows = await q<{ status: string; kind: string; n: number }>(
      `SELECT l.status, s.kind, count(*)::int AS n FROM lead l JOIN stage s ON s.workspace_id = l.workspace_id AND s.id = l.stage_id
        WHERE l.workspace_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`, [demo.workspaceId]);
    for (const r of rows) {
      if (r.status === 'cancelled') continue;
      expect(r.kind).toBe(r.status);
    }
    expect(rows.map((r) => r.status)).toEqual(expect.arrayContaining(['open', 'won', 'lost']));
    expect(await one(`SELECT count(*) FROM lead WHERE workspace_id = $1 AND status <> 'open' AND next_action_at IS NOT NULL`, [demo.workspaceId])).toBe(0);
    expect(await one(`SELECT count(*) FROM lead WHERE workspace_id = $1 AND status = 'lost' AND lost_reason IS NULL`, [demo.workspaceId])).toBe(0);
    expect(await one(`SELECT count(*) FROM lead WHERE workspace_id = $1 AND status IN ('won', 'lost') AND closed_at IS NULL`, [demo.workspaceId])).toBe(0);
  });

  it('gives open leads next actions today, overdue and missing', async () => {
    const rows = await q<{ today: number; overdue: number; missing: number; future: number }>(
      `SELECT count(*) FILTER (WHERE next_action_at >= date_trunc('day', $2::timestamptz AT TIME ZONE 'Europe/Madrid') AT TIME ZONE 'Europe/Madrid'
                                 AND next_action_at < (date_trunc('day', $2::timestamptz AT TIME ZONE 'Europe/Madrid') + interval '1 day') AT TIME ZONE 'Europe/Madrid')::int AS today,
              count(*) FILTER (WHERE next_action_at < $2::timestamptz - interval '1 day')::int AS overdue,
              count(*) FILTER (WHERE next_action_at IS NULL)::int AS missing,
              count(*) FILTER (WHERE next_action_at > $2::timestamptz + interval '1 day')::int AS future
         FROM lead WHERE workspace_id = $1 AND status = 'open'`, [demo.workspaceId, now.toISOString()]);
    const r = rows[0]!;
    expect(r.today).toBeGreaterThan(5);
    expect(r.overdue).toBeGreaterThan(5);
    expect(r.missing).toBeGreaterThan(2);
    expect(r.future).toBeGreaterThan(r.today);
  });

  it('gives every won lead a sale whose lines add up to its total', async () => {
    expect(await one(
      `SELECT count(*) FROM lead l WHERE l.workspace_id = $1 AND l.status = 'won'
          AND NOT EXISTS (SELECT 1 FROM sale s WHERE s.workspace_id = l.workspace_id AND s.lead_id = l.id)`, [demo.workspaceId])).toBe(0);
    expect(await one(
      `SELECT count(*) FROM sale s WHERE s.workspace_id = $1
          AND s.total <> (SELECT sum(line_total) FROM sale_line x WHERE x.workspace_id = s.workspace_id AND x.sale_id = s.id)`, [demo.workspaceId])).toBe(0);
    // Repeat purchases: some clients bought more than once.
    expect(await one(
      `SELECT count(*) FROM (SELECT contact_id FROM sale WHERE workspace_id = $1 GROUP BY 1 HAVING count(*) > 1) x`, [demo.workspaceId])).toBeGreaterThan(5);
  });

  it('gives every sale one follow-up, done when its moment has passed, with satisfaction answers and complaints', async () => {
    const ws = [demo.workspaceId];
    expect(await one(`SELECT count(*) FROM sale s WHERE s.workspace_id = $1
        AND (SELECT count(*) FROM follow_up f WHERE f.workspace_id = s.workspace_id AND f.sale_id = s.id) <> 1`, ws)).toBe(0);
    expect(await one(`SELECT count(*) FROM follow_up WHERE workspace_id = $1 AND status = 'planned' AND due_at < now() - interval '1 day'`, ws)).toBe(0);
    expect(await one(`SELECT count(*) FROM follow_up f JOIN sale s ON s.workspace_id = f.workspace_id AND s.id = f.sale_id
        WHERE f.workspace_id = $1 AND (f.due_at < s.sold_at + interval '1 day' OR f.due_at > s.sold_at + interval '8 days')`, ws)).toBe(0);
    expect(await one(`SELECT count(*) FROM feedback WHERE workspace_id = $1 AND nps IS NOT NULL`, ws)).toBeGreaterThan(30);
    expect(await one(`SELECT count(*) FROM feedback WHERE workspace_id = $1 AND nps <= 6`, ws)).toBeGreaterThan(0);
    expect(await one(`SELECT count(*) FROM complaint WHERE workspace_id = $1`, ws)).toBeGreaterThan(3);
    // The timeline of each complaint ends in its current status.
    expect(await one(`SELECT count(*) FROM complaint c WHERE c.workspace_id = $1 AND c.status <> (
        SELECT e.to_status FROM complaint_event e WHERE e.workspace_id = c.workspace_id AND e.complaint_id = c.id AND e.kind = 'status'
         ORDER BY e.at DESC LIMIT 1)`, ws)).toBe(0);
  });

  it('gives every contact the lifecycle the application derives from its purchases and open leads', async () => {
    const rows = await q<{ lifecycle: string; bought: boolean; n: number }>(
      `SELECT c.lifecycle, EXISTS (SELECT 1 FROM sale s WHERE s.workspace_id = c.workspace_id AND s.contact_id = c.id) AS bought, count(*)::int AS n
         FROM contact c WHERE c.workspace_id = $1 GROUP BY 1, 2`, [demo.workspaceId]);
    for (const r of rows) expect(r.bought).toBe(r.lifecycle === 'client' || r.lifecycle === 'former');
    for (const kind of ['prospect', 'potential', 'client']) expect(rows.find((r) => r.lifecycle === kind)?.n ?? 0, kind).toBeGreaterThan(20);
    const contacts = await q<{ id: string; lifecycle: Lifecycle }>('SELECT id, lifecycle FROM contact WHERE workspace_id = $1 ORDER BY id', [demo.workspaceId]);
    const mismatched: string[] = [];
    for (const c of contacts) {
      const derived = await derivedLifecycle(t.deps.database.db, demo.workspaceId, c.id, now);
      if (derived !== c.lifecycle) mismatched.push(`${c.id}: ${c.lifecycle} ≠ ${derived}`);
    }
    expect(mismatched).toEqual([]);
    expect(await one(`SELECT count(*) FROM contact WHERE workspace_id = $1 AND do_not_contact`, [demo.workspaceId])).toBeGreaterThan(0);
  });

  it('records a stage history that starts when the lead was created and ends in its current stage', async () => {
    const rows = await q<{ id: string; stageId: string; createdAt: Date; steps: { from: string | null; to: string; at: string }[] }>(
      `SELECT l.id, l.stage_id AS "stageId", l.created_at AS "createdAt",
              (SELECT json_agg(json_build_object('from', h.from_stage_id, 'to', h.to_stage_id, 'at', h.changed_at) ORDER BY h.changed_at, h.id)
                 FROM lead_stage_history h WHERE h.workspace_id = l.workspace_id AND h.lead_id = l.id) AS steps
         FROM lead l WHERE l.workspace_id = $1`, [demo.workspaceId]);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      const steps = typeof r.steps === 'string' ? JSON.parse(r.steps) as typeof r.steps : r.steps;
      expect(steps.length).toBeGreaterThan(0);
      expect(steps[0]!.from).toBeNull();
      expect(new Date(steps[0]!.at).getTime()).toBe(new Date(r.createdAt).getTime());
      for (let i = 1; i < steps.length; i++) expect(steps[i]!.from).toBe(steps[i - 1]!.to);
      expect(steps.at(-1)!.to).toBe(r.stageId);
    }
  });

  it('keeps every row inside the demo workspace', async () => {
    for (const table of ['product', 'campaign', 'company', 'contact', 'lead', 'lead_stage_history', 'activity', 'sale', 'sale_line', 'team']) {
      expect(await one(`SELECT count(*) FROM ${table} WHERE workspace_id = $1`, [otherWorkspaceId]), table).toBe(0);
    }
    expect(await one(`SELECT count(*) FROM app_user WHERE workspace_id = $1`, [otherWorkspaceId])).toBe(1);
  });

  it('does nothing the second time it runs', async () => {
    const again = await loadDemo(t.deps.database, { now, passwordHash: hash });
    expect(again.loaded).toBe(false);
    expect(again.workspaceId).toBe(demo.workspaceId);
    expect(await one('SELECT count(*) FROM workspace')).toBe(2);
    expect(await one('SELECT count(*) FROM lead WHERE workspace_id = $1', [demo.workspaceId])).toBe(demo.counts['leads']);
  });

  it('lets the demo admin log in and read the Spanish companies', async () => {
    const c = new Client(t);
    await c.login(DEMO_ADMIN_EMAIL, DEMO_PASSWORD);
    const r = await c.get('/api/v1/companies?city=Valencia&limit=5');
    expect(r.status).toBe(200);
    expect(r.body.data.length).toBe(5);
    expect(r.body.data[0].city).toBe('Valencia');
  });

  it('scores its leads and contacts by score rules, each score with the lines that explain it', async () => {
    expect(await one('SELECT count(*) FROM score_rule WHERE workspace_id = $1', [demo.workspaceId])).toBeGreaterThanOrEqual(6);
    const leads = await q<{ score: number; lines: number }>(
      `SELECT score, jsonb_array_length(score_explanation->'lines') AS lines FROM lead WHERE workspace_id = $1 AND status = 'open'`, [demo.workspaceId]);
    // Varied scores, and a lead's score is never given without the rules that made it.
    expect(new Set(leads.map((l) => l.score)).size).toBeGreaterThan(5);
    expect(leads.filter((l) => l.score > 0 && !(l.lines > 0))).toEqual([]);
    expect(leads.filter((l) => l.score >= 40).length).toBeGreaterThan(0);
    expect(await one(`SELECT count(*) FROM contact WHERE workspace_id = $1 AND score > 0`, [demo.workspaceId])).toBeGreaterThan(0);
    // And the measured probability is trained on its closed leads, as the nightly job trains it.
    const [model] = await q<{ status: string; n: number; auc: number | null }>('SELECT status, n, auc FROM score_model WHERE workspace_id = $1', [demo.workspaceId]);
    expect(model).toMatchObject({ status: 'trained' });
    expect(model!.n).toBeGreaterThan(100);
  });

  it('answers the dashboard and every metric of the demo in exactly the shapes its OpenAPI document declares', async () => {
    const c = new Client(t);
    await c.login(DEMO_ADMIN_EMAIL, DEMO_PASSWORD);
    const to = localDay(now, 'Europe/Madrid');
    const from = `${Number(to.slice(0, 4)) - 1}${to.slice(4)}`;
    const r = await c.get(`/api/v1/dashboard?from=${from}&to=${to}&unit=week`);
    expect(r.status).toBe(200);
    // Strict schemas: a missing, extra or mistyped field anywhere in a card fails here.
    const dashboard = DashboardOut.parse(r.body);
    // The demo fills the cards' lists, so the shapes of their rows are checked, not only of empty lists
    // (nps, salesByClientType and winRate hold no lists).
    const rowsOf = (v: unknown): number => (Array.isArray(v) ? v.length + v.reduce((n: number, x) => n + rowsOf(x), 0)
      : v && typeof v === 'object' ? Object.values(v).reduce((n: number, x) => n + rowsOf(x), 0) : 0);
    const empty = Object.entries(dashboard.cards).filter(([, card]) => rowsOf((card as { value: unknown }).value) === 0).map(([name]) => name);
    expect(empty.filter((n) => !['nps', 'salesByClientType', 'winRate'].includes(n))).toEqual([]);
    for (const name of metricNames) {
      const m = await c.get(`/api/v1/metrics/${name}?from=${from}&to=${to}`);
      expect(m.status, name).toBe(200);
      expect(() => MetricOut.parse(m.body), name).not.toThrow();
    }
    const doc = (await c.get('/api/openapi.json')).body;
    expect(Object.keys(doc.components.schemas.Dashboard.properties.cards.properties)).toEqual(expect.arrayContaining([...metricNames]));
    expect(doc.components.schemas.PortfolioValue.required).toEqual(expect.arrayContaining(['topClients', 'averageBasket']));
  });

  it('fills an existing workspace given its id with the same, deterministic data', async () => {
    const filled = await loadDemo(t.deps.database, { workspaceId: otherWorkspaceId, now, passwordHash: hash });
    expect(filled.loaded).toBe(true);
    expect(filled.createdWorkspace).toBe(false);
    expect(filled.counts).toEqual(demo.counts);
    const fingerprint = (ws: string) => q<{ f: string }>(
      `SELECT string_agg(title || ':' || amount || ':' || status, '|' ORDER BY id) AS f FROM lead WHERE workspace_id = $1`, [ws]);
    expect((await fingerprint(otherWorkspaceId))[0]!.f).toBe((await fingerprint(demo.workspaceId))[0]!.f);
    expect(await one('SELECT count(*) FROM workspace')).toBe(2);
  });
});

describe('seguimiento generate', () => {
  let r: GenerateResult;
  let ws: string[];
  const bulkTables = `('company', 'contact', 'lead', 'lead_stage_history', 'activity', 'sale', 'feedback', 'lead_daily', 'lead_funnel_daily')`;
  const indexes = () => one(`SELECT count(*) FROM pg_indexes WHERE tablename IN ${bulkTables}`);
  const triggerModes = async () => (await q<{ t: string }>(
    `SELECT c.relname || '.' || g.tgname || '=' || g.tgenabled::text AS t FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
      WHERE NOT g.tgisinternal AND c.relname IN ${bulkTables} ORDER BY 1`)).map((x) => x.t);
  let indexesBefore: number;
  let triggersBefore: string[];
  beforeAll(async () => {
    indexesBefore = await indexes();
    triggersBefore = await triggerModes();
    // Statistics from before the load (the demo's rows), as in a database in use: the loader analyses
    // the bulk tables again inside its transaction, or the rollup rebuild is planned for none of its rows.
    await q('ANALYZE company, contact, lead, lead_stage_history, activity, sale');
    r = await generateDataset(t.deps.database, { leads: 300, activitiesPerLead: 3, users: 12, sales: 40, passwordHash: hash });
    ws = [r.workspaceId];
  }, 60_000);

  it('loads a consistent synthetic dataset and leaves every index in place', async () => {
    expect(r.rebuiltIndexes).toBeGreaterThan(10);
    expect(await indexes()).toBe(indexesBefore);
    // PostgreSQL commits the rows, then rebuilds the rollups and the indexes at once; the load is
    // marked as pending until both are done.
    expect(r.overlapped).toBe(t.deps.database.engine === 'postgres');
    expect(await one(`SELECT count(*) FROM app_setting WHERE key LIKE 'bulk_load:%'`)).toBe(0);
    expect(await one('SELECT count(*) FROM lead WHERE workspace_id = $1', ws)).toBe(300);
    expect(await one('SELECT count(*) FROM activity WHERE workspace_id = $1', ws)).toBe(900);
    expect(await one('SELECT count(*) FROM contact WHERE workspace_id = $1', ws)).toBe(60);
    expect(await one('SELECT count(*) FROM app_user WHERE workspace_id = $1', ws)).toBe(12);
    // Foreign-key triggers may be skipped while loading, so every reference is checked here.
    expect(await one(`SELECT count(*) FROM lead l WHERE l.workspace_id = $1 AND (
        NOT EXISTS (SELECT 1 FROM contact c WHERE c.workspace_id = l.workspace_id AND c.id = l.contact_id)
        OR (l.company_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM company c WHERE c.workspace_id = l.workspace_id AND c.id = l.company_id))
        OR NOT EXISTS (SELECT 1 FROM app_user u WHERE u.workspace_id = l.workspace_id AND u.id = l.owner_id)
        OR NOT EXISTS (SELECT 1 FROM stage s WHERE s.workspace_id = l.workspace_id AND s.id = l.stage_id))`, ws)).toBe(0);
    expect(await one(`SELECT count(*) FROM activity a WHERE a.workspace_id = $1 AND (
        NOT EXISTS (SELECT 1 FROM lead l WHERE l.workspace_id = a.workspace_id AND l.id = a.lead_id AND l.contact_id = a.contact_id AND l.owner_id = a.user_id))`, ws)).toBe(0);
    expect(await one(`SELECT count(*) FROM team t WHERE t.workspace_id = $1 AND NOT EXISTS (
        SELECT 1 FROM app_user u WHERE u.workspace_id = t.workspace_id AND u.id = t.manager_id AND u.role = 'manager' AND u.team_id = t.id)`, ws)).toBe(0);
    expect(await one(`SELECT count(*) FROM lead l JOIN stage s ON s.workspace_id = l.workspace_id AND s.id = l.stage_id
        WHERE l.workspace_id = $1 AND s.kind <> l.status`, ws)).toBe(0);
    // The sort keys the lead triggers keep are filled by the loader too (it may run with triggers off).
    expect(await one(`SELECT count(*) FROM lead l WHERE l.workspace_id = $1 AND (
        l.contact_sort IS DISTINCT FROM (SELECT f_person_sort(c.first_name, c.last_name, c.second_last_name) FROM contact c WHERE c.workspace_id = l.workspace_id AND c.id = l.contact_id)
        OR l.owner_sort IS DISTINCT FROM (SELECT f_search_text(u.name) FROM app_user u WHERE u.workspace_id = l.workspace_id AND u.id = l.owner_id)
        OR l.stage_sort IS DISTINCT FROM (SELECT s.position FROM stage s WHERE s.workspace_id = l.workspace_id AND s.id = l.stage_id)
        OR l.company_sort IS DISTINCT FROM coalesce((SELECT f_search_text(c.name) FROM company c WHERE c.workspace_id = l.workspace_id AND c.id = l.company_id), '')
        OR l.source_sort IS DISTINCT FROM coalesce((SELECT f_search_text(s.name) FROM source s WHERE s.workspace_id = l.workspace_id AND s.id = l.source_id), ''))`, ws)).toBe(0);
    expect(await one(`SELECT count(DISTINCT contact_sort) FROM lead WHERE workspace_id = $1`, ws)).toBeGreaterThan(10);
    // A lead's activities arrive newest first (ids ascending), the order activity_lead_idx is built in.
    expect(await one(`SELECT count(*) FROM (SELECT coalesce(occurred_at, due_at) AS at,
        lag(coalesce(occurred_at, due_at)) OVER (PARTITION BY lead_id ORDER BY id) AS prev FROM activity WHERE workspace_id = $1) x
        WHERE x.prev <= x.at`, ws)).toBe(0);
    // The foreign keys are still enforced once the load is over.
    await expect(t.deps.database.query(`INSERT INTO activity (workspace_id, type, occurred_at, lead_id) VALUES ($1, 'call', now(), gen_random_uuid())`, ws)).rejects.toThrow();
  });

  it('writes each lead a stage history through the open stages that ends in its current stage, and the sales asked for', async () => {
    expect(await one('SELECT count(*) FROM sale WHERE workspace_id = $1', ws)).toBe(40);
    expect(await one(`SELECT count(*) FROM sale s WHERE s.workspace_id = $1 AND (s.total < 0
        OR NOT EXISTS (SELECT 1 FROM contact c WHERE c.workspace_id = s.workspace_id AND c.id = s.contact_id AND c.owner_id = s.owner_id))`, ws)).toBe(0);
    const history = await one('SELECT count(*) FROM lead_stage_history WHERE workspace_id = $1', ws);
    expect(history).toBe(r.counts['stageHistory']);
    expect(history).toBeGreaterThan(300);
    // The last step of every lead is its stage, on its close date when it is closed.
    expect(await one(`SELECT count(*) FROM lead l WHERE l.workspace_id = $1 AND NOT EXISTS (
        SELECT 1 FROM lead_stage_history h WHERE h.workspace_id = l.workspace_id AND h.lead_id = l.id AND h.to_stage_id = l.stage_id
           AND h.changed_at = (SELECT max(x.changed_at) FROM lead_stage_history x WHERE x.workspace_id = l.workspace_id AND x.lead_id = l.id)
           AND (l.closed_at IS NULL OR h.changed_at = l.closed_at))`, ws)).toBe(0);
    // Each step starts where the previous one ended, the first from nowhere, never before the lead was created.
    expect(await one(`SELECT count(*) FROM (
        SELECT h.from_stage_id, lag(h.to_stage_id) OVER (PARTITION BY h.lead_id ORDER BY h.changed_at) AS prev, h.changed_at, l.created_at
          FROM lead_stage_history h JOIN lead l ON l.workspace_id = h.workspace_id AND l.id = h.lead_id WHERE h.workspace_id = $1) x
        WHERE x.from_stage_id IS DISTINCT FROM x.prev OR x.changed_at < x.created_at`, ws)).toBe(0);
    expect(await one(`SELECT count(DISTINCT h.to_stage_id) FROM lead_stage_history h WHERE h.workspace_id = $1`, ws)).toBe(r.stageIds.length);
    // The per-contact sale figures the sale triggers keep are there for every buying contact.
    expect(await one(`SELECT count(*) FROM (SELECT contact_id, count(*) AS n, sum(total) AS t FROM sale WHERE workspace_id = $1 GROUP BY 1) s
        FULL JOIN (SELECT * FROM contact_sale_stats WHERE workspace_id = $1) c ON c.contact_id = s.contact_id
        WHERE c.purchases IS DISTINCT FROM s.n OR c.revenue IS DISTINCT FROM s.t`, ws)).toBe(0);
  });

  it('leaves the metric rollups equal to the raw rows and their triggers as they were', async () => {
    expect(await triggerModes()).toEqual(triggersBefore);
    expect(triggersBefore.filter((x) => x.endsWith('=A')).length).toBeGreaterThanOrEqual(15);
    const now = new Date();
    const tz = 'Europe/Madrid';
    const period = parsePeriod(localDay(new Date(now.getTime() - 600 * 86_400_000), tz), localDay(now, tz), tz);
    const owner = r.users.find((u) => u.role === 'sales')!.id;
    for (const f of [{ unit: 'month' as const, ownerIds: null }, { unit: 'week' as const, ownerIds: [owner] }]) {
      const filter = { workspaceId: r.workspaceId, period, sourceId: null, now, ...f };
      const rolled = await loadDashboard(t.deps.database, { ...filter, rollups: true });
      expect(rolled.conversion.total.created).toBeGreaterThan(0);
      expect(rolled).toEqual(await loadDashboard(t.deps.database, { ...filter, rollups: false }));
    }
    // The monthly sums of the daily rollups (their triggers are off during the load too) are rebuilt.
    const differ = (a: string, b: string) => one(`SELECT count(*) FROM ((${a} EXCEPT ${b}) UNION ALL (${b} EXCEPT ${a})) x`, ws);
    expect(await differ(`SELECT month, owner_id, source_id, campaign_id, leads, won FROM lead_monthly WHERE workspace_id = $1`,
      `SELECT date_trunc('month', day::timestamp)::date, owner_id, source_id, campaign_id, sum(leads), sum(won) FROM lead_daily WHERE workspace_id = $1 GROUP BY 1, 2, 3, 4`)).toBe(0);
    expect(await differ(`SELECT pipeline_id, month, owner_id, source_id, furthest_stage_id, leads FROM lead_funnel_monthly WHERE workspace_id = $1`,
      `SELECT pipeline_id, date_trunc('month', day::timestamp)::date, owner_id, source_id, furthest_stage_id, sum(leads) FROM lead_funnel_daily WHERE workspace_id = $1 GROUP BY 1, 2, 3, 4, 5`)).toBe(0);
    expect(await one('SELECT count(*) FROM lead_monthly WHERE workspace_id = $1', ws)).toBeGreaterThan(0);
    // The triggers keep them after the load: a new sale is counted on its day.
    const sales = () => one(`SELECT coalesce(sum(sales), 0) FROM sale_daily WHERE workspace_id = $1`, ws);
    const before = await sales();
    await q(`INSERT INTO sale (workspace_id, company_id, sold_at, total, currency) SELECT $1, id, now(), 10, 'EUR' FROM company WHERE workspace_id = $1 LIMIT 1`, ws);
    expect(await sales()).toBe(before + 1);
  });

  it('finishes a load a crash left after committing its rows: its indexes, rollups and triggers come back', async () => {
    // What a crash between the commit of the rows and the end of the load leaves behind.
    const [index] = await q<{ name: string; def: string }>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE tablename = 'activity' AND indexname = 'activity_lead_idx'`);
    expect(index).toBeDefined();
    const [trigger] = await q<{ table: string; name: string; mode: string }>(
      `SELECT c.relname AS "table", g.tgname AS name, g.tgenabled::text AS mode FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
        WHERE NOT g.tgisinternal AND c.relname = 'activity' AND g.tgenabled = 'A' ORDER BY 2 LIMIT 1`);
    expect(trigger).toBeDefined();
    const done = () => one(`SELECT coalesce(sum(done), 0) FROM activity_daily WHERE workspace_id = $1`, ws);
    const doneBefore = await done();
    expect(doneBefore).toBe(await one('SELECT count(*) FROM activity WHERE workspace_id = $1 AND done_at IS NOT NULL', ws));
    await q(`DROP INDEX ${index!.name}`);
    await q(`ALTER TABLE activity DISABLE TRIGGER ${trigger!.name}`);
    await q('DELETE FROM activity_daily WHERE workspace_id = $1', ws);
    await q('INSERT INTO app_setting (key, value) VALUES ($1, $2)', [`bulk_load:${ws[0]}`, JSON.stringify({ indexes: [index], triggers: [trigger] })]);
    expect(await indexes()).toBe(indexesBefore - 1);

    expect(await finishPendingLoads(t.deps.database)).toEqual(ws);
    expect(await indexes()).toBe(indexesBefore);
    expect(await triggerModes()).toEqual(triggersBefore);
    expect(await done()).toBe(doneBefore);
    expect(await one(`SELECT count(*) FROM app_setting WHERE key LIKE 'bulk_load:%'`)).toBe(0);
    expect(await finishPendingLoads(t.deps.database)).toEqual([]);
  });

  it('leaves every index and trigger as before when a load fails while its indexes are being rebuilt', async () => {
    const rows = () => one('SELECT count(*) FROM lead');
    const rowsBefore = await rows();
    await expect(generateDataset(t.deps.database, {
      leads: 100, activitiesPerLead: 1, users: 4, passwordHash: hash,
      onProgress: (p) => { if (p.table === 'indexes' && p.done === 3) throw new Error('out of memory'); },
    })).rejects.toThrow('out of memory');
    expect(await indexes()).toBe(indexesBefore);
    expect(await triggerModes()).toEqual(triggersBefore);
    expect(await one(`SELECT count(*) FROM app_setting WHERE key LIKE 'bulk_load:%'`)).toBe(0);
    // PostgreSQL had committed the rows before the indexes (and finished the load after the failure);
    // PGlite's load is one transaction, rolled back.
    expect(await rows()).toBe(rowsBefore + (t.deps.database.engine === 'postgres' ? 100 : 0));
  });

  it('rolls a load that fails half-way back whole: no row, every index and trigger as before, the connection as it was', async () => {
    const settings = () => t.deps.database.session((c) => c.query(
      `SELECT current_setting('session_replication_role') AS role, current_setting('synchronous_commit') AS sync,
              current_setting('work_mem') AS "workMem", current_setting('jit') AS jit, current_setting('enable_mergejoin') AS merge`));
    const settingsBefore = await settings();
    const rows = () => Promise.all(['company', 'contact', 'lead', 'lead_stage_history', 'activity', 'team', 'lead_daily'].map((x) => one(`SELECT count(*) FROM ${x}`)));
    const rowsBefore = await rows();
    await expect(generateDataset(t.deps.database, {
      leads: 200, activitiesPerLead: 2, users: 6, passwordHash: hash,
      // Companies, contacts, leads and their history are in when the activities start.
      onProgress: (p) => { if (p.table === 'activity') throw new Error('disk full'); },
    })).rejects.toThrow('disk full');
    expect(await rows()).toEqual(rowsBefore);
    expect(await indexes()).toBe(indexesBefore);
    expect(await triggerModes()).toEqual(triggersBefore);
    expect(await settings()).toEqual(settingsBefore);
    expect(settingsBefore[0]!['role']).toBe('origin');
  });
});
