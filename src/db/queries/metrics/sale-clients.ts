import type { Database } from '../../client.js';
import { bucketStart, type PeriodUnit } from '../../../domain/metrics/period.js';
import { TOP_CLIENTS } from '../../../domain/metrics/portfolio.js';
import { num, periodDays, type MetricFilter } from './filter.js';
import { NONE_ID } from './rollups.js';

/**
 * The distinct-client sale figures from the rollups of migration 0026, exact and without reading the
 * period's sales. Only for the whole workspace: a client's previous sale is their previous sale from
 * anyone, so the rollups cannot tell how many distinct clients a set of salespeople served.
 *
 * For a range of local days [a, e): every sale in it has one `previous` row (orders, amount), and
 *   clients     = sales whose previous sale is before a: month of it before a's month (daily rows), or
 *                 in a's month before a (pair rows, at most a month of reference days);
 *   new clients = sales without a previous sale (their client's first);
 *   new sales   = sales whose client's first sale is on or after a: first-sale month from a's month on
 *                 (daily rows), minus those in a's month before a (pair rows).
 * Sales always have a client (CHECK sale_check), so these are every sale of the range.
 */
export type SaleClientFigures = {
  orders: number; amount: number; clients: number;
  newClients: number; newSales: number; newAmount: number;
  /** amount − newAmount, summed exactly in SQL. */
  existingAmount: number;
};

type Range = { key: string; from: string; toExclusive: string };

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The unit buckets of a period of local days, each cut to the period, keyed by the bucket's first day. */
export function bucketRanges(fromDay: string, toDayExclusive: string, unit: PeriodUnit): Range[] {
  const out: Range[] = [];
  for (let start = bucketStart(fromDay, unit); start < toDayExclusive;) {
    const next = unit === 'week' ? addDays(start, 7) : bucketStart(addDays(start, unit === 'month' ? 31 : 92), unit);
    out.push({ key: start, from: start < fromDay ? fromDay : start, toExclusive: next < toDayExclusive ? next : toDayExclusive });
    start = next;
  }
  return out;
}

/** The figures of each range, in one statement (two index range scans per range). */
export async function saleClientFigures(database: Database, workspaceId: string, ranges: Range[]): Promise<Map<string, SaleClientFigures>> {
  if (!ranges.length) return new Map();
  const rows = await database.query<{ key: string; orders: number; amount: string; clients: number; newClients: number; newSales: number; newAmount: string; existingAmount: string }>(
    `SELECT b.k AS key, d.orders::int AS orders, d.amount, (d.clients + p.clients)::int AS clients, d.new_clients::int AS "newClients",
            (d.new_sales - p.first_sales)::int AS "newSales", d.new_amount - p.first_amount AS "newAmount",
            d.amount - (d.new_amount - p.first_amount) AS "existingAmount"
       FROM unnest($2::text[], $3::date[], $4::date[], $5::date[]) AS b(k, a, e, m)
      CROSS JOIN LATERAL (
        SELECT coalesce(sum(sales) FILTER (WHERE ref = 'previous'), 0) AS orders,
               coalesce(sum(amount) FILTER (WHERE ref = 'previous'), 0) AS amount,
               coalesce(sum(sales) FILTER (WHERE ref = 'previous' AND ref_month < b.m), 0) AS clients,
               coalesce(sum(sales) FILTER (WHERE ref = 'previous' AND ref_month = '-infinity'), 0) AS new_clients,
               coalesce(sum(sales) FILTER (WHERE ref = 'first' AND ref_month >= b.m), 0) AS new_sales,
               coalesce(sum(amount) FILTER (WHERE ref = 'first' AND ref_month >= b.m), 0) AS new_amount
          FROM sale_client_ref_daily
         WHERE workspace_id = $1 AND ref IN ('previous', 'first') AND day >= b.a AND day < b.e) d
      CROSS JOIN LATERAL (
        SELECT coalesce(sum(sales) FILTER (WHERE ref = 'previous'), 0) AS clients,
               coalesce(sum(sales) FILTER (WHERE ref = 'first'), 0) AS first_sales,
               coalesce(sum(amount) FILTER (WHERE ref = 'first'), 0) AS first_amount
          FROM sale_client_ref_pair
         WHERE workspace_id = $1 AND ref IN ('previous', 'first') AND ref_day >= b.m AND ref_day < b.a AND day >= b.a AND day < b.e) p`,
    [workspaceId, ranges.map((r) => r.key), ranges.map((r) => r.from), ranges.map((r) => r.toExclusive), ranges.map((r) => `${r.from.slice(0, 7)}-01`)]);
  return new Map(rows.map((r) => [r.key, {
    orders: num(r.orders), amount: num(r.amount), clients: num(r.clients), newClients: num(r.newClients),
    newSales: num(r.newSales), newAmount: num(r.newAmount), existingAmount: num(r.existingAmount),
  }]));
}

/** The whole period as one range. */
export async function periodSaleClientFigures(database: Database, f: MetricFilter): Promise<SaleClientFigures> {
  const { fromDay, toDayExclusive } = periodDays(f);
  const empty = { orders: 0, amount: 0, clients: 0, newClients: 0, newSales: 0, newAmount: 0, existingAmount: 0 };
  if (fromDay >= toDayExclusive) return empty;
  return (await saleClientFigures(database, f.workspaceId, [{ key: 'all', from: fromDay, toExclusive: toDayExclusive }])).get('all') ?? empty;
}

export type RankedClient = { clientKey: string; amount: number; count: number; name: string | null };

/**
 * The period's top clients of the whole workspace, exact, by a threshold search: a client's all-time
 * amount (sale_client_total) bounds what they bought in any period, so once the k largest all-time
 * clients hold ten whose period amount beats the (k+1)-th all-time amount, no one else can enter the top.
 * Only those k clients' sales are read (index look-ups); k grows until that holds. Null when it does not
 * hold at the largest k (period amounts far from all-time ones): the caller reads the raw rows.
 */
export async function topClientsFromRollups(database: Database, f: MetricFilter, candidates: readonly number[] = [100, 1_000, 5_000]): Promise<RankedClient[] | null> {
  const clientKey = `(CASE WHEN k.contact_id <> '${NONE_ID}' THEN 'contact:' || k.contact_id ELSE 'company:' || k.company_id END)`;
  for (const k of candidates) {
    const [r] = await database.query<{ decided: boolean; top: RankedClient[] }>(
      `WITH c AS (SELECT contact_id, company_id, amount FROM sale_client_total WHERE workspace_id = $1 ORDER BY amount DESC LIMIT $4::int + 1),
            k AS (SELECT * FROM c ORDER BY amount DESC LIMIT $4::int),
            t AS (
              SELECT ${clientKey} AS client, k.contact_id, k.company_id, s.amount, s.count
                FROM k CROSS JOIN LATERAL (
                  SELECT sum(x.total) AS amount, count(*)::int AS count FROM (
                    SELECT x.total FROM sale x WHERE x.workspace_id = $1 AND k.contact_id <> '${NONE_ID}' AND x.contact_id = k.contact_id AND x.sold_at >= $2 AND x.sold_at < $3
                    UNION ALL
                    SELECT x.total FROM sale x WHERE x.workspace_id = $1 AND k.contact_id = '${NONE_ID}' AND x.contact_id IS NULL AND x.company_id = k.company_id AND x.sold_at >= $2 AND x.sold_at < $3) x) s
               WHERE s.count > 0
               ORDER BY s.amount DESC, ${clientKey} COLLATE "C" LIMIT ${TOP_CLIENTS})
       SELECT ((SELECT count(*) FROM c) <= $4::int
               OR ((SELECT count(*) FROM t) = ${TOP_CLIENTS} AND (SELECT min(amount) FROM t) > (SELECT min(amount) FROM c))) AS decided,
              coalesce((SELECT json_agg(json_build_object('clientKey', t.client, 'amount', t.amount::text, 'count', t.count,
                          'name', CASE WHEN t.contact_id <> '${NONE_ID}'
                                       THEN (SELECT trim(concat_ws(' ', ct.first_name, ct.last_name, ct.second_last_name)) FROM contact ct WHERE ct.workspace_id = $1 AND ct.id = t.contact_id)
                                       ELSE (SELECT co.name FROM company co WHERE co.workspace_id = $1 AND co.id = t.company_id) END)
                          ORDER BY t.amount DESC, t.client COLLATE "C") FROM t), '[]') AS top`,
      [f.workspaceId, f.period.from, f.period.to, k]);
    if (r?.decided) return r.top.map((x) => ({ ...x, amount: num(x.amount) }));
  }
  return null;
}
