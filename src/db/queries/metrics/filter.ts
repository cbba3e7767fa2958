import type { Database } from '../../client.js';
import type { MetricPeriod, PeriodUnit } from '../../../domain/metrics/period.js';
import { localDay } from '../../../domain/metrics/period.js';

/**
 * What every metric query is narrowed by. `ownerIds` null means everyone in the workspace; a list
 * (the actor's own id for sales, the team for managers, or an explicit owner/team filter) keeps the
 * records attributed to those users. `sourceId` narrows lead metrics to one source.
 */
export type MetricFilter = {
  workspaceId: string;
  period: MetricPeriod;
  unit: PeriodUnit;
  ownerIds: string[] | null;
  sourceId: string | null;
  /** "Now" for snapshot metrics (overdue next actions, cadence misses). */
  now: Date;
  /** Whether the daily rollups may answer (rollupsMatch); unset: asked per query. */
  rollups?: boolean;
  /**
   * Only records whose contact is in this segment (docs/metrics.md#segments): the compiled segment,
   * `(p, contactIdExpr)` → SQL boolean. Rollups know no segments, so such a filter reads raw rows.
   */
  segment?: SegmentSql | null;
  /** Results several cards share, computed once per dashboard request (see `once`); never kept across requests. */
  memo?: Map<string, Promise<unknown>>;
};

/** `fn()` once per filter's memo (one dashboard request): cards reading the same figures share one query. */
export function once<T>(f: MetricFilter, key: string, fn: () => Promise<T>): Promise<T> {
  if (!f.memo) return fn();
  let p = f.memo.get(key) as Promise<T> | undefined;
  if (!p) { p = fn(); f.memo.set(key, p); }
  return p;
}

export type SegmentSql = (p: (v: unknown) => string, contactIdExpr: string) => string;

/** Collects positional parameters; `p(v)` answers the `$n` to put in the SQL text. */
export class Params {
  readonly values: unknown[] = [];
  p(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/** Workspace, period and owner conditions on one table, as SQL (period on `timeCol`). */
export function baseWhere(f: MetricFilter, q: Params, o: { alias?: string; timeCol?: string; ownerCol: string; source?: boolean; contactCol?: string }): string {
  const a = o.alias ? `${o.alias}.` : '';
  const parts = [`${a}workspace_id = ${q.p(f.workspaceId)}`];
  if (o.timeCol) parts.push(`${a}${o.timeCol} >= ${q.p(f.period.from)}`, `${a}${o.timeCol} < ${q.p(f.period.to)}`);
  if (f.ownerIds) parts.push(`${a}${o.ownerCol} = ANY(${q.p(f.ownerIds)}::uuid[])`);
  if (o.source && f.sourceId) parts.push(`${a}source_id = ${q.p(f.sourceId)}`);
  // Every table the metrics read names its contact in contact_id (the contact table itself: id).
  if (f.segment) parts.push(f.segment((v) => q.p(v), `${a}${o.contactCol ?? 'contact_id'}`));
  return parts.join(' AND ');
}

/** `YYYY-MM-DD` of the local week/month/quarter start, like bucketStart in the domain. */
export const bucketSql = (expr: string, unit: PeriodUnit, tzParam: string) =>
  `to_char(date_trunc('${unit}', (${expr}) AT TIME ZONE ${tzParam}), 'YYYY-MM-DD')`;

export const periodDays = (f: MetricFilter) => ({ fromDay: localDay(f.period.from, f.period.timeZone), toDayExclusive: localDay(f.period.to, f.period.timeZone) });

/** Sums come back as numeric (exact); amounts are rounded to cents once, in the domain helpers. */
export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

export const byKey = <T extends { key: string }>(a: T, b: T) => a.key.localeCompare(b.key);

/** Active and inactive members of a team (numbers stay attributed to people who left). */
export async function teamMemberIds(database: Database, workspaceId: string, teamId: string): Promise<string[]> {
  const rows = await database.query<{ id: string }>('SELECT id FROM app_user WHERE workspace_id = $1 AND team_id = $2', [workspaceId, teamId]);
  return rows.map((r) => r.id);
}
