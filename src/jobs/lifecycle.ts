import { lifecycleCandidates, refreshLifecycle } from '../db/queries/profile.js';
import { workspaceSettings } from '../db/queries/jobs.js';
import type { Actor } from '../domain/access.js';
import { formerCutoff, lifecycleSettingsOf } from '../domain/profile.js';
import type { Deps } from '../http/context.js';
import { registerJob, registerSchedule } from './registry.js';
import { dailyRun } from './timing.js';

/**
 * Nightly at 02:30 workspace time: the lifecycle changes that time alone makes (a client whose last
 * purchase passes `profile.formerAfterMonths` becomes a former client, and back when the setting is
 * lengthened). Every other change happens in the transaction of the sale or lead write that causes it.
 */
export const LIFECYCLE_KIND = 'lifecycle';
const LIFECYCLE_HOUR = 2;
const LIFECYCLE_MINUTE = 30;
/** Contacts per transaction: short locks on large workspaces. */
const BATCH = 200;

/** Runs the pass for one workspace; idempotent (a second run finds nothing to change). Returns how many contacts changed. */
export async function runLifecycle(deps: Deps, workspaceId: string, now: Date): Promise<number> {
  const settings = await workspaceSettings(deps.database, workspaceId);
  if (!settings) return 0; // the workspace was deleted
  const cutoff = formerCutoff(now, lifecycleSettingsOf(settings).formerAfterMonths);
  // The audit trail names the job as the author: no user made this change.
  const actor: Actor = { workspaceId, userId: null as unknown as string, role: 'admin', teamId: null };
  let changed = 0;
  let after: string | null = null;
  for (;;) {
    const ids = await deps.database.transaction((tx) => lifecycleCandidates(tx, workspaceId, cutoff, after, BATCH));
    if (!ids.length) break;
    changed += await deps.database.transaction((tx) => refreshLifecycle(tx, actor, ids, now));
    after = ids.at(-1)!;
    if (ids.length < BATCH) break;
  }
  return changed;
}

registerSchedule({
  name: 'lifecycle',
  due(now, ws) {
    const run = dailyRun(now, ws.timeZone, LIFECYCLE_HOUR, LIFECYCLE_MINUTE);
    return run ? [{ id: `lifecycle:${run.date}`, kind: LIFECYCLE_KIND, payload: { date: run.date }, runAt: run.runAt }] : [];
  },
});

registerJob(LIFECYCLE_KIND, async ({ deps, workspaceId, now }) => {
  await runLifecycle(deps, workspaceId, now);
});
