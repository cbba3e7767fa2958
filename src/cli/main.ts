import { parseArgs } from 'node:util';
import { loadConfig, ConfigError, describeConfig } from '../config.js';
import { startServer, createDeps } from '../server.js';
import { openDatabase } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { commands as userCommands } from './users.js';
import { commands as jobCommands } from '../jobs/cli.js';
import { commands as demoCommands } from './demo.js';
import { commands as funnelCommands } from './funnel.js';
import { commands as importCommands } from './import.js';

type Command = { summary: string; run: (argv: string[]) => Promise<void> };

const commands: Record<string, Command> = {
  serve: {
    summary: 'Start the web app and API (migrates first)',
    async run() {
      const app = await startServer(loadConfig());
      const stop = async () => { await app.close(); process.exit(0); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
  },
  migrate: {
    summary: 'Apply pending database migrations and exit',
    async run() {
      const config = loadConfig();
      const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      const v = await migrate(db, console.log);
      console.log(`schema version ${v} (${db.engine})`);
      await db.close();
    },
  },
  config: {
    summary: 'List the environment variables Seguimiento reads',
    async run() {
      for (const v of describeConfig()) console.log(`${v.name.padEnd(20)} ${v.description}`);
    },
  },
  metrics: {
    summary: 'Recompute the dashboard\'s daily rollups from raw rows: metrics rebuild [--workspace <id>]',
    run: async (argv) => (await import('./metrics.js')).runMetrics(argv),
  },
  ...userCommands,
  ...jobCommands,
  ...demoCommands,
  ...funnelCommands,
  ...importCommands,
};

export { createDeps };

async function main(argv: string[]) {
  const [name, ...rest] = argv;
  const cmd = name ? commands[name] : undefined;
  if (!cmd) {
    const { values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, strict: false });
    if (name && !values.help) console.error(`Unknown command: ${name}\n`);
    console.log('Usage: seguimiento <command> [options]\n\nCommands:');
    for (const [n, c] of Object.entries(commands)) console.log(`  ${n.padEnd(14)} ${c.summary}`);
    process.exit(name && !values.help ? 2 : 0);
  }
  await cmd.run(rest);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof ConfigError) console.error(e.message);
  else if (e instanceof Error && e.name === 'AppError') console.error(`Error: ${e.message}${'fields' in e ? '\n' + JSON.stringify((e as { fields: unknown }).fields, null, 2) : ''}`);
  else console.error(e);
  process.exit(1);
});
