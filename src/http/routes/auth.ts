import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { AppError } from '../../domain/errors.js';
import type { Role } from '../../domain/access.js';
import { dummyHashPromise, verifyPassword } from '../../auth/password.js';
import { csrfTokenFor, randomToken, sha256 } from '../../auth/tokens.js';
import {
  clearFailures, countRecentFailures, createSession, deleteSession, findUser, findUserByEmail, recordFailure,
} from '../../db/queries/auth.js';
import { newRouter, type AppEnv, type Deps } from '../context.js';
import { authenticate, clearSessionCookie, writeSessionCookie } from '../auth-middleware.js';
import { SessionOut, UserOut } from '../schemas.js';

/** Login throttling: per account and per client address, over a sliding window. */
export const LOGIN_WINDOW_MINUTES = 15;
export const MAX_FAILURES_PER_EMAIL = 10;
export const MAX_FAILURES_PER_IP = 50;

export async function startSession(c: Context, deps: Deps, user: { workspaceId: string; id: string; role: Role; teamId: string | null }) {
  const token = randomToken();
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + deps.config.sessionTtlHours * 3600_000);
  await createSession(deps.database, { id: sha256(token), workspaceId: user.workspaceId, userId: user.id, expiresAt, userAgent: c.req.header('user-agent')?.slice(0, 300) ?? null });
  const nowS = Math.floor(now.getTime() / 1000);
  writeSessionCookie(c, deps, { tok: token, ws: user.workspaceId, uid: user.id, role: user.role, team: user.teamId, chk: nowS, exp: Math.floor(expiresAt.getTime() / 1000) });
  return { csrfToken: csrfTokenFor(token, deps.secret), userId: user.id, workspaceId: user.workspaceId };
}

function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const LoginIn = z.strictObject({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(200),
}).openapi('LoginInput');

export function authRoutes(deps: Deps) {
  const r = newRouter();
  r.openapi(createRoute({
    method: 'post', path: '/auth/login', tags: ['auth'], summary: 'Log in with email and password (sets the session cookie)',
    request: { body: { content: { 'application/json': { schema: LoginIn } }, required: true } },
    responses: {
      200: { description: 'Logged in', content: { 'application/json': { schema: SessionOut } } },
      401: { description: 'Wrong email or password' },
      429: { description: 'Too many failed attempts' },
    },
  }), async (c) => {
    const { email, password } = c.req.valid('json');
    const emailKey = `email:${email.toLowerCase()}`;
    const ipKey = `ip:${clientAddress(c)}`;
    const failures = await countRecentFailures(deps.database, [emailKey, ipKey], LOGIN_WINDOW_MINUTES);
    if ((failures[emailKey] ?? 0) >= MAX_FAILURES_PER_EMAIL || (failures[ipKey] ?? 0) >= MAX_FAILURES_PER_IP) {
      c.header('Retry-After', String(LOGIN_WINDOW_MINUTES * 60));
      throw new AppError('rate_limited', 'Too many failed logins. Try again in 15 minutes.');
    }
    const user = await findUserByEmail(deps.database, email);
    // Verify against a dummy hash when the account is unknown, so response time does not reveal it.
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHashPromise));
    if (!user || !ok || !user.isActive) {
      await recordFailure(deps.database, [emailKey, ipKey]);
      throw new AppError('unauthenticated', 'Wrong email or password.', [], { reason: 'bad_credentials' });
    }
    await clearFailures(deps.database, emailKey);
    return c.json(await startSession(c, deps, user), 200);
  });

  const authed = newRouter();
  authed.use('*', authenticate(deps));
  authed.openapi(createRoute({
    method: 'post', path: '/auth/logout', tags: ['auth'], summary: 'End the current session',
    responses: { 204: { description: 'Logged out' } },
  }), async (c) => {
    const auth = c.get('auth');
    if (auth.kind === 'session') await deleteSession(deps.database, sha256(auth.token));
    clearSessionCookie(c, deps);
    return c.body(null, 204);
  });

  authed.openapi(createRoute({
    method: 'get', path: '/auth/me', tags: ['auth'], summary: 'The logged-in user, the workspace and the CSRF token',
    responses: { 200: { description: 'Current user', content: { 'application/json': { schema: MeOut } } } },
  }), async (c) => {
    const actor = c.get('actor');
    const auth = c.get('auth');
    const user = await findUser(deps.database, actor.workspaceId, actor.userId);
    if (!user) throw new AppError('unauthenticated', 'The user no longer exists.');
    const rows = await deps.database.query<{ id: string; name: string; currency: string; timeZone: string; locale: string; defaultCountry: string }>(
      `SELECT id, name, currency, time_zone AS "timeZone", locale, default_country AS "defaultCountry" FROM workspace WHERE id = $1`, [actor.workspaceId]);
    return c.json({
      user: { id: user.id, email: user.email, name: user.name, role: user.role, teamId: user.teamId, locale: user.locale },
      workspace: rows[0]!,
      csrfToken: auth.kind === 'session' ? csrfTokenFor(auth.token, deps.secret) : null,
    }, 200);
  });
  r.route('/', authed);
  return r;
}

const MeOut = z.object({
  user: UserOut.pick({ id: true, email: true, name: true, role: true, teamId: true, locale: true }),
  workspace: z.object({ id: z.uuid(), name: z.string(), currency: z.string(), timeZone: z.string(), locale: z.string(), defaultCountry: z.string() }),
  csrfToken: z.string().nullable(),
}).openapi('Me');

export type AuthedEnv = AppEnv;
