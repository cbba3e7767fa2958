import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import pg from 'pg';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema.js';

export type Engine = 'pglite' | 'postgres';
export type Schema = typeof schema;
/** The typed query builder; identical API on both engines. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type Row = Record<string, unknown>;

export type Connection = {
  query<T extends Row = Row>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements, without parameters. */
  exec(script: string): Promise<void>;
};

/**
 * One handle over either engine. `query` is the raw path for hot, hand-written SQL
 * (prepared by name on PostgreSQL); `db` is Drizzle for everything else.
 */
export type Database = {
  engine: Engine;
  db: Db;
  query<T extends Row = Row>(text: string, params?: unknown[], name?: string): Promise<T[]>;
  /** Runs fn in one transaction on a single connection; rolled back if fn throws. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** Runs fn on one dedicated connection (session-level locks, scripts). */
  session<T>(fn: (conn: Connection) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** PGlite only: the data directory as a tarball. */
  dump?: () => Promise<Blob>;
};

// numeric comes back as string from pg by default; the API speaks numbers (amounts are < 2^53 cents).
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type OpenOptions = {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  poolSize?: number;
  /** PGlite only: start from a dumped data directory (tests use a migrated template). */
  template?: Blob;
};

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize ?? 10);
  return openPglite(opts.dataDir, opts.template);
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on('error', (err) => console.error('postgres pool error', err.message));
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  return {
    engine: 'postgres',
    db,
    async query(text, params = [], name) {
      const res = await pool.query(name ? { name, text, values: params } : { text, values: params });
      return res.rows;
    },
    transaction: (fn) => db.transaction(fn),
    async session(fn) {
      const client = await pool.connect();
      try {
        return await fn({
          query: async (text, params) => (await client.query(text, params)).rows,
          exec: async (script) => { await client.query(script); },
        });
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** dataDir undefined means in memory (tests). */
async function openPglite(dataDir: string | undefined, template?: Blob): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = new PGlite({
    ...(dataDir ? { dataDir } : {}),
    ...(template ? { loadDataDir: template } : {}),
    extensions: { pg_trgm, unaccent },
    parsers: { 1700: (v: string) => Number(v), 20: (v: string) => Number(v) },
  });
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    engine: 'pglite',
    db,
    async query(text, params = []) {
      const res = await client.query(text, params);
      return res.rows as never;
    },
    transaction: (fn) => db.transaction(fn),
    // PGlite is a single connection, so every call is already on "one session".
    session: (fn) => fn({
      query: async (text, params) => (await client.query(text, params)).rows as never,
      exec: async (script) => { await client.exec(script); },
    }),
    close: () => client.close(),
    dump: async () => (await client.dumpDataDir('none')) as Blob,
  };
}
