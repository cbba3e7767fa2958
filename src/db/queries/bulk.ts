import { randomBytes } from 'node:crypto';
import { getTableColumns, getTableName, sql, type Table } from 'drizzle-orm';
import type { Connection, Database, Db } from '../client.js';
import { createWorkspace } from './workspaces.js';
import { recordAudit } from '../audit.js';

/**
 * Bulk loading: batched inserts for the demo workspace, and set-based `INSERT … SELECT … FROM
 * generate_series` for the large synthetic benchmark dataset. Both engines speak the same SQL.
 */

/**
 * Inserts rows (keyed by the Drizzle property names) with one JSON parameter per batch:
 * `INSERT … SELECT … FROM json_populate_recordset(…)`. One bind parameter instead of tens of
 * thousands keeps both engines fast; columns absent from every row take their defaults.
 */
export async function insertBatches<T extends Record<string, unknown>>(tx: Db, table: Table, rows: T[], batch = 5000): Promise<void> {
  if (rows.length === 0) return;
  const columns = getTableColumns(table);
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const names = keys.map((k) => {
    const c = columns[k];
    if (!c) throw new Error(`${getTableName(table)} has no column ${k}`);
    return `"${c.name}"`;
  }).join(', ');
  const tableName = `"${getTableName(table)}"`;
  for (let i = 0; i < rows.length; i += batch) {
    const json = JSON.stringify(rows.slice(i, i + batch).map((r) =>
      Object.fromEntries(keys.map((k) => [columns[k]!.name, r[k] === undefined ? null : r[k]]))));
    await tx.execute(sql`INSERT INTO ${sql.raw(tableName)} (${sql.raw(names)})
      SELECT ${sql.raw(names)} FROM json_populate_recordset(NULL::${sql.raw(tableName)}, ${json}::json)`);
  }
}

export type GenerateOptions = {
  leads: number;
  activitiesPerLead: number;
  /** Fill this workspace; otherwise a new benchmark workspace is created. */
  workspaceId?: string | undefined;
  /** Default: leads / 5 and leads / 50, 50 users in total. */
  contacts?: number;
  companies?: number;
  users?: number;
  /** Sales to add over the last 18 months (default 0), spread over the contacts. */
  sales?: number;
  /** Password hash given to every generated user (so benchmarks can log in as one). */
  passwordHash: string;
  /**
   * Drop the secondary indexes of the bulk tables while loading and rebuild them at the end
   * (default true). Holds an exclusive lock on those tables for the whole load.
   */
  deferIndexes?: boolean;
  /** Rows per INSERT statement. */
  chunk?: number;
  /**
   * PostgreSQL, deferred indexes: commit the rows, then rebuild the rollups on one connection while
   * another builds the indexes (default true). false: the whole load in one transaction, as on PGlite.
   */
  overlap?: boolean;
  onProgress?: (p: GenerateProgress) => void;
};

export type GenerateProgress = { table: string; done: number; total: number; rowsSoFar: number; seconds: number };

export type GeneratedUser = { id: string; email: string; role: 'admin' | 'manager' | 'sales' };

export type GenerateResult = {
  workspaceId: string;
  users: GeneratedUser[];
  stageIds: { id: string; name: string; kind: string }[];
  counts: Record<string, number>;
  rows: number;
  loadSeconds: number;
  analyzeSeconds: number;
  rowsPerSecond: number;
  /** Seconds spent recomputing the metric rollups once at the end (included in loadSeconds). */
  rollupSeconds: number;
  /** Seconds and rows per phase (companies, contacts, leads, stage history, activities, sales). */
  phases: { table: string; rows: number; seconds: number }[];
  /** Whether foreign-key triggers were skipped (superuser only; rows are consistent by construction). */
  skippedForeignKeyChecks: boolean;
  rebuiltIndexes: number;
  /** Part of loadSeconds spent rebuilding the deferred indexes. */
  indexSeconds: number;
  indexTimings: { name: string; seconds: number }[];
  /** Whether the rollup rebuild and the index builds ran at the same time (their seconds overlap). */
  overlapped: boolean;
};

const spanishWords = {
  companyPrefix: ['Muebles', 'Cocinas', 'Reformas', 'Interiores', 'Carpintería', 'Decoración', 'Hogar', 'Diseño', 'Construcciones', 'Hostelería'],
  companySuffix: ['Levante', 'Mediterráneo', 'del Turia', 'Castilla', 'Alicantina', 'Albufera', 'Ibérica', 'del Sur', 'Norte', 'Central'],
  sectors: ['Hostelería', 'Construcción', 'Inmobiliaria', 'Retail', 'Oficinas', 'Sanidad', 'Educación', 'Particular'],
  cities: ['Valencia', 'Madrid', 'Alicante', 'Castellón de la Plana', 'Elche', 'Murcia', 'Gandia', 'Torrent', 'Benidorm', 'Sagunto'],
  firstNames: ['María', 'José', 'Antonio', 'Carmen', 'Lucía', 'Javier', 'Ana', 'Manuel', 'Laura', 'David', 'Marta', 'Pablo', 'Elena', 'Sergio', 'Paula', 'Vicente'],
  lastNames: ['García', 'Martínez', 'López', 'Sánchez', 'Pérez', 'Gómez', 'Martín', 'Jiménez', 'Ruiz', 'Hernández', 'Navarro', 'Torres', 'Domínguez', 'Vidal', 'Ferrer', 'Soler'],
  leadTitles: ['Cocina a medida', 'Armario empotrado', 'Reforma de baño', 'Salón completo', 'Vestidor', 'Mobiliario de oficina', 'Encimera de cuarzo', 'Proyecto de interiorismo'],
  subjects: ['Llamada de seguimiento', 'Envío de presupuesto', 'Visita a obra', 'Reunión en tienda', 'Dudas sobre acabados', 'Confirmación de medidas', 'Recordatorio de cita', 'Nota interna'],
  outcomes: ['Interesado', 'Pide más información', 'Volver a llamar', 'Sin respuesta', 'Presupuesto aceptado', 'Lo está pensando'],
};

/**
 * Ids are built from a random run prefix and the row's number, so every table is generated
 * independently (an activity knows its lead's id without reading it) and rows arrive in key order.
 */
const idSql = (prefix: string, kind: string, n: string) =>
  `('${prefix}-${kind}-4000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`;

/**
 * The tables the loader writes whose user triggers it stands in for: the metric and funnel rollups
 * (rebuilt by metric_rollups_rebuild, which covers the contact and company ones too), the lead sort
 * keys (written by the INSERT) and the per-contact sale figures (refreshed at the end); and two daily
 * rollups whose triggers keep monthly sums (0026), which dashboard_rollups_rebuild recomputes from
 * them at the end anyway (following each insert of the rebuild cost ~1 s per 100 000 leads).
 */
const triggerTables = ['company', 'contact', 'lead', 'lead_stage_history', 'activity', 'sale', 'feedback', 'lead_daily', 'lead_funnel_daily'];

/** Held by a load for its whole run on PostgreSQL: one load at a time per database. */
const LOAD_LOCK = 7_420_315_001;

/** app_setting key of a load whose rows are committed but whose indexes, rollups or triggers are not done. */
const pendingKey = (workspaceId: string) => `bulk_load:${workspaceId}`;

/** What a load turned off, to turn it back on: the dropped indexes' definitions, the disabled triggers' modes. */
type PendingLoad = { indexes: { name: string; def: string }[]; triggers: { table: string; name: string; mode: string }[] };

async function restoreTriggers(conn: Connection, triggers: PendingLoad['triggers']): Promise<void> {
  for (const t of triggers) {
    const mode = t.mode === 'A' ? 'ALWAYS ' : t.mode === 'R' ? 'REPLICA ' : '';
    await conn.exec(`ALTER TABLE ${t.table} ENABLE ${mode}TRIGGER ${t.name}`);
  }
}

/** The rollups of one workspace from its raw rows, on a connection inside a transaction. */
async function rebuildRollups(conn: Connection, ws: string): Promise<void> {
  await conn.query('SELECT metric_rollups_rebuild($1::uuid)', [ws]);
  // The sale triggers' per-contact figures (migration 0023), where the schema has them.
  const [saleStats] = await conn.query<{ ok: boolean }>(`SELECT to_regprocedure('contact_sale_stats_refresh(uuid, uuid[])') IS NOT NULL AS ok`);
  if (saleStats?.ok) await conn.query('SELECT contact_sale_stats_refresh($1::uuid, NULL)', [ws]);
  // The distinct-client sale rollups (migration 0026), where the schema has them.
  const [saleClients] = await conn.query<{ ok: boolean }>(`SELECT to_regprocedure('dashboard_rollups_rebuild(uuid)') IS NOT NULL AS ok`);
  if (saleClients?.ok) await conn.query('SELECT dashboard_rollups_rebuild($1::uuid)', [ws]);
}

/**
 * PostgreSQL, rows committed: the rollup rebuild on `conn` (its own transaction) while a second
 * connection builds the deferred indexes, then `conn` helps with those left. Largest tables first, so
 * that the two connections end close together. Each index is built in its own transaction: after a
 * crash the pending load's marker says which may be missing.
 */
async function overlapRollupsAndIndexes(database: Database, conn: Connection, ws: string, deferred: PendingLoad['indexes'],
  skipForeignKeyChecks: boolean, built: (name: string, seconds: number) => void): Promise<{ rollupSeconds: number }> {
  const sizes = await conn.query<{ table: string; bytes: number }>(
    `SELECT relname AS "table", pg_relation_size(oid)::float8 AS bytes FROM pg_class
      WHERE oid = ANY (ARRAY['company', 'contact', 'lead', 'lead_stage_history', 'activity', 'sale']::regclass[])`);
  const bytesOf = new Map(sizes.map((x) => [x.table, x.bytes]));
  const tableOf = (def: string) => /\bON (?:ONLY )?(?:public\.)?(\w+)/.exec(def)?.[1] ?? '';
  const queue = [...deferred].sort((a, b) => (bytesOf.get(tableOf(b.def)) ?? 0) - (bytesOf.get(tableOf(a.def)) ?? 0));
  let failed: unknown;
  const builder = async (c: Connection) => {
    await c.exec(`SET maintenance_work_mem = '512MB'`);
    try {
      for (let d = queue.shift(); d && failed === undefined; d = queue.shift()) {
        const t = performance.now();
        await c.exec(d.def);
        built(d.name, (performance.now() - t) / 1000);
      }
    } catch (e) {
      failed ??= e;
      throw e;
    } finally {
      await c.exec('RESET maintenance_work_mem').catch(() => undefined);
    }
  };
  const rollups = async () => {
    const r0 = performance.now();
    await conn.exec('BEGIN');
    try {
      await conn.exec(`SET LOCAL synchronous_commit = off; SET LOCAL jit = off; SET LOCAL work_mem = '256MB'`);
      // As in the load's transaction: the rollup tables' foreign keys unchecked where allowed (their
      // rows are aggregates of rows whose references hold).
      if (skipForeignKeyChecks) await conn.exec('SET LOCAL session_replication_role = replica');
      await rebuildRollups(conn, ws);
      await conn.exec('COMMIT');
    } catch (e) {
      await conn.exec('ROLLBACK').catch(() => undefined);
      failed ??= e;
      throw e;
    }
    const rollupSeconds = (performance.now() - r0) / 1000;
    await builder(conn);
    return rollupSeconds;
  };
  const [second, first] = await Promise.allSettled([database.session(builder), rollups()]);
  if (second.status === 'rejected') throw second.reason;
  if (first.status === 'rejected') throw first.reason;
  return { rollupSeconds: first.value };
}

/**
 * Completes the loads a crash (or a failure after their rows were committed) left half-done: their
 * missing indexes, their workspace's rollups, their triggers as they were. Runs at the start of every
 * load; `conn` holds the load lock on PostgreSQL, so no load is running.
 */
async function finishPendingLoadsOn(conn: Connection): Promise<string[]> {
  const pending = await conn.query<{ key: string; value: string }>(`SELECT key, value FROM app_setting WHERE key LIKE 'bulk_load:%' ORDER BY key`);
  for (const p of pending) {
    const ws = p.key.slice('bulk_load:'.length);
    const state = JSON.parse(p.value) as PendingLoad;
    await conn.exec('BEGIN');
    try {
      await conn.exec(`SET LOCAL jit = off; SET LOCAL work_mem = '256MB'; SET LOCAL maintenance_work_mem = '512MB'`);
      for (const d of state.indexes) await conn.exec(d.def.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX IF NOT EXISTS '));
      const [exists] = await conn.query<{ ok: boolean }>('SELECT EXISTS (SELECT 1 FROM workspace WHERE id = $1) AS ok', [ws]);
      if (exists?.ok) {
        await conn.exec('ANALYZE company, contact, lead, lead_stage_history, activity, sale');
        await rebuildRollups(conn, ws);
      }
      await restoreTriggers(conn, state.triggers);
      await conn.query('DELETE FROM app_setting WHERE key = $1', [p.key]);
      await conn.exec('COMMIT');
    } catch (e) {
      await conn.exec('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }
  return pending.map((p) => p.key.slice('bulk_load:'.length));
}

/** finishPendingLoadsOn on a connection of its own, under the load lock. Returns the workspaces finished. */
export async function finishPendingLoads(database: Database): Promise<string[]> {
  return database.session(async (conn) => {
    if (database.engine === 'postgres') await conn.query('SELECT pg_advisory_lock($1)', [LOAD_LOCK]);
    try {
      return await finishPendingLoadsOn(conn);
    } finally {
      if (database.engine === 'postgres') await conn.query('SELECT pg_advisory_unlock($1)', [LOAD_LOCK]).catch(() => undefined);
    }
  });
}

/**
 * Loads a large synthetic dataset (companies, contacts, users, leads with their stage history,
 * activities, sales) in chunks of set-based SQL, then ANALYZEs. Meant for benchmarks and capacity
 * tests, not for people to read.
 */
export async function generateDataset(database: Database, opts: GenerateOptions): Promise<GenerateResult> {
  const leads = opts.leads;
  const contacts = opts.contacts ?? Math.max(1, Math.round(leads / 5));
  const companies = opts.companies ?? Math.max(1, Math.round(leads / 50));
  const userCount = Math.max(2, opts.users ?? 50);
  const saleCount = opts.sales ?? 0;
  const perLead = opts.activitiesPerLead;
  const chunk = opts.chunk ?? 50_000;
  const prefix = randomBytes(4).toString('hex');
  const domain = `${prefix}.bench.seguimiento.test`;

  let workspaceId = opts.workspaceId;
  if (!workspaceId) {
    const created = await createWorkspace(database, {
      workspaceName: `Benchmark ${prefix}`, currency: 'EUR', timeZone: 'Europe/Madrid', locale: 'es', defaultCountry: 'ES',
      admin: { name: 'Admin Benchmark', email: `admin@${domain}`, passwordHash: opts.passwordHash },
    }, { onlyIfFirst: false });
    workspaceId = created.workspace.id;
  }
  const ws = workspaceId;

  const result = await database.session(async (conn): Promise<GenerateResult> => {
    const started = performance.now();
    let rowsSoFar = 0;
    const progress = (table: string, done: number, total: number) =>
      opts.onProgress?.({ table, done, total, rowsSoFar, seconds: (performance.now() - started) / 1000 });
    const phases: GenerateResult['phases'] = [];

    // Building an index once over all rows is several times cheaper than growing it row by row, so
    // the secondary indexes of the bulk tables are dropped and rebuilt from their own definitions.
    // The rows are written in one transaction: if that fails, the indexes come back with the rollback.
    // What follows the rows (indexes, rollups) is in the same transaction on PGlite (one connection)
    // and after a commit on PostgreSQL (two connections: see overlapRollupsAndIndexes).
    const deferIndexes = opts.deferIndexes ?? true;
    // One load at a time per database (the indexes and triggers it turns off are the whole table's),
    // after finishing any a crash left half-done.
    let committed = false;
    try {
      if (database.engine === 'postgres') await conn.query('SELECT pg_advisory_lock($1)', [LOAD_LOCK]);
      await finishPendingLoadsOn(conn);
      await conn.exec('BEGIN');
      // Settings for this transaction only (SET LOCAL): COMMIT or ROLLBACK hands the connection back to
      // the pool (PGlite: the application's only connection) as it was, foreign-key checks included.
      // Durability of the load is not needed until its COMMIT; foreign-key triggers are skipped when
      // allowed (superuser) because every reference is computed from ids generated in this run.
      await conn.exec('SET LOCAL synchronous_commit = off');
      const [role] = await conn.query<{ superuser: boolean }>(`SELECT current_setting('is_superuser') = 'on' AS superuser`);
      const skippedForeignKeyChecks = role?.superuser === true;
      if (skippedForeignKeyChecks) await conn.exec('SET LOCAL session_replication_role = replica');
      // Memory for index builds; PGlite's whole heap lives in WebAssembly memory, so it gets less.
      await conn.exec(`SET LOCAL maintenance_work_mem = '${database.engine === 'pglite' ? '128MB' : '512MB'}'`);
      // The rollup rebuild aggregates millions of rows into hundreds of thousands of groups: with the
      // default 4MB the hash aggregates spill to disk in batches.
      await conn.exec(`SET LOCAL work_mem = '${database.engine === 'pglite' ? '32MB' : '256MB'}'`);
      // The funnel rebuild turns nested loops off, which adds a huge constant to every plan's cost and
      // so makes each of its statements compile with JIT (inlining and optimisation): ~17 s per
      // statement even when it writes no row. The load's statements run once; compiling never pays.
      await conn.exec('SET LOCAL jit = off');

      // Whether a bulk table has statistics from before the load (reltuples is -1 until the first
      // ANALYZE or VACUUM): see the ANALYZE before the rollup rebuild.
      const [analysed] = await conn.query<{ stale: boolean }>(
        `SELECT coalesce(bool_or(reltuples >= 0), false) AS stale FROM pg_class
          WHERE oid = ANY (ARRAY['company', 'contact', 'lead', 'lead_stage_history', 'activity', 'sale']::regclass[])`);
      const staleStatistics = analysed?.stale === true;

      let deferred: { name: string; def: string }[] = [];
      if (deferIndexes) {
        deferred = await conn.query<{ name: string; def: string }>(
          `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
             FROM pg_index i
            WHERE i.indrelid = ANY (ARRAY['company', 'contact', 'lead', 'lead_stage_history', 'activity', 'sale']::regclass[])
              AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY 1`);
        for (const d of deferred) await conn.exec(`DROP INDEX ${d.name}`);
      }

      // The user triggers of the written tables do per-statement or per-row work the loader does once:
      // the metric rollups (upserted ~20 times per rollup row over a load's chunks) are rebuilt from
      // the raw rows at the end, and the lead sort keys are computed in the INSERT itself. They are
      // switched off inside this transaction (a failed load rolls the switch back too) and restored
      // to their own mode (ALWAYS for the rollups) before COMMIT.
      const triggers = await conn.query<{ table: string; name: string; mode: string }>(
        `SELECT c.relname AS "table", t.tgname AS name, t.tgenabled AS mode
           FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
          WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND c.relname = ANY ($1::text[]) ORDER BY 1, 2`, [triggerTables]);
      for (const t of triggers) await conn.exec(`ALTER TABLE ${t.table} DISABLE TRIGGER ${t.name}`);

      const stages = await conn.query<{ id: string; name: string; kind: string; probability: number; position: number; pipelineId: string }>(
        `SELECT s.id, s.name, s.kind, s.probability, s.position, s.pipeline_id AS "pipelineId"
           FROM stage s JOIN pipeline p ON p.workspace_id = s.workspace_id AND p.id = s.pipeline_id
          WHERE s.workspace_id = $1 AND p.is_default ORDER BY s.position`, [ws]);
      const open = stages.filter((s) => s.kind === 'open');
      const won = stages.find((s) => s.kind === 'won');
      const lost = stages.find((s) => s.kind === 'lost');
      if (!open.length || !won || !lost) throw new Error('The workspace has no default pipeline with open, won and lost stages.');
      // 60 % open (spread over the open stages), 20 % won, 20 % lost: a stage per 20-slot wheel.
      const wheel: typeof stages = [];
      for (let i = 0; i < 12; i++) wheel.push(open[i % open.length]!);
      for (let i = 0; i < 4; i++) wheel.push(won, lost);
      const sources = await conn.query<{ id: string; sort: string }>(
        'SELECT id, f_search_text(name) AS sort FROM source WHERE workspace_id = $1 ORDER BY name', [ws]);

      // Users: one admin exists; the rest are managers (one per team of ~10) and sales reps.
      const existing = await conn.query<{ id: string; email: string; role: GeneratedUser['role'] }>(
        'SELECT id, email, role FROM app_user WHERE workspace_id = $1 ORDER BY created_at', [ws]);
      const toCreate = Math.max(0, userCount - existing.length);
      const teams = Math.max(1, Math.round(toCreate / 10));
      await conn.query(
        `INSERT INTO team (workspace_id, id, name)
         SELECT $1, ${idSql(prefix, '7ea0', 'g')}, 'Equipo ' || g FROM generate_series(1, $2::int) g`, [ws, teams]);
      await conn.query(
        `INSERT INTO app_user (workspace_id, id, email, name, role, locale, team_id, password_hash)
         SELECT $1, ${idSql(prefix, '05e7', 'g')}, 'user' || g || '@' || $3, 'Comercial ' || g,
                CASE WHEN g <= $4 THEN 'manager' ELSE 'sales' END, 'es',
                ${idSql(prefix, '7ea0', '1 + (g - 1) % $4')}, $5
           FROM generate_series(1, $2::int) g`, [ws, toCreate, domain, teams, opts.passwordHash]);
      await conn.query(
        `UPDATE team SET manager_id = ('${prefix}-05e7' || substr(id::text, 14))::uuid
          WHERE workspace_id = $1 AND id::text LIKE $2`, [ws, `${prefix}-7ea0-%`]);
      const users = await conn.query<GeneratedUser>('SELECT id, email, role FROM app_user WHERE workspace_id = $1 ORDER BY email', [ws]);
      const ownerRows = await conn.query<{ id: string; role: string; sort: string }>(
        'SELECT id, role, f_search_text(name) AS sort FROM app_user WHERE workspace_id = $1 ORDER BY email', [ws]);
      let ownerList = ownerRows.filter((u) => u.role !== 'admin');
      if (!ownerList.length) ownerList = ownerRows.slice(0, 1);
      const owners = ownerList.map((u) => u.id);
      const ownerSorts = ownerList.map((u) => u.sort);
      rowsSoFar += teams + toCreate;

      const words = spanishWords;
      const a = (xs: readonly string[]) => `ARRAY[${xs.map((x) => `'${x.replaceAll("'", "''")}'`).join(',')}]::text[]`;
      const pick = (arr: readonly string[], n: string) => `(${a(arr)})[(1 + (${n}) % ${arr.length})::int]`;
      const companyOf = (contactN: string) => `CASE WHEN (${contactN}) % 10 < 7 THEN ${idSql(prefix, 'c0c0', `1 + (${contactN}) % ${companies}`)} END`;
      // The contact of lead g, and the owner of lead g: the same formula wherever a lead is referenced.
      const contactOfLead = (g: string) => `(1 + ((${g}) * 7919) % ${contacts})`;
      const ownerOfLead = (g: string) => `($2::uuid[])[(1 + (${g}) % ${owners.length})::int]`;

      // Names are formulas of the row's number, written once here: the lead's sort keys are the same
      // formulas (no look-up of the contact or company row per lead).
      const firstNameOf = (n: string) => pick(words.firstNames, n);
      const lastNameOf = (n: string) => pick(words.lastNames, `(${n}) / 16`);
      const secondLastNameOf = (n: string) => pick(words.lastNames, `(${n}) / 256`);
      const companyNameOf = (n: string) => `${pick(words.companyPrefix, n)} || ' ' || ${pick(words.companySuffix, `(${n}) / 10`)} || ' ' || (${n})`;
      const hasCompany = (contactN: string) => `(${contactN}) % 10 < 7`;
      const companyNumberOf = (contactN: string) => `(1 + (${contactN}) % ${companies})`;

      async function inChunks(table: string, total: number, step: number, sqlFor: (from: number, to: number) => Promise<number>) {
        const t0 = performance.now();
        let rows = 0;
        for (let from = 1; from <= total; from += step) {
          const to = Math.min(total, from + step - 1);
          const n = await sqlFor(from, to);
          rows += n;
          rowsSoFar += n;
          progress(table, to, total);
        }
        phases.push({ table, rows, seconds: (performance.now() - t0) / 1000 });
      }

      const run = async (text: string, params: unknown[]) => { await conn.query(text, params); };

      await inChunks('company', companies, chunk, async (from, to) => {
        await run(
          `INSERT INTO company (workspace_id, id, name, sector, employees, website, phone, postal_code, city, country, owner_id, created_at, updated_at)
           SELECT $1, ${idSql(prefix, 'c0c0', 'g')}, ${companyNameOf('g')},
                  ${pick(words.sectors, 'g / 3')}, (g * 37) % 500, 'https://empresa' || g || '.example.es',
                  '+34 96' || lpad(((g * 7919) % 10000000)::text, 7, '0'), lpad((46000 + g % 999)::text, 5, '0'),
                  ${pick(words.cities, 'g / 7')}, 'ES', ${ownerOfLead('g')}, t, t
             FROM generate_series($3::bigint, $4::bigint) g, LATERAL (SELECT now() - (g % 900) * interval '1 day' AS t) x`,
          [ws, owners, from, to]);
        return to - from + 1;
      });

      await inChunks('contact', contacts, chunk, async (from, to) => {
        await run(
          `INSERT INTO contact (workspace_id, id, first_name, last_name, second_last_name, email, phone, city, country,
                                lifecycle, company_id, owner_id, do_not_contact, created_at, updated_at)
           SELECT $1, ${idSql(prefix, 'c0a7', 'g')}, ${firstNameOf('g')}, ${lastNameOf('g')}, ${secondLastNameOf('g')},
                  'contacto' || g || '@correo.example.es', '+34 6' || lpad(((g * 104729) % 100000000)::text, 8, '0'),
                  ${pick(words.cities, 'g / 5')}, 'ES', CASE WHEN g % 5 = 0 THEN 'client' ELSE 'prospect' END,
                  ${companyOf('g')}, ${ownerOfLead('g')}, g % 50 = 0, t, t
             FROM generate_series($3::bigint, $4::bigint) g, LATERAL (SELECT now() - (g % 900) * interval '1 day' AS t) x`,
          [ws, owners, from, to]);
        return to - from + 1;
      });

      const pipelineId = stages[0]!.pipelineId;
      const wheelIds = wheel.map((s) => s.id);
      const wheelKinds = wheel.map((s) => s.kind);
      const wheelProb = wheel.map((s) => s.probability);
      // A contact's name repeats with its number modulo personPeriod, a company's name apart from its
      // number modulo companyPeriod: their sort keys are computed once per residue (f_person_sort costs
      // tens of µs a call) from the same formulas as the names, and found by residue per lead.
      const gcd = (x: number, y: number): number => (y ? gcd(y, x % y) : x);
      const lcm = (...xs: number[]) => xs.reduce((x, y) => (x * y) / gcd(x, y), 1);
      const personPeriod = lcm(words.firstNames.length, 16 * words.lastNames.length, 256 * words.lastNames.length);
      const companyPeriod = lcm(words.companyPrefix.length, 10 * words.companySuffix.length);
      const [keys] = await conn.query<{ persons: string[]; companies: string[] }>(
        `SELECT (SELECT array_agg(f_person_sort(${firstNameOf('i')}, ${lastNameOf('i')}, ${secondLastNameOf('i')}) ORDER BY i)
                   FROM generate_series(0, ${personPeriod - 1}) i) AS persons,
                (SELECT array_agg(f_search_text(${pick(words.companyPrefix, 'i')} || ' ' || ${pick(words.companySuffix, 'i / 10')}) ORDER BY i)
                   FROM generate_series(0, ${companyPeriod - 1}) i) AS companies`);
      const personSorts = keys!.persons;
      const companySorts = keys!.companies;
      // Per lead g: its slot on the stage wheel, its creation and (closed leads) close instants.
      const wheelSlot = `(1 + (g * 13) % ${wheel.length})::int`;
      const createdAt = `now() - (g % 540) * interval '1 day' - (g % 24) * interval '1 hour'`;
      const closedAt = `t + interval '20 days'`;
      // The person sort keys are joined by residue: merging would sort each chunk by residue and so
      // insert the leads out of id order; hashing the 4 096 keys keeps the order of generate_series.
      await conn.exec('SET LOCAL enable_mergejoin = off');
      // Each lead went through the open stages in order up to its own (won and lost leads up to one
      // of them), then to its closing stage on its close date: what moving it in the app would write.
      // The leads and their stage history are written by one statement: what both need of a lead (its
      // number, id, owner, wheel slot, status, creation instant) is computed once into `src`, which
      // both inserts read, instead of a second pass over generate_series rebuilding the lead's id and
      // owner for each of its ~2.4 history rows.
      const openIds = open.map((s) => s.id);
      const wheelOpenIndex = wheel.map((s) => open.indexOf(s));
      let historyRows = 0;
      await inChunks('lead', leads, chunk, async (from, to) => {
        const [r] = await conn.query<{ n: number }>(
          `WITH src AS MATERIALIZED (
             SELECT g, ${idSql(prefix, '1ead', 'g')} AS id, x.c, x.w, x.t, ${ownerOfLead('g')} AS owner_id, ($7::text[])[x.w] AS status,
                    ps.sort AS contact_sort
               FROM generate_series($3::bigint, $4::bigint) g,
                    LATERAL (SELECT ${contactOfLead('g')} AS c, ${wheelSlot} AS w, ${createdAt} AS t) x
                    -- A join, not a subscript: reaching element n of a text[] walks the n − 1 before it
                    -- (~10 µs a lead for 4 096 keys), a hash probe does not.
                    JOIN unnest($14::text[]) WITH ORDINALITY AS ps (sort, n) ON ps.n = 1 + x.c % ${personPeriod}),
           l AS (
             INSERT INTO lead (workspace_id, id, title, contact_id, company_id, pipeline_id, stage_id, score, probability, amount, currency,
                               source_id, owner_id, next_action_at, next_action_type, status, lost_reason, closed_at, created_at, updated_at,
                               contact_sort, company_sort, owner_sort, source_sort, stage_sort)
             SELECT $1, id, ${pick(words.leadTitles, 'g')} || ' #' || g,
                    ${idSql(prefix, 'c0a7', 'c')}, ${companyOf('c')}, $5, ($6::uuid[])[w], (g * 31) % 101, ($8::int[])[w],
                    ((g * 7919) % 40000 + 500)::numeric, 'EUR', ($9::uuid[])[(1 + g % $10::int)::int], owner_id,
                    CASE WHEN status = 'open' AND g % 20 <> 0 THEN now() + ((g % 1440) - 240) * interval '1 hour' END,
                    CASE WHEN status = 'open' AND g % 20 <> 0 THEN (ARRAY['call','email','meeting','visit','message','task'])[(1 + g % 6)::int] END,
                    status, CASE WHEN status = 'lost' THEN 'Precio' END,
                    CASE WHEN status <> 'open' THEN ${closedAt} END, t, t,
                    -- The sort keys the lead_fill_sort_keys trigger would copy, from the same formulas as
                    -- the contact and company names and from the owners', sources' and stages' keys read once.
                    contact_sort,
                    CASE WHEN ${hasCompany('c')} THEN ($15::text[])[(1 + ${companyNumberOf('c')} % ${companyPeriod})::int] || ' ' || ${companyNumberOf('c')} ELSE '' END,
                    ($11::text[])[(1 + g % ${owners.length})::int],
                    coalesce(($12::text[])[(1 + g % $10::int)::int], ''),
                    ($13::int[])[w]
               FROM src),
           h AS (
             INSERT INTO lead_stage_history (workspace_id, id, lead_id, from_stage_id, to_stage_id, user_id, changed_at)
             SELECT $1, ${idSql(prefix, 'b157', `(g - 1) * ${open.length + 1} + j`)}, s.id,
                    CASE WHEN j > 1 THEN ($16::uuid[])[j - 1] END,
                    CASE WHEN j <= oi + 1 THEN ($16::uuid[])[j] ELSE ($6::uuid[])[w] END,
                    s.owner_id,
                    CASE WHEN j <= oi + 1 THEN t + (j - 1) * interval '20 days' / (oi + 2) ELSE ${closedAt} END
               FROM src s,
                    LATERAL (SELECT CASE WHEN ($17::int[])[w] >= 0 THEN ($17::int[])[w] ELSE (g % ${open.length})::int END AS oi) y,
                    LATERAL generate_series(1, oi + 1 + CASE WHEN ($17::int[])[w] >= 0 THEN 0 ELSE 1 END) j
             RETURNING 1)
           SELECT count(*)::int AS n FROM h`,
          [ws, owners, from, to, pipelineId, wheelIds, wheelKinds, wheelProb, sources.map((s) => s.id), Math.max(1, sources.length),
            ownerSorts, sources.map((s) => s.sort), wheel.map((s) => s.position), personSorts, companySorts, openIds, wheelOpenIndex]);
        historyRows += r?.n ?? 0;
        rowsSoFar += r?.n ?? 0;
        return to - from + 1;
      });
      phases.at(-1)!.table = 'lead + lead_stage_history';
      phases.at(-1)!.rows += historyRows;

      await conn.exec('SET LOCAL enable_mergejoin = on');

      if (perLead > 0) {
        const leadStep = Math.max(1, Math.floor((chunk * 4) / perLead));
        // A lead's activities go back in time as j grows (a fixed step apart, within the same 13 000
        // hours as before), so the rows arrive in activity_lead_idx's order (lead, newest first): its
        // build then sorts input that is already sorted.
        const actStep = Math.max(1, Math.min(997, Math.floor(12999 / perLead)));
        const actSpan = 13000 - (perLead - 1) * actStep;
        await inChunks('activity', leads, leadStep, async (from, to) => {
          await run(
            `INSERT INTO activity (workspace_id, id, type, direction, subject, outcome, occurred_at, done_at, lead_id, contact_id, company_id, user_id, created_at, updated_at)
             SELECT $1, ${idSql(prefix, 'ac71', `(g - 1) * ${perLead} + j`)}, (ARRAY['call','email','meeting','visit','message','note'])[(1 + (g + j) % 6)::int],
                    CASE WHEN (g + j) % 3 = 0 THEN 'inbound' ELSE 'outbound' END, ${pick(words.subjects, 'g + j')}, ${pick(words.outcomes, 'g * j')},
                    t, t, k.lead_id, k.contact_id, k.company_id, k.user_id, t, t
               FROM generate_series($3::bigint, $4::bigint) g,
                    -- The lead's own references, built once for all its activities (a uuid from text
                    -- costs ~0.5 µs): OFFSET 0 keeps this subquery apart, and j starts from k.first so
                    -- that k is computed before the activities it feeds, not once per activity.
                    LATERAL (SELECT ${idSql(prefix, '1ead', 'g')} AS lead_id, ${idSql(prefix, 'c0a7', 'c')} AS contact_id, ${companyOf('c')} AS company_id,
                                    ${ownerOfLead('g')} AS user_id, 1 AS first
                               FROM (SELECT ${contactOfLead('g')} AS c) y OFFSET 0) k,
                    LATERAL generate_series(k.first, ${perLead}) j,
                    LATERAL (SELECT now() - ((g * 7) % ${actSpan} + (j - 1) * ${actStep}) * interval '1 hour' AS t) x`,
            [ws, owners, from, to]);
          return (to - from + 1) * perLead;
        });
      }

      // Sales over the last 18 months, each for a contact (and its company) by that contact's owner.
      await inChunks('sale', saleCount, chunk, async (from, to) => {
        await run(
          `INSERT INTO sale (workspace_id, id, contact_id, company_id, owner_id, sold_at, total, currency, created_at, updated_at)
           SELECT $1, ${idSql(prefix, '5a1e', 's')}, ${idSql(prefix, 'c0a7', 'c')}, ${companyOf('c')}, ${ownerOfLead('c')}, t,
                  ((s * 7919) % 200000) / 100.0 + 20, 'EUR', t, t
             FROM generate_series($3::bigint, $4::bigint) s,
                  LATERAL (SELECT (1 + (s * 104729) % ${contacts}) AS c, now() - ((s * 7907) % 12960) * interval '1 hour' AS t) x`,
          [ws, owners, from, to]);
        return to - from + 1;
      });


      const indexTimings: { name: string; seconds: number }[] = [];
      let indexSeconds = 0;
      let rollupSeconds = 0;
      let overlapped = false;
      // A table analysed before the load has statistics without this workspace, so the planner takes
      // its millions of new rows for none and the rebuild nests loops over them (a second 100 000-lead
      // load into the same server was still rebuilding after 26 minutes). ANALYZE counts this
      // transaction's own rows, and is rolled back with it. Tables never analysed (a new database) are
      // left so: their size-based estimates gave faster rebuild plans than statistics did (100 000
      // leads under load 9–10: 22.9–27.4 s without, 30.4–34.4 s with).
      const analyseIfStale = async (c: Connection) => {
        if (staleStatistics) await c.exec('ANALYZE company, contact, lead, lead_stage_history, activity, sale');
      };
      if (deferred.length && database.engine === 'postgres' && (opts.overlap ?? true)) {
        // Two cores: the rows are committed, marked as a pending load (pendingKey), and the rollup
        // rebuild (one core: PostgreSQL plans no INSERT … SELECT in parallel) runs on this connection
        // while a second one builds the indexes; this one takes the indexes left when its rollups are
        // done. The rebuild reads whole tables by hash joins and aggregates, so it needs none of the
        // indexes. Until the marker is deleted the workspace is a load in progress, not a dataset:
        // finishPendingLoads (run by the next load) completes one a crash left.
        await conn.query('INSERT INTO app_setting (key, value) VALUES ($1, $2)',
          [pendingKey(ws), JSON.stringify({ indexes: deferred, triggers } satisfies PendingLoad)]);
        await conn.exec('COMMIT');
        committed = true;
        await analyseIfStale(conn);
        const i0 = performance.now();
        const r = await overlapRollupsAndIndexes(database, conn, ws, deferred, skippedForeignKeyChecks, (name, seconds) => {
          indexTimings.push({ name, seconds });
          progress('indexes', indexTimings.length, deferred.length);
        });
        indexSeconds = (performance.now() - i0) / 1000;
        rollupSeconds = r.rollupSeconds;
        overlapped = true;
        await conn.exec('BEGIN');
        await restoreTriggers(conn, triggers);
        await conn.query('DELETE FROM app_setting WHERE key = $1', [pendingKey(ws)]);
        await conn.exec('COMMIT');
      } else {
        const i0 = performance.now();
        for (const [n, d] of deferred.entries()) {
          const t = performance.now();
          await conn.exec(d.def);
          indexTimings.push({ name: d.name, seconds: (performance.now() - t) / 1000 });
          progress('indexes', n + 1, deferred.length);
        }
        indexSeconds = (performance.now() - i0) / 1000;
        const r0 = performance.now();
        await analyseIfStale(conn);
        await rebuildRollups(conn, ws);
        rollupSeconds = (performance.now() - r0) / 1000;
        await restoreTriggers(conn, triggers);
        await conn.exec('COMMIT');
      }
      const loadSeconds = (performance.now() - started) / 1000;
      const a0 = performance.now();
      // VACUUM as well as ANALYZE: it sets the hint bits and visibility map once, so the first
      // queries after a load do not pay for it (and index-only scans are possible).
      await conn.exec(`VACUUM (ANALYZE) company, contact, lead, lead_stage_history, activity, sale, app_user, team,
        lead_daily, lead_funnel_daily, lead_closed_daily, lead_open_summary, activity_daily, sale_daily, feedback_daily`);
      const analyzeSeconds = (performance.now() - a0) / 1000;
      return {
        workspaceId: ws,
        users,
        stageIds: stages.map((s) => ({ id: s.id, name: s.name, kind: s.kind })),
        counts: { teams, users: toCreate, companies, contacts, leads, stageHistory: historyRows,
          activities: leads * perLead, sales: saleCount },
        rows: rowsSoFar,
        loadSeconds,
        analyzeSeconds,
        rowsPerSecond: Math.round(rowsSoFar / loadSeconds),
        rollupSeconds,
        phases,
        skippedForeignKeyChecks,
        rebuiltIndexes: deferred.length,
        indexSeconds,
        overlapped,
        indexTimings,
      };
    } catch (e) {
      if (!committed) await conn.exec('ROLLBACK').catch(() => undefined);
      else {
        // The rows are in and marked as a pending load: finish it now if possible (the next load
        // tries again otherwise), so that no index or trigger stays off because of this one.
        await conn.exec('ROLLBACK').catch(() => undefined);
        await finishPendingLoadsOn(conn).catch(() => undefined);
      }
      throw e;
    } finally {
      if (database.engine === 'postgres') await conn.query('SELECT pg_advisory_unlock($1)', [LOAD_LOCK]).catch(() => undefined);
    }
  });
  // One auditEvent for the whole load: a trace that the data is synthetic, not millions of rows of noise.
  await database.transaction((tx) => recordAudit(tx, {
    workspaceId: ws, userId: null, entity: 'workspace', entityId: ws, action: 'generate', meta: result.counts,
  }));
  return result;
}
