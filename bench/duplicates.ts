/**
 * Duplicate detection on a generated workspace: the plan of findDuplicateCandidates (does each
 * branch walk its index?), its latency, and the time of a whole-workspace scan.
 *   npx tsx bench/duplicates.ts --engine pglite|postgres [--contacts 5000] [--database-url …]
 * About 3 % of the contacts are near copies of another (accents dropped, email upper-cased, phone
 * typed nationally), as a real import leaves them.
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { candidatesSql, findDuplicateCandidates, scanDuplicatePairs, scanPairsSql } from '../src/db/queries/duplicates.js';
import { startEngine } from './engine.js';

const { values: args } = parseArgs({ options: {
  engine: { type: 'string', default: 'pglite' }, contacts: { type: 'string', default: '5000' }, 'database-url': { type: 'string' },
} });
const total = Number(args.contacts);
const bench = await startEngine(args.engine!, { databaseUrl: args['database-url'] });
const { database } = bench;

const first = ['José', 'María', 'Lucía', 'Javier', 'Carmen', 'Antonio', 'Ana', 'Manuel', 'Isabel', 'Francisco', 'Pilar', 'David', 'Rocío', 'Álvaro', 'Nuria', 'Íñigo'];
const last = ['García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Martín', 'Jiménez', 'Ruiz',
  'Hernández', 'Díaz', 'Moreno', 'Muñoz', 'Álvarez', 'Romero', 'Alonso', 'Gutiérrez', 'Navarro', 'Torres', 'Domínguez', 'Vázquez', 'Ramos'];
// mulberry32: consecutive draws of a plain LCG are correlated, so "copy?" followed by "copy of whom?"
// picked the same few originals again and again (clusters of hundreds of copies, not 3 % spread out).
let seed = 42;
const rnd = (n: number) => {
  seed = (seed + 0x6d2b79f5) | 0;
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
  return Math.floor((((x ^ (x >>> 14)) >>> 0) / 4294967296) * n);
};
const strip = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '');

const [ws] = await database.query<{ id: string }>(`INSERT INTO workspace (name) VALUES ('Bench duplicados') RETURNING id`);
const workspaceId = ws!.id;
type Row = { first: string; last: string; second: string; email: string; phone: string };
const rows: Row[] = [];
for (let i = 0; i < total; i++) {
  if (i > 0 && rnd(100) < 3) {
    const o = rows[rnd(rows.length)]!;
    rows.push({ first: strip(o.first), last: strip(o.last), second: o.second, email: o.email.toUpperCase(), phone: o.phone.replace('+34', '').replace(/(\d{3})(?=\d)/g, '$1 ') });
    continue;
  }
  const f = first[rnd(first.length)]!; const l = last[rnd(last.length)]!; const s = last[rnd(last.length)]!;
  rows.push({ first: f, last: l, second: s, email: `${strip(f).toLowerCase()}.${strip(l).toLowerCase()}${i}@correo.es`, phone: `+346${String(10_000_000 + i).padStart(8, '0')}` });
}
const t0 = performance.now();
for (let i = 0; i < rows.length; i += 1000) {
  const chunk = rows.slice(i, i + 1000);
  const values = chunk.map((_, j) => `($1, $${j * 5 + 2}, $${j * 5 + 3}, $${j * 5 + 4}, $${j * 5 + 5}, $${j * 5 + 6})`).join(', ');
  await database.query(`INSERT INTO contact (workspace_id, first_name, last_name, second_last_name, email, phone) VALUES ${values}`,
    [workspaceId, ...chunk.flatMap((r) => [r.first, r.last, r.second, r.email, r.phone])]);
}
await database.query('ANALYZE contact');
console.log(`${args.engine}: ${total} contacts loaded in ${Math.round(performance.now() - t0)} ms`);

const probe = { firstName: 'jose', lastName: 'garcia', secondLastName: 'lopez', email: rows[10]!.email.toUpperCase(), phone: '600 000 010' };
const plan = await database.transaction(async (tx) => {
  const q = candidatesSql(workspaceId, 'contact', probe, 'ES', [])!;
  // As findDuplicateCandidates runs it (withSimilarityThreshold).
  await tx.execute(sql`SELECT set_config('pg_trgm.similarity_threshold', '0.5', true)`);
  return (await tx.execute(sql`EXPLAIN (ANALYZE, COSTS OFF) ${q}`) as unknown as { rows: { 'QUERY PLAN': string }[] }).rows.map((r) => r['QUERY PLAN']);
});
console.log('\nPlan of findDuplicateCandidates (email + phone + name):');
console.log(plan.join('\n'));
const indexesOf = (lines: string[]) => [...new Set([...lines.join('\n').matchAll(/(?:Index Scan(?: Backward)? using|Bitmap Index Scan on|Index Only Scan using) (\w+)/g)].map((m) => m[1]))];
const indexes = indexesOf(plan);
console.log(`\nIndexes used: ${indexes.join(', ')}`);
if (/Seq Scan on contact/.test(plan.join('\n'))) console.log('WARNING: a sequential scan on contact');

const times: number[] = [];
for (let i = 0; i < 50; i++) {
  const r = rows[rnd(rows.length)]!;
  const s = performance.now();
  await database.transaction((tx) => findDuplicateCandidates(tx, workspaceId, 'contact',
    { firstName: r.first, lastName: r.last, secondLastName: r.second, email: r.email, phone: r.phone }, { defaultCountry: 'ES' }));
  times.push(performance.now() - s);
}
times.sort((a, b) => a - b);
console.log(`findDuplicateCandidates: p50 ${times[25]!.toFixed(1)} ms, p95 ${times[47]!.toFixed(1)} ms (50 calls)`);

const scanPlan = await database.transaction(async (tx) => {
  await tx.execute(sql`SELECT set_config('pg_trgm.similarity_threshold', '0.5', true)`);
  return (await tx.execute(sql`EXPLAIN (COSTS OFF) ${scanPairsSql(workspaceId, 'contact', '34')}`) as unknown as { rows: { 'QUERY PLAN': string }[] }).rows.map((r) => r['QUERY PLAN']);
});
console.log(`\nScan plan indexes: ${indexesOf(scanPlan).join(', ')}; sequential scans: ${scanPlan.filter((l) => l.includes('Seq Scan')).length}`);
if (process.env['SHOW_SCAN_PLAN']) console.log(scanPlan.join('\n'));
const s = performance.now();
const scan = await database.transaction((tx) => scanDuplicatePairs(tx, workspaceId, 'contact'));
console.log(`scanDuplicatePairs(contact): ${scan.pairs} pairs in ${Math.round(performance.now() - s)} ms`);
const byReason = await database.query<{ reasons: string; n: number; min: number; max: number }>(
  `SELECT array_to_string(reasons, '+') AS reasons, count(*)::int AS n, min(score) AS min, max(score) AS max FROM duplicate_pair WHERE workspace_id = $1 GROUP BY 1 ORDER BY 2 DESC`, [workspaceId]);
console.log(`pairs by reasons: ${byReason.map((r) => `${r.reasons} ${r.n} (score ${r.min}–${r.max})`).join('; ')}`);
await bench.stop();
