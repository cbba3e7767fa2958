import { FUNNEL_ROLLUPS_KIND, rebuildFunnelRollups } from '../db/queries/funnel.js';
import { registerJob } from './registry.js';

/**
 * Rebuilds one pipeline's funnel rollups after its journey was stored (docs/funnel.md#speed): about a
 * minute at 100 000 leads, minutes at 1M, so never inside a request, and in short transactions (one
 * per table, per range of creation days on PGlite) so other work gets the database between them.
 * Queued by every journey edit and by
 * a fit that finds the rollups stale; idempotent (fresh rollups are left alone).
 */
registerJob(FUNNEL_ROLLUPS_KIND, async ({ deps, workspaceId, payload }) => {
  const { pipelineId } = payload as { pipelineId: string };
  await rebuildFunnelRollups(deps.database, workspaceId, pipelineId);
});
