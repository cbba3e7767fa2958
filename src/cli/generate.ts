import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createDeps } from '../server.js';
import { hashPassword } from '../auth/password.js';
import { fieldError } from '../domain/errors.js';
import { generateDataset, type GenerateProgress, type GenerateResult } from '../db/queries/bulk.js';

/** Every generated user logs in with this password (synthetic data only). */
export const GENERATED_PASSWORD = 'bench-seguimiento';

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw fieldError(name, 'invalid_number', `--${name} must be a whole number ≥ 0.`);
  return n;
}

/** A single progress line rewritten in place on a terminal, one line per chunk otherwise. */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr) {
  let last = 0;
  return (p: GenerateProgress) => {
    const now = performance.now();
    if (p.done < p.total && now - last < 250) return;
    last = now;
    const rate = Math.round(p.rowsSoFar / Math.max(p.seconds, 0.001));
    const line = `${p.table.padEnd(9)} ${String(p.done).padStart(9)}/${p.total}  ${p.rowsSoFar} rows in ${p.seconds.toFixed(1)} s (${rate} rows/s)`;
    if (stream.isTTY) stream.write(`\r${line}\x1b[K${p.done === p.total ? '\n' : ''}`);
    else if (p.done === p.total) stream.write(line + '\n');
  };
}

/** `lead 1000000 rows in 14.2 s (70 400 rows/s), …, rollups 12.1 s`: where the load's time went. */
export function formatPhases(r: Pick<GenerateResult, 'phases' | 'rollupSeconds' | 'indexSeconds'> & { overlapped?: boolean }): string {
  return [...r.phases.filter((p) => p.rows > 0).map((p) => `${p.table} ${p.rows} rows in ${p.seconds.toFixed(1)} s (${Math.round(p.rows / Math.max(p.seconds, 0.001))} rows/s)`),
    `rollups rebuilt ${r.rollupSeconds.toFixed(1)} s`,
    r.overlapped ? `indexes ${r.indexSeconds.toFixed(1)} s (from the rollups' start: both at once)` : `indexes ${r.indexSeconds.toFixed(1)} s`].join(', ');
}

export const generateCommand = {
  summary: 'Load a large synthetic dataset for benchmarks (--leads 1000000 [--activities-per-lead 5] [--sales 0] [--workspace-id] [--keep-indexes] [--one-transaction])',
  async run(argv: string[]) {
    const { values } = parseArgs({ args: argv, options: {
      leads: { type: 'string' }, 'activities-per-lead': { type: 'string' }, 'workspace-id': { type: 'string' },
      contacts: { type: 'string' }, sales: { type: 'string' }, companies: { type: 'string' }, users: { type: 'string' }, chunk: { type: 'string' },
      'keep-indexes': { type: 'boolean', default: false },
      // PostgreSQL: the whole load in one transaction, the rollups and the indexes one after the other.
      'one-transaction': { type: 'boolean', default: false },
    } });
    const leads = positiveInt('leads', values.leads, 1_000_000);
    const deps = await createDeps(loadConfig());
    try {
      const r = await generateDataset(deps.database, {
        leads,
        activitiesPerLead: positiveInt('activities-per-lead', values['activities-per-lead'], 5),
        workspaceId: values['workspace-id'],
        ...(values.contacts !== undefined ? { contacts: positiveInt('contacts', values.contacts, 0) } : {}),
        ...(values.companies !== undefined ? { companies: positiveInt('companies', values.companies, 0) } : {}),
        ...(values.users !== undefined ? { users: positiveInt('users', values.users, 50) } : {}),
        ...(values.sales !== undefined ? { sales: positiveInt('sales', values.sales, 0) } : {}),
        ...(values.chunk !== undefined ? { chunk: positiveInt('chunk', values.chunk, 50_000) } : {}),
        deferIndexes: !values['keep-indexes'],
        overlap: !values['one-transaction'],
        passwordHash: await hashPassword(GENERATED_PASSWORD),
        onProgress: progressPrinter(),
      });
      console.log(`Loaded ${r.rows} rows into workspace ${r.workspaceId} (${deps.database.engine}) in ${r.loadSeconds.toFixed(1)} s: ${r.rowsPerSecond} rows/s; VACUUM ANALYZE ${r.analyzeSeconds.toFixed(1)} s.`);
      console.log(`Phases: ${formatPhases(r)}.`);
      const slow = [...r.indexTimings].sort((a, b) => b.seconds - a.seconds).slice(0, 5);
      if (slow.length) console.log(`${r.rebuiltIndexes} indexes rebuilt in ${r.indexSeconds.toFixed(1)} s (included above); slowest: ${slow.map((i) => `${i.name} ${i.seconds.toFixed(1)} s`).join(', ')}.`);
      console.log(`Counts: ${Object.entries(r.counts).map(([k, v]) => `${k} ${v}`).join(', ')}.`);
      if (!r.skippedForeignKeyChecks) console.log('Foreign-key checks stayed on (not a superuser): loading is slower.');
      const sales = r.users.find((u) => u.role === 'sales');
      if (sales) console.log(`Log in as ${sales.email} / ${GENERATED_PASSWORD} (every generated user has this password).`);
    } finally {
      await deps.database.close();
    }
  },
};
