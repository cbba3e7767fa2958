import type { Db } from '../db/client.js';
import { enqueueJob, type NewJob } from '../db/queries/jobs.js';

/**
 * Adds a job to the queue, in the caller's transaction when given one, so the job exists if and only
 * if the change that asked for it commits. The id decides identity: enqueueing an id that exists
 * (queued, running, done or failed) does nothing and answers false.
 */
export function enqueue(tx: Db, job: NewJob): Promise<boolean> {
  return enqueueJob(tx, job);
}

export type { NewJob };
