// Portfolio reassignment at scale (prints figures; never a test): one salesperson's whole portfolio
// (contacts, companies, open leads, one planned task per open lead) moved to a colleague in one
// transaction, with one audit event per moved row written set-based plus the batch event.
// Also times the alternative the brief weighed: recordAudit called once per row (rolled back).
// Before the move it times the portfolio figures of every user (GET /portfolios: three set-based
// statements) over the generated contacts, leads and sales.
//   npx tsx bench/reassign.ts --engine pglite|postgres [--contacts 20000] [--sales 20000] [--database-url URL]
// With 3 users the generator gives each of the 2 salespeople half the data: ~10 000 contacts each
// at the default size.
import { sql } from 'drizzle-orm';
import { generateDataset } from '../src/db/queries/bulk.js';
import { hashPassword } from '../src/auth/password.js';
import { GENERATED_PASSWORD, progressPrinter } from '../src/cli/generate.js';
import { portfolioTotals, previewTransfer, transferPortfolio, transferSelection } from '../src/db/queries/portfolios.js';
import { portfolioWindows } from '../src/domain/portfolio-owner.js';
import { recordAudit } from '../src/db/audit.js';
import { movedTotal } from '../src/domain/portfolio-transfer.js';
import type { Actor } from '../src/domain/access.js';
import { startEngine } from './engine.js';
import { argsOf, formatSummary, summarize } from './stats.js';

class RollbackSignal extends Error {}

const args = argsOf(process.argv.slice(2));
const engine = args['engine'] ?? 'pglite';
const contacts = Number(args['contacts'] ?? 20_000);
const sales = Number(args['sales'] ?? contacts);
const db = await startEngine(engine, { databaseUrl: args['database-url'] });
const seconds = (t: number) => `${((performance.now() - t) / 1000).toFixed(2)} s`;
try {
  const r = await generateDataset(db.database, {
    leads: contacts, contacts, companies: Math.round(contacts / 10), users: 3, activitiesPerLead: 1, sales,
    passwordHash: await hashPassword(GENERATED_PASSWORD), onProgress: progressPrinter(),
  });
  const admin = r.users.find((u) => u.role === 'admin')!;
  const [from, to] = r.users.filter((u) => u.role !== 'admin');
  if (!from || !to) throw new Error('the dataset needs two salespeople');
  // Open next actions as planned activities too, so the move has every kind of row to carry.
  await db.database.query(
    `INSERT INTO activity (workspace_id, type, subject, due_at, lead_id, contact_id, user_id)
     SELECT workspace_id, 'task', 'Llamar', now() + interval '2 days', id, contact_id, owner_id
       FROM lead WHERE workspace_id = $1 AND owner_id = $2 AND status = 'open'`, [r.workspaceId, from.id]);
  const actor: Actor = { workspaceId: r.workspaceId, userId: admin.id, role: 'admin', teamId: null };
  const sel = await transferSelection(r.workspaceId, from.id, null, null);

  const userIds = r.users.map((u) => u.id);
  const w = portfolioWindows(new Date(), 'Europe/Madrid');
  const samples: number[] = [];
  for (let i = 0; i < 12; i++) {
    const t0 = performance.now();
    await portfolioTotals(db.database, r.workspaceId, userIds, w);
    if (i >= 2) samples.push(performance.now() - t0);
  }
  console.log(formatSummary(`${engine}: portfolio figures of ${userIds.length} users (${contacts} contacts, ${sales} sales)`, summarize(samples)));

  let t = performance.now();
  const preview = await previewTransfer(db.database, actor, sel, to.id);
  const total = movedTotal(preview.counts);
  console.log(`${engine}: preview ${seconds(t)} — ${total} rows would move ${JSON.stringify(preview.counts)}`);

  // The alternative: the repository's recordAudit once per row (one INSERT + a webhook lookup each), rolled back.
  const ids = await db.database.query<{ id: string }>('SELECT id FROM contact WHERE workspace_id = $1 AND owner_id = $2', [r.workspaceId, from.id]);
  t = performance.now();
  await db.database.transaction(async (tx) => {
    for (const { id } of ids) {
      await recordAudit(tx, { workspaceId: r.workspaceId, userId: admin.id, entity: 'contact', entityId: id, action: 'reassign', before: { ownerId: from.id }, after: { ownerId: to.id } });
    }
    await tx.execute(sql`SELECT 1`);
    throw new RollbackSignal();
  }).catch((e: unknown) => { if (!(e instanceof RollbackSignal)) throw e; });
  console.log(`${engine}: recordAudit per row for the ${ids.length} contacts alone ${seconds(t)} (not what the move does)`);

  t = performance.now();
  const moved = await transferPortfolio(db.database, actor, sel, to.id, 'bench-1');
  const took = (performance.now() - t) / 1000;
  console.log(`${engine}: reassignment of ${movedTotal(moved.counts)} rows in one transaction ${took.toFixed(2)} s (${Math.round(movedTotal(moved.counts) / took)} rows/s, audit rows set-based, rollup and sort-key triggers included)`);
  t = performance.now();
  const replay = await transferPortfolio(db.database, actor, sel, to.id, 'bench-1');
  console.log(`${engine}: retried request (same Idempotency-Key) ${seconds(t)}, replayed=${replay.replayed}`);
} finally {
  await db.stop();
}
