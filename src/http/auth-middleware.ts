import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { AppError } from '../domain/errors.js';
import type { Actor } from '../domain/access.js';
import { requiredScope, scopeAllows } from '../domain/api-scope.js';
import { findApiToken, findLiveSession } from '../db/queries/auth.js';
import { csrfTokenFor, REVALIDATE_SECONDS, safeEqual, sha256, signClaims, verifyClaims, type SessionClaims } from '../auth/tokens.js';
import type { AppEnv, Deps } from './context.js';

export const SESSION_COOKIE = 'seg_session';
export const CSRF_HEADER = 'x-csrf-token';

const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function writeSessionCookie(c: Context, deps: Deps, claims: SessionClaims) {
  setCookie(c, SESSION_COOKIE, signClaims(claims, deps.secret), {
    httpOnly: true,
    secure: deps.config.secureCookies,
    sameSite: 'Lax',
    path: '/',
    expires: new Date(claims.exp * 1000),
  });
}

export function clearSessionCookie(c: Context, deps: Deps) {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: deps.config.secureCookies });
}

const unauthenticated = () => new AppError('unauthenticated', 'Log in or send a valid API token.');

/**
 * Authenticates every request under it: `Authorization: Bearer <api token>` for integrations, or
 * the session cookie for the web app (then unsafe methods also need the CSRF header).
 */
export function authenticate(deps: Deps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) throw unauthenticated();
      const user = await findApiToken(deps.database, sha256(m[1]!));
      if (!user) throw unauthenticated();
      // Scopes narrow a token to some resource areas; a session cookie is never limited by them.
      const needed = requiredScope(c.req.method, c.req.path);
      if (!scopeAllows(user.scopes, needed)) {
        throw new AppError('forbidden', needed ? `This API token lacks the scope "${needed}".` : 'This endpoint needs an API token without scopes (full access).', [], { scope: needed ?? 'full_access' });
      }
      c.set('actor', { workspaceId: user.workspaceId, userId: user.id, role: user.role, teamId: user.teamId });
      c.set('auth', { kind: 'token', scopes: user.scopes });
      return next();
    }
    const cookie = getCookie(c, SESSION_COOKIE);
    if (!cookie) throw unauthenticated();
    let claims = verifyClaims(cookie, deps.secret);
    const nowS = Math.floor(deps.now().getTime() / 1000);
    if (!claims || claims.exp <= nowS) {
      clearSessionCookie(c, deps);
      throw unauthenticated();
    }
    if (nowS - claims.chk > REVALIDATE_SECONDS) {
      const live = await findLiveSession(deps.database, sha256(claims.tok));
      if (!live) {
        clearSessionCookie(c, deps);
        throw unauthenticated();
      }
      claims = { ...claims, ws: live.workspaceId, uid: live.id, role: live.role, team: live.teamId, chk: nowS };
      writeSessionCookie(c, deps, claims);
    }
    if (unsafe.has(c.req.method)) {
      const sent = c.req.header(CSRF_HEADER);
      if (!sent || !safeEqual(sent, csrfTokenFor(claims.tok, deps.secret))) {
        throw new AppError('forbidden', 'Missing or invalid CSRF token (send the X-CSRF-Token header).', [], { reason: 'csrf' });
      }
    }
    const actor: Actor = { workspaceId: claims.ws, userId: claims.uid, role: claims.role, teamId: claims.team };
    c.set('actor', actor);
    c.set('auth', { kind: 'session', token: claims.tok });
    return next();
  };
}
