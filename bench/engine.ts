import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { generateDataset, type GenerateResult } from '../src/db/queries/bulk.js';
import { hashPassword } from '../src/auth/password.js';
import { GENERATED_PASSWORD, progressPrinter } from '../src/cli/generate.js';
import { startPostgres, type PgServer } from '../test/postgres-server.js';

export type BenchDb = { database: Database; url?: string; stop: () => Promise<void> };

/** A migrated, empty database on the chosen engine, owned by this process. */
export async function startEngine(engine: string, poolSize = 4): Promise<BenchDb> {
  if (engine === 'postgres') {
    const server: PgServer = await startPostgres();
    const url = server.url();
    const database = await openDatabase({ databaseUrl: url, poolSize });
    await migrate(database);
    return { database, url, stop: async () => { await database.close(); server.stop(); } };
  }
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'seguimiento-bench-'));
    const database = await openDatabase({ dataDir: join(dir, 'data') });
    await migrate(database);
    return { database, stop: async () => { await database.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  throw new Error('--engine must be postgres or pglite');
}

export async function loadDataset(database: Database, leads: number, activitiesPerLead: number): Promise<GenerateResult> {
  const r = await generateDataset(database, {
    leads, activitiesPerLead, passwordHash: await hashPassword(GENERATED_PASSWORD), onProgress: progressPrinter(),
  });
  console.log(`load: ${r.rows} rows in ${r.loadSeconds.toFixed(1)} s = ${r.rowsPerSecond} rows/s (FK checks ${r.skippedForeignKeyChecks ? 'skipped' : 'on'}; ${r.rebuiltIndexes} indexes rebuilt in ${r.indexSeconds.toFixed(1)} s, included); VACUUM ANALYZE ${r.analyzeSeconds.toFixed(1)} s`);
  const slow = [...r.indexTimings].sort((a, b) => b.seconds - a.seconds).slice(0, 8);
  if (slow.length) console.log(`      slowest index builds: ${slow.map((i) => `${i.name} ${i.seconds.toFixed(1)} s`).join(', ')}`);
  console.log(`      ${Object.entries(r.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return r;
}

