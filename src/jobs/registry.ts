import type { Deps } from '../http/context.js';

/**
 * Job kinds and schedules, registered once at module load by the feature that owns them
 * (e.g. the daily digest registers its schedule and its handler). The scheduler and the worker
 * only read this registry; they know nothing of any particular job.
 */

export type JobContext = {
  deps: Deps;
  workspaceId: string;
  /** The job's deterministic id (e.g. `digest:2026-11-23:<userId>`); use it as an idempotency key. */
  jobId: string;
  payload: unknown;
  /** The worker's clock at the start of this attempt (injectable in tests). */
  now: Date;
};

/** Throwing fails the attempt; the worker retries with backoff up to the job's max attempts. */
export type JobHandler = (ctx: JobContext) => Promise<void>;

export type ScheduleWorkspace = { id: string; timeZone: string; settings: Record<string, unknown> };

/** One run a schedule wants: the id must be deterministic, so every instance asking gets the same one. */
export type DueRun = { id: string; kind: string; payload: unknown; runAt: Date };

export type Schedule = {
  name: string;
  /**
   * The runs due for this workspace at `now`. Called every scheduler tick (about once a minute) by
   * every app instance; returning a run again is harmless because enqueueing is idempotent on id.
   */
  due(now: Date, ws: ScheduleWorkspace): DueRun[];
};

const handlers = new Map<string, JobHandler>();
const scheduleList = new Map<string, Schedule>();

/** Registers the handler of a job kind; registering the same kind again replaces it (hot reload, tests). */
export function registerJob(kind: string, handler: JobHandler): void {
  handlers.set(kind, handler);
}

/** Registers a schedule by name; registering the same name again replaces it. */
export function registerSchedule(schedule: Schedule): void {
  scheduleList.set(schedule.name, schedule);
}

export function jobHandler(kind: string): JobHandler | undefined {
  return handlers.get(kind);
}

/** The kinds this process can run; a worker claims only these, so an older instance leaves newer kinds alone. */
export function registeredKinds(): string[] {
  return [...handlers.keys()];
}

export function registeredSchedules(): Schedule[] {
  return [...scheduleList.values()];
}
