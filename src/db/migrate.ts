import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from './client.js';
import { packageRoot } from '../paths.js';

export type Migration = { version: number; name: string; sql: string };

const migrationsDir = join(packageRoot, 'src/db/migrations');

/** Numbered, forward-only migrations: NNNN_name.sql. Never edit one that has shipped; add the next. */
export function listMigrations(dir = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f.slice(5, -4), sql: readFileSync(join(dir, f), 'utf8') }));
}

export const latestSchemaVersion = (): number => listMigrations().at(-1)?.version ?? 0;

const LOCK_ID = 7265431;

/**
 * Applies pending migrations, each in its own transaction. An advisory lock makes concurrent
 * starts of several app instances safe: one migrates, the others wait and then find nothing to do.
 */
export async function migrate(database: Database, log: (msg: string) => void = () => {}): Promise<number> {
  const migrations = listMigrations();
  await database.session(async (conn) => {
    await conn.query('SELECT pg_advisory_lock($1)', [LOCK_ID]);
    try {
      await conn.exec(`CREATE TABLE IF NOT EXISTS schema_migration (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const rows = await conn.query<{ version: number }>('SELECT version FROM schema_migration');
      const done = new Set(rows.map((r) => r.version));
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        try {
          await conn.exec(`BEGIN;\n${m.sql}\n;INSERT INTO schema_migration (version, name) VALUES (${m.version}, '${m.name}');\nCOMMIT;`);
        } catch (e) {
          await conn.exec('ROLLBACK');
          throw new Error(`migration ${m.version}_${m.name} failed: ${(e as Error).message}`);
        }
        log(`migrated to ${String(m.version).padStart(4, '0')}_${m.name}`);
      }
    } finally {
      await conn.query('SELECT pg_advisory_unlock($1)', [LOCK_ID]);
    }
  });
  return currentSchemaVersion(database);
}

export async function currentSchemaVersion(database: Database): Promise<number> {
  const exists = await database.query<{ t: string | null }>("SELECT to_regclass('schema_migration')::text AS t");
  if (!exists[0]?.t) return 0;
  const rows = await database.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migration');
  return rows[0]?.v ?? 0;
}
