import type { Database } from '../client.js';
import type { Role } from '../../domain/access.js';

export type AuthUser = {
  workspaceId: string;
  id: string;
  email: string;
  name: string;
  role: Role;
  teamId: string | null;
  locale: 'es' | 'en' | null;
  isActive: boolean;
  passwordHash: string | null;
};

const userCols = `workspace_id AS "workspaceId", id, email, name, role, team_id AS "teamId", locale,
  is_active AS "isActive", password_hash AS "passwordHash"`;

export async function findUserByEmail(d: Database, email: string): Promise<AuthUser | null> {
  const rows = await d.query<AuthUser>(`SELECT ${userCols} FROM app_user WHERE lower(email) = lower($1)`, [email]);
  return rows[0] ?? null;
}

export async function findUser(d: Database, workspaceId: string, id: string): Promise<AuthUser | null> {
  const rows = await d.query<AuthUser>(`SELECT ${userCols} FROM app_user WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
  return rows[0] ?? null;
}

export async function createSession(d: Database, s: { id: string; workspaceId: string; userId: string; expiresAt: Date; userAgent: string | null }) {
  await d.query('INSERT INTO session (id, workspace_id, user_id, expires_at, user_agent) VALUES ($1, $2, $3, $4, $5)',
    [s.id, s.workspaceId, s.userId, s.expiresAt, s.userAgent]);
}

/** The session joined with its user, if the session exists, is not expired and the user is active. */
export async function findLiveSession(d: Database, id: string): Promise<(AuthUser & { expiresAt: Date }) | null> {
  const rows = await d.query<AuthUser & { expiresAt: Date }>(
    `SELECT u.workspace_id AS "workspaceId", u.id, u.email, u.name, u.role, u.team_id AS "teamId", u.locale,
            u.is_active AS "isActive", NULL AS "passwordHash", s.expires_at AS "expiresAt"
       FROM session s JOIN app_user u ON u.workspace_id = s.workspace_id AND u.id = s.user_id
      WHERE s.id = $1 AND s.expires_at > now() AND u.is_active`, [id], 'find_live_session');
  return rows[0] ?? null;
}

export async function deleteSession(d: Database, id: string) {
  await d.query('DELETE FROM session WHERE id = $1', [id]);
}

export async function deleteUserSessions(d: Database, workspaceId: string, userId: string) {
  await d.query('DELETE FROM session WHERE workspace_id = $1 AND user_id = $2', [workspaceId, userId]);
}

/** The token's user, with the token's scopes (null: the user's full rights, src/domain/api-scope.ts). */
export async function findApiToken(d: Database, tokenHash: string): Promise<(AuthUser & { scopes: string[] | null }) | null> {
  const rows = await d.query<AuthUser & { scopes: string[] | null }>(
    `UPDATE api_token t SET last_used_at = now()
       FROM app_user u
      WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
        AND u.workspace_id = t.workspace_id AND u.id = t.user_id AND u.is_active
        AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute')
  RETURNING u.workspace_id AS "workspaceId", u.id, u.email, u.name, u.role, u.team_id AS "teamId", u.locale,
            u.is_active AS "isActive", NULL AS "passwordHash", t.scopes`, [tokenHash], 'find_api_token_touch');
  if (rows[0]) return rows[0];
  // Used within the last minute: not touched again (keeps the hot path free of writes).
  const read = await d.query<AuthUser & { scopes: string[] | null }>(
    `SELECT u.workspace_id AS "workspaceId", u.id, u.email, u.name, u.role, u.team_id AS "teamId", u.locale,
            u.is_active AS "isActive", NULL AS "passwordHash", t.scopes
       FROM api_token t JOIN app_user u ON u.workspace_id = t.workspace_id AND u.id = t.user_id
      WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()) AND u.is_active`,
    [tokenHash], 'find_api_token');
  return read[0] ?? null;
}

/** Failed logins for a key (email or IP) in the window; stored in the database so every instance agrees. */
export async function countRecentFailures(d: Database, keys: string[], windowMinutes: number): Promise<Record<string, number>> {
  const rows = await d.query<{ key: string; n: number }>(
    `SELECT key, count(*)::int AS n FROM login_attempt WHERE key = ANY($1) AND at > now() - make_interval(mins => $2) GROUP BY key`,
    [keys, windowMinutes]);
  return Object.fromEntries(rows.map((r) => [r.key, r.n]));
}

export async function recordFailure(d: Database, keys: string[]) {
  await d.query('INSERT INTO login_attempt (key) SELECT unnest($1::text[])', [keys]);
}

export async function clearFailures(d: Database, key: string) {
  await d.query('DELETE FROM login_attempt WHERE key = $1', [key]);
}

/** The HMAC key shared by every instance: from config, else generated once and kept in the database. */
export async function loadOrCreateSecret(d: Database, generated: string): Promise<string> {
  await d.query('INSERT INTO app_setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', ['session_secret', generated]);
  const rows = await d.query<{ value: string }>('SELECT value FROM app_setting WHERE key = $1', ['session_secret']);
  return rows[0]!.value;
}
