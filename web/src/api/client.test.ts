import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, setCsrfToken, setUnauthenticatedHandler, toQueryString } from './client.js';

const problem = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json' } });

afterEach(() => { vi.unstubAllGlobals(); setCsrfToken(null); setUnauthenticatedHandler(null); });

describe('API client', () => {
  it('builds query strings without empty values and with comma lists', () => {
    expect(toQueryString({ q: 'García', stageId: ['a', 'b'], empty: '', none: undefined, n: 0, flag: false, list: [] })).toBe('?q=Garc%C3%ADa&stageId=a%2Cb&n=0&flag=false');
    expect(toQueryString({})).toBe('');
  });

  it('sends the CSRF token on writes only', async () => {
    const fetchMock = vi.fn(async () => new Response('{}', { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    setCsrfToken('tok-1');
    await api.get('/leads');
    await api.post('/leads', { title: 'x' });
    const headersOf = (i: number) => (fetchMock.mock.calls[i] as unknown as [string, RequestInit])[1].headers as Record<string, string>;
    expect(headersOf(0)['x-csrf-token']).toBeUndefined();
    expect(headersOf(1)['x-csrf-token']).toBe('tok-1');
    expect((fetchMock.mock.calls[1] as unknown as [string])[0]).toBe('/api/v1/leads');
  });

  it('turns problem+json into an error with its field errors and the current record of a conflict', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => problem(422, { code: 'validation', detail: 'bad', errors: [
      { field: 'email', code: 'invalid_format', message: 'x' }, { field: 'email', code: 'required', message: 'y' },
    ] })));
    const e = await api.post('/contacts', {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).status).toBe(422);
    expect((e as ApiError).byField()['email']?.code).toBe('invalid_format');

    vi.stubGlobal('fetch', vi.fn(async () => problem(409, { code: 'version_conflict', detail: 'stale', current: { version: 4 } })));
    const c = (await api.patch('/leads/1', { version: 3 }).catch((x: unknown) => x)) as ApiError;
    expect([c.code, (c.problem.current as { version: number }).version]).toEqual(['version_conflict', 4]);
  });

  it('reports a 401 to the app (to show the login) unless asked to stay quiet', async () => {
    const onUnauthenticated = vi.fn();
    setUnauthenticatedHandler(onUnauthenticated);
    vi.stubGlobal('fetch', vi.fn(async () => problem(401, { code: 'unauthenticated', detail: 'no' })));
    await api.get('/today').catch(() => undefined);
    expect(onUnauthenticated).toHaveBeenCalledTimes(1);
    await api.get('/auth/me', undefined, { quiet401: true }).catch(() => undefined);
    expect(onUnauthenticated).toHaveBeenCalledTimes(1);
  });

  it('gives a network failure its own code and survives a non-JSON error body', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch'); }));
    expect(((await api.get('/x').catch((e: unknown) => e)) as ApiError).code).toBe('network');
    vi.stubGlobal('fetch', vi.fn(async () => new Response('<html>Bad gateway</html>', { status: 502 })));
    const e = (await api.get('/x').catch((x: unknown) => x)) as ApiError;
    expect([e.status, e.code]).toEqual([502, 'http_502']);
  });
});
