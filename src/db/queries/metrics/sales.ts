import type { Database } from '../../client.js';
import { frequencyRow, type FrequencyRow, type SalesByClientType } from '../../../domain/metrics/sales.js';
import { portfolioFromTotals, TOP_CLIENTS, type Portfolio, type TopClient } from '../../../domain/metrics/portfolio.js';
import { ratio, round2 } from '../../../domain/metrics/period.js';
import { baseWhere, bucketSql, num, Params, periodDays, type MetricFilter } from './filter.js';
import { NONE_ID, useRollups } from './rollups.js';
import { bucketRanges, periodSaleClientFigures, saleClientFigures, topClientsFromRollups } from './sale-clients.js';

/** The client key of a sale, as in domain clientKeyOf: the contact, else the company. */
const clientSql = (a: string) =>
  `CASE WHEN ${a}.contact_id IS NOT NULL THEN 'contact:' || ${a}.contact_id WHEN ${a}.company_id IS NOT NULL THEN 'company:' || ${a}.company_id END`;

/**
 * New vs existing clients (docs/metrics.md#new-vs-existing). "First sale in the period" is tested as
 * "no sale of that client before the period", on the (workspace, contact|company, sold_at) indexes.
 */
export async function salesByClientTypeSql(database: Database, f: MetricFilter): Promise<SalesByClientType> {
  if (await useRollups(database, f)) {
    if (!f.ownerIds) {
      // The whole workspace: the 0026 rollups (src/db/queries/metrics/sale-clients.ts).
      const x = await periodSaleClientFigures(database, f);
      const newClients = { clients: x.newClients, count: x.newSales, amount: round2(x.newAmount) };
      const existingClients = { clients: x.clients - x.newClients, count: x.orders - x.newSales, amount: round2(x.existingAmount) };
      return {
        newClients, existingClients, unattributed: { count: 0, amount: 0 },
        newAmountShare: ratio(newClients.amount, round2(newClients.amount + existingClients.amount)),
      };
    }
    return salesByClientTypeFast(database, f);
  }
  const q = new Params();
  const where = baseWhere(f, q, { alias: 's', timeCol: 'sold_at', ownerCol: 'owner_id' });
  const from = q.p(f.period.from);
  const rows = await database.query<{ kind: string; clients: number; count: number; amount: string }>(
    `WITH s AS (
       SELECT ${clientSql('s')} AS client, s.total,
              CASE WHEN s.contact_id IS NOT NULL THEN NOT EXISTS (SELECT 1 FROM sale o WHERE o.workspace_id = s.workspace_id AND o.contact_id = s.contact_id AND o.sold_at < ${from})
                   WHEN s.company_id IS NOT NULL THEN NOT EXISTS (SELECT 1 FROM sale o WHERE o.workspace_id = s.workspace_id AND o.contact_id IS NULL AND o.company_id = s.company_id AND o.sold_at < ${from})
              END AS is_new
         FROM sale s WHERE ${where})
     SELECT CASE WHEN client IS NULL THEN 'none' WHEN is_new THEN 'new' ELSE 'existing' END AS kind,
            count(DISTINCT client)::int AS clients, count(*)::int AS count, coalesce(sum(total), 0) AS amount
       FROM s GROUP BY 1`, q.values);
  const get = (k: string) => { const r = rows.find((x) => x.kind === k); return { clients: num(r?.clients), count: num(r?.count), amount: round2(num(r?.amount)) }; };
  const newClients = get('new');
  const existingClients = get('existing');
  const none = get('none');
  return {
    newClients, existingClients, unattributed: { count: none.count, amount: none.amount },
    newAmountShare: ratio(newClients.amount, round2(newClients.amount + existingClients.amount + none.amount)),
  };
}

/**
 * Distinct clients of a sale set without building text keys: the contacts, plus the companies of the
 * sales without a contact (a contact and a company are different clients even if ids were equal).
 */
const distinctClientsSql = (a: string) => `count(DISTINCT ${a}.contact_id) + count(DISTINCT ${a}.company_id) FILTER (WHERE ${a}.contact_id IS NULL)`;
const hasClientSql = (a: string) => `(${a}.contact_id IS NOT NULL OR ${a}.company_id IS NOT NULL)`;

/**
 * The same for some salespeople (the 0026 rollups know only the whole workspace's distinct clients):
 * one pass over their sales in the period (sale_owner_period_idx), each client's first-ever sale looked
 * up in sale_client_first; new clients are those whose first sale is in the period.
 */
async function salesByClientTypeFast(database: Database, f: MetricFilter): Promise<SalesByClientType> {
  const q = new Params();
  const where = baseWhere(f, q, { alias: 's', timeCol: 'sold_at', ownerCol: 'owner_id' });
  const isNew = `n.first_sold_at >= ${q.p(f.period.from)}`;
  const [r] = await database.query<{ clients: number; count: number; amount: string; noneCount: number; noneAmount: string; newClients: number; newCount: number; newAmount: string; existingAmount: string }>(
    `SELECT (${distinctClientsSql('s')})::int AS clients, (count(*) FILTER (WHERE ${hasClientSql('s')}))::int AS count,
            coalesce(sum(s.total) FILTER (WHERE ${hasClientSql('s')}), 0) AS amount,
            (count(*) FILTER (WHERE NOT ${hasClientSql('s')}))::int AS "noneCount", coalesce(sum(s.total) FILTER (WHERE NOT ${hasClientSql('s')}), 0) AS "noneAmount",
            (count(DISTINCT s.contact_id) FILTER (WHERE ${isNew}) + count(DISTINCT s.company_id) FILTER (WHERE s.contact_id IS NULL AND ${isNew}))::int AS "newClients",
            (count(*) FILTER (WHERE ${isNew}))::int AS "newCount", coalesce(sum(s.total) FILTER (WHERE ${isNew}), 0) AS "newAmount",
            coalesce(sum(s.total) FILTER (WHERE ${hasClientSql('s')} AND NOT coalesce(${isNew}, false)), 0) AS "existingAmount"
       FROM sale s
       -- One primary-key look-up per sale (a hash join would read every client of the workspace).
       LEFT JOIN LATERAL (SELECT n.first_sold_at FROM sale_client_first n
                           WHERE n.workspace_id = s.workspace_id AND n.contact_id = coalesce(s.contact_id, '${NONE_ID}')
                             AND n.company_id = CASE WHEN s.contact_id IS NULL THEN s.company_id ELSE '${NONE_ID}' END LIMIT 1) n ON true
      WHERE ${where}`, q.values);
  const newClients = { clients: num(r?.newClients), count: num(r?.newCount), amount: round2(num(r?.newAmount)) };
  const existingClients = { clients: num(r?.clients) - newClients.clients, count: num(r?.count) - newClients.count, amount: round2(num(r?.existingAmount)) };
  const none = { count: num(r?.noneCount), amount: round2(num(r?.noneAmount)) };
  return {
    newClients, existingClients, unattributed: none,
    newAmountShare: ratio(newClients.amount, round2(newClients.amount + existingClients.amount + none.amount)),
  };
}

/** Orders and amount per buying client per period unit (docs/metrics.md#frequency-and-intensity). */
export async function frequencySql(database: Database, f: MetricFilter): Promise<FrequencyRow[]> {
  const rolled = await useRollups(database, f);
  if (rolled && !f.ownerIds) {
    const { fromDay, toDayExclusive } = periodDays(f);
    const figures = await saleClientFigures(database, f.workspaceId, bucketRanges(fromDay, toDayExclusive, f.unit));
    return [...figures].filter(([, x]) => x.orders > 0).map(([bucket, x]) => frequencyRow(bucket, x.orders, x.clients, x.amount))
      .sort((a, b) => a.bucket.localeCompare(b.bucket));
  }
  const q = new Params();
  const where = baseWhere(f, q, { alias: 's', timeCol: 'sold_at', ownerCol: 'owner_id' });
  const rows = await database.query<{ bucket: string; orders: number; clients: number; amount: string }>(
    `SELECT ${bucketSql('s.sold_at', f.unit, q.p(f.period.timeZone))} AS bucket, count(*)::int AS orders,
            ${rolled ? `(${distinctClientsSql('s')})::int` : `count(DISTINCT ${clientSql('s')})::int`} AS clients, sum(s.total) AS amount
       FROM sale s WHERE ${where} AND (s.contact_id IS NOT NULL OR s.company_id IS NOT NULL)
      GROUP BY 1`, q.values);
  return rows.map((r) => frequencyRow(r.bucket, num(r.orders), num(r.clients), num(r.amount))).sort((a, b) => a.bucket.localeCompare(b.bucket));
}

export type NamedTopClient = TopClient & { name: string | null };

/** Portfolio value (docs/metrics.md#portfolio): contact counts now, the period's sales per client and the top clients. */
export async function portfolioSql(database: Database, f: MetricFilter): Promise<Omit<Portfolio, 'topClients'> & { topClients: NamedTopClient[] }> {
  const cq = new Params();
  const contactWhere = baseWhere(f, cq, { ownerCol: 'owner_id', contactCol: 'id' });
  const sq = new Params();
  const saleWhere = baseWhere(f, sq, { alias: 's', timeCol: 'sold_at', ownerCol: 'owner_id' });
  const tq = new Params();
  const topWhere = baseWhere(f, tq, { alias: 's', timeCol: 'sold_at', ownerCol: 'owner_id' });
  // Fast: client/prospect counts from contact_lifecycle_summary, distinct clients and the top ten
  // grouped on the id columns instead of text keys (the raw path stays the reference the tests use).
  const fast = await useRollups(database, f);
  if (fast && !f.ownerIds) return portfolioFromRollups(database, f, contactWhere, cq.values);
  const companyOnly = `(CASE WHEN s.contact_id IS NULL THEN s.company_id END)`;
  const clientKey = fast ? `CASE WHEN s.contact_id IS NOT NULL THEN 'contact:' || s.contact_id ELSE 'company:' || ${companyOnly} END` : clientSql('s');
  const [contacts, totals, top] = await Promise.all([
    database.query<{ clients: number; prospects: number }>(fast
      ? `SELECT coalesce(sum(contacts) FILTER (WHERE lifecycle = 'client'), 0)::int AS clients, coalesce(sum(contacts) FILTER (WHERE lifecycle IN ('prospect', 'potential')), 0)::int AS prospects
           FROM contact_lifecycle_summary WHERE ${contactWhere}`
      : `SELECT (count(*) FILTER (WHERE lifecycle = 'client'))::int AS clients, (count(*) FILTER (WHERE lifecycle IN ('prospect', 'potential')))::int AS prospects
         FROM contact WHERE ${contactWhere} AND status = 'active'`, cq.values),
    database.query<{ buying: number; count: number; amount: string; attributed: string }>(
      `SELECT ${fast ? distinctClientsSql('s') : `count(DISTINCT ${clientSql('s')})`}::int AS buying, count(*)::int AS count, coalesce(sum(s.total), 0) AS amount,
              coalesce(sum(s.total) FILTER (WHERE s.contact_id IS NOT NULL OR s.company_id IS NOT NULL), 0) AS attributed
         FROM sale s WHERE ${saleWhere}`, sq.values),
    database.query<{ clientKey: string; amount: string; count: number; name: string | null }>(
      `WITH t AS (
         SELECT ${clientKey} AS client, sum(s.total) AS amount, count(*)::int AS count
           FROM sale s WHERE ${topWhere} AND (s.contact_id IS NOT NULL OR s.company_id IS NOT NULL)
          GROUP BY ${fast ? `s.contact_id, ${companyOnly}` : '1'} ORDER BY 2 DESC, ${clientKey} COLLATE "C" LIMIT ${TOP_CLIENTS})
       SELECT t.client AS "clientKey", t.amount, t.count,
              CASE WHEN t.client LIKE 'contact:%' THEN (SELECT trim(concat_ws(' ', c.first_name, c.last_name, c.second_last_name)) FROM contact c WHERE c.workspace_id = ${tq.p(f.workspaceId)} AND c.id = substr(t.client, 9)::uuid)
                   ELSE (SELECT co.name FROM company co WHERE co.workspace_id = ${tq.p(f.workspaceId)} AND co.id = substr(t.client, 9)::uuid) END AS name
         FROM t ORDER BY t.amount DESC, t.client COLLATE "C"`, tq.values),
  ]);
  const t = totals[0];
  const named = top.map((r) => ({ clientKey: r.clientKey, amount: round2(num(r.amount)), count: num(r.count), name: r.name }));
  return { ...portfolioFromTotals({
    clients: num(contacts[0]?.clients), prospects: num(contacts[0]?.prospects), buyingClients: num(t?.buying),
    salesCount: num(t?.count), salesAmount: num(t?.amount), attributedAmount: num(t?.attributed),
  }, named), topClients: named };
}

/**
 * The whole workspace's portfolio from rollups only: contact counts (contact_lifecycle_summary), buying
 * clients and totals (0026 reference rollups) and the top clients (threshold search over
 * sale_client_total; the raw grouping when that search cannot decide).
 */
async function portfolioFromRollups(database: Database, f: MetricFilter, contactWhere: string, contactParams: unknown[]): Promise<Omit<Portfolio, 'topClients'> & { topClients: NamedTopClient[] }> {
  const [contacts, totals, ranked] = await Promise.all([
    database.query<{ clients: number; prospects: number }>(
      `SELECT coalesce(sum(contacts) FILTER (WHERE lifecycle = 'client'), 0)::int AS clients, coalesce(sum(contacts) FILTER (WHERE lifecycle IN ('prospect', 'potential')), 0)::int AS prospects
         FROM contact_lifecycle_summary WHERE ${contactWhere}`, contactParams),
    periodSaleClientFigures(database, f),
    topClientsFromRollups(database, f),
  ]);
  const named = ranked ? ranked.map((r) => ({ clientKey: r.clientKey, amount: round2(r.amount), count: num(r.count), name: r.name })) : await topClientsRaw(database, f);
  return { ...portfolioFromTotals({
    clients: num(contacts[0]?.clients), prospects: num(contacts[0]?.prospects), buyingClients: totals.clients,
    salesCount: totals.orders, salesAmount: totals.amount, attributedAmount: totals.amount,
  }, named), topClients: named };
}

/** The top clients grouped from the period's sales (id columns), with their names. */
async function topClientsRaw(database: Database, f: MetricFilter): Promise<NamedTopClient[]> {
  const tq = new Params();
  const topWhere = baseWhere(f, tq, { alias: 's', timeCol: 'sold_at', ownerCol: 'owner_id' });
  const companyOnly = `(CASE WHEN s.contact_id IS NULL THEN s.company_id END)`;
  const clientKey = `CASE WHEN s.contact_id IS NOT NULL THEN 'contact:' || s.contact_id ELSE 'company:' || ${companyOnly} END`;
  const top = await database.query<{ clientKey: string; amount: string; count: number; name: string | null }>(
    `WITH t AS (
       SELECT ${clientKey} AS client, sum(s.total) AS amount, count(*)::int AS count
         FROM sale s WHERE ${topWhere} AND (s.contact_id IS NOT NULL OR s.company_id IS NOT NULL)
        GROUP BY s.contact_id, ${companyOnly} ORDER BY 2 DESC, ${clientKey} COLLATE "C" LIMIT ${TOP_CLIENTS})
     SELECT t.client AS "clientKey", t.amount, t.count,
            CASE WHEN t.client LIKE 'contact:%' THEN (SELECT trim(concat_ws(' ', c.first_name, c.last_name, c.second_last_name)) FROM contact c WHERE c.workspace_id = ${tq.p(f.workspaceId)} AND c.id = substr(t.client, 9)::uuid)
                 ELSE (SELECT co.name FROM company co WHERE co.workspace_id = ${tq.p(f.workspaceId)} AND co.id = substr(t.client, 9)::uuid) END AS name
       FROM t ORDER BY t.amount DESC, t.client COLLATE "C"`, tq.values);
  return top.map((r) => ({ clientKey: r.clientKey, amount: round2(num(r.amount)), count: num(r.count), name: r.name }));
}
