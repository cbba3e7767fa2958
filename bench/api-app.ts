/**
 * The real Seguimiento server for bench/api.ts, in its own process so that it can be profiled.
 * Usage (by bench/api.ts, with an IPC channel): node --import tsx bench/api-app.ts <databaseUrl> <poolSize>
 */
import { loadConfig } from '../src/config.js';
import { startServer } from '../src/server.js';
import { answerBenchMessages } from './child-ipc.js';

const app = await startServer(loadConfig({
  DATABASE_URL: process.argv[2], DATABASE_POOL_SIZE: process.argv[3] ?? '10', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn',
}), () => {});
answerBenchMessages();
console.log(`PORT ${app.port}`);
process.on('SIGTERM', () => { void app.close().finally(() => process.exit(0)); });
