import type { Deps } from '../http/context.js';
import { listWorkspacesForJobs } from '../db/queries/jobs.js';
import { registeredSchedules } from './registry.js';
import { enqueue } from './queue.js';
import { drainJobs, type DrainResult, type WorkerOptions } from './worker.js';

export type SchedulerOptions = WorkerOptions & {
  /** Time between ticks; one minute in production. */
  intervalMs?: number;
};

export type TickResult = DrainResult & { enqueued: number };

export type Scheduler = {
  /** One pass: enqueue every schedule's due runs for every workspace, then drain due jobs. */
  tick(): Promise<TickResult>;
  /** Starts ticking every intervalMs (first tick soon after start). */
  start(): void;
  /** Stops ticking and waits for a tick in progress to finish. */
  stop(): Promise<void>;
};

/**
 * Enqueues the runs every schedule says are due for every workspace. Every instance does this each
 * minute; the deterministic job ids make the second and later enqueues of a run no-ops.
 */
export async function enqueueDueRuns(deps: Deps, now: Date, log: (m: string) => void = () => {}): Promise<number> {
  let enqueued = 0;
  const schedules = registeredSchedules();
  if (schedules.length === 0) return 0;
  for (const ws of await listWorkspacesForJobs(deps.database)) {
    for (const schedule of schedules) {
      let runs;
      try {
        runs = schedule.due(now, { id: ws.id, timeZone: ws.timeZone, settings: ws.settings ?? {} });
      } catch (e) {
        // One broken schedule must not stop the others.
        log(`schedule ${schedule.name} failed for workspace ${ws.id}: ${(e as Error).message}`);
        continue;
      }
      for (const run of runs) {
        if (await enqueue(deps.database.db, { workspaceId: ws.id, id: run.id, kind: run.kind, payload: run.payload, runAt: run.runAt })) enqueued++;
      }
    }
  }
  return enqueued;
}

export function createScheduler(deps: Deps, opts: SchedulerOptions = {}): Scheduler {
  const clock = opts.now ?? deps.now;
  const log = opts.log ?? (() => {});
  const intervalMs = opts.intervalMs ?? 60_000;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  let stopped = false;

  async function tick(): Promise<TickResult> {
    const enqueued = await enqueueDueRuns(deps, clock(), log);
    const drained = await drainJobs(deps, { ...opts, now: clock, log });
    return { enqueued, ...drained };
  }

  function safeTick() {
    // A slow tick is not overlapped by the next one; the next minute picks up what is left.
    if (running || stopped) return;
    running = tick()
      .catch((e: unknown) => log(`jobs tick failed: ${(e as Error).message}`))
      .finally(() => { running = null; });
  }

  return {
    tick,
    start() {
      if (timer || stopped) return;
      timer = setInterval(safeTick, intervalMs);
      timer.unref();
      // The first tick a little after start, so the app is serving before jobs compete for the database.
      setTimeout(safeTick, Math.min(5_000, intervalMs)).unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
