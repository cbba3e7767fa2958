import type { Deps } from '../http/context.js';
import {
  claimJob, completeJob, extendLease, failAbandonedJobs, recordJobFailure, workspacesWithDueJobs, type JobRow,
} from '../db/queries/jobs.js';
import { activeAdmins, createNotification } from '../db/queries/notifications.js';
import type { Db } from '../db/client.js';
import { jobHandler, registeredKinds } from './registry.js';
import { retryDelayMs } from './timing.js';
import { notificationTexts } from './messages.js';

export type WorkerOptions = {
  /** How long a claimed job is reserved for its worker; after it, another worker may retry it. */
  leaseMs?: number;
  /** Clock; defaults to deps.now (tests inject a fixed one). */
  now?: () => Date;
  log?: (message: string) => void;
  /** Upper bound of jobs run by one drain, so a job that keeps enqueueing others cannot spin forever. */
  maxJobs?: number;
};

export const DEFAULT_LEASE_MS = 5 * 60_000;

export type DrainResult = { ran: number; done: number; retried: number; failed: number };

const MAX_ERROR_LENGTH = 2000;
const describeError = (e: unknown) => (e instanceof Error ? e.stack ?? e.message : String(e)).slice(0, MAX_ERROR_LENGTH);

/** Tells every active admin of the workspace that a job failed for good (idempotent per failure). */
async function notifyAdminsOfFailure(tx: Db, job: JobRow): Promise<void> {
  for (const admin of await activeAdmins(tx, job.workspaceId)) {
    const text = notificationTexts.jobFailed(admin.locale, job.kind, job.id, (job.lastError ?? '').split('\n')[0] ?? '');
    await createNotification(tx, {
      workspaceId: job.workspaceId, userId: admin.id, kind: 'job_failed', ...text,
      link: `/settings?tab=jobs&status=failed`,
      dedupeKey: `job_failed:${job.id}:${job.finishedAt?.toISOString() ?? ''}`,
    });
  }
}

/**
 * Runs one claimed job. The handler runs outside any transaction (it opens its own); its outcome is
 * then recorded only if this worker still holds the job (same attempt number), so a worker that
 * overran its lease cannot overwrite the outcome of the retry that replaced it.
 */
async function runJob(deps: Deps, job: JobRow, clock: () => Date, leaseMs: number, log: (m: string) => void): Promise<'done' | 'retried' | 'failed' | 'lost'> {
  const handler = jobHandler(job.kind);
  // While the handler runs, the lease is renewed at half its length, so only a dead worker loses it.
  const renew = setInterval(() => {
    extendLease(deps.database, job, new Date(clock().getTime() + leaseMs)).catch((e: unknown) => log(`lease renewal of ${job.id} failed: ${(e as Error).message}`));
  }, Math.max(1000, leaseMs / 2));
  renew.unref();
  let failure: { error: unknown } | null = null;
  try {
    if (!handler) throw new Error(`No handler registered for job kind "${job.kind}".`);
    await handler({ deps, workspaceId: job.workspaceId, jobId: job.id, payload: job.payload, now: clock() });
  } catch (e) {
    failure = { error: e };
  } finally {
    clearInterval(renew);
  }
  if (failure) {
    const now = clock();
    const error = describeError(failure.error);
    const after = await deps.database.transaction(async (tx) => {
      const updated = await recordJobFailure(tx, job, now, error, new Date(now.getTime() + retryDelayMs(job.attempts)));
      if (updated?.status === 'failed') await notifyAdminsOfFailure(tx, updated);
      return updated;
    });
    if (!after) return 'lost';
    log(`job ${job.id} (${job.kind}) attempt ${job.attempts}/${job.maxAttempts} failed: ${error.split('\n')[0]}`);
    return after.status === 'failed' ? 'failed' : 'retried';
  }
  return (await completeJob(deps.database, job, clock())) ? 'done' : 'lost';
}

/**
 * Runs the due jobs of every workspace until none is left (or maxJobs ran). Safe to call from any
 * number of workers and instances at once: each job is claimed by exactly one of them.
 */
export async function drainJobs(deps: Deps, opts: WorkerOptions = {}): Promise<DrainResult> {
  const clock = opts.now ?? deps.now;
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const log = opts.log ?? (() => {});
  const result: DrainResult = { ran: 0, done: 0, retried: 0, failed: 0 };
  const maxJobs = opts.maxJobs ?? 1000;
  const kinds = registeredKinds();
  for (const workspaceId of await workspacesWithDueJobs(deps.database, clock())) {
    // A job whose worker died on its last allowed attempt cannot be claimed again; report it.
    await deps.database.transaction(async (tx) => {
      for (const job of await failAbandonedJobs(tx, workspaceId, clock())) {
        result.failed++;
        await notifyAdminsOfFailure(tx, job);
      }
    });
    while (result.ran < maxJobs) {
      const job = await claimJob(deps.database, workspaceId, clock(), leaseMs, kinds);
      if (!job) break;
      result.ran++;
      const outcome = await runJob(deps, job, clock, leaseMs, log);
      if (outcome !== 'lost') result[outcome]++;
    }
  }
  return result;
}
