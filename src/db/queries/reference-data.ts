import { sql } from 'drizzle-orm';
import type { Db } from '../client.js';

const rowsOf = <T>(res: unknown): T[] => (res as { rows: T[] }).rows;

/**
 * How many records point at a source, product or campaign. Their foreign keys null the reference
 * on delete, which would silently rewrite history (cost per lead, sales per product), so a delete
 * is refused while any count is above zero.
 */
export type Usage = Record<string, number>;

export async function sourceUsage(tx: Db, workspaceId: string, id: string): Promise<Usage> {
  const res = await tx.execute(sql`SELECT
      (SELECT count(*)::int FROM lead WHERE workspace_id = ${workspaceId} AND source_id = ${id}) AS leads,
      (SELECT count(*)::int FROM campaign WHERE workspace_id = ${workspaceId} AND source_id = ${id}) AS campaigns`);
  return rowsOf<Usage>(res)[0]!;
}

export async function productUsage(tx: Db, workspaceId: string, id: string): Promise<Usage> {
  const res = await tx.execute(sql`SELECT
      (SELECT count(*)::int FROM lead WHERE workspace_id = ${workspaceId} AND ${id}::uuid = ANY(product_ids)) AS leads,
      (SELECT count(*)::int FROM sale_line WHERE workspace_id = ${workspaceId} AND product_id = ${id}) AS "saleLines"`);
  return rowsOf<Usage>(res)[0]!;
}

export async function campaignUsage(tx: Db, workspaceId: string, id: string): Promise<Usage> {
  const res = await tx.execute(sql`SELECT
      (SELECT count(*)::int FROM lead WHERE workspace_id = ${workspaceId} AND campaign_id = ${id}) AS leads`);
  return rowsOf<Usage>(res)[0]!;
}

/** Whether a source name is taken in the workspace (names are unique ignoring case). */
export async function isSourceNameTaken(tx: Db, workspaceId: string, name: string, exceptId: string | null): Promise<boolean> {
  const res = await tx.execute(sql`SELECT EXISTS (SELECT 1 FROM source WHERE workspace_id = ${workspaceId}
      AND lower(name) = lower(${name}) AND id IS DISTINCT FROM ${exceptId}::uuid) AS taken`);
  return rowsOf<{ taken: boolean }>(res)[0]?.taken ?? false;
}

const entityTables = { company: 'company', contact: 'contact', lead: 'lead' } as const;

/** Whether any record of the entity holds a non-null value for the custom field. */
export async function customFieldHasValues(tx: Db, workspaceId: string, entity: keyof typeof entityTables, key: string): Promise<boolean> {
  const table = sql.identifier(entityTables[entity]);
  const res = await tx.execute(sql`SELECT EXISTS (SELECT 1 FROM ${table} WHERE workspace_id = ${workspaceId}
      AND jsonb_typeof(custom_fields -> ${key}) IS DISTINCT FROM 'null' AND custom_fields -> ${key} IS NOT NULL) AS used`);
  return rowsOf<{ used: boolean }>(res)[0]?.used ?? false;
}

export async function isCustomFieldKeyTaken(tx: Db, workspaceId: string, entity: keyof typeof entityTables, key: string): Promise<boolean> {
  const res = await tx.execute(sql`SELECT EXISTS (SELECT 1 FROM custom_field WHERE workspace_id = ${workspaceId}
      AND entity = ${entity} AND key = ${key}) AS taken`);
  return rowsOf<{ taken: boolean }>(res)[0]?.taken ?? false;
}

/** Whether the workspace has this source (a source of another workspace does not exist here). */
export async function sourceExists(tx: Db, workspaceId: string, id: string): Promise<boolean> {
  const res = await tx.execute(sql`SELECT EXISTS (SELECT 1 FROM source WHERE workspace_id = ${workspaceId} AND id = ${id}) AS found`);
  return rowsOf<{ found: boolean }>(res)[0]?.found ?? false;
}

/** The distinct values records hold for a custom field (as text), to tell which choice options are in use. */
export async function customFieldValuesInUse(tx: Db, workspaceId: string, entity: keyof typeof entityTables, key: string): Promise<string[]> {
  const table = sql.identifier(entityTables[entity]);
  const res = await tx.execute(sql`SELECT DISTINCT custom_fields ->> ${key} AS v FROM ${table}
      WHERE workspace_id = ${workspaceId} AND custom_fields ->> ${key} IS NOT NULL`);
  return rowsOf<{ v: string }>(res).map((r) => r.v);
}
