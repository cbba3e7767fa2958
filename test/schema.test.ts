import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTableColumns, getTableName, is, type Table } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import * as schema from '../src/db/schema.js';
import { currentSchemaVersion, latestSchemaVersion, migrate } from '../src/db/migrate.js';
import type { Database } from '../src/db/client.js';
import { freshDatabase } from './harness.js';

let db: Database;
beforeAll(async () => { db = await freshDatabase(); });
afterAll(async () => { await db.close(); });

const tables: PgTable[] = (Object.values(schema) as unknown[]).filter((v): v is PgTable => is(v, PgTable));

describe('migrations', () => {
  it('bring an empty database to the latest version', async () => {
    expect(await currentSchemaVersion(db)).toBe(latestSchemaVersion());
  });

  it('are idempotent: running them again changes nothing', async () => {
    expect(await migrate(db)).toBe(latestSchemaVersion());
  });

  it('give every table and column the Drizzle schema declares, with matching nullability', async () => {
    const rows = await db.query<{ table_name: string; column_name: string; is_nullable: string; data_type: string }>(
      `SELECT table_name, column_name, is_nullable, data_type FROM information_schema.columns WHERE table_schema = 'public'`);
    const actual = new Map(rows.map((r) => [`${r.table_name}.${r.column_name}`, r]));
    const problems: string[] = [];
    for (const t of tables) {
      for (const col of Object.values(getTableColumns(t as Table))) {
        const key = `${getTableName(t as Table)}.${col.name}`;
        const found = actual.get(key);
        if (!found) { problems.push(`missing ${key}`); continue; }
        if ((found.is_nullable === 'NO') !== col.notNull && !col.primary) problems.push(`${key} nullability differs (db ${found.is_nullable})`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('declare in Drizzle every column the migrations create', async () => {
    const rows = await db.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schema_migration'`);
    const declared = new Set(tables.flatMap((t) => Object.values(getTableColumns(t as Table)).map((c) => `${getTableName(t as Table)}.${c.name}`)));
    expect(rows.map((r) => `${r.table_name}.${r.column_name}`).filter((k) => !declared.has(k))).toEqual([]);
  });

  it('key every business table on workspace_id (the tenant and future shard key)', async () => {
    const rows = await db.query<{ table_name: string }>(
      `SELECT c.relname AS table_name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r'
          AND c.relname NOT IN ('workspace', 'app_setting', 'schema_migration', 'login_attempt')
          AND NOT EXISTS (SELECT 1 FROM information_schema.columns k WHERE k.table_name = c.relname AND k.column_name = 'workspace_id')`);
    expect(rows.map((r) => r.table_name)).toEqual([]);
  });
});
