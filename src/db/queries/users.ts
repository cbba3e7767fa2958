import { and, eq, ne, sql } from 'drizzle-orm';
import type { Database, Db } from '../client.js';
import { session } from '../schema.js';
import type { Actor } from '../../domain/access.js';

/** Ids of the users in the teams this manager manages. */
export async function managedUserIds(d: Database, actor: Actor): Promise<string[]> {
  const rows = await d.query<{ id: string }>(
    `SELECT m.id FROM app_user m JOIN team t ON t.workspace_id = m.workspace_id AND t.id = m.team_id
      WHERE m.workspace_id = $1 AND t.manager_id = $2`, [actor.workspaceId, actor.userId]);
  return rows.map((r) => r.id);
}

// tx.execute answers { rows } on both drivers; its declared type differs per driver.
const rowsOf = <T>(res: unknown) => (res as { rows: T[] }).rows;

/** Whether an email is taken by any account of the installation (login is by email alone). */
export async function isEmailTaken(tx: Db, email: string): Promise<boolean> {
  const res = await tx.execute(sql`SELECT EXISTS (SELECT 1 FROM app_user WHERE lower(email) = lower(${email})) AS taken`);
  return rowsOf<{ taken: boolean }>(res)[0]?.taken ?? false;
}

/**
 * The workspace's other active admins, read under a per-workspace lock held until the transaction
 * ends, so two admins demoting each other at the same moment cannot leave the workspace without
 * one: the second waits, then sees the first change. An advisory lock rather than row locks,
 * because each side already holds its own user row and locking the other's would deadlock.
 */
export async function lockOtherActiveAdmins(tx: Db, workspaceId: string, exceptUserId: string): Promise<string[]> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`admins:${workspaceId}`}))`);
  const res = await tx.execute(sql`SELECT id FROM app_user
     WHERE workspace_id = ${workspaceId} AND role = 'admin' AND is_active AND id <> ${exceptUserId}`);
  return rowsOf<{ id: string }>(res).map((r) => r.id);
}

/** Ends every login session of a user inside the caller's transaction; `keep` spares one (the current). */
export async function deleteUserSessionsIn(tx: Db, workspaceId: string, userId: string, keep?: string): Promise<void> {
  await tx.delete(session).where(and(
    eq(session.workspaceId, workspaceId), eq(session.userId, userId), ...(keep ? [ne(session.id, keep)] : []),
  ));
}

/** Role and state of a workspace user, or null when the workspace has no such user. */
export async function findUserRole(tx: Db, workspaceId: string, userId: string): Promise<{ role: string; isActive: boolean } | null> {
  const res = await tx.execute(sql`SELECT role, is_active AS "isActive" FROM app_user WHERE workspace_id = ${workspaceId} AND id = ${userId}`);
  return rowsOf<{ role: string; isActive: boolean }>(res)[0] ?? null;
}

/** Whether the workspace has this team (a team of another workspace does not exist here). */
export async function teamExists(tx: Db, workspaceId: string, id: string): Promise<boolean> {
  const res = await tx.execute(sql`SELECT EXISTS (SELECT 1 FROM team WHERE workspace_id = ${workspaceId} AND id = ${id}) AS found`);
  return rowsOf<{ found: boolean }>(res)[0]?.found ?? false;
}

/**
 * The same, read inside the caller's transaction (PGlite has one connection: a query outside the
 * open transaction would wait for it). Empty for anyone but a manager.
 */
export async function managedUserIdsInTx(tx: Db, actor: Actor): Promise<string[]> {
  if (actor.role !== 'manager') return [];
  const res = await tx.execute(sql`SELECT m.id FROM app_user m JOIN team t ON t.workspace_id = m.workspace_id AND t.id = m.team_id
    WHERE m.workspace_id = ${actor.workspaceId} AND t.manager_id = ${actor.userId}`);
  return (res as unknown as { rows: { id: string }[] }).rows.map((r) => r.id);
}
