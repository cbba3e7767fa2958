import { and, eq, getTableName, sql, type Table } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { AppError, notFound } from '../domain/errors.js';
import type { Actor } from '../domain/access.js';
import type { Database, Db } from './client.js';
import { recordAudit } from './audit.js';
import { pgErrorToAppError } from './pg-errors.js';
import { derivedColumns } from './schema.js';

const derivedFields = [...derivedColumns].map((c) => c.replace(/_([a-z])/g, (_, x: string) => x.toUpperCase()));
/** Drops the columns the database derives (see derivedColumns) from a returned row. */
export function stripDerived(row: AnyRow): void {
  for (const f of derivedFields) delete row[f];
}

/** A table keyed on (workspace_id, id) with optimistic-lock `version`. */
export type TenantTable = PgTable & { workspaceId: PgColumn; id: PgColumn; version: PgColumn; updatedAt: PgColumn };

// Drizzle's generic insert/update types do not survive abstraction over "any tenant table";
// the rows here are plain records and each resource's zod schema types its own input and output.
type AnyRow = Record<string, unknown>;

const key = (t: TenantTable, workspaceId: string, id: string) => and(eq(t.workspaceId, workspaceId), eq(t.id, id));

/** The row, or 404. A row of another workspace is, for this actor, a row that does not exist. */
export async function findRow(tx: Db, table: TenantTable, workspaceId: string, id: string, entity: string, forUpdate = false): Promise<AnyRow> {
  const q = tx.select().from(table as Table).where(key(table, workspaceId, id));
  const rows = (forUpdate ? await q.for('update') : await q) as AnyRow[];
  const row = rows[0];
  if (!row) throw notFound(entity);
  stripDerived(row);
  return row;
}

/** Runs a write in a transaction and turns constraint violations into precise problems. */
export async function write<T>(database: Database, fn: (tx: Db) => Promise<T>): Promise<T> {
  try {
    return await database.transaction(fn);
  } catch (e) {
    if (e instanceof AppError) throw e;
    const mapped = pgErrorToAppError(e);
    if (mapped) throw mapped;
    throw e;
  }
}

export async function insertRow(tx: Db, table: TenantTable, actor: Actor, entity: string, values: AnyRow): Promise<AnyRow> {
  const rows = (await tx.insert(table).values({ ...values, workspaceId: actor.workspaceId } as never).returning()) as AnyRow[];
  const row = rows[0]!;
  stripDerived(row);
  await recordAudit(tx, { workspaceId: actor.workspaceId, userId: actor.userId, entity, entityId: row['id'] as string, action: 'create', after: row });
  return row;
}

/**
 * Updates one row if its version is still `expectedVersion` (when given), bumps the version and
 * records the change. A stale version answers 409 with the current record so the client can show
 * both and let the user choose.
 */
export async function updateRow(
  tx: Db, table: TenantTable, actor: Actor, entity: string, before: AnyRow, values: AnyRow,
  expectedVersion: number | undefined, action = 'update',
): Promise<AnyRow> {
  if (expectedVersion !== undefined && before['version'] !== expectedVersion) {
    throw new AppError('version_conflict', `The ${entity} was changed by someone else (version ${String(before['version'])}, you sent ${expectedVersion}).`, [], { current: before });
  }
  const rows = (await tx.update(table)
    .set({ ...values, version: sql`${table.version} + 1`, updatedAt: sql`now()` } as never)
    .where(key(table, actor.workspaceId, before['id'] as string))
    .returning()) as AnyRow[];
  const row = rows[0]!;
  stripDerived(row);
  await recordAudit(tx, { workspaceId: actor.workspaceId, userId: actor.userId, entity, entityId: row['id'] as string, action, before, after: row });
  return row;
}

export async function deleteRow(tx: Db, table: TenantTable, actor: Actor, entity: string, before: AnyRow): Promise<void> {
  await tx.delete(table).where(key(table, actor.workspaceId, before['id'] as string));
  await recordAudit(tx, { workspaceId: actor.workspaceId, userId: actor.userId, entity, entityId: before['id'] as string, action: 'delete', before });
}

export const tableName = (t: Table) => getTableName(t);
