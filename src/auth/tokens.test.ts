import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { csrfTokenFor, randomToken, safeEqual, sha256, signClaims, verifyClaims, type SessionClaims } from './tokens.js';

const secret = 'k'.repeat(64);
const claims: SessionClaims = { tok: 'session-token', ws: 'ws-1', uid: 'user-1', role: 'sales', team: null, chk: 1_700_000_000, exp: 1_700_086_400 };

describe('signed session claims', () => {
  it('round-trips claims signed with the secret', () => {
    expect(verifyClaims(signClaims(claims, secret), secret)).toEqual(claims);
  });

  it('refuses claims signed with another secret', () => {
    expect(verifyClaims(signClaims(claims, secret), 'x'.repeat(64))).toBeNull();
  });

  it('refuses a cookie whose payload was edited, e.g. to become admin', () => {
    const cookie = signClaims(claims, secret);
    const [, sig] = cookie.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    expect(verifyClaims(`${forged}.${sig}`, secret)).toBeNull();
  });

  it('refuses malformed cookies without throwing', () => {
    for (const c of ['', 'no-dot', '.sig', 'payload.', 'a.b.c', '%%%.%%%']) expect(verifyClaims(c, secret), c).toBeNull();
  });

  it('refuses a correctly signed payload that is not JSON', () => {
    const payload = Buffer.from('not json').toString('base64url');
    const sig = createHmac('sha256', secret).update(payload).digest('base64url');
    expect(verifyClaims(`${payload}.${sig}`, secret)).toBeNull();
  });
});

describe('tokens and digests', () => {
  it('makes url-safe random tokens of the requested entropy, never twice the same', () => {
    const a = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(a);
    expect(randomToken(16)).toHaveLength(22);
  });

  it('hashes with SHA-256 in base64url', () => {
    expect(sha256('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });

  it('derives one CSRF token per session and secret', () => {
    expect(csrfTokenFor('s1', secret)).toBe(csrfTokenFor('s1', secret));
    expect(csrfTokenFor('s1', secret)).not.toBe(csrfTokenFor('s2', secret));
    expect(csrfTokenFor('s1', secret)).not.toBe(csrfTokenFor('s1', 'y'.repeat(64)));
  });

  it('compares secrets in constant time, including strings of different length', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('ñ', 'nn')).toBe(false);
  });
});
