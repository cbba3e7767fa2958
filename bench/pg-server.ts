/**
 * A throwaway PostgreSQL server (the tests' own, from test/postgres-server.ts) kept running until
 * Ctrl-C, so that one loaded dataset serves several benchmark runs:
 *   npx tsx bench/pg-server.ts            → prints DATABASE_URL=…
 *   DATABASE_URL=… npm run cli -- generate --leads 1000000
 *   npm run bench -- --engine postgres --database-url …   /   npm run bench:api -- --database-url …
 */
import { startPostgres } from '../test/postgres-server.js';

const server = await startPostgres();
console.log(`DATABASE_URL=${server.url()}`);
const stop = () => { server.stop(); process.exit(0); };
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
setInterval(() => undefined, 1 << 30);
