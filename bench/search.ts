// Instant search at scale (prints figures; never a test): the query the API runs for a common
// surname, a full name, a phone typed with spaces, an email and a name nobody has, over a generated
// workspace of N contacts (16 surnames only, so "garcia" matches ~1 in 8 people: the worst case).
//   npx tsx bench/search.ts --engine postgres|pglite [--contacts 1000000] [--runs 200] [--database-url URL | --data-dir DIR]
// A database that already holds a generated workspace with at least --contacts contacts is reused as is.
import { generateDataset } from '../src/db/queries/bulk.js';
import { hashPassword } from '../src/auth/password.js';
import { GENERATED_PASSWORD, progressPrinter } from '../src/cli/generate.js';
import { instantSearch } from '../src/db/queries/search.js';
import { classifyQuery } from '../src/domain/search.js';
import { dayRange } from '../src/domain/today.js';
import { existingDataset, startEngine } from './engine.js';
import { argsOf, formatSummary, summarize } from './stats.js';

const args = argsOf(process.argv.slice(2));
const engine = args['engine'] ?? 'postgres';
const contacts = Number(args['contacts'] ?? 1_000_000);
const runs = Number(args['runs'] ?? 200);
const db = await startEngine(engine, { databaseUrl: args['database-url'], dataDir: args['data-dir'] });
try {
  const started = performance.now();
  const found = await existingDataset(db.database);
  const [have] = found ? await db.database.query<{ n: number }>('SELECT count(*)::int AS n FROM contact WHERE workspace_id = $1', [found.workspaceId]) : [];
  let r: { workspaceId: string };
  if (found && have && have.n >= contacts) {
    r = found;
    console.log(`${engine}: reusing workspace ${found.workspaceId} with ${have.n} contacts`);
  } else {
    // Leads are not what is searched: a small number keeps the load about the contacts.
    r = await generateDataset(db.database, {
      leads: Math.max(1000, Math.round(contacts / 10)), contacts, companies: Math.round(contacts / 20), activitiesPerLead: 1,
      passwordHash: await hashPassword(GENERATED_PASSWORD), onProgress: progressPrinter(),
    });
    console.log(`${engine}: ${contacts} contacts loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const [sample] = await db.database.query<{ phone: string; email: string; first_name: string; last_name: string; second_last_name: string }>(
    'SELECT phone, email, first_name, last_name, second_last_name FROM contact WHERE workspace_id = $1 AND phone IS NOT NULL AND email IS NOT NULL OFFSET $2 LIMIT 1',
    [r.workspaceId, Math.floor(contacts / 2)]);
  if (!sample) throw new Error('no contact with phone and email in the dataset');
  const spaced = sample.phone.replace(/\D/g, '').replace(/^34/, '').replace(/(\d{3})(\d{2})(\d{2})(\d{2})/, '$1 $2 $3 $4');
  const cases: [string, string][] = [
    ['common surname', 'garcia'],
    ['full name', `${sample.first_name} ${sample.last_name} ${sample.second_last_name}`],
    ['phone with spaces', spaced],
    ['email', sample.email],
    ['nobody', 'zubizarreta'],
  ];
  const day = dayRange(new Date(), 'Europe/Madrid');
  for (const [name, text] of cases) {
    const q = classifyQuery(text)!;
    for (let i = 0; i < 5; i++) await instantSearch(db.database, r.workspaceId, q, day, '34');
    const samples: number[] = [];
    let hits = 0;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      hits = (await instantSearch(db.database, r.workspaceId, q, day, '34')).length;
      samples.push(performance.now() - t);
    }
    console.log(formatSummary(`${name} ("${text}", ${q.kind}, ${hits} hits)`, summarize(samples)));
  }
} finally {
  await db.stop();
}
