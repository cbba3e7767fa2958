import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from '../domain/access.js';

export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');
export const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

/**
 * The session cookie carries the session's secret token plus a signed copy of who the user is and
 * when that was last checked against the database. Requests within REVALIDATE_SECONDS of the check
 * are authenticated by the signature alone (no query); after that the session row and the user are
 * read again and the cookie re-issued. So a logout, a disabled user or a role change takes effect
 * everywhere within that time, with no state held in any app instance.
 */
export const REVALIDATE_SECONDS = 60;

export type SessionClaims = {
  /** session token (secret; its sha256 is the session row's id) */
  tok: string;
  ws: string;
  uid: string;
  role: Role;
  team: string | null;
  /** unix seconds of the last database check */
  chk: number;
  /** unix seconds when the session expires */
  exp: number;
};

export function signClaims(claims: SessionClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const sig = createHmac('sha256', secret).update(payload).digest('base64url');
  return `${payload}.${sig}`;
}

export function verifyClaims(cookie: string, secret: string): SessionClaims | null {
  const dot = cookie.indexOf('.');
  if (dot < 1) return null;
  const payload = cookie.slice(0, dot);
  const sig = Buffer.from(cookie.slice(dot + 1), 'base64url');
  const expected = createHmac('sha256', secret).update(payload).digest();
  if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) return null;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SessionClaims;
  } catch {
    return null;
  }
}

/** CSRF token bound to the session: derived, so nothing more is stored. */
export const csrfTokenFor = (sessionToken: string, secret: string) =>
  createHmac('sha256', secret).update(`csrf:${sessionToken}`).digest('base64url');

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
