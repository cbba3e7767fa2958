import type { Database } from '../../client.js';
import { frequencyRow, type FrequencyRow, type SalesByClientType } from '../../../domain/metrics/sales.js';
import { portfolioFromTotals, TOP_CLIENTS, type Portfolio, type TopClient } from '../../../domain/metrics/portfolio.js';
import { ratio, round2 } from '../../../domain/metrics/period.js';
import { baseWhere, bucketSql, num, Params, periodDays, type MetricFilter } from './filter.js';
import { NONE_ID, useRollups } from './rollups.js';
import { bucketRanges, ownersSaleFigures, ownersTopClients, periodSaleClientFigures, saleClientFigures, topClientsFromRollups } from './sale-clients.js';

/** The client key of a sale, as in domain clientKeyOf: the contact, else the company. */
const clientSql = (a: string) =>
  `CASE WHEN ${a}.contact_id IS NOT NULL THEN 'contact:' || ${a}.contact_id WHEN ${a}.company_id IS NOT NULL THEN 'company:' || ${a}.company_id END`;

/**
 * New vs existing clients (docs/metrics.md#new-vs-existing). "First sale in the period" is tested as
 * "no sale of that client before the period", on the (workspace, contact|company, sold_at) indexes.
 */
export async function salesByClientTypeSql(database: Database, f: MetricFilter): Promise<SalesByClientType> {
  if (await useRollups(database, f)) {
    // The whole workspace: the 0026 rollups; some salespeople: sale_client_ref (0032). See sale-clients.ts.
    const x = f.ownerIds ? (await ownersSaleFigures(database, { ...f, ownerIds: f.ownerIds })).period : await periodSaleClientFigures(database, f);
    const newClients = { clients: x.newClients, count: x.newSales, amount: round2(x.newAmount) };
    const existingClients = { clients: x.clients - x.newClients, count: x.orders - x.newSales, amount: round2(x.existingAmount) };
    return {
      newClients, existingClients, unattributed: { count: 0, amount: 0 },
      newAmountShare: ratio(newClients.amount, round2(newClients.amount + existingClients.amount)),
    };
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

/** Orders and amount per buying client per period unit (docs/metrics.md#frequency-and-intensity). */
export async function frequencySql(database: Database, f: MetricFilter): Promise<FrequencyRow[]> {
  const rolled = await useRollups(database, f);
  if (rolled && !f.ownerIds) {
    const { fromDay, toDayExclusive } = periodDays(f);
    const figures = await saleClientFigures(database, f.workspaceId, bucketRanges(fromDay, toDayExclusive, f.unit));
    return [...figures].filter(([, x]) => x.orders > 0).map(([bucket, x]) => frequencyRow(bucket, x.orders, x.clients, x.amount))
      .sort((a, b) => a.bucket.localeCompare(b.bucket));
  }
  if (rolled && f.ownerIds) {
    return (await ownersSaleFigures(database, { ...f, ownerIds: f.ownerIds })).buckets.map((x) => frequencyRow(x.bucket, x.orders, x.clients, x.amount))
      .sort((a, b) => a.bucket.localeCompare(b.bucket));
  }
  const q = new Params();
  const where = baseWhere(f, q, { alias: 's', timeCol: 'sold_at', ownerCol: 'owner_id' });
  const rows = await database.query<{ bucket: string; orders: number; clients: number; amount: string }>(
    `SELECT ${bucketSql('s.sold_at', f.unit, q.p(f.period.timeZone))} AS bucket, count(*)::int AS orders,
            count(DISTINCT ${clientSql('s')})::int AS clients, sum(s.total) AS amount
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
  if (await useRollups(database, f)) return portfolioFromRollups(database, f, contactWhere, cq.values);
  // Over raw rows: the reference the tests compare the rollups with.
  const [contacts, totals, top] = await Promise.all([
    database.query<{ clients: number; prospects: number }>(
      `SELECT (count(*) FILTER (WHERE lifecycle = 'client'))::int AS clients, (count(*) FILTER (WHERE lifecycle IN ('prospect', 'potential')))::int AS prospects
         FROM contact WHERE ${contactWhere} AND status = 'active'`, cq.values),
    database.query<{ buying: number; count: number; amount: string; attributed: string }>(
      `SELECT count(DISTINCT ${clientSql('s')})::int AS buying, count(*)::int AS count, coalesce(sum(s.total), 0) AS amount,
              coalesce(sum(s.total) FILTER (WHERE s.contact_id IS NOT NULL OR s.company_id IS NOT NULL), 0) AS attributed
         FROM sale s WHERE ${saleWhere}`, sq.values),
    database.query<{ clientKey: string; amount: string; count: number; name: string | null }>(
      `WITH t AS (
         SELECT ${clientSql('s')} AS client, sum(s.total) AS amount, count(*)::int AS count
           FROM sale s WHERE ${topWhere} AND (s.contact_id IS NOT NULL OR s.company_id IS NOT NULL)
          GROUP BY 1 ORDER BY 2 DESC, ${clientSql('s')} COLLATE "C" LIMIT ${TOP_CLIENTS})
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
 * The portfolio from rollups only: contact counts (contact_lifecycle_summary); for the whole workspace,
 * buying clients and totals from the 0026 reference rollups and the top clients by a threshold search over
 * sale_client_total (the raw grouping when that search cannot decide); for some salespeople, both from
 * their rows of sale_client_ref (0032).
 */
async function portfolioFromRollups(database: Database, f: MetricFilter, contactWhere: string, contactParams: unknown[]): Promise<Omit<Portfolio, 'topClients'> & { topClients: NamedTopClient[] }> {
  const [contacts, totals, ranked] = await Promise.all([
    database.query<{ clients: number; prospects: number }>(
      `SELECT coalesce(sum(contacts) FILTER (WHERE lifecycle = 'client'), 0)::int AS clients, coalesce(sum(contacts) FILTER (WHERE lifecycle IN ('prospect', 'potential')), 0)::int AS prospects
         FROM contact_lifecycle_summary WHERE ${contactWhere}`, contactParams),
    f.ownerIds ? ownersSaleFigures(database, { ...f, ownerIds: f.ownerIds }).then((x) => x.period) : periodSaleClientFigures(database, f),
    f.ownerIds ? ownersTopClients(database, { ...f, ownerIds: f.ownerIds }) : topClientsFromRollups(database, f),
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
