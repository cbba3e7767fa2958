// Segment counts at scale (prints figures; never a test): the live count the API answers for
// GET /segments/{id}/count — each built-in segment and a custom definition mixing contact, company,
// custom-field and RFM conditions — and a page of members, over a generated workspace.
//   npx tsx bench/segments.ts --engine postgres|pglite [--contacts 100000] [--runs 30] [--explain] [--database-url URL]
import { generateDataset } from '../src/db/queries/bulk.js';
import { hashPassword } from '../src/auth/password.js';
import { GENERATED_PASSWORD, progressPrinter } from '../src/cli/generate.js';
import { countReachable, ensureBuiltinSegments, refreshContactSaleStats, segmentCustomFields, segmentFromWhere } from '../src/db/queries/segments.js';
import { listContacts } from '../src/db/queries/contacts.js';
import { builtinSegments, type SegmentDefinition } from '../src/domain/segment.js';
import { startEngine } from './engine.js';
import { argsOf, formatSummary, summarize } from './stats.js';

const args = argsOf(process.argv.slice(2));
const engine = args['engine'] ?? 'postgres';
const contacts = Number(args['contacts'] ?? 100_000);
const runs = Number(args['runs'] ?? 30);
const db = await startEngine(engine, { databaseUrl: args['database-url'] });

const custom: SegmentDefinition = {
  type: 'group', combinator: 'and', children: [
    { type: 'condition', field: 'contact.lifecycle', operator: 'in', value: ['client', 'former'] },
    { type: 'condition', field: 'computed.recencyDays', operator: 'lte', value: 365 },
    { type: 'group', combinator: 'or', children: [
      { type: 'condition', field: 'company.employees', operator: 'gte', value: 50 },
      { type: 'condition', field: 'computed.monetaryScore', operator: 'gte', value: 4 },
      { type: 'condition', field: 'contact.customFields.budget', operator: 'gt', value: 5000 },
    ] },
    { type: 'condition', field: 'computed.openComplaints', operator: 'eq', value: 0 },
    { type: 'condition', field: 'contact.city', operator: 'contains', value: 'mad' },
  ],
};

try {
  const started = performance.now();
  const r = await generateDataset(db.database, {
    leads: Math.round(contacts / 4), contacts, companies: Math.round(contacts / 20), activitiesPerLead: 1,
    sales: Math.round(contacts * 1.5), passwordHash: await hashPassword(GENERATED_PASSWORD), onProgress: progressPrinter(),
  });
  const ws = r.workspaceId;
  // What the generator does not make: NPS answers, open complaints and a numeric custom field.
  await db.database.query(`INSERT INTO feedback (workspace_id, contact_id, nps, channel, answered_at)
    SELECT $1, c.id, (abs(hashtext(c.id::text)) % 11), 'phone', now() - (abs(hashtext(c.id::text || 'f')) % 400) * interval '1 day'
      FROM contact c WHERE c.workspace_id = $1 AND abs(hashtext(c.id::text)) % 4 = 0`, [ws]);
  await db.database.query(`INSERT INTO complaint (workspace_id, contact_id, category, description, status, resolution, resolved_at)
    SELECT $1, c.id, 'durability', 'bench', r.status, CASE WHEN r.status = 'resolved' THEN 'repair' END, CASE WHEN r.status = 'resolved' THEN now() END
      FROM contact c, LATERAL (SELECT CASE WHEN abs(hashtext(c.id::text)) % 2 = 0 THEN 'open' ELSE 'resolved' END AS status) r
     WHERE c.workspace_id = $1 AND abs(hashtext(c.id::text || 'k')) % 20 = 0`, [ws]);
  await db.database.query(`INSERT INTO custom_field (workspace_id, entity, key, label, type) VALUES ($1, 'contact', 'budget', 'Presupuesto', 'number')`, [ws]);
  await db.database.query(`UPDATE contact SET custom_fields = jsonb_build_object('budget', abs(hashtext(id::text)) % 20000)
    WHERE workspace_id = $1 AND abs(hashtext(id::text || 'b')) % 3 = 0`, [ws]);
  for (const table of ['feedback', 'complaint', 'contact']) await db.database.query(`ANALYZE ${table}`);
  // The bulk loader switches the sale triggers off; refreshing here keeps this benchmark right whatever the loader does.
  await refreshContactSaleStats(db.database, ws);
  await db.database.query('ANALYZE contact_sale_stats');
  await ensureBuiltinSegments(db.database, ws);
  console.log(`${engine}: ${contacts} contacts, ${Math.round(contacts * 1.5)} sales loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // The floor under the same load: counting the workspace's active contacts with no condition.
  const floor: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await db.database.query(`SELECT count(*) FROM contact WHERE workspace_id = $1 AND status = 'active'`, [ws]);
    floor.push(performance.now() - t);
  }
  console.log(formatSummary('floor: count of all active contacts', summarize(floor)));

  const cf = await segmentCustomFields(db.database.db, ws);
  const cases: [string, SegmentDefinition][] = [
    ...Object.entries(builtinSegments).filter(([k]) => k !== 'vip').map(([k, b]) => [k, b.definition] as [string, SegmentDefinition]),
    ['custom (lifecycle, recency, company OR M score OR custom field, complaints, city)', custom],
  ];
  for (const [name, def] of cases) {
    for (let i = 0; i < 3; i++) await countReachable(db.database, ws, def, cf);
    const samples: number[] = [];
    let result = { count: 0, reachable: 0 };
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      result = await countReachable(db.database, ws, def, cf);
      samples.push(performance.now() - t);
    }
    console.log(formatSummary(`count ${name} (${result.count} contacts)`, summarize(samples)));
    if (args['explain'] !== undefined) {
      const values: unknown[] = [];
      const p = (v: unknown) => { values.push(v); return `$${values.length}`; };
      const plan = await db.database.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) ${segmentFromWhere(def, cf, ws, p)}`, values);
      console.log(plan.map((x) => `    ${x['QUERY PLAN']}`).join('\n'));
    }
  }

  // A page of members: the contacts list with the segment as a filter (what /segments/{id}/members runs).
  const [best] = await db.database.query<{ id: string }>(`SELECT id FROM segment WHERE workspace_id = $1 AND builtin = 'best_clients'`, [ws]);
  const [admin] = await db.database.query<{ id: string }>(`SELECT id FROM app_user WHERE workspace_id = $1 AND role = 'admin' LIMIT 1`, [ws]);
  const actor = { workspaceId: ws, userId: admin!.id, role: 'admin' as const, teamId: null };
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await listContacts(db.database, actor, { segmentId: best!.id, limit: '50' });
    samples.push(performance.now() - t);
  }
  console.log(formatSummary('members page (best clients, 50 by name)', summarize(samples)));
} finally {
  await db.stop();
}
