import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, PASSWORD, setupWorkspace, testApp, type TestApp } from './harness.js';

let t: TestApp;
beforeAll(async () => { t = await testApp(); });
afterAll(async () => { await t.close(); });

describe('setup and login', () => {
  it('reports that setup is needed on an empty database, then not after it', async () => {
    const c = new Client(t);
    expect((await c.get('/api/v1/setup')).body).toEqual({ needed: true });
    await setupWorkspace(t);
    expect((await c.get('/api/v1/setup')).body).toEqual({ needed: false });
  });

  it('refuses a second setup with 409', async () => {
    const r = await new Client(t).post('/api/v1/setup', { workspaceName: 'Otra', name: 'X', email: 'x@x.es', password: PASSWORD });
    expect(r.status).toBe(409);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.code).toBe('setup_already_done');
  });

  it('answers 401 to protected routes without a session', async () => {
    const r = await new Client(t).get('/api/v1/companies');
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('unauthenticated');
  });

  it('logs in with the right password, not with a wrong one', async () => {
    const c = new Client(t);
    const bad = await c.post('/api/v1/auth/login', { email: 'ana@garcia.es', password: 'wrong password!' });
    expect(bad.status).toBe(401);
    await c.login('ANA@garcia.es', PASSWORD);
    const me = await c.get('/api/v1/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe('ana@garcia.es');
    expect(me.body.user.role).toBe('admin');
    expect(me.body.workspace.currency).toBe('EUR');
  });

  it('refuses writes without the CSRF header when authenticated by cookie', async () => {
    const c = new Client(t);
    await c.login('ana@garcia.es', PASSWORD);
    const r = await c.post('/api/v1/companies', { name: 'Sin CSRF' }, { 'x-csrf-token': 'nope' });
    expect(r.status).toBe(403);
    expect(r.body.reason).toBe('csrf');
    const ok = await c.post('/api/v1/companies', { name: 'Con CSRF' });
    expect(ok.status).toBe(201);
  });

  it('sets an HttpOnly, SameSite session cookie', async () => {
    const res = await t.app.request('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ana@garcia.es', password: PASSWORD }) });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });

  it('logout ends the session everywhere once the signed cookie is revalidated', async () => {
    const c = new Client(t);
    await c.login('ana@garcia.es', PASSWORD);
    const stolen = c.cookie;
    expect((await c.post('/api/v1/auth/logout')).status).toBe(204);
    const replay = new Client(t);
    replay.cookie = stolen;
    t.setNow(new Date(Date.now() + 2 * 60_000));
    try {
      expect((await replay.get('/api/v1/auth/me')).status).toBe(401);
    } finally {
      t.setNow(new Date());
    }
  });

  it('rate-limits repeated failed logins for one account', async () => {
    const c = new Client(t);
    for (let i = 0; i < 10; i++) await c.post('/api/v1/auth/login', { email: 'victim@garcia.es', password: 'guess number ' + i });
    const r = await c.post('/api/v1/auth/login', { email: 'victim@garcia.es', password: 'another guess' });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('900');
  });
});
