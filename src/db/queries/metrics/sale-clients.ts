import type { Database } from '../../client.js';
import { addDays, bucketStart, type PeriodUnit } from '../../../domain/metrics/period.js';
import { TOP_CLIENTS } from '../../../domain/metrics/portfolio.js';
import { num, once, periodDays, type MetricFilter } from './filter.js';
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

export type OwnerSaleFigures = { period: SaleClientFigures; buckets: { bucket: string; orders: number; clients: number; amount: number }[] };

const monthOf = (day: string) => `${day.slice(0, 7)}-01`;
const nextMonth = (day: string) => monthOf(addDays(monthOf(day), 31));

/**
 * The distinct-client sale figures of some salespeople (an owner filter), for the period and per period
 * unit cut to it. Each owned sale has one row of sale_client_ref (0032) with its client's previous and
 * first sale days: a client who bought from one owner only (not shared) is counted by sums (previous
 * sale before the range: once; none: a new client); a client shared between owners is counted distinct
 * from its own rows (sale_client_ref_shared_idx, usually none).
 *
 * The sums of the period's whole months come from sale_client_owner_monthly (0036: per owner, month and
 * month of the previous / first sale), so a team reads a few hundred rows, not its sales: for a range
 * starting on day a of month A, a reference before a is one in a month before A, or one in A before a
 * (those few are counted from sale_client_ref by their reference day, and taken off the new-client
 * sales). The ragged ends (before the first whole month, after the last) and the shared clients read
 * sale_client_ref; a last month mostly inside the period is summed whole, minus its rows after the
 * period (none for a period ending today). Weeks do not fit in months: with unit week every row is read
 * as before.
 * new vs existing, frequency and portfolio all read it: asked once per dashboard (`once`).
 */
export function ownersSaleFigures(database: Database, f: MetricFilter & { ownerIds: string[] }): Promise<OwnerSaleFigures> {
  return once(f, 'ownersSaleFigures', async () => {
    const { fromDay, toDayExclusive } = periodDays(f);
    if (fromDay >= toDayExclusive) return { period: { orders: 0, amount: 0, clients: 0, newClients: 0, newSales: 0, newAmount: 0, existingAmount: 0 }, buckets: [] };
    // Whole months [wholeFrom, wholeTo) from the monthly sums; none: both at the period's end. The last,
    // partial month is summed too when that is less to read: minus its days from the period's end on
    // (none for a period ending today), rather than plus its days before it.
    const fromMonth = monthOf(fromDay);
    const firstWhole = fromDay === fromMonth ? fromDay : nextMonth(fromDay);
    const lastMonth = monthOf(toDayExclusive);
    const lastMonthEnd = toDayExclusive === lastMonth ? lastMonth : nextMonth(lastMonth);
    const dayCount = (x: string, y: string) => (Date.parse(y) - Date.parse(x)) / 86_400_000;
    const subtractTail = lastMonthEnd !== lastMonth && dayCount(toDayExclusive, lastMonthEnd) < dayCount(lastMonth, toDayExclusive);
    const wholeEnd = subtractTail ? lastMonthEnd : lastMonth;
    const whole = f.unit !== 'week' && firstWhole < wholeEnd;
    const [wholeFrom, wholeTo] = whole ? [firstWhole, wholeEnd] : [toDayExclusive, toDayExclusive];
    const tailFrom = whole && !subtractTail ? lastMonth : toDayExclusive;
    const ref = (cond: string, sign = 1) => `SELECT date_trunc('${f.unit}', day::timestamp)::date AS b, ${sign} AS sign, * FROM sale_client_ref
                   WHERE workspace_id = $1 AND owner_id = ANY($2::uuid[]) AND ${cond}`;
    // Head and tail days, the shared clients' rows of the whole months, and (sign −1) the non-shared
    // rows of the last month's days after the period, which its monthly sums hold.
    const rows = `${ref('day >= $3::date AND day < $5::date')} UNION ALL ${ref('day >= $8::date AND day < $4::date')}
                  UNION ALL ${ref('day >= $5::date AND day < least($6::date, $4::date) AND shared')}
                  UNION ALL ${ref('day >= $4::date AND day < $9::date AND NOT shared', -1)}`;
    const distinct = (cond: string) => `count(DISTINCT contact_id) FILTER (WHERE contact_id <> '${NONE_ID}'${cond}) + count(DISTINCT company_id) FILTER (WHERE contact_id = '${NONE_ID}'${cond})`;
    const out = await database.query<{ part: string; g: number; bucket: string | null; orders: number; amount: string; bucketClients: number; clients: number; newClients: number; newSales: number; newAmount: string; existingAmount: string }>(
      `SELECT 'raw' AS part, GROUPING(b) AS g, to_char(b, 'YYYY-MM-DD') AS bucket, sum(sign)::int AS orders, coalesce(sum(sign * total), 0) AS amount,
              coalesce(sum(sign) FILTER (WHERE NOT shared AND (prev_day IS NULL OR prev_day < greatest(b, $3::date))), 0)::int AS "bucketClients",
              coalesce(sum(sign) FILTER (WHERE NOT shared AND (prev_day IS NULL OR prev_day < $3::date)), 0)::int AS clients,
              coalesce(sum(sign) FILTER (WHERE NOT shared AND prev_day IS NULL), 0)::int AS "newClients",
              coalesce(sum(sign) FILTER (WHERE first_day >= $3::date), 0)::int AS "newSales",
              coalesce(sum(sign * total) FILTER (WHERE first_day >= $3::date), 0) AS "newAmount",
              coalesce(sum(sign * total) FILTER (WHERE first_day < $3::date), 0) AS "existingAmount"
         FROM (${rows}) r GROUP BY GROUPING SETS ((), (b))
       UNION ALL
       SELECT 'shared', GROUPING(b), to_char(b, 'YYYY-MM-DD'), 0, 0, (${distinct('')})::int, (${distinct('')})::int, (${distinct(' AND first_day >= $3::date')})::int, 0, 0, 0
         FROM (${ref('day >= $3::date AND day < $4::date AND shared')}) r GROUP BY GROUPING SETS ((), (b))
       UNION ALL
       SELECT 'monthly', GROUPING(b), to_char(b, 'YYYY-MM-DD'), coalesce(sum(sales) FILTER (WHERE ref = 'previous'), 0)::int,
              coalesce(sum(amount) FILTER (WHERE ref = 'previous'), 0),
              coalesce(sum(sales) FILTER (WHERE ref = 'previous' AND ref_month < CASE WHEN b >= $3::date THEN b ELSE $7::date END), 0)::int,
              coalesce(sum(sales) FILTER (WHERE ref = 'previous' AND ref_month < $7::date), 0)::int,
              coalesce(sum(sales) FILTER (WHERE ref = 'previous' AND ref_month = '-infinity'), 0)::int,
              coalesce(sum(sales) FILTER (WHERE ref = 'first' AND ref_month >= $7::date), 0)::int,
              coalesce(sum(amount) FILTER (WHERE ref = 'first' AND ref_month >= $7::date), 0),
              coalesce(sum(amount) FILTER (WHERE ref = 'first' AND ref_month < $7::date), 0)
         FROM (SELECT date_trunc('${f.unit}', month::timestamp)::date AS b, * FROM sale_client_owner_monthly
                WHERE workspace_id = $1 AND owner_id = ANY($2::uuid[]) AND month >= $5::date AND month < $6::date) m
        GROUP BY GROUPING SETS ((), (b))
       UNION ALL
       SELECT 'previous in the first month', GROUPING(b), to_char(b, 'YYYY-MM-DD'), 0, 0,
              (count(*) FILTER (WHERE b < $3::date))::int, count(*)::int, 0, 0, 0, 0
         FROM (SELECT date_trunc('${f.unit}', day::timestamp)::date AS b FROM sale_client_ref
                WHERE workspace_id = $1 AND owner_id = ANY($2::uuid[]) AND NOT shared AND prev_day >= $7::date AND prev_day < $3::date
                  AND day >= $5::date AND day < $6::date) r
        GROUP BY GROUPING SETS ((), (b))
       UNION ALL
       SELECT 'first in the first month', 1, NULL, 0, 0, 0, 0, 0, -count(*)::int, -coalesce(sum(total), 0), coalesce(sum(total), 0)
         FROM sale_client_ref
        WHERE workspace_id = $1 AND owner_id = ANY($2::uuid[]) AND NOT shared AND first_day >= $7::date AND first_day < $3::date
          AND day >= $5::date AND day < $6::date`,
      [f.workspaceId, f.ownerIds, fromDay, toDayExclusive, wholeFrom, wholeTo, fromMonth, tailFrom, whole && subtractTail ? wholeTo : toDayExclusive]);
    const period = { orders: 0, amount: 0, clients: 0, newClients: 0, newSales: 0, newAmount: 0, existingAmount: 0 };
    const buckets = new Map<string, { bucket: string; orders: number; clients: number; amount: number }>();
    for (const r of out) {
      if (num(r.g) === 1) {
        period.orders += num(r.orders); period.amount += num(r.amount); period.clients += num(r.clients);
        period.newClients += num(r.newClients); period.newSales += num(r.newSales);
        period.newAmount += num(r.newAmount); period.existingAmount += num(r.existingAmount);
      } else {
        const b = buckets.get(r.bucket!) ?? { bucket: r.bucket!, orders: 0, clients: 0, amount: 0 };
        b.orders += num(r.orders); b.clients += num(r.bucketClients); b.amount += num(r.amount);
        buckets.set(r.bucket!, b);
      }
    }
    // A monthly row whose sales all went (deleted or moved) stays at zero: no bucket of its own.
    return { period, buckets: [...buckets.values()].filter((b) => b.orders !== 0) };
  });
}

/**
 * The period's top clients of some salespeople, exact, by the threshold search of topClientsFromRollups
 * per owner: a client who only ever bought from one owner bought at most their all-time amount with that
 * owner (sale_client_owner_total) in any period. Candidates are each owner's k largest all-time clients
 * plus every shared client of theirs with sales in the period; once ten candidates have a period amount
 * above the largest (k+1)-th all-time amount of any owner, no one else can enter the top. k grows
 * 25 → 250 → 2 500; then the grouping of all their clients (ownersTopClientsGrouped) answers.
 */
export async function ownersTopClients(database: Database, f: MetricFilter & { ownerIds: string[] }, candidates: readonly number[] = [25, 250, 2_500]): Promise<RankedClient[]> {
  const { fromDay, toDayExclusive } = periodDays(f);
  if (fromDay >= toDayExclusive || !f.ownerIds.length) return [];
  for (const k of candidates) {
    const [r] = await database.query<{ decided: boolean; top: RankedClient[] }>(
      `WITH c AS (
         SELECT x.contact_id, x.company_id, x.amount, x.rn FROM unnest($2::uuid[]) o(id)
          CROSS JOIN LATERAL (SELECT contact_id, company_id, amount, row_number() OVER (ORDER BY amount DESC) AS rn
                                FROM sale_client_owner_total WHERE workspace_id = $1 AND owner_id = o.id ORDER BY amount DESC LIMIT $5::int + 1) x),
       bound AS (SELECT max(amount) FILTER (WHERE rn > $5::int) AS b FROM c),
       k AS (SELECT contact_id, company_id FROM c WHERE rn <= $5::int
             UNION
             SELECT contact_id, company_id FROM sale_client_ref
              WHERE workspace_id = $1 AND owner_id = ANY($2::uuid[]) AND day >= $3::date AND day < $4::date AND shared),
       t AS (
         SELECT k.contact_id, k.company_id, s.amount, s.count
           FROM k CROSS JOIN LATERAL (
             SELECT sum(r.total) AS amount, count(*)::int AS count FROM sale_client_ref r
              WHERE r.workspace_id = $1 AND r.contact_id = k.contact_id AND r.company_id = k.company_id
                AND r.owner_id = ANY($2::uuid[]) AND r.day >= $3::date AND r.day < $4::date) s
          WHERE s.count > 0
          ORDER BY s.amount DESC, k.contact_id <> '${NONE_ID}', k.contact_id, k.company_id LIMIT ${TOP_CLIENTS})
       SELECT ((SELECT b FROM bound) IS NULL
               OR ((SELECT count(*) FROM t) = ${TOP_CLIENTS} AND (SELECT min(amount) FROM t) > (SELECT b FROM bound))) AS decided,
              ${namedTopSql('t')} AS top`,
      [f.workspaceId, f.ownerIds, fromDay, toDayExclusive, k]);
    if (r?.decided) return r.top.map((x) => ({ ...x, amount: num(x.amount) }));
  }
  return ownersTopClientsGrouped(database, f);
}

/** The top clients as one JSON array with their names, from `t` (contact_id, company_id, amount, count). */
const namedTopSql = (t: string) => `coalesce((SELECT json_agg(json_build_object(
    'clientKey', CASE WHEN ${t}.contact_id <> '${NONE_ID}' THEN 'contact:' || ${t}.contact_id ELSE 'company:' || ${t}.company_id END,
    'amount', ${t}.amount::text, 'count', ${t}.count,
    'name', CASE WHEN ${t}.contact_id <> '${NONE_ID}'
                 THEN (SELECT trim(concat_ws(' ', ct.first_name, ct.last_name, ct.second_last_name)) FROM contact ct WHERE ct.workspace_id = $1 AND ct.id = ${t}.contact_id)
                 ELSE (SELECT co.name FROM company co WHERE co.workspace_id = $1 AND co.id = ${t}.company_id) END)
    ORDER BY ${t}.amount DESC, ${t}.contact_id <> '${NONE_ID}', ${t}.contact_id, ${t}.company_id) FROM ${t}), '[]')`;

/** The period's top clients of some salespeople, grouped on the id columns of all their rows of sale_client_ref. */
export async function ownersTopClientsGrouped(database: Database, f: MetricFilter & { ownerIds: string[] }): Promise<RankedClient[]> {
  const { fromDay, toDayExclusive } = periodDays(f);
  if (fromDay >= toDayExclusive) return [];
  // Ties by client key text ('company:…' before 'contact:…', then the uuid, whose order is its text's),
  // without making that text for every client.
  const [r] = await database.query<{ top: RankedClient[] }>(
    `WITH t AS (
       SELECT contact_id, company_id, sum(total) AS amount, count(*)::int AS count
         FROM sale_client_ref WHERE workspace_id = $1 AND owner_id = ANY($2::uuid[]) AND day >= $3::date AND day < $4::date
        GROUP BY contact_id, company_id
        ORDER BY 3 DESC, contact_id <> '${NONE_ID}', contact_id, company_id LIMIT ${TOP_CLIENTS})
     SELECT ${namedTopSql('t')} AS top`,
    [f.workspaceId, f.ownerIds, fromDay, toDayExclusive]);
  return (r?.top ?? []).map((x) => ({ ...x, amount: num(x.amount) }));
}
