/**
 * The jobs of Seguimiento. Importing this module registers every built-in job kind and schedule;
 * a feature with its own jobs (e.g. the email digest) registers them in its module, imported here.
 */
import './fan-out.js';
import './overdue.js';
import './retention.js';
import './digest.js';
import './weekly-summary.js';
import './duplicates.js';
import './webhooks.js';
import './import.js';
import './lifecycle.js';
import './score.js';
import './segment-stats.js';
import './funnel.js';

export { createScheduler, type Scheduler, type SchedulerOptions, type TickResult } from './scheduler.js';
export { drainJobs } from './worker.js';
export { enqueue } from './queue.js';
