import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { generateDataset, type GenerateResult } from '../src/db/queries/bulk.js';
import { hashPassword } from '../src/auth/password.js';
import { formatPhases, GENERATED_PASSWORD, progressPrinter } from '../src/cli/generate.js';
import { startPostgres, type PgServer } from '../test/postgres-server.js';

export type BenchDb = { database: Database; url?: string; stop: () => Promise<void> };

export type EngineOptions = {
  /** PGlite: keep the database in this folder (reused by later runs) instead of a temp one. */
  dataDir?: string | undefined;
  /** PostgreSQL: use this server instead of starting a throwaway one. */
  databaseUrl?: string | undefined;
  poolSize?: number;
};

/** A migrated database on the chosen engine: a throwaway one owned by this process unless told otherwise. */
export async function startEngine(engine: string, opts: EngineOptions = {}): Promise<BenchDb> {
  const poolSize = opts.poolSize ?? 4;
  if (engine === 'postgres') {
    if (opts.databaseUrl) {
      const database = await openDatabase({ databaseUrl: opts.databaseUrl, poolSize });
      await migrate(database);
      return { database, url: opts.databaseUrl, stop: () => database.close() };
    }
    const server: PgServer = await startPostgres();
    const url = server.url();
    const database = await openDatabase({ databaseUrl: url, poolSize });
    await migrate(database);
    return { database, url, stop: async () => { await database.close(); server.stop(); } };
  }
  if (engine === 'pglite') {
    if (opts.dataDir) {
      const database = await openDatabase({ dataDir: opts.dataDir });
      await migrate(database);
      return { database, stop: () => database.close() };
    }
    const dir = mkdtempSync(join(tmpdir(), 'seguimiento-bench-'));
    const database = await openDatabase({ dataDir: join(dir, 'data') });
    await migrate(database);
    return { database, stop: async () => { await database.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  throw new Error('--engine must be postgres or pglite');
}

export type Dataset = Pick<GenerateResult, 'workspaceId' | 'users' | 'stageIds'> & { leads: number };

/** The newest generated benchmark workspace in the database, if any (to reuse a loaded dataset). */
export async function existingDataset(database: Database): Promise<Dataset | null> {
  const ws = await database.query<{ id: string; leads: number }>(
    `SELECT w.id, (SELECT count(*)::int FROM lead l WHERE l.workspace_id = w.id) AS leads
       FROM workspace w WHERE w.name LIKE 'Benchmark %'
        -- not a load still in progress, or one a crash left half-done (src/db/queries/bulk.ts)
        AND NOT EXISTS (SELECT 1 FROM app_setting a WHERE a.key = 'bulk_load:' || w.id)
      ORDER BY w.created_at DESC LIMIT 1`);
  const w = ws[0];
  if (!w || w.leads === 0) return null;
  const users = await database.query<Dataset['users'][number]>('SELECT id, email, role FROM app_user WHERE workspace_id = $1 ORDER BY email', [w.id]);
  const stageIds = await database.query<Dataset['stageIds'][number]>(
    `SELECT s.id, s.name, s.kind FROM stage s JOIN pipeline p ON p.workspace_id = s.workspace_id AND p.id = s.pipeline_id
      WHERE s.workspace_id = $1 AND p.is_default ORDER BY s.position`, [w.id]);
  return { workspaceId: w.id, users, stageIds, leads: w.leads };
}

export async function loadDataset(database: Database, leads: number, activitiesPerLead: number, deferIndexes = true, sales = 0, overlap = true): Promise<GenerateResult> {
  const r = await generateDataset(database, {
    leads, activitiesPerLead, deferIndexes, sales, overlap, passwordHash: await hashPassword(GENERATED_PASSWORD), onProgress: progressPrinter(),
  });
  console.log(`load: ${r.rows} rows in ${r.loadSeconds.toFixed(1)} s = ${r.rowsPerSecond} rows/s (FK checks ${r.skippedForeignKeyChecks ? 'skipped' : 'on'}; ${r.rebuiltIndexes} indexes rebuilt in ${r.indexSeconds.toFixed(1)} s, included); VACUUM ANALYZE ${r.analyzeSeconds.toFixed(1)} s`);
  const slow = [...r.indexTimings].sort((a, b) => b.seconds - a.seconds).slice(0, 8);
  if (slow.length) console.log(`      slowest index builds: ${slow.map((i) => `${i.name} ${i.seconds.toFixed(1)} s`).join(', ')}`);
  console.log(`      ${formatPhases(r)}`);
  console.log(`      ${Object.entries(r.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return r;
}

