import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { fieldError } from '../../domain/errors.js';
import { isValidTimeZone } from '../../domain/today.js';
import { parsePeriod, periodUnits, type MetricPeriod } from '../../domain/metrics/period.js';
import { metricOwners } from '../../domain/metrics/scope.js';
import { managedUserIds } from '../../db/queries/users.js';
import { workspaceClock } from '../../db/queries/today.js';
import { teamMemberIds, type MetricFilter } from '../../db/queries/metrics/filter.js';
import { loadSegmentFilter } from '../../db/queries/segments.js';
import { loadDashboard, metricNames, metricQueries, type MetricName } from '../../db/queries/metrics/dashboard.js';
import { encodeCsv, type Cell } from '../../formats/csv.js';
import { encodeXlsx } from '../../formats/xlsx.js';
import { newRouter, type AppEnv, type Deps } from '../context.js';
import { problemResponses, Uuid } from '../schemas.js';
import { DashboardOut, MetricOut } from './metric-schemas.js';

const day = z.string().optional().openapi({ description: 'Local calendar day, YYYY-MM-DD (inclusive)', example: '2026-01-01' });
const filterQuery = {
  from: day, to: day,
  ownerId: Uuid.optional().openapi({ description: 'Only this salesperson\'s numbers (within what you may see)' }),
  teamId: Uuid.optional().openapi({ description: 'Only this team\'s numbers (admins; managers for their own team)' }),
  sourceId: Uuid.optional().openapi({ description: 'Only leads from this source (lead metrics and campaign costs)' }),
  unit: z.enum(periodUnits).optional().openapi({ description: 'Bucket of period breakdowns (default month)' }),
  pipelineId: Uuid.optional().openapi({ description: 'Pipeline of the stage funnel (default: the default pipeline)' }),
  segmentId: Uuid.optional().openapi({ description: 'Only records whose contact is in this saved segment (read from raw rows, not the rollups: slower on large workspaces)' }),
};
const DashboardQuery = z.strictObject(filterQuery);
const MetricQuery = z.strictObject({
  ...filterQuery,
  format: z.enum(['json', 'csv', 'xlsx']).optional().openapi({ description: 'csv or xlsx downloads the metric\'s table' }),
  table: z.enum(['bySource', 'byOwner', 'byPeriod', 'byCampaign', 'byStage', 'byCloseMonth', 'byCategory', 'byUser', 'topClients', 'steps']).optional()
    .openapi({ description: 'Which of the metric\'s breakdowns to download (default: its main one, see docs/metrics.md)' }),
});
const MetricParam = z.object({ name: z.enum(metricNames as [MetricName, ...MetricName[]]).openapi({ param: { name: 'name', in: 'path' } }) });


type Query = z.infer<typeof MetricQuery>;
type Row = Record<string, unknown>;

async function filterOf(deps: Deps, c: Context<AppEnv>, q: Query): Promise<MetricFilter & { fromDay: string; toDay: string }> {
  const actor = c.get('actor');
  const clock = await workspaceClock(deps.database, actor.workspaceId);
  const timeZone = isValidTimeZone(clock.timeZone) ? clock.timeZone : 'UTC';
  const period: MetricPeriod = parsePeriod(q.from, q.to, timeZone);
  const managed = actor.role === 'manager' ? await managedUserIds(deps.database, actor) : [];
  const teamMembers = q.teamId ? await teamMemberIds(deps.database, actor.workspaceId, q.teamId) : null;
  const ownerIds = metricOwners(actor, { ownerId: q.ownerId, teamId: q.teamId }, { managed, teamMembers });
  // A segment the actor cannot see is a 404 naming segmentId, as everywhere segments are used.
  const segment = q.segmentId ? await loadSegmentFilter(deps.database, actor.workspaceId, q.segmentId, actor) : null;
  return { workspaceId: actor.workspaceId, period, unit: q.unit ?? 'month', ownerIds, sourceId: q.sourceId ?? null, now: deps.now(), fromDay: q.from!, toDay: q.to!, segment };
}

/** A list endpoint plus query string listing the records behind a number. */
function link(path: string, params: Record<string, string | null | undefined>): string {
  const qs = Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== 'none').map(([k, v]) => `${k}=${encodeURIComponent(v!)}`).join('&');
  return `/api/v1/${path}${qs ? `?${qs}` : ''}`;
}

/** Links behind a card's figures, or per key of its breakdown rows (the DrillDown schema). */
type DrillDown = Record<string, string | Record<string, string>>;

function drillDowns(name: MetricName, value: unknown, f: MetricFilter): DrillDown {
  const from = f.period.from.toISOString();
  const to = f.period.to.toISOString();
  // Nobody's numbers (an owner outside the team asked for) must drill down to nothing, not to everything.
  const owners = f.ownerIds ? f.ownerIds.join(',') || '00000000-0000-0000-0000-000000000000' : null;
  const leadCohort = { createdFrom: from, createdTo: to, ownerId: owners, sourceId: f.sourceId };
  const sales = { soldFrom: from, soldTo: to, ownerId: owners };
  const v = value as Row;
  const rows = (xs: unknown, f2: (r: Row) => string) => Object.fromEntries(((xs ?? []) as Row[]).map((r) => [String(r['key'] ?? r['category'] ?? r['clientKey'] ?? r['userId'] ?? r['stageId']), f2(r)]));
  switch (name) {
    case 'conversion': return {
      created: link('leads', leadCohort), won: link('leads', { ...leadCohort, status: 'won' }),
      bySource: rows(v['bySource'], (r) => link('leads', { ...leadCohort, sourceId: String(r['key']) })),
      byOwner: rows(v['byOwner'], (r) => link('leads', { ...leadCohort, ownerId: String(r['key']) })),
    };
    case 'stageConversion': return { cohort: link('leads', { ...leadCohort, pipelineId: (v['pipelineId'] as string | null) ?? null }) };
    case 'costPerLead': return {
      leads: link('leads', leadCohort), campaigns: link('campaigns', {}),
      byCampaign: rows(v['byCampaign'], (r) => link('leads', { ...leadCohort, campaignId: String(r['key']) })),
      bySource: rows(v['bySource'], (r) => link('leads', { ...leadCohort, sourceId: String(r['key']) })),
    };
    case 'salesByClientType': case 'frequency': return { sales: link('sales', sales) };
    case 'portfolio': return {
      sales: link('sales', sales), clients: link('contacts', { lifecycle: 'client', ownerId: owners }), prospects: link('contacts', { lifecycle: 'prospect,potential', ownerId: owners }),
      topClients: rows(v['topClients'], (r) => { const [kind, id] = String(r['clientKey']).split(':'); return link('sales', { ...sales, [`${kind}Id`]: id }); }),
    };
    case 'nps': return { answers: link('feedback', { answeredFrom: from, answeredTo: to, userId: owners }) };
    case 'complaints': {
      const base = { createdFrom: from, createdTo: to, ownerId: owners };
      return { total: link('complaints', base), open: link('complaints', { ...base, status: 'open,in_progress' }), resolved: link('complaints', { ...base, status: 'resolved' }),
        byCategory: rows(v['byCategory'], (r) => link('complaints', { ...base, category: String(r['category']) })) };
    }
    case 'pipeline': {
      const open = { status: 'open', ownerId: owners, sourceId: f.sourceId };
      return { open: link('leads', open), byStage: rows(v['byStage'], (r) => link('leads', { ...open, stageId: String(r['key']) })),
        byOwner: rows(v['byOwner'], (r) => link('leads', { ...open, ownerId: String(r['key']) })) };
    }
    case 'winRate': {
      // Closed in the period (closedAt), like the figures; the won ones are also the sales cycle's.
      const closed = { closedFrom: from, closedTo: to, ownerId: owners, sourceId: f.sourceId };
      return { won: link('leads', { ...closed, status: 'won' }), lost: link('leads', { ...closed, status: 'lost' }), cycle: link('leads', { ...closed, status: 'won' }) };
    }
    case 'interactions': return { activities: link('activities', { occurredFrom: from, occurredTo: to, done: 'true', userId: owners }) };
    case 'overdueNextActions': return { leads: link('leads', { status: 'open', nextActionTo: f.now.toISOString(), ownerId: owners, sourceId: f.sourceId }) };
    case 'cadenceMisses': return { activities: link('activities', { dueFrom: from, dueTo: f.now < f.period.to ? f.now.toISOString() : to, userId: owners }) };
    case 'weeklyNewLeads': return { leads: link('leads', leadCohort) };
  }
}

/** The breakdowns each metric can download besides its main table (`table` query parameter). */
const breakdowns: Partial<Record<MetricName, string[]>> = {
  conversion: ['bySource', 'byOwner', 'byPeriod'], costPerLead: ['byCampaign', 'bySource'], pipeline: ['byStage', 'byOwner', 'byCloseMonth'],
  complaints: ['byCategory'], portfolio: ['topClients'], overdueNextActions: ['byOwner'], cadenceMisses: ['byUser'], stageConversion: ['steps'],
};

/** The table a metric downloads as CSV/XLSX: the breakdown asked for, its main one, or its figures as one row. */
function tableOf(name: MetricName, value: unknown, table?: string): Row[] {
  const v = value as Row;
  if (table) {
    if (!breakdowns[name]?.includes(table)) throw fieldError('table', 'not_a_table', `${name} has no ${table} table.`);
    return v[table] as Row[];
  }
  switch (name) {
    case 'conversion': return (v['bySource'] as Row[]);
    case 'stageConversion': return (v['steps'] as Row[]);
    case 'costPerLead': return (v['byCampaign'] as Row[]);
    case 'complaints': return (v['byCategory'] as Row[]);
    case 'portfolio': return (v['topClients'] as Row[]);
    case 'pipeline': return (v['byStage'] as Row[]);
    case 'overdueNextActions': return (v['byOwner'] as Row[]);
    case 'cadenceMisses': return (v['byUser'] as Row[]);
    case 'salesByClientType': return [...['newClients', 'existingClients'].map((k) => ({ clientType: k, ...(v[k] as Row) })),
      { clientType: 'unattributed', clients: null, ...(v['unattributed'] as Row) }];
    case 'nps': case 'winRate': return [v];
    default: return value as Row[];
  }
}

function columnsOf(rows: readonly Row[]): string[] {
  const cols = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) cols.add(k);
  return [...cols];
}

export function metricRoutes(deps: Deps) {
  const r = newRouter();
  r.openapi(createRoute({
    method: 'get', path: '/dashboard', tags: ['metrics'], summary: 'Every dashboard card for a period (definitions: docs/metrics.md)',
    request: { query: DashboardQuery },
    responses: { 200: { description: 'Dashboard', content: { 'application/json': { schema: DashboardOut } } }, ...problemResponses },
  }), async (c) => {
    const f = await filterOf(deps, c, c.req.valid('query'));
    const q = c.req.valid('query');
    const all = await loadDashboard(deps.database, f);
    if (q.pipelineId) all.stageConversion = await metricQueries.stageConversion(deps.database, f, q.pipelineId);
    const cards = Object.fromEntries(metricNames.map((name) => [name, { name, value: all[name], drillDown: drillDowns(name, all[name], f) }]));
    return c.json({ period: { from: f.fromDay, to: f.toDay, timeZone: f.period.timeZone, unit: f.unit }, ownerIds: f.ownerIds, segmentId: q.segmentId ?? null, cards }, 200);
  });

  r.openapi(createRoute({
    method: 'get', path: '/metrics/{name}', tags: ['metrics'], summary: 'One metric, as JSON or as a CSV/XLSX table',
    request: { params: MetricParam, query: MetricQuery },
    responses: {
      200: {
        description: 'The metric',
        content: {
          'application/json': { schema: MetricOut },
          'text/csv': { schema: z.string() },
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) },
        },
      },
      ...problemResponses,
    },
  }), async (c) => {
    const { name } = c.req.valid('param');
    const q = c.req.valid('query');
    const f = await filterOf(deps, c, q);
    const value = name === 'stageConversion'
      ? await metricQueries.stageConversion(deps.database, f, q.pipelineId ?? null)
      : await (metricQueries[name] as (d: typeof deps.database, f: MetricFilter) => Promise<unknown>)(deps.database, f);
    if (!q.format || q.format === 'json') return c.json({ name, value, drillDown: drillDowns(name, value, f) }, 200);
    const rows = tableOf(name, value, q.table);
    if (!Array.isArray(rows)) throw fieldError('format', 'not_a_table', `${name} has no table to download.`);
    const columns = columnsOf(rows);
    const cells: Cell[][] = rows.map((row) => columns.map((k) => { const x = row[k]; return x === null || x === undefined || typeof x === 'object' ? (x instanceof Date ? x : x === null || x === undefined ? null : JSON.stringify(x)) : (x as Cell); }));
    const file = `${name}${q.table ? `-${q.table}` : ''}-${f.fromDay}-${f.toDay}`;
    if (q.format === 'csv') {
      return c.body(encodeCsv(columns, cells), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${file}.csv"` });
    }
    const bytes = await encodeXlsx(name, columns, cells);
    return c.body(bytes as unknown as ArrayBuffer, 200, {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'content-disposition': `attachment; filename="${file}.xlsx"`,
    });
  });
  return r;
}

