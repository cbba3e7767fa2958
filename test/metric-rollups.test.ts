import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Database } from '../src/db/client.js';
import { rebuildMetricRollups, rollupsMatch } from '../src/db/queries/metrics/rollups.js';
import { loadDashboard } from '../src/db/queries/metrics/dashboard.js';
import { ownersTopClients, ownersTopClientsGrouped, topClientsFromRollups } from '../src/db/queries/metrics/sale-clients.js';
import { frequencySql, portfolioSql, salesByClientTypeSql } from '../src/db/queries/metrics/sales.js';
import type { MetricFilter } from '../src/db/queries/metrics/filter.js';
import { parsePeriod } from '../src/domain/metrics/period.js';
import { setupWorkspace, testApp, type TestApp } from './harness.js';

// The daily rollups (migration 0014) are kept by triggers on every write. After a random but seeded
// mix of writes, single-row and multi-row, each rollup must equal a recomputation from the raw rows,
// written here independently of the migration's SQL.

let t: TestApp;
let db: Database;
let ws: string;
let users: string[];
let sources: string[];
let pipelineId: string;
let stages: { id: string; kind: string; position: number }[];
// Migration 0018: lead places come from contacts and companies; products are plain ids on the lead.
let contacts: string[] = [];
const products = [randomUUID(), randomUUID(), randomUUID()];
const places = [['Ruzafa', 'Valencia'], ['Centro', 'Valencia'], [null, 'Madrid'], ['Triana', null], [null, null]] as const;

let seed = 7;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const maybe = <T>(v: T, p = 0.5): T | null => (rnd() < p ? v : null);
const dateBetween = (a: string, b: string) => new Date(Date.parse(a) + rnd() * (Date.parse(b) - Date.parse(a)));
const NIL = '00000000-0000-0000-0000-000000000000';

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
const won = () => stages.find((s) => s.kind === 'won')!;
const lost = () => stages.find((s) => s.kind === 'lost')!;

function newLead() {
  const status = pick(['open', 'open', 'won', 'lost', 'cancelled'] as const);
  const createdAt = dateBetween('2025-12-01T00:00:00Z', '2026-06-01T00:00:00Z');
  const stage = status === 'won' ? won() : status === 'lost' ? lost() : pick(open());
  return {
    id: randomUUID(), workspace_id: ws, title: 'Lead', pipeline_id: pipelineId, stage_id: stage.id, probability: Math.floor(rnd() * 101),
    amount: Math.round(rnd() * 500000) / 100, currency: 'EUR', status, created_at: createdAt,
    closed_at: status === 'won' || status === 'lost' ? new Date(createdAt.getTime() + rnd() * 60 * 86_400_000) : null,
    cancelled_at: status === 'cancelled' ? createdAt : null,
    owner_id: maybe(pick(users), 0.9), source_id: maybe(pick(sources), 0.8), campaign_id: null,
    expected_close_date: maybe('2026-0' + (1 + Math.floor(rnd() * 9)) + '-15', 0.7),
    contact_id: contacts.length ? maybe(pick(contacts), 0.7) : null, company_id: maybe(companyId, 0.5),
    product_ids: products.filter(() => rnd() < 0.4),
    next_action_at: maybe(dateBetween('2026-02-20T00:00:00Z', '2026-03-10T00:00:00Z'), 0.8),
  };
}

function newContact() {
  const [neighbourhood, city] = pick(places);
  return { id: randomUUID(), workspace_id: ws, first_name: 'Ana', neighbourhood, city, owner_id: maybe(pick(users), 0.8),
    lifecycle: pick(['prospect', 'client', 'former']), status: pick(['active', 'active', 'cancelled']) };
}

/** One random write of the kinds the app makes; several touch many rows in one statement. */
async function randomWrite(): Promise<void> {
  const leads = await ids('lead');
  const op = pick(['create', 'create', 'move', 'move', 'won', 'lost', 'reopen', 'cancel', 'delete', 'reassign', 'history-delete',
    'sale', 'sale-edit', 'sale-delete', 'activity', 'done', 'undone', 'activity-delete', 'feedback', 'feedback-edit',
    'contact', 'contact-move', 'contact-edit', 'contact-delete', 'company-move', 'lead-place', 'next-action', 'sale-one-owner', 'sale-one-owner'] as const);
  const someLead = leads.length ? pick(leads) : null;
  switch (op) {
    case 'create': {
      const rows = Array.from({ length: 1 + Math.floor(rnd() * 4) }, newLead);
      await insert('lead', rows);
      await insert('lead_stage_history', rows.filter(() => rnd() < 0.7).map((l) => ({ workspace_id: ws, lead_id: l.id, to_stage_id: pick(open()).id })));
      return;
    }
    case 'move': {
      if (!someLead) return;
      const to = pick(open());
      await db.query(`UPDATE lead SET stage_id = $3, status = 'open', closed_at = NULL WHERE workspace_id = $1 AND id = $2`, [ws, someLead, to.id]);
      await insert('lead_stage_history', [{ workspace_id: ws, lead_id: someLead, to_stage_id: to.id }]);
      return;
    }
    case 'won': case 'lost': {
      if (!someLead) return;
      const s = op === 'won' ? won() : lost();
      await db.query(`UPDATE lead SET stage_id = $3, status = $4, closed_at = created_at + interval '9 days' WHERE workspace_id = $1 AND id = $2`, [ws, someLead, s.id, op]);
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
      await db.query('UPDATE lead SET owner_id = $2, source_id = $3, amount = amount + 1 WHERE workspace_id = $1 AND id = ANY($4::uuid[])',
        [ws, maybe(pick(users), 0.8), maybe(pick(sources), 0.8), leads.filter(() => rnd() < 0.2)]);
      return;
    case 'history-delete':
      if (someLead) await db.query('DELETE FROM lead_stage_history WHERE workspace_id = $1 AND lead_id = $2', [ws, someLead]);
      return;
    case 'sale':
      await insert('sale', Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
        const contactId = contacts.length ? maybe(pick(contacts), 0.6) : null;
        return { workspace_id: ws, sold_at: dateBetween('2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z'), total: Math.round(rnd() * 300000) / 100, currency: 'EUR',
          owner_id: maybe(pick(users), 0.9), company_id: companyId, contact_id: contactId }; // a company too: deleting the contact must leave a client
      }));
      return;
    case 'sale-one-owner': {
      // A new client who buys only from one salesperson (0032 counts those by sums, shared ones distinct).
      const c = { ...newContact(), owner_id: pick(users) };
      await insert('contact', [c]);
      contacts = await ids('contact');
      await insert('sale', Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({ workspace_id: ws, sold_at: dateBetween('2025-11-01T00:00:00Z', '2026-06-01T00:00:00Z'),
        total: Math.round(rnd() * 300000) / 100, currency: 'EUR', owner_id: c.owner_id, contact_id: c.id, company_id: companyId })));
      return;
    }
    case 'sale-edit': {
      const sales = await ids('sale');
      if (sales.length) await db.query(`UPDATE sale SET total = total + 10.05, sold_at = sold_at + interval '1 day', owner_id = $3, contact_id = coalesce($4, contact_id) WHERE workspace_id = $1 AND id = $2`,
        [ws, pick(sales), maybe(pick(users), 0.8), contacts.length ? maybe(pick(contacts), 0.3) : null]);
      return;
    }
    case 'sale-delete': {
      const sales = await ids('sale');
      if (sales.length) await db.query('DELETE FROM sale WHERE workspace_id = $1 AND id = $2', [ws, pick(sales)]);
      return;
    }
    case 'activity':
      await insert('activity', Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => {
        const at = dateBetween('2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z');
        const logged = rnd() < 0.5;
        return { workspace_id: ws, type: pick(['call', 'email', 'meeting', 'visit', 'message', 'note', 'task']), user_id: maybe(pick(users), 0.9),
          occurred_at: logged ? at : null, due_at: logged ? null : at, done_at: logged ? at : null, lead_id: someLead };
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
      await insert('feedback', [{ workspace_id: ws, nps: maybe(Math.floor(rnd() * 11), 0.8), satisfaction: 1 + Math.floor(rnd() * 5), channel: 'phone',
        answered_at: dateBetween('2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z'), user_id: maybe(pick(users), 0.9) }]);
      return;
    case 'contact':
      await insert('contact', Array.from({ length: 1 + Math.floor(rnd() * 3) }, newContact));
      contacts = await ids('contact');
      return;
    case 'contact-move': {
      // Several contacts change place in one statement; their leads move with them.
      const [neighbourhood, city] = pick(places);
      await db.query('UPDATE contact SET neighbourhood = $2, city = $3 WHERE workspace_id = $1 AND id = ANY($4::uuid[])', [ws, neighbourhood, city, contacts.filter(() => rnd() < 0.4)]);
      return;
    }
    case 'contact-edit':
      if (contacts.length) await db.query('UPDATE contact SET lifecycle = $3, status = $4, owner_id = $5 WHERE workspace_id = $1 AND id = $2',
        [ws, pick(contacts), pick(['prospect', 'client', 'former']), pick(['active', 'cancelled']), maybe(pick(users), 0.8)]);
      return;
    case 'contact-delete':
      if (contacts.length) await db.query('DELETE FROM contact WHERE workspace_id = $1 AND id = $2', [ws, pick(contacts)]);
      contacts = await ids('contact');
      return;
    case 'company-move': {
      const [neighbourhood, city] = pick(places);
      await db.query('UPDATE company SET neighbourhood = $2, city = $3 WHERE workspace_id = $1 AND id = $4', [ws, neighbourhood, city, companyId]);
      return;
    }
    case 'lead-place':
      if (someLead) await db.query('UPDATE lead SET product_ids = $3, contact_id = $4 WHERE workspace_id = $1 AND id = $2',
        [ws, someLead, products.filter(() => rnd() < 0.5), contacts.length ? maybe(pick(contacts), 0.7) : null]);
      return;
    case 'next-action':
      // Logging an interaction moves the next action of one lead, or a bulk edit of many.
      await db.query('UPDATE lead SET next_action_at = $2 WHERE workspace_id = $1 AND id = ANY($3::uuid[])',
        [ws, maybe(dateBetween('2026-02-25T00:00:00Z', '2026-03-05T00:00:00Z'), 0.9), leads.filter(() => rnd() < 0.15)]);
      return;
    case 'feedback-edit': {
      const fb = await ids('feedback');
      if (fb.length) await db.query('UPDATE feedback SET nps = $3, answered_at = answered_at - interval \'2 days\' WHERE workspace_id = $1 AND id = $2', [ws, pick(fb), maybe(Math.floor(rnd() * 11), 0.7)]);
      return;
    }
  }
}

let companyId: string;

/** Rows of a rollup without the all-zero ones (a key whose rows all went away), as sorted strings. */
async function rollup(table: string, keys: string[], measures: string[]): Promise<string[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT ${[...keys, ...measures].join(', ')} FROM ${table} WHERE workspace_id = $1 AND (${measures.map((m) => `${m} <> 0`).join(' OR ')})`, [ws]);
  return rows.map((r) => [...keys, ...measures].map((k) => (measures.includes(k) ? Number(r[k]).toFixed(6) : String(r[k]))).join('|')).sort();
}

async function raw(query: string, cols: string[], measures: string[]): Promise<string[]> {
  const rows = await db.query<Record<string, unknown>>(query, [ws, NIL]);
  return rows.map((r) => cols.map((k) => (measures.includes(k) ? Number(r[k]).toFixed(6) : String(r[k]))).join('|')).sort();
}

const tzDay = (col: string) => `(${col} AT TIME ZONE (SELECT time_zone FROM workspace WHERE id = $1))::date`;

async function expectRollupsEqualRaw() {
  expect(await rollup('lead_daily', ['day', 'owner_id', 'source_id', 'campaign_id'], ['leads', 'won'])).toEqual(await raw(
    `SELECT ${tzDay('created_at')} AS day, coalesce(owner_id, $2) AS owner_id, coalesce(source_id, $2) AS source_id, coalesce(campaign_id, $2) AS campaign_id,
            count(*) AS leads, count(*) FILTER (WHERE status = 'won') AS won
       FROM lead WHERE workspace_id = $1 AND status <> 'cancelled' GROUP BY 1, 2, 3, 4`, ['day', 'owner_id', 'source_id', 'campaign_id', 'leads', 'won'], ['leads', 'won']));
  expect(await rollup('lead_funnel_daily', ['pipeline_id', 'day', 'owner_id', 'source_id', 'furthest_stage_id'], ['leads'])).toEqual(await raw(
    `WITH reached AS (
       SELECT l.id, l.pipeline_id, l.created_at, l.owner_id, l.source_id, max(s.position) AS pos
         FROM lead l
         LEFT JOIN lead_stage_history h ON h.workspace_id = l.workspace_id AND h.lead_id = l.id
         LEFT JOIN stage s ON s.workspace_id = l.workspace_id AND s.pipeline_id = l.pipeline_id AND s.kind <> 'lost' AND (s.id = l.stage_id OR s.id = h.to_stage_id)
        WHERE l.workspace_id = $1 AND l.status <> 'cancelled'
        GROUP BY l.id, l.pipeline_id, l.created_at, l.owner_id, l.source_id)
     SELECT r.pipeline_id, ${tzDay('r.created_at')} AS day, coalesce(r.owner_id, $2) AS owner_id, coalesce(r.source_id, $2) AS source_id,
            coalesce(s.id, $2) AS furthest_stage_id, count(*) AS leads
       FROM reached r LEFT JOIN stage s ON s.workspace_id = $1 AND s.pipeline_id = r.pipeline_id AND s.position = r.pos AND s.kind <> 'lost'
      GROUP BY 1, 2, 3, 4, 5`, ['pipeline_id', 'day', 'owner_id', 'source_id', 'furthest_stage_id', 'leads'], ['leads']));
  expect(await rollup('lead_closed_daily', ['day', 'owner_id', 'source_id'], ['won', 'lost', 'won_days'])).toEqual(await raw(
    `SELECT ${tzDay('closed_at')} AS day, coalesce(owner_id, $2) AS owner_id, coalesce(source_id, $2) AS source_id,
            count(*) FILTER (WHERE status = 'won') AS won, count(*) FILTER (WHERE status = 'lost') AS lost,
            coalesce(sum(extract(epoch FROM closed_at - created_at) / 86400) FILTER (WHERE status = 'won'), 0) AS won_days
       FROM lead WHERE workspace_id = $1 AND status IN ('won', 'lost') AND closed_at IS NOT NULL GROUP BY 1, 2, 3`,
    ['day', 'owner_id', 'source_id', 'won', 'lost', 'won_days'], ['won', 'lost', 'won_days']));
  expect(await rollup('lead_open_summary', ['stage_id', 'owner_id', 'source_id', 'close_month'], ['leads', 'amount', 'weighted'])).toEqual(await raw(
    `SELECT stage_id, coalesce(owner_id, $2) AS owner_id, coalesce(source_id, $2) AS source_id, coalesce(to_char(expected_close_date, 'YYYY-MM'), 'none') AS close_month,
            count(*) AS leads, sum(amount) AS amount, sum(amount * probability / 100.0) AS weighted
       FROM lead WHERE workspace_id = $1 AND status = 'open' GROUP BY 1, 2, 3, 4`,
    ['stage_id', 'owner_id', 'source_id', 'close_month', 'leads', 'amount', 'weighted'], ['leads', 'amount', 'weighted']));
  expect(await rollup('activity_daily', ['day', 'user_id', 'type'], ['done'])).toEqual(await raw(
    `SELECT ${tzDay('coalesce(occurred_at, done_at)')} AS day, coalesce(user_id, $2) AS user_id, type, count(*) AS done
       FROM activity WHERE workspace_id = $1 AND done_at IS NOT NULL GROUP BY 1, 2, 3`, ['day', 'user_id', 'type', 'done'], ['done']));
  expect(await rollup('sale_daily', ['day', 'owner_id'], ['sales', 'amount'])).toEqual(await raw(
    `SELECT ${tzDay('sold_at')} AS day, coalesce(owner_id, $2) AS owner_id, count(*) AS sales, sum(total) AS amount
       FROM sale WHERE workspace_id = $1 GROUP BY 1, 2`, ['day', 'owner_id', 'sales', 'amount'], ['sales', 'amount']));
  const place = `FROM lead l CROSS JOIN LATERAL unnest(CASE WHEN cardinality(l.product_ids) = 0 THEN ARRAY[NULL]::uuid[] ELSE l.product_ids END) p(id)
       LEFT JOIN contact ct ON ct.workspace_id = l.workspace_id AND ct.id = l.contact_id LEFT JOIN company co ON co.workspace_id = l.workspace_id AND co.id = l.company_id
      WHERE l.workspace_id = $1 AND l.status <> 'cancelled'`;
  const placeCols = `coalesce(l.source_id, $2) AS source_id, coalesce(p.id, $2) AS product_id,
      coalesce(ct.neighbourhood, co.neighbourhood, 'none') AS neighbourhood, coalesce(ct.city, co.city, 'none') AS city, count(*) AS leads`;
  expect(await rollup('lead_place_daily', ['owner_id', 'day', 'source_id', 'product_id', 'neighbourhood', 'city'], ['leads'])).toEqual(await raw(
    `SELECT coalesce(l.owner_id, $2) AS owner_id, ${tzDay('l.created_at')} AS day, ${placeCols} ${place} GROUP BY 1, 2, 3, 4, 5, 6`,
    ['owner_id', 'day', 'source_id', 'product_id', 'neighbourhood', 'city', 'leads'], ['leads']));
  expect(await rollup('lead_place_weekly', ['week', 'source_id', 'product_id', 'neighbourhood', 'city'], ['leads'])).toEqual(await raw(
    `SELECT date_trunc('week', ${tzDay('l.created_at')})::date AS week, ${placeCols} ${place} GROUP BY 1, 2, 3, 4, 5`,
    ['week', 'source_id', 'product_id', 'neighbourhood', 'city', 'leads'], ['leads']));
  expect(await rollup('activity_weekly', ['week', 'user_id', 'type'], ['done'])).toEqual(await raw(
    `SELECT date_trunc('week', ${tzDay('coalesce(occurred_at, done_at)')})::date AS week, coalesce(user_id, $2) AS user_id, type, count(*) AS done
       FROM activity WHERE workspace_id = $1 AND done_at IS NOT NULL GROUP BY 1, 2, 3`, ['week', 'user_id', 'type', 'done'], ['done']));
  expect(await rollup('contact_lifecycle_summary', ['owner_id', 'lifecycle'], ['contacts'])).toEqual(await raw(
    `SELECT coalesce(owner_id, $2) AS owner_id, lifecycle, count(*) AS contacts FROM contact WHERE workspace_id = $1 AND status = 'active' GROUP BY 1, 2`,
    ['owner_id', 'lifecycle', 'contacts'], ['contacts']));
  const firsts = async (q: string, params: unknown[]) => (await db.query<{ k: string }>(q, params)).map((r) => r.k).sort();
  expect(await firsts(`SELECT contact_id || '|' || company_id || '|' || first_sold_at::text AS k FROM sale_client_first WHERE workspace_id = $1`, [ws])).toEqual(await firsts(
    `SELECT coalesce(contact_id, $2) || '|' || CASE WHEN contact_id IS NULL THEN company_id ELSE $2 END || '|' || min(sold_at)::text AS k
       FROM sale WHERE workspace_id = $1 AND (contact_id IS NOT NULL OR company_id IS NOT NULL) GROUP BY coalesce(contact_id, $2), CASE WHEN contact_id IS NULL THEN company_id ELSE $2 END`, [ws, NIL]));
  // Migration 0026: lead rollups per month, open leads per UTC day of their next action…
  expect(await rollup('lead_monthly', ['month', 'owner_id', 'source_id', 'campaign_id'], ['leads', 'won'])).toEqual(await raw(
    `SELECT date_trunc('month', ${tzDay('created_at')})::date AS month, coalesce(owner_id, $2) AS owner_id, coalesce(source_id, $2) AS source_id,
            coalesce(campaign_id, $2) AS campaign_id, count(*) AS leads, count(*) FILTER (WHERE status = 'won') AS won
       FROM lead WHERE workspace_id = $1 AND status <> 'cancelled' GROUP BY 1, 2, 3, 4`, ['month', 'owner_id', 'source_id', 'campaign_id', 'leads', 'won'], ['leads', 'won']));
  expect(await rollup('lead_funnel_monthly', ['pipeline_id', 'month', 'owner_id', 'source_id', 'furthest_stage_id'], ['leads'])).toEqual(await raw(
    `SELECT pipeline_id, date_trunc('month', day)::date AS month, owner_id, source_id, coalesce(furthest_stage_id, $2) AS furthest_stage_id, sum(leads) AS leads
       FROM lead_funnel_daily WHERE workspace_id = $1 GROUP BY 1, 2, 3, 4, 5 HAVING sum(leads) <> 0`,
    ['pipeline_id', 'month', 'owner_id', 'source_id', 'furthest_stage_id', 'leads'], ['leads'])); // lead_funnel_daily is checked against raw rows above
  expect(await rollup('lead_next_action_daily', ['day', 'owner_id', 'source_id'], ['leads'])).toEqual(await raw(
    `SELECT (next_action_at AT TIME ZONE 'UTC')::date AS day, coalesce(owner_id, $2) AS owner_id, coalesce(source_id, $2) AS source_id, count(*) AS leads
       FROM lead WHERE workspace_id = $1 AND status = 'open' AND next_action_at IS NOT NULL GROUP BY 1, 2, 3`, ['day', 'owner_id', 'source_id', 'leads'], ['leads']));
  // … and each sale with the local days of its client's previous and first sale.
  const refs = `WITH s AS (
       SELECT ${tzDay('sold_at')} AS day, total,
              ${tzDay(`lag(sold_at) OVER (PARTITION BY coalesce(contact_id, $2), CASE WHEN contact_id IS NULL THEN company_id END ORDER BY sold_at, id)`)} AS prev_day,
              ${tzDay(`min(sold_at) OVER (PARTITION BY coalesce(contact_id, $2), CASE WHEN contact_id IS NULL THEN company_id END)`)} AS first_day
         FROM sale WHERE workspace_id = $1)`;
  expect(await rollup('sale_client_ref_daily', ['ref', 'day', 'ref_month'], ['sales', 'amount'])).toEqual(await raw(
    `${refs} SELECT ref, day, ref_month, count(*) AS sales, sum(total) AS amount
       FROM (SELECT 'previous' AS ref, day, CASE WHEN prev_day IS NULL THEN '-infinity'::date ELSE date_trunc('month', prev_day)::date END AS ref_month, total FROM s
             UNION ALL SELECT 'first', day, date_trunc('month', first_day)::date, total FROM s) x GROUP BY 1, 2, 3`,
    ['ref', 'day', 'ref_month', 'sales', 'amount'], ['sales', 'amount']));
  expect(await rollup('sale_client_ref_pair', ['ref', 'ref_day', 'day'], ['sales', 'amount'])).toEqual(await raw(
    `${refs} SELECT ref, ref_day, day, count(*) AS sales, sum(total) AS amount
       FROM (SELECT 'previous' AS ref, prev_day AS ref_day, day, total FROM s WHERE prev_day < day
             UNION ALL SELECT 'first', first_day, day, total FROM s WHERE first_day < day) x GROUP BY 1, 2, 3`,
    ['ref', 'ref_day', 'day', 'sales', 'amount'], ['sales', 'amount']));
  expect(await rollup('sale_client_total', ['contact_id', 'company_id'], ['sales', 'amount'])).toEqual(await raw(
    `SELECT coalesce(contact_id, $2) AS contact_id, CASE WHEN contact_id IS NULL THEN company_id ELSE $2 END AS company_id, count(*) AS sales, sum(total) AS amount
       FROM sale WHERE workspace_id = $1 GROUP BY 1, 2`, ['contact_id', 'company_id', 'sales', 'amount'], ['sales', 'amount']));
  // Migration 0032: each owned sale with its client's previous and first sale days and shared flag, and
  // the all-time sales per owner and client.
  const clientOf = `coalesce(contact_id, $2), CASE WHEN contact_id IS NULL THEN company_id ELSE $2 END`;
  expect(await rollup('sale_client_ref', ['sale_id', 'owner_id', 'day', 'contact_id', 'company_id', 'prev_day', 'first_day', 'shared'], ['total'])).toEqual(await raw(
    `SELECT * FROM (
       SELECT id AS sale_id, owner_id, ${tzDay('sold_at')} AS day, coalesce(contact_id, $2) AS contact_id, CASE WHEN contact_id IS NULL THEN company_id ELSE $2 END AS company_id,
              ${tzDay(`lag(sold_at) OVER (PARTITION BY ${clientOf} ORDER BY sold_at, id)`)} AS prev_day,
              ${tzDay(`min(sold_at) OVER (PARTITION BY ${clientOf})`)} AS first_day,
              (SELECT count(DISTINCT coalesce(o.owner_id, $2)) FROM sale o WHERE o.workspace_id = $1
                  AND coalesce(o.contact_id, $2) = coalesce(s.contact_id, $2)
                  AND CASE WHEN o.contact_id IS NULL THEN o.company_id ELSE $2 END = CASE WHEN s.contact_id IS NULL THEN s.company_id ELSE $2 END) > 1 AS shared,
              total
         FROM sale s WHERE workspace_id = $1) x
      WHERE owner_id IS NOT NULL AND total <> 0`, ['sale_id', 'owner_id', 'day', 'contact_id', 'company_id', 'prev_day', 'first_day', 'shared', 'total'], ['total']));
  // Migration 0036: the non-shared rows above summed per owner, month and month of the previous / first sale.
  const refMonth = (day: string) => `date_trunc('month', ${day}::timestamp)::date`;
  expect(await rollup('sale_client_owner_monthly', ['owner_id', 'month', 'ref', 'ref_month'], ['sales', 'amount'])).toEqual(await raw(
    `WITH x AS (
       SELECT owner_id, ${tzDay('sold_at')} AS day, total,
              ${tzDay(`lag(sold_at) OVER (PARTITION BY ${clientOf} ORDER BY sold_at, id)`)} AS prev_day,
              ${tzDay(`min(sold_at) OVER (PARTITION BY ${clientOf})`)} AS first_day,
              (SELECT count(DISTINCT coalesce(o.owner_id, $2)) FROM sale o WHERE o.workspace_id = $1
                  AND coalesce(o.contact_id, $2) = coalesce(s.contact_id, $2)
                  AND CASE WHEN o.contact_id IS NULL THEN o.company_id ELSE $2 END = CASE WHEN s.contact_id IS NULL THEN s.company_id ELSE $2 END) AS owners
         FROM sale s WHERE workspace_id = $1)
     SELECT owner_id, ${refMonth('day')} AS month, r.ref, r.ref_month, count(*) AS sales, sum(total) AS amount
       FROM x CROSS JOIN LATERAL (VALUES ('previous', coalesce(${refMonth('prev_day')}, '-infinity'::date)), ('first', ${refMonth('first_day')})) r (ref, ref_month)
      WHERE owner_id IS NOT NULL AND owners = 1 GROUP BY 1, 2, 3, 4`, ['owner_id', 'month', 'ref', 'ref_month', 'sales', 'amount'], ['sales', 'amount']));
  expect(await rollup('sale_client_owner_total', ['contact_id', 'company_id', 'owner_id'], ['sales', 'amount'])).toEqual(await raw(
    `SELECT coalesce(contact_id, $2) AS contact_id, CASE WHEN contact_id IS NULL THEN company_id ELSE $2 END AS company_id, owner_id, count(*) AS sales, sum(total) AS amount
       FROM sale WHERE workspace_id = $1 AND owner_id IS NOT NULL GROUP BY 1, 2, 3`, ['contact_id', 'company_id', 'owner_id', 'sales', 'amount'], ['sales', 'amount']));
  expect(await rollup('feedback_daily', ['day', 'user_id', 'nps', 'satisfaction'], ['answers'])).toEqual(await raw(
    `SELECT ${tzDay('answered_at')} AS day, coalesce(user_id, $2) AS user_id, coalesce(nps, -1) AS nps, coalesce(satisfaction, 0) AS satisfaction, count(*) AS answers
       FROM feedback WHERE workspace_id = $1 GROUP BY 1, 2, 3, 4`, ['day', 'user_id', 'nps', 'satisfaction', 'answers'], ['answers']));
}

beforeAll(async () => {
  t = await testApp();
  db = t.deps.database;
  const w = await setupWorkspace(t);
  ws = w.workspaceId;
  users = [w.adminId, randomUUID(), randomUUID()];
  await insert('app_user', users.slice(1).map((id, i) => ({ workspace_id: ws, id, email: `r${i}@garcia.es`, name: `R${i}`, role: 'sales' })));
  sources = (await db.query<{ id: string }>('SELECT id FROM source WHERE workspace_id = $1 ORDER BY name', [ws])).map((r) => r.id).slice(0, 3);
  pipelineId = (await db.query<{ id: string }>('SELECT id FROM pipeline WHERE workspace_id = $1 AND is_default', [ws]))[0]!.id;
  stages = await db.query('SELECT id, kind, position FROM stage WHERE workspace_id = $1 AND pipeline_id = $2 ORDER BY position', [ws, pipelineId]);
  companyId = randomUUID();
  await insert('company', [{ id: companyId, workspace_id: ws, name: 'Muebles Sur', neighbourhood: 'Benimaclet', city: 'Valencia' }]);
  await insert('contact', Array.from({ length: 6 }, newContact));
  contacts = await ids('contact');
  await insert('lead', Array.from({ length: 30 }, newLead));
});
afterAll(async () => { await t.close(); });

describe('metric rollups', () => {
  it('equal a recomputation from raw rows after a random mix of writes', async () => {
    for (let i = 0; i < 220; i++) await randomWrite();
    const counts = await db.query<{ leads: number; sales: number; activities: number }>(
      `SELECT (SELECT count(*)::int FROM lead WHERE workspace_id = $1) AS leads, (SELECT count(*)::int FROM sale WHERE workspace_id = $1) AS sales,
              (SELECT count(*)::int FROM activity WHERE workspace_id = $1) AS activities`, [ws]);
    expect(counts[0]!.leads).toBeGreaterThan(20);
    expect(counts[0]!.sales).toBeGreaterThan(0);
    await expectRollupsEqualRaw();
  }, 90_000); // 220 statements through every rollup trigger: ~10 s alone, several times that on a loaded machine

  it('give every dashboard card the same numbers as the raw rows, with and without owner and source filters', async () => {
    const base: MetricFilter = { workspaceId: ws, period: parsePeriod('2025-12-01', '2026-06-30', 'Europe/Madrid'), unit: 'week', ownerIds: null, sourceId: null, now: new Date('2026-03-01T00:00:00Z') };
    for (const f of [base, { ...base, unit: 'month' as const, ownerIds: [users[1]!] }, { ...base, sourceId: sources[0]! }, { ...base, period: parsePeriod('2026-02-10', '2026-02-10', 'Europe/Madrid') },
      // A team (several owners: shared clients counted once) per week, and a salesperson from a ragged day.
      { ...base, ownerIds: [users[0]!, users[2]!] }, { ...base, unit: 'quarter' as const, period: parsePeriod('2026-01-20', '2026-05-11', 'Europe/Madrid'), ownerIds: [users[2]!] },
      { ...base, unit: 'month' as const, period: parsePeriod('2026-02-17', '2026-04-30', 'Europe/Madrid'), ownerIds: users },
      { ...base, unit: 'quarter' as const, period: parsePeriod('2026-02-17', '2026-05-20', 'Europe/Madrid') }, { ...base, unit: 'month' as const, period: parsePeriod('2026-01-01', '2026-04-30', 'Europe/Madrid'), now: new Date('2026-03-01T15:30:00Z') },
      { ...base, unit: 'quarter' as const, period: parsePeriod('2025-12-15', '2026-05-31', 'Europe/Madrid'), sourceId: sources[1]!, now: new Date('2026-03-03T09:00:00Z') },
      // Teams over whole months (0036's monthly sums) with ragged ends, from a month's first day and from inside one.
      { ...base, unit: 'month' as const, period: parsePeriod('2025-11-18', '2026-05-09', 'Europe/Madrid'), ownerIds: [users[0]!, users[1]!, users[2]!] },
      { ...base, unit: 'quarter' as const, period: parsePeriod('2026-02-03', '2026-06-30', 'Europe/Madrid'), ownerIds: [users[1]!, users[2]!] },
      { ...base, unit: 'quarter' as const, period: parsePeriod('2026-01-01', '2026-03-15', 'Europe/Madrid'), ownerIds: users }]) {
      const rolled = await loadDashboard(db, { ...f, rollups: true });
      expect(rolled.conversion.total.created).toBeGreaterThanOrEqual(0);
      expect(rolled).toEqual(await loadDashboard(db, { ...f, rollups: false }));
    }
  });

  it('follow a reordering of the funnel stages', async () => {
    const [a, b] = open();
    await db.transaction(async (tx) => {
      await tx.execute(`UPDATE stage SET position = -1 WHERE workspace_id = '${ws}' AND id = '${a!.id}'`);
      await tx.execute(`UPDATE stage SET position = ${a!.position} WHERE workspace_id = '${ws}' AND id = '${b!.id}'`);
      await tx.execute(`UPDATE stage SET position = ${b!.position} WHERE workspace_id = '${ws}' AND id = '${a!.id}'`);
    });
    stages = await db.query('SELECT id, kind, position FROM stage WHERE workspace_id = $1 AND pipeline_id = $2 ORDER BY position', [ws, pipelineId]);
    await expectRollupsEqualRaw();
  });

  it('move every day to the new local days when the workspace changes time zone', async () => {
    // 04:00 on 10 March in Madrid is 21:00 on 9 March in Mexico City.
    await insert('activity', [{ workspace_id: ws, type: 'call', user_id: users[0], occurred_at: new Date('2026-03-10T03:00:00Z'), done_at: new Date('2026-03-10T03:00:00Z') }]);
    const days = async () => (await db.query<{ k: string }>(
      `SELECT day::text || '|' || user_id || '|' || type AS k FROM activity_daily WHERE workspace_id = $1 AND done <> 0 ORDER BY 1`, [ws])).map((r) => r.k);
    const before = await days();
    expect(before).toContain(`2026-03-10|${users[0]}|call`);
    await db.query(`UPDATE workspace SET time_zone = 'America/Mexico_City' WHERE id = $1`, [ws]);
    const after = await days();
    expect(after).toContain(`2026-03-09|${users[0]}|call`);
    expect(after).not.toEqual(before);
    await expectRollupsEqualRaw();
  });

  it('never fail a write because of the stored time zone: one PostgreSQL does not know cannot be stored', async () => {
    // The API refuses such zones; the database refuses them too, so the triggers can bucket by the stored one.
    await expect(db.query(`UPDATE workspace SET time_zone = 'Mars/Olympus_Mons' WHERE id = $1`, [ws])).rejects.toThrow(/workspace_time_zone_known/);
    await db.query(`UPDATE workspace SET time_zone = 'UTC' WHERE id = $1`, [ws]);
    const lead = newLead();
    await insert('lead', [{ ...lead, created_at: new Date('2026-03-10T23:30:00Z'), status: 'open', stage_id: open()[0]!.id, closed_at: null, cancelled_at: null }]);
    await insert('activity', [{ workspace_id: ws, type: 'call', user_id: users[0], occurred_at: new Date('2026-03-10T23:30:00Z'), done_at: new Date('2026-03-10T23:30:00Z') }]);
    await insert('sale', [{ workspace_id: ws, sold_at: new Date('2026-03-10T23:30:00Z'), total: 10, currency: 'EUR', company_id: companyId }]);
    await db.query(`UPDATE contact SET city = 'Sevilla' WHERE workspace_id = $1`, [ws]);
    const day = await db.query<{ day: string }>(`SELECT day::text AS day FROM lead_daily WHERE workspace_id = $1 AND day = '2026-03-10' AND leads > 0`, [ws]);
    expect(day).toHaveLength(1); // 23:30 UTC is still the 10th in UTC (it would be the 11th in Madrid)
    const f: MetricFilter = { workspaceId: ws, period: parsePeriod('2026-01-01', '2026-06-30', 'UTC'), unit: 'week', ownerIds: null, sourceId: null, now: new Date('2026-03-01T00:00:00Z') };
    expect(await rollupsMatch(db, f)).toBe(true);
    expect(await loadDashboard(db, { ...f, rollups: true })).toEqual(await loadDashboard(db, { ...f, rollups: false }));
    await db.query(`UPDATE workspace SET time_zone = 'America/Mexico_City' WHERE id = $1`, [ws]);
    await expectRollupsEqualRaw();
  });

  it('all start with the guard of 0025 (a migration redefining one must keep it)', async () => {
    const unguarded = await db.query<{ name: string }>(`
      SELECT DISTINCT p.proname AS name FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
       WHERE NOT t.tgisinternal AND (t.tgoldtable IS NOT NULL OR t.tgnewtable IS NOT NULL)
         AND position('rollup guard (0025)' IN p.prosrc) = 0`);
    expect(unguarded).toEqual([]);
  });

  it('skip statements that change nothing they read, and still follow those that do', async () => {
    const lead = newLead();
    await insert('lead', [{ ...lead, created_at: new Date('2026-03-12T10:00:00Z'), status: 'open', stage_id: open()[0]!.id, closed_at: null, cancelled_at: null }]);
    // Only columns no rollup reads: the rollups stay equal to the raw rows (nothing to do, nothing lost).
    await db.query(`UPDATE lead SET score = 40, last_activity_at = now(), next_action_note = 'llamar' WHERE workspace_id = $1`, [ws]);
    await db.query(`UPDATE contact SET first_name = first_name WHERE workspace_id = $1 AND false`, [ws]);
    await expectRollupsEqualRaw();
    // A column they read, in the same statement as an unread one: followed.
    await db.query(`UPDATE lead SET score = 41, stage_id = $2 WHERE workspace_id = $1 AND id = $3`, [ws, open()[1]!.id, lead.id]);
    await expectRollupsEqualRaw();
  });

  it('find the top clients among the largest all-time clients, taking more of them until no one else can enter', async () => {
    // 15 big clients: all buy 100 000 + 10 i in March; the even ones also bought 5 000 before the period,
    // so the 12 largest all-time clients miss two of the period's top ten while the 14 largest hold them all.
    const big = Array.from({ length: 15 }, () => ({ ...newContact(), status: 'active' }));
    await insert('contact', big);
    contacts = await ids('contact');
    await insert('sale', big.flatMap((c, i) => [
      { workspace_id: ws, contact_id: c.id, sold_at: new Date('2026-03-15T10:00:00Z'), total: 100000 + 10 * i, currency: 'EUR' },
      ...(i % 2 === 0 ? [{ workspace_id: ws, contact_id: c.id, sold_at: new Date('2025-06-01T10:00:00Z'), total: 5000, currency: 'EUR' }] : []),
    ]));
    const f: MetricFilter = { workspaceId: ws, period: parsePeriod('2026-01-01', '2026-06-30', 'America/Mexico_City'), unit: 'month', ownerIds: null, sourceId: null, now: new Date('2026-03-01T00:00:00Z') };
    const raw = (await loadDashboard(db, { ...f, rollups: false })).portfolio.topClients;
    expect(raw.map((r) => r.clientKey)).toEqual([14, 13, 12, 11, 10, 9, 8, 7, 6, 5].map((i) => `contact:${big[i]!.id}`));
    expect(await topClientsFromRollups(db, f, [12])).toBeNull();
    expect(await topClientsFromRollups(db, f, [12, 14])).toEqual(raw);
    expect((await loadDashboard(db, { ...f, rollups: true })).portfolio).toEqual((await loadDashboard(db, { ...f, rollups: false })).portfolio);
    await expectRollupsEqualRaw();
  });

  it('find a team\'s top clients among each salesperson\'s largest all-time clients, and shared clients always', async () => {
    // 12 clients of two salespeople, each buying 200 000 + 10 i in April; the even ones also bought 9 000
    // before the period, so each one's 3 largest all-time clients do not hold the period's top ten…
    const [a, b] = [users[1]!, users[2]!];
    const mine = Array.from({ length: 12 }, (_, i) => ({ ...newContact(), status: 'active', owner_id: i < 6 ? a : b }));
    await insert('contact', mine);
    await insert('sale', mine.flatMap((c, i) => [
      { workspace_id: ws, contact_id: c.id, owner_id: c.owner_id, sold_at: new Date('2026-04-15T10:00:00Z'), total: 200000 + 10 * i, currency: 'EUR' },
      ...(i % 2 === 0 ? [{ workspace_id: ws, contact_id: c.id, owner_id: c.owner_id, sold_at: new Date('2025-05-01T10:00:00Z'), total: 9000, currency: 'EUR' }] : []),
    ]));
    // … and one client bought 150 000 from each of them: 300 000 for the team, the top, though neither
    // salesperson's all-time amount with them is among their largest.
    const shared = { ...newContact(), status: 'active' };
    await insert('contact', [shared]);
    await insert('sale', [a, b].map((owner) => ({ workspace_id: ws, contact_id: shared.id, owner_id: owner, sold_at: new Date('2026-04-20T10:00:00Z'), total: 150000, currency: 'EUR' })));
    contacts = await ids('contact');
    const f: MetricFilter = { workspaceId: ws, period: parsePeriod('2026-04-01', '2026-04-30', 'America/Mexico_City'), unit: 'month', ownerIds: [a, b], sourceId: null, now: new Date('2026-03-01T00:00:00Z') };
    const team = { ...f, ownerIds: [a, b] };
    const raw = (await loadDashboard(db, { ...f, rollups: false })).portfolio.topClients;
    expect(raw[0]).toMatchObject({ clientKey: `contact:${shared.id}`, amount: 300000, count: 2 });
    expect(await ownersTopClientsGrouped(db, team)).toEqual(raw);
    expect(await ownersTopClients(db, team, [3])).toEqual(raw); // undecided at 3 each: the grouping answers
    expect(await ownersTopClients(db, team, [7])).toEqual(raw);
    expect((await loadDashboard(db, { ...f, rollups: true }))).toEqual(await loadDashboard(db, { ...f, rollups: false }));
    await expectRollupsEqualRaw();
  });

  it('count a team\'s clients from its monthly sums as from its sales, through new, re-owned, deleted and moved sales', async () => {
    const [a, b] = [users[1]!, users[2]!];
    const c = { ...newContact(), status: 'active', owner_id: a };
    await insert('contact', [c]);
    const sale = (owner: string, day: string, total: number) =>
      ({ id: randomUUID(), workspace_id: ws, contact_id: c.id, owner_id: owner, sold_at: new Date(`${day}T10:00:00Z`), total, currency: 'EUR' });
    // The period starts on 10 February: `later`'s previous sale (4 February) is in its first month but
    // before it, the case the monthly sums cannot tell and sale_client_ref answers.
    const first = sale(a, '2026-01-05', 100);
    const inFirstMonth = sale(a, '2026-02-04', 200);
    const later = sale(a, '2026-03-20', 300);
    // After the end of the period of 10 February – 24 March, in its last month: taken off that month's sums.
    const afterEnd = sale(a, '2026-03-28', 400);
    // Earlier tests of this file leave random sales of the same owner: the monthly row is compared with itself before.
    const marchFromFebruary = async () => (await db.query<{ sales: number }>(
      `SELECT coalesce(sum(sales), 0)::int AS sales FROM sale_client_owner_monthly WHERE workspace_id = $1 AND owner_id = $2 AND month = '2026-03-01' AND ref = 'previous' AND ref_month = '2026-02-01'`, [ws, a]))[0]!.sales;
    const before = await marchFromFebruary();
    await insert('sale', [first, inFirstMonth, later, afterEnd]);
    // Forced rollups answer in the workspace's zone (rollupsMatch would refuse another one).
    const [{ zone }] = await db.query<{ zone: string }>('SELECT time_zone AS zone FROM workspace WHERE id = $1', [ws]) as [{ zone: string }];
    const team: MetricFilter = { workspaceId: ws, period: parsePeriod('2026-02-10', '2026-05-31', zone), unit: 'month', ownerIds: [a, b], sourceId: null, now: new Date('2026-03-01T00:00:00Z') };
    const filters = [team, { ...team, unit: 'quarter' as const }, { ...team, period: parsePeriod('2026-01-01', '2026-04-30', zone) },
      { ...team, period: parsePeriod('2026-02-10', '2026-03-24', zone) }, { ...team, unit: 'quarter' as const, period: parsePeriod('2026-01-01', '2026-03-27', zone) }];
    const cards = async (f: MetricFilter) => ({
      salesByClientType: await salesByClientTypeSql(db, f), frequency: await frequencySql(db, f), portfolio: await portfolioSql(db, f) });
    const expectSameAsRaw = async () => {
      for (const f of filters) expect(await cards({ ...f, rollups: true })).toEqual(await cards({ ...f, rollups: false }));
    };
    // `later` (20 March, previous sale 4 February) is the one sale this adds to March's row for February.
    expect(await marchFromFebruary()).toBe(before + 1);
    await expectSameAsRaw();
    // A new sale from another salesperson makes the client shared: counted once, apart from the sums.
    const other = sale(b, '2026-04-02', 50);
    await insert('sale', [other]);
    await expectSameAsRaw();
    await db.query('UPDATE sale SET owner_id = $3 WHERE workspace_id = $1 AND id = $2', [ws, other.id, a]);
    await expectSameAsRaw();
    await db.query('DELETE FROM sale WHERE workspace_id = $1 AND id = $2', [ws, inFirstMonth.id]);
    await expectSameAsRaw();
    // The client's first sale moves into the period: they become a new client of it.
    await db.query(`UPDATE sale SET sold_at = '2026-02-12T10:00:00Z' WHERE workspace_id = $1 AND id = $2`, [ws, first.id]);
    await expectSameAsRaw();
    await expectRollupsEqualRaw();
  });

  it('are rebuilt from raw rows by the rebuild command, with an audit event', async () => {
    await db.query('UPDATE lead_daily SET leads = leads + 5 WHERE workspace_id = $1', [ws]);
    await db.query('DELETE FROM activity_daily WHERE workspace_id = $1', [ws]);
    await db.query('UPDATE sale_client_ref_daily SET sales = sales + 1 WHERE workspace_id = $1', [ws]);
    await db.query('DELETE FROM sale_client_ref_pair WHERE workspace_id = $1', [ws]);
    await db.query('UPDATE sale_client_total SET amount = amount * 2 WHERE workspace_id = $1', [ws]);
    await db.query('DELETE FROM lead_next_action_daily WHERE workspace_id = $1', [ws]);
    await db.query('UPDATE lead_monthly SET won = won + 1 WHERE workspace_id = $1', [ws]);
    await db.query('UPDATE sale_client_ref SET shared = NOT shared, prev_day = NULL WHERE workspace_id = $1', [ws]);
    await db.query('DELETE FROM sale_client_owner_total WHERE workspace_id = $1', [ws]);
    await db.query('UPDATE sale_client_owner_monthly SET sales = sales + 3 WHERE workspace_id = $1', [ws]);
    const [r] = await rebuildMetricRollups(db, ws);
    expect(r!.workspaceId).toBe(ws);
    await expectRollupsEqualRaw();
    const audit = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_event WHERE workspace_id = $1 AND action = 'metrics_rebuild'`, [ws]);
    expect(audit[0]!.n).toBe(1);
  });
});
