import { createRoute, z } from '@hono/zod-openapi';
import { write } from '../../db/repository.js';
import { findWorkspace, updateWorkspace, type WorkspaceRow } from '../../db/queries/workspace-settings.js';
import { assertAdmin } from '../../domain/access.js';
import { expectedVersion } from '../resource.js';
import { newRouter, type Deps } from '../context.js';
import { problemResponses, TimestampOut, Uuid } from '../schemas.js';
import { isValidTimeZone } from './setup.js';

const followUpWindow = z.strictObject({
  minDays: z.number().int().min(0).max(365),
  maxDays: z.number().int().min(0).max(365),
}).refine((w) => w.maxDays >= w.minDays, { path: ['maxDays'], message: 'maxDays must not be less than minDays.' });

/**
 * The typed workspace settings and their defaults: contact cadence for Today, the post-sale
 * follow-up window (day 2 to day 7 after the sale) and how long cancelled records are kept.
 */
export const settingsDefaults = { cadenceDays: 7, followUpWindow: { minDays: 2, maxDays: 7 }, retentionDays: 365 };
const settingFields = {
  cadenceDays: z.number().int().min(1).max(365),
  followUpWindow,
  retentionDays: z.number().int().min(1).max(3650),
};
export const WorkspaceSettings = z.strictObject({
  cadenceDays: settingFields.cadenceDays.default(settingsDefaults.cadenceDays),
  followUpWindow: settingFields.followUpWindow.default(settingsDefaults.followUpWindow),
  retentionDays: settingFields.retentionDays.default(settingsDefaults.retentionDays),
}).openapi('WorkspaceSettings');
export type WorkspaceSettingsValue = z.infer<typeof WorkspaceSettings>;
const SettingsPatch = z.strictObject({
  cadenceDays: settingFields.cadenceDays.optional(),
  followUpWindow: settingFields.followUpWindow.optional(),
  retentionDays: settingFields.retentionDays.optional(),
}).openapi('WorkspaceSettingsPatch');

/**
 * The settings as stored, each one falling back to its default when absent or no longer valid,
 * so a value written by an older version never breaks a read.
 */
export function readWorkspaceSettings(stored: Record<string, unknown> | null | undefined): WorkspaceSettingsValue {
  const s = stored ?? {};
  const pick = <T>(schema: z.ZodType<T>, v: unknown, fallback: T): T => {
    const r = schema.safeParse(v);
    return r.success ? r.data : fallback;
  };
  return {
    cadenceDays: pick(settingFields.cadenceDays, s['cadenceDays'], settingsDefaults.cadenceDays),
    followUpWindow: pick(settingFields.followUpWindow, s['followUpWindow'], settingsDefaults.followUpWindow),
    retentionDays: pick(settingFields.retentionDays, s['retentionDays'], settingsDefaults.retentionDays),
  };
}

const WorkspacePatch = z.strictObject({
  name: z.string().trim().min(1).max(120).optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code, e.g. EUR').optional(),
  timeZone: z.string().min(1).max(64).refine(isValidTimeZone, 'Unknown IANA time zone, e.g. Europe/Madrid').optional(),
  locale: z.enum(['es', 'en']).optional(),
  defaultCountry: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 code, e.g. ES').optional(),
  settings: SettingsPatch.optional(),
  version: z.number().int().optional(),
}).openapi('WorkspacePatch');

const WorkspaceOut = z.object({
  id: Uuid, name: z.string(), currency: z.string(), timeZone: z.string(), locale: z.string(), defaultCountry: z.string(),
  settings: WorkspaceSettings, createdAt: TimestampOut, updatedAt: TimestampOut, version: z.number().int(),
}).openapi('Workspace');

const present = (w: WorkspaceRow) => ({ ...w, settings: readWorkspaceSettings(w.settings) });

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
    const expected = expectedVersion(c, version);
    const row = await write(deps.database, async (tx) => {
      const before = await findWorkspace(tx, actor.workspaceId, true);
      const values: Partial<WorkspaceRow> = { ...patch };
      // Keys other features keep in settings are carried over untouched.
      if (settings) values.settings = { ...before.settings, ...readWorkspaceSettings(before.settings), ...settings };
      return updateWorkspace(tx, actor, before, values, expected);
    });
    c.header('ETag', `"${row.version}"`);
    return c.json(present(row) as never, 200);
  });
  return r;
}
