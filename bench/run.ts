/**
 * Storage benchmark: `npm run bench -- --engine postgres|pglite --leads 1000000 [--sales N] [--overlap false]`.
 * Starts its own database (a throwaway PostgreSQL server, or PGlite in a temp folder; --database-url
 * or --data-dir DIR reuse one, and a dataset already loaded there), migrates,
 * loads the synthetic dataset and times the hot queries. Prints figures; it is never a test.
 */
import { runList } from '../src/db/list.js';
import { buildLeadListQuery, getLeadView } from '../src/db/queries/leads.js';
import { listTimeline } from '../src/db/queries/activities.js';
import type { Actor } from '../src/domain/access.js';
import { existingDataset, loadDataset, startEngine, type Dataset } from './engine.js';
import { argsOf, formatSummary, mib, summarize } from './stats.js';

/**
 * This process's CPU time per run: with PGlite it includes the database engine, so it is a figure
 * that a busy machine disturbs less than wall-clock latency; with PostgreSQL it is the client side.
 */
function cpuPerRun(since: NodeJS.CpuUsage, runs: number): string {
  const u = process.cpuUsage(since);
  return `cpu ${((u.user + u.system) / 1000 / runs).toFixed(2)} ms/run`;
}

/** Deterministic choice so every run of the benchmark asks the same questions. */
function* cycle<T>(xs: T[]): Generator<T> { for (let i = 0; ; i++) yield xs[i % xs.length]!; }

async function main() {
  const args = argsOf(process.argv.slice(2));
  const engine = args['engine'] ?? 'postgres';
  const leads = Number(args['leads'] ?? 1_000_000);
  const perLead = Number(args['activities-per-lead'] ?? 5);
  const runs = Number(args['runs'] ?? 500);
  console.log(`bench: engine ${engine}, ${leads} leads × ${perLead} activities, ${runs} runs per query; node ${process.version}`);

  const t0 = performance.now();
  const bench = await startEngine(engine, { dataDir: args['data-dir'], databaseUrl: args['database-url'] });
  console.log(`start + migrate: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  try {
    const found = await existingDataset(bench.database);
    let data: Dataset;
    if (found && found.leads >= leads) {
      console.log(`reusing the loaded dataset: workspace ${found.workspaceId}, ${found.leads} leads`);
      data = found;
    } else {
      const loaded = await loadDataset(bench.database, leads, perLead, args['keep-indexes'] !== 'true', Number(args['sales'] ?? 0), args['overlap'] !== 'false');
      // Every build, per table, so that what an index costs a load can be read from one run.
      const byTable = new Map<string, string[]>();
      for (const i of loaded.indexTimings) {
        const table = i.name.split('_')[0]!;
        byTable.set(table, [...(byTable.get(table) ?? []), `${i.name} ${i.seconds.toFixed(1)}`]);
      }
      for (const [table, builds] of byTable) console.log(`      ${table}: ${builds.join(', ')}`);
      data = { ...loaded, leads };
    }
    const sortKey = 'nextActionAt';
    const sales = data.users.filter((u) => u.role === 'sales');
    const open = data.stageIds.filter((s) => s.kind === 'open');
    const stagePairs = open.flatMap((a, i) => open.slice(i + 1).map((b) => `${a.id},${b.id}`));
    const owners = cycle(sales);
    const pairs = cycle(stagePairs);
    const actorOf = (id: string): Actor => ({ workspaceId: data.workspaceId, userId: id, role: 'sales', teamId: null });

    // One list query as a sales rep sees it: their leads in two open stages, by next action, 50 a page.
    let rowsSeen = 0;
    const listOnce = async () => {
      const u = owners.next().value!;
      const built = buildLeadListQuery(actorOf(u.id), { ownerId: u.id, stageId: pairs.next().value!, sort: sortKey, limit: '50' });
      const t = performance.now();
      const page = await runList(bench.database, built);
      rowsSeen += page.data.length;
      return performance.now() - t;
    };
    const sample = buildLeadListQuery(actorOf(sales[0]!.id), { ownerId: sales[0]!.id, stageId: stagePairs[0]!, sort: sortKey, limit: '50' });
    const plan = await bench.database.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sample.text}`, sample.params);
    console.log('list plan:\n  ' + plan.map((r) => r['QUERY PLAN']).join('\n  '));

    // The database's own execution time, apart from the client's and the machine's scheduling.
    const execTimes: number[] = [];
    for (let i = 0; i < Math.min(runs, 200); i++) {
      const u = owners.next().value!;
      const b = buildLeadListQuery(actorOf(u.id), { ownerId: u.id, stageId: pairs.next().value!, sort: sortKey, limit: '50' });
      const out = await bench.database.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, TIMING OFF) ${b.text}`, b.params);
      const m = /Execution Time: ([\d.]+)/.exec(out.map((r) => r['QUERY PLAN']).join('\n'));
      if (i >= 20 && m) execTimes.push(Number(m[1]));
    }
    console.log(formatSummary('lead list, database execution', summarize(execTimes)));

    for (let i = 0; i < 50; i++) await listOnce();
    rowsSeen = 0;
    const listTimes: number[] = [];
    let cpu = process.cpuUsage();
    for (let i = 0; i < runs; i++) listTimes.push(await listOnce());
    console.log(formatSummary('lead list (owner+2 stages, 50)', summarize(listTimes)) + `  ${cpuPerRun(cpu, runs)}  avg rows ${(rowsSeen / runs).toFixed(1)}`);

    // One lead with its last 50 activities, as the lead page opens (the API's own queries).
    const sample500 = await bench.database.query<{ id: string; ownerId: string }>(
      'SELECT id, owner_id AS "ownerId" FROM lead WHERE workspace_id = $1 ORDER BY id LIMIT 1000', [data.workspaceId]);
    const leadPicks = cycle(sample500.filter((_, i) => i % 2 === 0));
    const leadOnce = async () => {
      const l = leadPicks.next().value!;
      const actor = actorOf(l.ownerId);
      const t = performance.now();
      const [view, acts] = await Promise.all([
        getLeadView(bench.database, data.workspaceId, l.id),
        listTimeline(bench.database, actor, { leadId: l.id, limit: '50' }),
      ]);
      if (view['id'] !== l.id || acts.data.length !== Math.min(50, perLead)) throw new Error(`lead ${l.id}: ${acts.data.length} activities`);
      return performance.now() - t;
    };
    for (let i = 0; i < 50; i++) await leadOnce();
    const leadTimes: number[] = [];
    cpu = process.cpuUsage();
    for (let i = 0; i < runs; i++) leadTimes.push(await leadOnce());
    console.log(formatSummary('lead + last 50 activities', summarize(leadTimes)) + `  ${cpuPerRun(cpu, runs)}`);

    const mem = process.memoryUsage();
    console.log(`memory: rss ${mib(mem.rss)}, heap used ${mib(mem.heapUsed)} of ${mib(mem.heapTotal)}, external ${mib(mem.external)}, array buffers ${mib(mem.arrayBuffers)}`);
    const size = await bench.database.query<{ size: string }>('SELECT pg_size_pretty(pg_database_size(current_database())) AS size');
    console.log(`database size: ${size[0]?.size}`);
  } finally {
    await bench.stop();
  }
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
