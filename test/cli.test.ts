import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import pg from 'pg';
import { engine } from './harness.js';
import { openDatabase } from '../src/db/client.js';
import { verifyPassword } from '../src/auth/password.js';

// The CLI as a user runs it: a separate process configured only by environment variables.
let env: Record<string, string>;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seguimiento-cli-'));
  if (engine === 'pglite') {
    env = { DATA_DIR: join(dir, 'data') };
  } else {
    const name = `cli_${randomBytes(5).toString('hex')}`;
    const c = new pg.Client({ connectionString: inject('pgUrl') });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    env = { DATABASE_URL: inject('pgUrl').replace(/\/[^/]*$/, `/${name}`) };
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], extra: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', ...env, ...extra }, timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('the command line', { timeout: 120_000 }, () => {
  it('migrates an empty database and says which version and engine', () => {
    const r = cli(['migrate']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`schema version \\d+ \\(${engine}\\)`));
  });

  it('refuses a weak password, naming the field', () => {
    const r = cli(['setup', '--workspace', 'Ópticas Sol', '--name', 'Luis', '--email', 'luis@sol.es', '--password', 'short']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('password');
  });

  it('runs the one-time setup once, then refuses a second one', () => {
    const ok = cli(['setup', '--workspace', 'Ópticas Sol', '--name', 'Luis', '--email', 'luis@sol.es'], { SEGUIMIENTO_PASSWORD: 'una clave larga' });
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('Ópticas Sol');
    const again = cli(['setup', '--workspace', 'Otra', '--name', 'X', '--email', 'x@sol.es'], { SEGUIMIENTO_PASSWORD: 'una clave larga' });
    expect(again.code).toBe(1);
    expect(again.err).toContain('already set up');
  });

  it('creates a user whose password verifies, and rejects an unknown role', async () => {
    expect(cli(['create-user', '--email', 'Marta@Sol.es', '--name', 'Marta', '--role', 'boss', '--password', 'una clave larga']).code).toBe(1);
    const r = cli(['create-user', '--email', 'Marta@Sol.es', '--name', 'Marta', '--role', 'sales', '--password', 'una clave larga']);
    expect(r.code).toBe(0);
    const db = await openDatabase({ databaseUrl: env['DATABASE_URL'], dataDir: env['DATA_DIR'] });
    try {
      const rows = await db.query<{ email: string; role: string; password_hash: string }>('SELECT email, role, password_hash FROM app_user WHERE email = $1', ['marta@sol.es']);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.role).toBe('sales');
      expect(await verifyPassword('una clave larga', rows[0]!.password_hash)).toBe(true);
    } finally {
      await db.close();
    }
  });

  it('prints usage and fails on an unknown command', () => {
    const r = cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('Unknown command');
    expect(r.out).toContain('migrate');
  });
});
