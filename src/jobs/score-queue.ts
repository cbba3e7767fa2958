import type { Db } from '../db/client.js';
import { enqueue } from './queue.js';

/**
 * Queuing the score's jobs, without registering them: routes import this, and registering the
 * nightly schedule is left to src/jobs/score.ts (loaded with the other jobs by src/jobs/index.ts).
 */
export const SCORE_NIGHTLY_KIND = 'score';
export const SCORE_RESCORE_KIND = 'score-rescore';
export const SCORE_TRAIN_KIND = 'score-train';

/** Rescores every record of the workspace after the rules changed, in the rules' own transaction. */
export async function enqueueRescore(tx: Db, workspaceId: string, now: Date): Promise<void> {
  await enqueue(tx, { workspaceId, id: `${SCORE_RESCORE_KIND}:${now.toISOString()}`, kind: SCORE_RESCORE_KIND, runAt: now });
}

/** Queues a training asked for by an admin; answers the job id so the caller can follow it. */
export async function enqueueTraining(tx: Db, workspaceId: string, now: Date): Promise<string> {
  const id = `${SCORE_TRAIN_KIND}:${now.toISOString()}`;
  await enqueue(tx, { workspaceId, id, kind: SCORE_TRAIN_KIND, runAt: now });
  return id;
}

