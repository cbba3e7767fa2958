import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import { emptyTotals, type OwnerTotals, type PortfolioWindows } from '../../domain/portfolio-owner.js';
import {
  assertCanReassign, assertSameRequest, assertSomethingToMove, transferNotice, type TransferCounts,
} from '../../domain/portfolio-transfer.js';
import type { Database, Db } from '../client.js';
import { recordAudit } from '../audit.js';
import { contact } from '../schema.js';
import { createNotification } from './notifications.js';
import { emitWebhookEvents } from './webhooks.js';
import { managedUserIdsInTx } from './users.js';
import { num, Params } from './metrics/filter.js';

// Portfolios per salesperson (docs/portfolios.md): the figures, one set-based statement each for
// every user asked, and the reassignment of a portfolio in one transaction.

// tx.execute answers { rows } on both drivers; its declared type differs per driver.
const rowsOf = <T>(res: unknown): T[] => (res as { rows: T[] }).rows;
const asDate = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));

/** Every lifecycle the contact table allows, so each appears in the counts even at zero. */
export const contactLifecycles: readonly string[] = contact.lifecycle.enumValues;

export type PortfolioUser = { id: string; name: string; email: string; role: 'admin' | 'manager' | 'sales'; isActive: boolean; teamId: string | null };

/**
 * Whose portfolios the actor sees: admins everyone (deactivated users too: a leaver's portfolio is
 * the one to reassign), managers themselves and the members of the teams they manage, sales themselves.
 */
export async function portfolioUsers(database: Database, actor: Actor, onlyUserId?: string): Promise<PortfolioUser[]> {
  const q = new Params();
  const where = [`u.workspace_id = ${q.p(actor.workspaceId)}`];
  if (onlyUserId) where.push(`u.id = ${q.p(onlyUserId)}`);
  if (actor.role === 'sales') where.push(`u.id = ${q.p(actor.userId)}`);
  if (actor.role === 'manager') {
    const me = q.p(actor.userId);
    where.push(`(u.id = ${me} OR u.team_id IN (SELECT t.id FROM team t WHERE t.workspace_id = u.workspace_id AND t.manager_id = ${me}))`);
  }
  return database.query<PortfolioUser>(
    `SELECT u.id, u.name, u.email, u.role, u.is_active AS "isActive", u.team_id AS "teamId"
       FROM app_user u WHERE ${where.join(' AND ')} ORDER BY u.is_active DESC, lower(u.name), u.id`, q.values);
}

/** Whether a user exists in the workspace (a portfolio asked for outside the actor's reach is then a 403, not a 404). */
export async function workspaceUserExists(database: Database, workspaceId: string, userId: string): Promise<boolean> {
  const rows = await database.query<{ found: boolean }>('SELECT EXISTS (SELECT 1 FROM app_user WHERE workspace_id = $1 AND id = $2) AS found', [workspaceId, userId]);
  return rows[0]?.found ?? false;
}

/**
 * The per-owner sums behind each portfolio (domain ownerPortfolioFromTotals turns them into the
 * figures): one statement for the contacts, one for the sales of the clients they hold, one for the
 * open pipeline, each grouped by owner over all the users asked at once.
 */
export async function portfolioTotals(database: Database, workspaceId: string, userIds: readonly string[], w: PortfolioWindows): Promise<Map<string, OwnerTotals>> {
  const totals = new Map(userIds.map((id) => [id, emptyTotals()]));
  if (userIds.length === 0) return totals;
  const ids = [...userIds];
  const [contacts, sales, leads] = await Promise.all([
    database.query<{ ownerId: string; lifecycle: string; n: number; last: unknown; quiet30: number; quiet90: number }>(
      `SELECT owner_id AS "ownerId", lifecycle, count(*)::int AS n, max(last_activity_at) AS last,
              (count(*) FILTER (WHERE lifecycle = 'client' AND (last_activity_at IS NULL OR last_activity_at < $3)))::int AS quiet30,
              (count(*) FILTER (WHERE lifecycle = 'client' AND (last_activity_at IS NULL OR last_activity_at < $4)))::int AS quiet90
         FROM contact
        WHERE workspace_id = $1 AND owner_id = ANY($2::uuid[]) AND status = 'active'
        GROUP BY owner_id, lifecycle`,
      [workspaceId, ids, w.quietBefore30, w.quietBefore90]),
    // The client of a sale is its contact, else its company (domain clientKeyOf); the sale counts
    // for whoever holds that client now. Written from the holders' side (their contacts, then their
    // companies' sales without a contact) so a few users' portfolios read only their clients' sales
    // on the (workspace_id, contact_id|company_id, sold_at) indexes, while all users at once can hash-join.
    database.query<{ holder: string; purchases: number; buying: number; revenue: string; previous: string }>(
      `WITH s AS (
         SELECT c.owner_id AS holder, 'contact:' || s.contact_id AS client, s.total, s.sold_at >= $3 AS is_current
           FROM contact c JOIN sale s ON s.workspace_id = c.workspace_id AND s.contact_id = c.id
          WHERE c.workspace_id = $1 AND c.owner_id = ANY($5::uuid[]) AND s.sold_at >= $2 AND s.sold_at < $4
         UNION ALL
         SELECT co.owner_id, 'company:' || s.company_id, s.total, s.sold_at >= $3
           FROM company co JOIN sale s ON s.workspace_id = co.workspace_id AND s.company_id = co.id AND s.contact_id IS NULL
          WHERE co.workspace_id = $1 AND co.owner_id = ANY($5::uuid[]) AND s.sold_at >= $2 AND s.sold_at < $4)
       SELECT holder, (count(*) FILTER (WHERE is_current))::int AS purchases,
              (count(DISTINCT client) FILTER (WHERE is_current))::int AS buying,
              coalesce(sum(total) FILTER (WHERE is_current), 0) AS revenue,
              coalesce(sum(total) FILTER (WHERE NOT is_current), 0) AS previous
         FROM s GROUP BY holder`,
      [workspaceId, w.previous.from, w.current.from, w.current.to, ids]),
    database.query<{ ownerId: string; n: number; amount: string; weighted: string }>(
      `SELECT owner_id AS "ownerId", count(*)::int AS n, coalesce(sum(amount), 0) AS amount,
              coalesce(sum(amount * probability / 100.0), 0) AS weighted
         FROM lead WHERE workspace_id = $1 AND owner_id = ANY($2::uuid[]) AND status = 'open'
        GROUP BY owner_id`,
      [workspaceId, ids]),
  ]);
  for (const r of contacts) {
    const t = totals.get(r.ownerId)!;
    t.byLifecycle[r.lifecycle] = num(r.n);
    t.quietClients30 += num(r.quiet30);
    t.quietClients90 += num(r.quiet90);
    const last = asDate(r.last);
    if (last && (!t.lastContactAt || last > t.lastContactAt)) t.lastContactAt = last;
  }
  for (const r of sales) {
    const t = totals.get(r.holder)!;
    Object.assign(t, { purchases: num(r.purchases), buyingClients: num(r.buying), revenue: num(r.revenue), previousRevenue: num(r.previous) });
  }
  for (const r of leads) {
    const t = totals.get(r.ownerId)!;
    Object.assign(t, { openLeads: num(r.n), openAmount: num(r.amount), weightedAmount: num(r.weighted) });
  }
  return totals;
}

// Reassignment ------------------------------------------------------------------------------------

/**
 * A JS array as one PostgreSQL array literal parameter (Drizzle's sql template would otherwise
 * spread an array into a list of parameters).
 */
const arrayLiteral = (xs: readonly unknown[]) =>
  `{${xs.map((x) => (x === null || x === undefined ? 'NULL' : `"${String(x).replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`)).join(',')}}`;

/** Text with `$n` placeholders and its values, as one Drizzle SQL to run in a transaction. */
function bound(text: string, params: readonly unknown[]): SQL {
  const chunks: SQL[] = [];
  let last = 0;
  for (const m of text.matchAll(/\$(\d+)/g)) {
    const v = params[Number(m[1]) - 1];
    chunks.push(sql.raw(text.slice(last, m.index)), sql`${Array.isArray(v) ? arrayLiteral(v) : v}`);
    last = m.index + m[0].length;
  }
  chunks.push(sql.raw(text.slice(last)));
  return sql.join(chunks, sql.raw(''));
}

/**
 * Which contacts of the portfolio move: all those the previous owner holds, or those of them in a
 * segment. Built before the transaction opens, because the segment's condition is compiled from
 * the database (and PGlite's one connection is held by an open transaction).
 */
export type TransferSelection = { fromUserId: string; segmentId: string | null; contactsText: string; contactsParams: unknown[] };

export type SegmentConditionFn = (p: (v: unknown) => string, contactIdExpr: string) => Promise<string>;

export async function transferSelection(workspaceId: string, fromUserId: string, segmentId: string | null, segmentCondition: SegmentConditionFn | null): Promise<TransferSelection> {
  const q = new Params();
  const where = [`contact.workspace_id = ${q.p(workspaceId)}`, `contact.owner_id = ${q.p(fromUserId)}`];
  if (segmentId && segmentCondition) where.push(`(${await segmentCondition((v) => q.p(v), 'contact.id')})`);
  return { fromUserId, segmentId, contactsText: `SELECT contact.id, contact.company_id AS "companyId" FROM contact WHERE ${where.join(' AND ')}`, contactsParams: q.values };
}

type TransferIds = { contacts: string[]; companies: string[]; leads: string[]; activities: string[]; followUps: string[]; complaints: string[] };

const countsOf = (ids: TransferIds): TransferCounts => ({
  contacts: ids.contacts.length, companies: ids.companies.length, leads: ids.leads.length,
  activities: ids.activities.length, followUps: ids.followUps.length, complaints: ids.complaints.length,
});

/**
 * The ids of everything that moves with the selected contacts; the preview counts them and the
 * move updates exactly them (locked with FOR UPDATE, so nobody changes them in between):
 * - companies the previous owner holds: all of them for a whole portfolio, the selected contacts'
 *   companies for a segment;
 * - open leads they own: all of them, or those of the selected contacts (or, without a contact, of
 *   the moved companies); closed leads keep their owner, as history;
 * - planned activities not done, planned follow-ups and unresolved complaints assigned to them and
 *   tied to a moved contact, lead or company; done activities and past follow-ups stay as they were.
 */
async function selectTransferIds(tx: Db, workspaceId: string, sel: TransferSelection, lock: boolean): Promise<TransferIds> {
  const forUpdate = lock ? ' FOR UPDATE' : '';
  const whole = sel.segmentId === null;
  const from = sel.fromUserId;
  const picked = rowsOf<{ id: string; companyId: string | null }>(await tx.execute(bound(sel.contactsText + forUpdate, sel.contactsParams)));
  const contacts = picked.map((r) => r.id);
  const contactCompanies = [...new Set(picked.map((r) => r.companyId).filter((x): x is string => x !== null))];
  const ids = async (q: SQL) => rowsOf<{ id: string }>(await tx.execute(q)).map((r) => r.id);
  const lockSql = sql.raw(forUpdate);

  const companies = await ids(whole
    ? sql`SELECT id FROM company WHERE workspace_id = ${workspaceId} AND owner_id = ${from}${lockSql}`
    : sql`SELECT id FROM company WHERE workspace_id = ${workspaceId} AND owner_id = ${from} AND id = ANY(${arrayLiteral(contactCompanies)}::uuid[])${lockSql}`);
  const leads = await ids(whole
    ? sql`SELECT id FROM lead WHERE workspace_id = ${workspaceId} AND owner_id = ${from} AND status = 'open'${lockSql}`
    : sql`SELECT id FROM lead WHERE workspace_id = ${workspaceId} AND owner_id = ${from} AND status = 'open'
            AND (contact_id = ANY(${arrayLiteral(contacts)}::uuid[]) OR (contact_id IS NULL AND company_id = ANY(${arrayLiteral(companies)}::uuid[])))${lockSql}`);
  const activities = await ids(sql`SELECT id FROM activity
    WHERE workspace_id = ${workspaceId} AND user_id = ${from} AND done_at IS NULL
      AND (lead_id = ANY(${arrayLiteral(leads)}::uuid[]) OR contact_id = ANY(${arrayLiteral(contacts)}::uuid[]) OR company_id = ANY(${arrayLiteral(companies)}::uuid[]))${lockSql}`);
  const followUps = await ids(sql`SELECT f.id FROM follow_up f
    WHERE f.workspace_id = ${workspaceId} AND f.user_id = ${from} AND f.status = 'planned'
      AND (f.contact_id = ANY(${arrayLiteral(contacts)}::uuid[])
           OR (f.contact_id IS NULL AND EXISTS (SELECT 1 FROM sale s WHERE s.workspace_id = f.workspace_id AND s.id = f.sale_id AND s.company_id = ANY(${arrayLiteral(companies)}::uuid[]))))${lockSql}`);
  const complaints = await ids(sql`SELECT id FROM complaint
    WHERE workspace_id = ${workspaceId} AND owner_id = ${from} AND status <> 'resolved' AND contact_id = ANY(${arrayLiteral(contacts)}::uuid[])${lockSql}`);
  return { contacts, companies, leads, activities, followUps, complaints };
}

type UserRow = { id: string; name: string; isActive: boolean; locale: 'es' | 'en' };

async function findUser(tx: Db, workspaceId: string, id: string): Promise<UserRow | null> {
  const rows = rowsOf<UserRow>(await tx.execute(sql`SELECT u.id, u.name, u.is_active AS "isActive", coalesce(u.locale, w.locale) AS locale
    FROM app_user u JOIN workspace w ON w.id = u.workspace_id WHERE u.workspace_id = ${workspaceId} AND u.id = ${id}`));
  const r = rows[0];
  return r ? { ...r, locale: r.locale === 'en' ? 'en' : 'es' } : null;
}

const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Refusals that need the database: who the two users are, and the actor's reach over them. */
async function checkTransfer(tx: Db, actor: Actor, fromUserId: string, toUserId: string): Promise<{ from: UserRow; to: UserRow }> {
  const managed = await managedUserIdsInTx(tx, actor);
  const from = actor.role === 'sales' ? null : await findUser(tx, actor.workspaceId, fromUserId);
  const to = actor.role === 'sales' || !uuidRe.test(toUserId) ? null : await findUser(tx, actor.workspaceId, toUserId);
  assertCanReassign(actor, from, to, toUserId, managed);
  return { from: from!, to: to! };
}

export type TransferPreview = { counts: TransferCounts };

/** What a reassignment would move, refused the same way the move would be (except when nothing would move). */
export async function previewTransfer(database: Database, actor: Actor, sel: TransferSelection, toUserId: string): Promise<TransferPreview> {
  return database.transaction(async (tx) => {
    await checkTransfer(tx, actor, sel.fromUserId, toUserId);
    return { counts: countsOf(await selectTransferIds(tx, actor.workspaceId, sel, false)) };
  });
}

export type PortfolioTransferOut = {
  id: string; fromUserId: string; toUserId: string; segmentId: string | null; counts: TransferCounts;
  createdBy: string | null; createdAt: Date; replayed: boolean;
};

const transferColumns = sql`id, from_user_id AS "fromUserId", to_user_id AS "toUserId", segment_id AS "segmentId", counts,
  created_by AS "createdBy", created_at AS "createdAt"`;
const transferOf = (r: Omit<PortfolioTransferOut, 'replayed'>, replayed: boolean): PortfolioTransferOut => ({ ...r, createdAt: asDate(r.createdAt)!, replayed });

/** Sets a new owner column on the listed rows, bumping their version, and audits each row in one statement. */
async function moveRows(tx: Db, actor: Actor, t: { table: string; entity: string; column: 'owner_id' | 'user_id'; field: string }, ids: string[], from: string, to: string, transferId: string): Promise<void> {
  if (ids.length === 0) return;
  await tx.execute(sql`UPDATE ${sql.raw(t.table)} SET ${sql.raw(t.column)} = ${to}, version = version + 1, updated_at = now()
    WHERE workspace_id = ${actor.workspaceId} AND id = ANY(${arrayLiteral(ids)}::uuid[])`);
  // The same { field: [before, after] } shape recordAudit stores, written for every row at once.
  await tx.execute(sql`INSERT INTO audit_event (workspace_id, user_id, entity, entity_id, action, changes)
    SELECT ${actor.workspaceId}, ${actor.userId}, ${t.entity}, x, 'reassign',
           jsonb_build_object(${t.field}::text, jsonb_build_array(${from}::text, ${to}::text), '_meta', jsonb_build_object('transferId', ${transferId}::text))
      FROM unnest(${arrayLiteral(ids)}::uuid[]) x`);
}

/**
 * Moves the selection to `toUserId` in one transaction: refusals first (nothing has moved), then the
 * rows, one audit event per moved row plus one for the batch, and one notification for the new
 * owner. A retried request with the same Idempotency-Key answers the first result (replayed: true);
 * transfers of one portfolio run one after the other (advisory lock), so a retry waits for the first.
 */
export async function transferPortfolio(
  database: Database, actor: Actor, sel: TransferSelection, toUserId: string, idempotencyKey: string | null,
): Promise<PortfolioTransferOut> {
  return database.transaction(async (tx) => {
    const { from, to } = await checkTransfer(tx, actor, sel.fromUserId, toUserId);
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`portfolio:${actor.workspaceId}:${from.id}`}))`);
    if (idempotencyKey) {
      const done = rowsOf<Omit<PortfolioTransferOut, 'replayed'>>(await tx.execute(sql`SELECT ${transferColumns} FROM portfolio_transfer
        WHERE workspace_id = ${actor.workspaceId} AND idempotency_key = ${idempotencyKey}`))[0];
      if (done) {
        assertSameRequest(done, { fromUserId: from.id, toUserId: to.id, segmentId: sel.segmentId });
        return transferOf(done, true);
      }
    }
    const ids = await selectTransferIds(tx, actor.workspaceId, sel, true);
    const counts = countsOf(ids);
    assertSomethingToMove(counts, sel.segmentId);

    const id = randomUUID();
    const moves = [
      { table: 'contact', entity: 'contact', column: 'owner_id', field: 'ownerId', ids: ids.contacts },
      { table: 'company', entity: 'company', column: 'owner_id', field: 'ownerId', ids: ids.companies },
      { table: 'lead', entity: 'lead', column: 'owner_id', field: 'ownerId', ids: ids.leads },
      { table: 'activity', entity: 'activity', column: 'user_id', field: 'userId', ids: ids.activities },
      { table: 'follow_up', entity: 'follow_up', column: 'user_id', field: 'userId', ids: ids.followUps },
      { table: 'complaint', entity: 'complaint', column: 'owner_id', field: 'ownerId', ids: ids.complaints },
    ] as const;
    for (const m of moves) await moveRows(tx, actor, m, [...m.ids], from.id, to.id, id);

    // Lead changes are webhook events; look once whether anyone listens before raising one per lead.
    if (ids.leads.length) {
      const listening = rowsOf(await tx.execute(sql`SELECT 1 FROM webhook WHERE workspace_id = ${actor.workspaceId} AND active AND 'lead.updated' = ANY(events) LIMIT 1`));
      if (listening.length) {
        for (const leadId of ids.leads) {
          await emitWebhookEvents(tx, actor.workspaceId, { entity: 'lead', entityId: leadId, action: 'reassign', before: { ownerId: from.id }, after: { ownerId: to.id } });
        }
      }
    }

    const row = rowsOf<Omit<PortfolioTransferOut, 'replayed'>>(await tx.execute(sql`INSERT INTO portfolio_transfer
        (workspace_id, id, from_user_id, to_user_id, segment_id, idempotency_key, counts, created_by)
      VALUES (${actor.workspaceId}, ${id}, ${from.id}, ${to.id}, ${sel.segmentId}, ${idempotencyKey}, ${JSON.stringify(counts)}::jsonb, ${actor.userId})
      RETURNING ${transferColumns}`))[0]!;
    const transfer = transferOf(row, false);
    await recordAudit(tx, {
      workspaceId: actor.workspaceId, userId: actor.userId, entity: 'portfolio_transfer', entityId: id, action: 'create',
      after: { fromUserId: from.id, toUserId: to.id, segmentId: sel.segmentId, counts },
      meta: { filter: sel.segmentId ? { segmentId: sel.segmentId } : 'all' },
    });
    await createNotification(tx, {
      workspaceId: actor.workspaceId, userId: to.id, kind: 'portfolio_transfer', link: `/contacts?ownerId=${to.id}`,
      dedupeKey: `portfolio_transfer:${id}`, ...transferNotice(to.locale, from.name, counts),
    });
    return transfer;
  });
}

/** The latest reassignments the actor may see: all for admins, those touching their team for managers, their own for sales. */
export async function listTransfers(database: Database, actor: Actor, limit = 20): Promise<PortfolioTransferOut[]> {
  const q = new Params();
  const where = [`p.workspace_id = ${q.p(actor.workspaceId)}`];
  if (actor.role !== 'admin') {
    const me = q.p(actor.userId);
    const reach = actor.role === 'manager'
      ? `(SELECT ${me}::uuid UNION SELECT m.id FROM app_user m JOIN team t ON t.workspace_id = m.workspace_id AND t.id = m.team_id WHERE m.workspace_id = p.workspace_id AND t.manager_id = ${me})`
      : `(SELECT ${me}::uuid)`;
    where.push(`(p.from_user_id IN ${reach} OR p.to_user_id IN ${reach})`);
  }
  const rows = await database.query<Omit<PortfolioTransferOut, 'replayed'>>(
    `SELECT p.id, p.from_user_id AS "fromUserId", p.to_user_id AS "toUserId", p.segment_id AS "segmentId", p.counts,
            p.created_by AS "createdBy", p.created_at AS "createdAt"
       FROM portfolio_transfer p WHERE ${where.join(' AND ')} ORDER BY p.created_at DESC, p.id LIMIT ${q.p(limit)}`, q.values);
  return rows.map((r) => transferOf(r, false));
}
