/**
 * Baseline for bench/api.ts: node:http + pg and nothing else, answering GET /leads with the very
 * statement the app's lead list runs (text and parameters handed over by the parent), so the
 * difference to the real server is the framework, auth, validation and presentation work.
 * Usage (by bench/api.ts): node --import tsx bench/api-bare.ts <spec.json>
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { answerBenchMessages } from './child-ipc.js';

type Spec = { databaseUrl: string; text: string; params: unknown[]; limit: number; poolSize: number };
const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Spec;
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
const pool = new pg.Pool({ connectionString: spec.databaseUrl, max: spec.poolSize });
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const ownerId = url.searchParams.get('ownerId') ?? '';
  if (url.pathname !== '/leads' || !uuid.test(ownerId)) { res.writeHead(404).end(); return; }
  pool.query(spec.text, spec.params).then((r) => {
    const rows = r.rows as Record<string, unknown>[];
    const more = rows.length > spec.limit;
    const page = more ? rows.slice(0, spec.limit) : rows;
    const last = page.at(-1);
    const nextCursor = more && last ? Buffer.from(JSON.stringify([last['__sort'], last['id']])).toString('base64url') : null;
    for (const row of page) delete row['__sort'];
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: page, nextCursor }));
  }, (e: Error) => { res.writeHead(500).end(e.message); });
});
answerBenchMessages();
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  console.log(`PORT ${typeof a === 'object' && a ? a.port : 0}`);
});
process.on('SIGTERM', () => { server.close(); void pool.end().then(() => process.exit(0)); });
