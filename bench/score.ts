/**
 * The score at scale: the nightly rescoring of a whole workspace (set-based batches), the rescoring
 * a single change triggers (inside its transaction), and the training of the measured model.
 *   npx tsx bench/score.ts --engine pglite|postgres [--leads 100000] [--activities 3] [--sales 20000] [--batch 2000] [--database-url …]
 * With --database-url it reuses the newest generated workspace there (bench/run.ts or
 * `seguimiento generate`), so a 1M-lead dataset is loaded once and measured many times.
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { loadRules, loadScoring, rescore, rescoreWorkspace, trainWorkspaceModel } from '../src/db/queries/score.js';
import { existingDataset, loadDataset, startEngine } from './engine.js';
import { formatSummary, summarize } from './stats.js';

const { values: args } = parseArgs({ options: {
  engine: { type: 'string', default: 'pglite' }, leads: { type: 'string', default: '100000' }, activities: { type: 'string', default: '3' },
  sales: { type: 'string', default: '20000' }, batch: { type: 'string', default: '2000' }, 'database-url': { type: 'string' },
} });
const bench = await startEngine(args.engine!, { databaseUrl: args['database-url'] });
const { database } = bench;
const existing = args['database-url'] ? await existingDataset(database) : null;
const workspaceId = existing?.workspaceId
  ?? (await loadDataset(database, Number(args.leads), Number(args.activities), true, Number(args.sales))).workspaceId;

// A rule set like an admin's: every condition type once, so every snapshot query runs.
const [top] = await database.query<{ sector: string | null; source: string | null; postal: string | null }>(`
  SELECT (SELECT sector FROM company WHERE workspace_id = $1 AND sector IS NOT NULL GROUP BY sector ORDER BY count(*) DESC LIMIT 1) AS sector,
         (SELECT id::text FROM source WHERE workspace_id = $1 ORDER BY name LIMIT 1) AS source,
         (SELECT left(postal_code, 2) FROM contact WHERE workspace_id = $1 AND postal_code IS NOT NULL LIMIT 1) AS postal`, [workspaceId]);
const rules = [
  { label: 'sector objetivo', weight: 20, condition: { type: 'sector', values: [top?.sector ?? 'Hostelería'] } },
  { label: 'pyme', weight: 10, condition: { type: 'size', min: 10, max: 249 } },
  { label: 'zona', weight: 5, condition: { type: 'postalCode', prefixes: [top?.postal ?? '28'] } },
  ...(top?.source ? [{ label: 'fuente', weight: 10, condition: { type: 'source', sourceIds: [top.source] } }] : []),
  { label: '2 llamadas en 14 días', weight: 10, condition: { type: 'interactions', activityTypes: ['call', 'meeting'], days: 14, min: 2 } },
  { label: 'respondió en 7 días', weight: 15, condition: { type: 'replied', days: 7 } },
  { label: 'visita en 30 días', weight: 10, condition: { type: 'visits', days: 30, min: 1 } },
  { label: 'compró en el año', weight: 15, condition: { type: 'purchases', days: 365, min: 1 } },
  { label: 'sin contacto en 30 días', weight: -10, condition: { type: 'noContact', days: 30 } },
];
await database.query('DELETE FROM score_rule WHERE workspace_id = $1', [workspaceId]);
await database.query(`INSERT INTO score_rule (workspace_id, position, label, weight, condition)
  SELECT $1, x.position, x.label, x.weight, x.condition FROM jsonb_to_recordset($2::jsonb) AS x(position int, label text, weight int, condition jsonb)`,
[workspaceId, JSON.stringify(rules.map((r, i) => ({ ...r, position: i })))]);
const [counts] = await database.query<{ open: number; contacts: number }>(`SELECT
  (SELECT count(*)::int FROM lead WHERE workspace_id = $1 AND status = 'open') AS open,
  (SELECT count(*)::int FROM contact WHERE workspace_id = $1 AND status = 'active') AS contacts`, [workspaceId]);
console.log(`${args.engine}: ${counts!.open} open leads, ${counts!.contacts} active contacts, ${rules.length} rules`);

// Nightly: every open lead and active contact, batch by batch.
const now = new Date();
const t0 = performance.now();
const night = await rescoreWorkspace(database, workspaceId, now, Number(args.batch));
const nightMs = performance.now() - t0;
const perSecond = night.scored / (nightMs / 1000);
console.log(`nightly rescoring: ${night.scored} records (${night.changed} changed) in ${(nightMs / 1000).toFixed(1)} s = ${Math.round(perSecond)} records/s`
  + ` → 1M open leads + their contacts ≈ ${(2_000_000 / perSecond / 60).toFixed(1)} min`);
// A second night changes almost nothing: the write is skipped when the score is the same.
const t1 = performance.now();
const again = await rescoreWorkspace(database, workspaceId, now, Number(args.batch));
console.log(`second run (nothing changed): ${again.changed} written in ${((performance.now() - t1) / 1000).toFixed(1)} s`);

// One change: what a write pays inside its transaction (rules, context, snapshot, update).
const sample = await database.query<{ id: string }>(`SELECT id FROM lead WHERE workspace_id = $1 AND status = 'open' ORDER BY id LIMIT 200`, [workspaceId]);
const single: number[] = [];
for (const { id } of sample) {
  const s = performance.now();
  await database.transaction(async (tx) => { await rescore(tx, workspaceId, 'lead', [id], await loadScoring(tx, workspaceId), new Date()); });
  single.push(performance.now() - s);
}
console.log(formatSummary('rescore one lead (in its write transaction)', summarize(single)));
const plain: number[] = [];
for (let i = 0; i < 200; i++) {
  const s = performance.now();
  await database.transaction((tx) => loadRules(tx, workspaceId));
  plain.push(performance.now() - s);
}
console.log(formatSummary('rule read alone (what a write pays in a workspace with no rules)', summarize(plain)));

// The measured model on the closed leads (capped at the most recent 50 000).
const t2 = performance.now();
const model = await trainWorkspaceModel(database, workspaceId, new Date());
console.log(`training: ${model.status}${model.reason ? ` (${model.reason})` : ''}, n ${model.n} (${model.won} won / ${model.lost} lost), `
  + `${model.coefficients.length} features, AUC ${model.auc?.toFixed(3) ?? '—'} in ${((performance.now() - t2) / 1000).toFixed(1)} s`);

await database.transaction((tx) => tx.execute(sql`DELETE FROM score_rule WHERE workspace_id = ${workspaceId}`));
await bench.stop();
