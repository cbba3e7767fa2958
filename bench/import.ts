/**
 * Import benchmark (prints figures; never a test). Writes an N-row Spanish CSV (`;`, dd/mm/yyyy,
 * decimal comma, surnames together, mixed phone formats, ~1 % duplicates, ~0.5 % bad rows) to a
 * temporary file, then imports it through the real pipeline (upload into the database in chunks, capture policy,
 * set-based duplicate matching against existing contacts, batches with checkpoints) and prints the
 * rows per second of the run and the process's peak RSS.
 *
 *   npx tsx bench/import.ts --rows 1000000 [--engine postgres] [--existing 10000] [--companies 5000] [--leads] [--effects] [--batch-size 2000] [--statements] [--explain] [--explain-leads]
 *   npx tsx bench/import.ts --rows 100000 --database-url postgres://…   (reuses a server)
 *
 * `--floor-breakdown` measures the floor in five variants (see measureFloor) to show what the schema costs.
 *
 * Before the import it measures the floor the schema sets: a bare INSERT … SELECT of 20 000
 * contacts (fewer for a smaller --rows) with their audit events and import records (rolled back),
 * no parsing, no policy, no matching. `--statements` adds the time of each batch statement.
 * `--explain-leads` (implies --leads) adds EXPLAIN ANALYZE of one batch's lead + stage-history insert in the
 * second and in the last tenth, with each trigger's time per lead.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { argsOf, mib } from './stats.js';
import { startEngine } from './engine.js';
import { loadConfig } from '../src/config.js';
import { createWorkspace } from '../src/db/queries/workspaces.js';
import { findImport, updateImport } from '../src/db/queries/imports.js';
import { runImport, uploadImport } from '../src/jobs/import.js';
import type { Actor } from '../src/domain/access.js';
import type { Deps } from '../src/http/context.js';
import type { Database } from '../src/db/client.js';

const args = argsOf(process.argv.slice(2));
const rows = Number(args['rows'] ?? 1_000_000);
const existing = Number(args['existing'] ?? 10_000);
const batchSize = Number(args['batch-size'] ?? 2000);
// `--effects`: score rules and a webhook on lead.created, so each batch also scores what it wrote and
// queues the events (the deliveries are only queued: no worker runs during the bench). Implies --leads.
const withEffects = args['effects'] === 'true';
const explainLeads = args['explain-leads'] === 'true';
const withLeads = args['leads'] === 'true' || withEffects || explainLeads;
// Companies named in the file: with the default, a company at 1M rows has 200 contacts among only
// 36 names (the generated names repeat), so most new rows have a namesake in their company.
const companies = Number(args['companies'] ?? 5000);
const perStatement = args['statements'] === 'true' || args['explain'] === 'true' || explainLeads;
/** `--explain`: EXPLAIN (ANALYZE, BUFFERS) of one batch's match and contact insert in the second and in the last tenth of the file. */
const explainMatch = args['explain'] === 'true';
const explained = new Set<string>();
const statementTimes = new Map<string, { n: number; ms: number; tenths: number[] }>();
/** Which tenth of the file the batch being written belongs to, to see whether a statement grows with what was imported before it. */
let tenth = 0;

const names = ['María', 'José', 'Ana', 'Luis', 'Carmen', 'Jorge', 'Lucía', 'Pablo', 'Elena', 'Raúl', 'Nuria', 'Óscar'];
const surnames = ['García', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Núñez', 'de la Fuente', 'Ruiz', 'Díaz', 'Muñoz', 'Álvarez'];
const cities = [['28001', 'Madrid'], ['41001', 'Sevilla'], ['08001', 'Barcelona'], ['46001', 'Valencia'], ['29001', 'Málaga'], ['48001', 'Bilbao']] as const;
const pick = <T>(a: readonly T[], i: number) => a[i % a.length]!;
const phoneOf = (i: number) => {
  const n = String(600_000_000 + i);
  return [`${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`, `+34 ${n}`, `${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`, n][i % 4]!;
};

/** One data row; every 100th repeats an earlier person, every 200th is bad in one of four ways. */
function line(i: number): string {
  const p = i % 100 === 99 ? i - 50 : i;
  const [cp, city] = pick(cities, p);
  const cells = [
    pick(names, p), `${pick(surnames, p)} ${pick(surnames, Math.floor(p / 12) + 1)}`, phoneOf(p), `persona${p}@ejemplo.es`, cp, city,
    `Empresa ${p % companies}`, `${String((p % 28) + 1).padStart(2, '0')}/${String((p % 12) + 1).padStart(2, '0')}/${1950 + (p % 50)}`,
    `${(p % 9000) + 100}.${String(p % 1000).padStart(3, '0')},${String(p % 100).padStart(2, '0')}`, 'Feria',
  ];
  if (i % 200 === 7) cells[7] = '31/02/2026';
  if (i % 200 === 57) cells[2] = '600 11 AB';
  if (i % 200 === 107) return cells.slice(0, 4).join(';');
  if (i % 200 === 157) cells[3] = 'no-es-un-correo';
  return cells.join(';');
}

async function writeCsv(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('Nombre;Apellidos;Teléfono;Correo;C.P.;Población;Empresa;Fecha de nacimiento;Importe;Origen\r\n');
  let buf = '';
  for (let i = 0; i < n; i++) {
    buf += `${line(i)}\r\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

const dir = mkdtempSync(join(tmpdir(), 'seguimiento-import-bench-'));
const csv = join(dir, 'clientes.csv');
const t0 = performance.now();
await writeCsv(csv, rows);
console.log(`generated ${rows.toLocaleString('en')} rows (${mib(statSync(csv).size)}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const db = await startEngine(args['engine'] ?? 'postgres', { databaseUrl: args['database-url'], poolSize: 4 });
const database = db.database;
try {
  const { workspace, admin } = await createWorkspace(database, {
    workspaceName: `Import bench ${Date.now()}`, currency: 'EUR', timeZone: 'Europe/Madrid', locale: 'es', defaultCountry: 'ES',
    admin: { name: 'Bench', email: `bench-${Date.now()}@example.es`, passwordHash: 'x' },
  }, { onlyIfFirst: false });
  const ws = workspace.id;
  const [feria] = await database.query<{ id: string }>(`INSERT INTO source (workspace_id, name, kind) VALUES ($1, 'Feria', 'fair') RETURNING id`, [ws]);
  if (withEffects) {
    await database.query(`INSERT INTO score_rule (workspace_id, position, label, weight, condition) VALUES
      ($1, 0, 'feria', 30, jsonb_build_object('type', 'source', 'sourceIds', jsonb_build_array($2::text))),
      ($1, 1, 'Madrid', 10, '{"type": "postalCode", "prefixes": ["28"]}'),
      ($1, 2, 'sin contacto', -10, '{"type": "noContact", "days": 30}')`, [ws, feria!.id]);
    await database.query(`INSERT INTO webhook (workspace_id, name, url, events, secret) VALUES ($1, 'ERP', 'http://127.0.0.1:9/', '{lead.created}', 'whsec_bench')`, [ws]);
  }
  // Contacts already in the workspace, half of them with the phone as typed before normalisation.
  await database.query(`
    INSERT INTO contact (workspace_id, first_name, last_name, email, phone)
    SELECT $1, 'Existente', 'Número ' || g, 'persona' || (g * 97) || '@ejemplo.es',
           CASE WHEN g % 2 = 0 THEN '+34' || (600000000 + g * 89) ELSE (600000000 + g * 89)::text END
      FROM generate_series(1, $2::int) g`, [ws, existing]);
  await database.query('ANALYZE contact');
  await measureFloor(database, ws, admin.id);
  if (perStatement) timeStatements(database);
  const actor: Actor = { workspaceId: ws, userId: admin.id, role: 'admin', teamId: null };
  const deps: Deps = { database, config: { ...loadConfig({}), importMaxBytes: 2 ** 40 }, secret: 'x'.repeat(32), now: () => new Date() };

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 50);
  const u0 = performance.now();
  const imp = await uploadImport(deps, actor, 'clientes.csv', createReadStream(csv));
  const uploadSecs = (performance.now() - u0) / 1000;
  await database.transaction(async (tx) => updateImport(tx, actor, await findImport(tx, ws, imp.id, true), { createLeads: withLeads, upsertKey: 'email' }));
  const baseRss = process.memoryUsage().rss;
  const loadAtStart = loadavg()[0]!.toFixed(1);
  const r0 = performance.now();
  let lastLog = 0;
  const done = await runImport(deps, ws, imp.id, admin.id, {
    batchSize,
    onProgress: (n) => {
      tenth = Math.min(9, Math.floor((n * 10) / rows));
      if (performance.now() - lastLog > 5000) {
        lastLog = performance.now();
        process.stderr.write(`  ${n.toLocaleString('en')} rows, ${Math.round(n / ((performance.now() - r0) / 1000)).toLocaleString('en')} rows/s, rss ${mib(process.memoryUsage().rss)}, load ${loadavg()[0]!.toFixed(1)}\n`);
      }
    },
  });
  const runSecs = (performance.now() - r0) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  console.log(`load average (1 min) ${loadAtStart} at the start of the import, ${loadavg()[0]!.toFixed(1)} at its end: on a shared machine, compare with the floor`);
  console.log(`engine ${database.engine}, batch ${batchSize}, leads ${withLeads ? 'on' : 'off'}, score rules + webhook ${withEffects ? 'on' : 'off'}, ${existing.toLocaleString('en')} contacts already there, ${companies.toLocaleString('en')} companies in the file`);
  console.log(`upload (stored in the database in chunks + layout detection): ${uploadSecs.toFixed(1)} s`);
  console.log(`import: ${done.processedRows.toLocaleString('en')} rows in ${runSecs.toFixed(1)} s = ${Math.round(done.processedRows / runSecs).toLocaleString('en')} rows/s`);
  console.log(`  created ${done.createdCount}, updated ${done.updatedCount}, unchanged ${done.unchangedCount}, duplicates ${done.duplicateCount}, rejected ${done.rejectedCount}, leads ${done.leadsCreated}`);
  const [pairs] = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM duplicate_pair WHERE workspace_id = $1`, [ws]);
  console.log(`  ${pairs!.n} created contacts only alike (name) an existing one of the same company, offered for the duplicates review`);
  console.log(`peak RSS ${mib(peakRss)} (before the run ${mib(baseRss)})`);
  if (perStatement) {
    console.log('time per statement of the batch writes (ms, calls, then ms per tenth of the file: growth with what was imported before):');
    for (const [text, v] of [...statementTimes].sort((a, b) => b[1].ms - a[1].ms)) {
      console.log(`  ${v.ms.toFixed(0).padStart(7)} ${String(v.n).padStart(6)}  ${text}`);
      if (v.ms > 1000) console.log(`${' '.repeat(17)}[${v.tenths.map((x) => x.toFixed(0)).join(' ')}]`);
    }
  }
} finally {
  await db.stop();
  rmSync(dir, { recursive: true, force: true });
}

/**
 * What the schema alone costs per created row: contacts inserted set-based with an audit event and
 * an import record each, as the import writes them, without any of the import's own work. The
 * import cannot be faster than this on the same server.
 */
type FloorVariant = { label: string; trail: boolean; drop?: 'gin' | 'secondary'; noTriggers?: boolean };

/**
 * The floor the schema sets: a bare INSERT … SELECT of generated contacts, rolled back. With
 * `--floor-breakdown` the same insert also runs without the trail, without the trigram indexes,
 * with the primary key only, and with no triggers either (indexes dropped inside the rolled-back
 * transaction: it locks the contact table while it runs, so not on a server others use).
 */
async function measureFloor(database: Database, workspaceId: string, userId: string): Promise<void> {
  const n = Math.min(20_000, Math.max(rows, 1000));
  const floorVariants: FloorVariant[] = [
    { label: 'contacts + audit events + import records', trail: true },
    { label: 'contacts alone', trail: false },
    { label: 'contacts alone, without the 2 trigram (GIN) indexes', trail: false, drop: 'gin' },
    { label: 'contacts alone, primary key only (no secondary index)', trail: false, drop: 'secondary' },
    { label: 'contacts alone, primary key only, no triggers or FK checks', trail: false, drop: 'secondary', noTriggers: true },
  ];
  for (const v of args['floor-breakdown'] === 'true' ? floorVariants : floorVariants.slice(0, 1)) {
    await database.session(async (conn) => {
      await conn.query('BEGIN');
      try {
        if (v.drop) {
          const indexes = await conn.query<{ name: string }>(`
            SELECT i.relname AS name FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am a ON a.oid = i.relam
             WHERE x.indrelid = 'contact'::regclass AND NOT x.indisprimary AND ($1 = 'secondary' OR a.amname = 'gin')`, [v.drop]);
          for (const ix of indexes) await conn.query(`DROP INDEX ${ix.name}`);
        }
        if (v.noTriggers) await conn.query(`SET LOCAL session_replication_role = replica`);
        const [imp] = await conn.query<{ id: string }>(`INSERT INTO import (workspace_id, file_name, file_size, format, header_row, headers, layout_fingerprint)
          VALUES ($1, 'floor', 0, 'csv', 1, '[]', 'floor') RETURNING id`, [workspaceId]);
        const contacts = `INSERT INTO contact (workspace_id, first_name, last_name, second_last_name, email, phone, postal_code, city, birth_date, owner_id)
            SELECT $1, 'Suelo', 'García', 'López ' || g, 'suelo' || g || '@ejemplo.es', '+3470' || (1000000 + g), '28001', 'Madrid', DATE '1980-01-01', $2
              FROM generate_series(1, $3::int) g`;
        const t = performance.now();
        if (v.trail) {
          await conn.query(`
            WITH ins AS (${contacts} RETURNING id, first_name, last_name),
            rec AS (
              INSERT INTO import_record (workspace_id, import_id, entity, record_id, action, row_number)
              SELECT $1, $4, 'contact', id, 'created', 1 FROM ins
            )
            INSERT INTO audit_event (workspace_id, user_id, entity, entity_id, action, changes)
            SELECT $1, $2, 'contact', id, 'create', jsonb_build_object('firstName', jsonb_build_array(NULL, first_name), 'lastName', jsonb_build_array(NULL, last_name)) FROM ins`,
          [workspaceId, userId, n, imp!.id]);
        } else await conn.query(contacts, [workspaceId, userId, n]);
        const secs = (performance.now() - t) / 1000;
        console.log(`floor, ${v.label} (load average ${loadavg()[0]!.toFixed(1)}): ${n.toLocaleString('en')} rows in one INSERT … SELECT: ${secs.toFixed(2)} s = ${Math.round(n / secs).toLocaleString('en')} rows/s`);
      } finally {
        await conn.query('ROLLBACK');
      }
    });
  }
}

function textOf(query: unknown): string {
  const chunks = (query as { queryChunks?: { value?: string[] }[] }).queryChunks ?? [];
  return chunks.map((c) => c.value?.join('') ?? '').join('').replace(/\s+/g, ' ').trim();
}
function firstWords(query: unknown): string {
  return textOf(query).slice(0, 80);
}

/** Which statement of a batch to explain, if any. */
function explainKind(query: unknown): 'match' | 'contact insert' | 'lead insert' | null {
  const words = firstWords(query);
  if (explainMatch && words.startsWith('WITH x AS MATERIALIZED')) return 'match';
  if (explainMatch && words.startsWith('INSERT INTO contact')) return 'contact insert';
  if (explainLeads && words.startsWith('WITH x AS') && textOf(query).includes('INSERT INTO lead_stage_history')) return 'lead insert';
  return null;
}

/** The trigger lines of an EXPLAIN ANALYZE, with their time per inserted lead. */
function triggerTimes(plan: string[]): string {
  const leads = Number(/Insert on lead\b.*?actual time=[\d.]+\.\.[\d.]+ rows=(\d+)/.exec(plan.join('\n'))?.[1] ?? 0)
    || Number(/Trigger lead_fill_sort_keys on lead: time=[\d.]+ calls=(\d+)/.exec(plan.join('\n'))?.[1] ?? 0);
  const total = Number(/Execution Time: ([\d.]+) ms/.exec(plan.join('\n'))?.[1] ?? 0);
  const lines = plan.flatMap((l) => {
    // Foreign-key checks print as "Trigger for constraint <name>[ on <table>]", without a trigger name.
    const m = /Trigger (?:for constraint (\S+)|(\S+))(?: on (\S+))?: time=([\d.]+) calls=(\d+)/.exec(l);
    return m ? [{ name: m[1] ? `FK ${m[1]}` : m[2]!, table: m[3] ?? '?', ms: Number(m[4]), calls: Number(m[5]) }] : [];
  }).sort((a, b) => b.ms - a.ms);
  const per = (ms: number) => (leads ? ((ms * 1000) / leads).toFixed(0) : '?');
  const fks = lines.filter((t) => t.name.startsWith('FK '));
  const fkMs = fks.reduce((a, t) => a + t.ms, 0);
  return [
    `  ${leads} leads, execution ${total.toFixed(0)} ms = ${per(total)} µs per lead; triggers (µs per lead):`,
    ...lines.filter((t) => !t.name.startsWith('FK ')).map((t) => `    ${per(t.ms).padStart(6)}  ${t.name} on ${t.table} (${t.ms.toFixed(1)} ms, ${t.calls} calls)`),
    `    ${per(fkMs).padStart(6)}  ${fks.length} foreign-key checks (${fkMs.toFixed(1)} ms)`,
  ].join('\n');
}

/** Wraps every transaction's execute to add up the time of each statement (by its first words). */
function timeStatements(database: Database): void {
  const transaction = database.transaction.bind(database);
  database.transaction = (fn) => transaction((tx) => {
    const execute = tx.execute.bind(tx);
    tx.execute = (async (query: Parameters<typeof execute>[0]) => {
      const kind = explainKind(query);
      if (kind && (tenth === 1 || tenth === 9) && !explained.has(`${kind}:${tenth}`)) {
        explained.add(`${kind}:${tenth}`);
        // An insert is explained in a savepoint rolled back, then run for real: its plan shows the
        // buffers its index maintenance hit and read, and each trigger's time.
        if (kind !== 'match') await execute(sql`SAVEPOINT bench_explain`);
        const plan = (await execute(sql`EXPLAIN (ANALYZE, BUFFERS) ${query}`)) as unknown as { rows: Record<string, string>[] };
        if (kind !== 'match') await execute(sql`ROLLBACK TO SAVEPOINT bench_explain`);
        const lines = plan.rows.map((r) => Object.values(r)[0]!);
        console.log(`EXPLAIN of the ${kind} in tenth ${tenth + 1} of the file (load average ${loadavg()[0]!.toFixed(1)}):\n${kind === 'lead insert' ? triggerTimes(lines) : ''}${kind !== 'lead insert' || explainMatch ? lines.join('\n') : ''}`);
      }
      const t = performance.now();
      try {
        return await execute(query);
      } finally {
        const text = firstWords(query);
        const st = statementTimes.get(text) ?? { n: 0, ms: 0, tenths: Array(10).fill(0) as number[] };
        st.n++;
        st.ms += performance.now() - t;
        st.tenths[tenth]! += performance.now() - t;
        statementTimes.set(text, st);
      }
    }) as typeof execute;
    return fn(tx);
  });
}
