import { refreshContactSaleStats } from '../db/queries/segments.js';
import { registerJob, registerSchedule } from './registry.js';
import { dailyRun } from './timing.js';

/**
 * Every night at 03:00 workspace time the per-contact purchase figures segments read are recomputed,
 * so sales older than 12 months leave frequency and monetary (a new or changed sale updates its
 * contact at once, by trigger).
 */
export const SEGMENT_STATS_KIND = 'segment_stats_refresh';
export const SEGMENT_STATS_HOUR = 3;

registerSchedule({
  name: 'segment-stats-refresh',
  due(now, ws) {
    const run = dailyRun(now, ws.timeZone, SEGMENT_STATS_HOUR);
    return run ? [{ id: `segment-stats:${run.date}`, kind: SEGMENT_STATS_KIND, payload: { date: run.date }, runAt: run.runAt }] : [];
  },
});

registerJob(SEGMENT_STATS_KIND, async ({ deps, workspaceId }) => {
  await refreshContactSaleStats(deps.database, workspaceId);
});
