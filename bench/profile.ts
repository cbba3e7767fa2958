// The client profile's queries at scale (prints figures; never a test): the single-contact read's
// computed figures (contactProfile: purchases by product, reply rate, lifecycle facts — one
// statement), the lifecycle facts a sale or lead write reads (derivedLifecycle), and the nightly pass.
//   npx tsx bench/profile.ts --engine postgres|pglite [--leads 100000] [--sales 50000] [--runs 200] [--database-url URL | --data-dir DIR]
import { generateDataset } from '../src/db/queries/bulk.js';
import { hashPassword } from '../src/auth/password.js';
import { GENERATED_PASSWORD, progressPrinter } from '../src/cli/generate.js';
import { contactProfile, derivedLifecycle } from '../src/db/queries/profile.js';
import type { Deps } from '../src/http/context.js';
import { runLifecycle } from '../src/jobs/lifecycle.js';
import { startEngine } from './engine.js';
import { argsOf, formatSummary, summarize } from './stats.js';

const args = argsOf(process.argv.slice(2));
const engine = args['engine'] ?? 'postgres';
const leads = Number(args['leads'] ?? 100_000);
const sales = Number(args['sales'] ?? Math.round(leads / 2));
const runs = Number(args['runs'] ?? 200);
const db = await startEngine(engine, { databaseUrl: args['database-url'], dataDir: args['data-dir'] });
try {
  const started = performance.now();
  const r = await generateDataset(db.database, {
    leads, sales, activitiesPerLead: 2, passwordHash: await hashPassword(GENERATED_PASSWORD), onProgress: progressPrinter(),
  });
  console.log(`${engine}: ${leads} leads, ${sales} sales loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  // The busiest clients are the worst case of the single read (most sales, lines and emails).
  const busy = (await db.database.query<{ id: string; n: number }>(
    `SELECT contact_id AS id, count(*)::int AS n FROM sale WHERE workspace_id = $1 AND contact_id IS NOT NULL
      GROUP BY contact_id ORDER BY count(*) DESC LIMIT 20`, [r.workspaceId]));
  if (!busy.length) throw new Error('the dataset has no sales with a contact');
  console.log(`busiest contact: ${busy[0]!.n} sales`);
  const now = new Date();
  const pick = (i: number) => busy[i % busy.length]!.id;
  for (let i = 0; i < 10; i++) await contactProfile(db.database.db, r.workspaceId, pick(i), '1980-01-01', 'Europe/Madrid', now);

  // Reference on the same machine at the same moment: the plain row read every contact GET does anyway.
  const plain: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await db.database.query('SELECT * FROM contact WHERE workspace_id = $1 AND id = $2', [r.workspaceId, pick(i)]);
    plain.push(performance.now() - t);
  }
  console.log(formatSummary('reference: one contact row', summarize(plain)));

  const read: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await contactProfile(db.database.db, r.workspaceId, pick(i), '1980-01-01', 'Europe/Madrid', now);
    read.push(performance.now() - t);
  }
  console.log(formatSummary('contact profile figures (single read)', summarize(read)));

  const facts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await derivedLifecycle(db.database.db, r.workspaceId, pick(i), now);
    facts.push(performance.now() - t);
  }
  console.log(formatSummary('lifecycle facts (read by every sale/lead write)', summarize(facts)));

  const t = performance.now();
  const changed = await runLifecycle({ database: db.database } as Deps, r.workspaceId, now);
  console.log(`nightly lifecycle pass: ${changed} contacts changed in ${((performance.now() - t) / 1000).toFixed(2)} s`);
} finally {
  await db.stop();
}
