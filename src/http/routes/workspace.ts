import { createRoute, z } from '@hono/zod-openapi';
import { write } from '../../db/repository.js';
import { findWorkspace, updateWorkspace, type WorkspaceRow } from '../../db/queries/workspace-settings.js';
import { assertAdmin } from '../../domain/access.js';
import { AppError, fieldError, invalid } from '../../domain/errors.js';
import { followUpWindowOf, parseFollowUpWindowSetting } from '../../domain/follow-up.js';
import { MAX_RETENTION_DAYS, retentionDaysOf } from '../../domain/retention.js';
import { cadenceDaysOf } from '../../domain/today.js';
import { profileSettingsOf } from '../../domain/profile.js';
import { expectedVersion } from '../resource.js';
import { newRouter, type Deps } from '../context.js';
import { problemResponses, TimestampOut, Uuid } from '../schemas.js';
import { isValidTimeZone } from './setup.js';
import { isZoneKnownToDatabase } from '../../db/queries/metrics/rollups.js';

/*
 * The typed workspace settings. Each one is read by the domain function of the feature that uses
 * it, with its default and range (cadence for Today, the post-sale follow-up window, retention of
 * cancelled records); this schema validates what an admin sends with the same ranges, and the
 * answer shows the values as those features see them.
 */
const followUpWindowPatch = z.strictObject({
  minDays: z.number().int().min(0).max(365).optional(),
  maxDays: z.number().int().min(0).max(365).optional(),
  dueTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Local time HH:MM, e.g. 10:00').optional(),
});
const SettingsPatch = z.strictObject({
  cadenceDays: z.number().int().min(1).max(365).optional(),
  followUpWindow: followUpWindowPatch.optional().openapi({ description: 'Merged over the current window; minDays ≤ maxDays' }),
  retentionDays: z.number().int().min(1).max(MAX_RETENTION_DAYS).optional(),
  profile: z.strictObject({
    sensitiveRoles: z.array(z.enum(['admin', 'manager', 'sales'])).max(3).optional(),
    formerAfterMonths: z.number().int().min(1).max(120).optional(),
    potentialProbability: z.number().int().min(1).max(100).optional(),
  }).optional().openapi({ description: 'Client profile; merged over the current values (docs/profile.md)' }),
}).openapi('WorkspaceSettingsPatch');
export const WorkspaceSettings = z.object({
  cadenceDays: z.number().int().openapi({ description: 'Days without contact before a client shows as stale in Today (default 7)' }),
  followUpWindow: z.object({ minDays: z.number().int(), maxDays: z.number().int(), dueTime: z.string() })
    .openapi({ description: 'Post-sale follow-up: from day minDays to day maxDays after the sale (default 2 to 7), planned at dueTime' }),
  retentionDays: z.number().int().openapi({ description: 'Days a cancelled record is kept before it is deleted for good (default 365)' }),
  profile: z.object({
    sensitiveRoles: z.array(z.enum(['admin', 'manager', 'sales'])).openapi({ description: 'Roles that see and edit birth date, marital status, occupation and sensitive custom fields (default admin, manager; admin always)' }),
    formerAfterMonths: z.number().int().openapi({ description: 'A client with no purchase for this many months becomes a former client (default 18)' }),
    potentialProbability: z.number().int().openapi({ description: 'An open lead at this probability makes its contact a potential client (default 50)' }),
  }),
}).openapi('WorkspaceSettings');
export type WorkspaceSettingsValue = z.infer<typeof WorkspaceSettings>;

/** The settings as the features apply them: stored values when valid, otherwise their defaults. */
export function readWorkspaceSettings(stored: Record<string, unknown> | null | undefined, timeZone: string): WorkspaceSettingsValue {
  const { timeZone: _tz, ...followUpWindow } = followUpWindowOf(stored, timeZone);
  return { cadenceDays: cadenceDaysOf(stored), followUpWindow, retentionDays: retentionDaysOf(stored), profile: profileSettingsOf(stored) };
}

/** Merges a settings patch over the stored settings; keys other features keep there are carried over. */
function mergeSettings(stored: Record<string, unknown>, timeZone: string, patch: z.infer<typeof SettingsPatch>): Record<string, unknown> {
  const current = readWorkspaceSettings(stored, timeZone);
  const merged: Record<string, unknown> = { ...stored, ...current, ...patch };
  if (patch.profile) merged['profile'] = profileSettingsOf({ profile: { ...current.profile, ...patch.profile } });
  if (patch.followUpWindow) {
    try {
      merged['followUpWindow'] = parseFollowUpWindowSetting({ ...current.followUpWindow, ...patch.followUpWindow });
    } catch (e) {
      if (e instanceof AppError) throw invalid(e.fields.map((f) => ({ ...f, field: `settings.${f.field}` })));
      throw e;
    }
  }
  return merged;
}

const WorkspacePatch = z.strictObject({
  name: z.string().trim().min(1).max(120).optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code, e.g. EUR').optional(),
  timeZone: z.string().min(1).max(64).optional().openapi({ description: 'IANA time zone, e.g. Europe/Madrid (refused with timeZone/invalid_time_zone when unknown)' }),
  locale: z.enum(['es', 'en']).optional(),
  defaultCountry: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 code, e.g. ES').optional(),
  settings: SettingsPatch.optional(),
  version: z.number().int().optional(),
}).openapi('WorkspacePatch');

const WorkspaceOut = z.object({
  id: Uuid, name: z.string(), currency: z.string(), timeZone: z.string(), locale: z.string(), defaultCountry: z.string(),
  settings: WorkspaceSettings, createdAt: TimestampOut, updatedAt: TimestampOut, version: z.number().int(),
}).openapi('Workspace');

const present = (w: WorkspaceRow) => ({ ...w, settings: readWorkspaceSettings(w.settings, w.timeZone) });

/** The workspace's profile and settings: everyone reads them (currency, time zone); admins change them. */
export function workspaceRoutes(deps: Deps) {
  const r = newRouter();
  r.openapi(createRoute({
    method: 'get', path: '/workspace', tags: ['workspace'], summary: 'The workspace profile and settings (defaults filled in)',
    responses: { 200: { description: 'Workspace', content: { 'application/json': { schema: WorkspaceOut } } }, ...problemResponses },
  }), async (c) => {
    const w = await findWorkspace(deps.database.db, c.get('actor').workspaceId);
    c.header('ETag', `"${w.version}"`);
    return c.json(present(w) as never, 200);
  });

  r.openapi(createRoute({
    method: 'patch', path: '/workspace', tags: ['workspace'],
    summary: 'Change the workspace profile or settings (settings are merged key by key)',
    request: { body: { content: { 'application/json': { schema: WorkspacePatch } }, required: true } },
    responses: { 200: { description: 'Updated', content: { 'application/json': { schema: WorkspaceOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertAdmin(actor);
    const { version, settings, ...patch } = c.req.valid('json');
    // Every local day (today list, metrics, rollups) is computed both in JS and in SQL: a zone either
    // side does not know is refused here rather than read as UTC later.
    if (patch.timeZone !== undefined && !(isValidTimeZone(patch.timeZone) && await isZoneKnownToDatabase(deps.database, patch.timeZone))) {
      throw fieldError('timeZone', 'invalid_time_zone', 'Unknown IANA time zone, e.g. Europe/Madrid.');
    }
    const expected = expectedVersion(c, version);
    const row = await write(deps.database, async (tx) => {
      const before = await findWorkspace(tx, actor.workspaceId, true);
      const values: Partial<WorkspaceRow> = { ...patch };
      if (settings) values.settings = mergeSettings(before.settings, patch.timeZone ?? before.timeZone, settings);
      return updateWorkspace(tx, actor, before, values, expected);
    });
    c.header('ETag', `"${row.version}"`);
    return c.json(present(row) as never, 200);
  });
  return r;
}
