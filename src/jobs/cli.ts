import { loadConfig } from '../config.js';
import { createDeps } from '../server.js';
import { fieldError } from '../domain/errors.js';
import { createScheduler } from './index.js';

export const commands = {
  jobs: {
    summary: 'Background jobs: `jobs run-once` enqueues due scheduled runs and runs due jobs once, then exits (for cron or a manual catch-up)',
    async run(argv: string[]) {
      const [sub] = argv;
      if (sub !== 'run-once') throw fieldError('command', 'unknown_command', `Unknown jobs command "${sub ?? ''}". Usage: seguimiento jobs run-once`);
      const deps = await createDeps(loadConfig());
      try {
        const r = await createScheduler(deps, { log: console.log }).tick();
        console.log(`jobs: ${r.enqueued} enqueued, ${r.ran} ran (${r.done} done, ${r.retried} to retry, ${r.failed} failed)`);
      } finally {
        await deps.database.close();
      }
    },
  },
};
