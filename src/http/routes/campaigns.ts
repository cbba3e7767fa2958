import { z } from '@hono/zod-openapi';
import { campaign } from '../../db/schema.js';
import type { ListSpec } from '../../db/list.js';
import type { Db } from '../../db/client.js';
import { campaignUsage, sourceExists } from '../../db/queries/reference-data.js';
import { findVisibleSegment } from '../../db/queries/segments.js';
import { fieldError } from '../../domain/errors.js';
import { resourceRoutes, type ResourceSpec } from '../resource.js';
import type { Deps } from '../context.js';
import { DateOnly, recordMeta, Uuid } from '../schemas.js';
import { addGuardedDelete, managersWrite } from './products.js';

const campaignFields = {
  name: z.string().trim().min(1).max(200),
  sourceId: Uuid.nullish(),
  startsOn: DateOnly.nullish(),
  endsOn: DateOnly.nullish(),
  cost: z.number().min(0).max(999_999_999_999).optional(),
  notes: z.string().max(5000).nullish(),
  /** The segment the campaign targets (its page shows the target and reachable counts). */
  segmentId: Uuid.nullish(),
};
export const CampaignIn = z.strictObject(campaignFields).openapi('CampaignInput');
export const CampaignPatch = z.strictObject({ ...campaignFields, name: campaignFields.name.optional(), version: z.number().int().optional() }).openapi('CampaignPatch');
export const CampaignOut = z.object({
  ...recordMeta, name: z.string(), sourceId: Uuid.nullable(), startsOn: z.string().nullable(), endsOn: z.string().nullable(),
  cost: z.number(), notes: z.string().nullable(), segmentId: Uuid.nullable(),
}).openapi('Campaign');

export const campaignList: ListSpec = {
  table: campaign,
  // A small table: the search scans it, no trigram index needed.
  searchColumn: "f_search_text(name || ' ' || coalesce(notes, ''))",
  scope: 'workspace',
  filters: {
    sourceId: { kind: 'in', column: 'source_id', type: 'uuid' },
    startsFrom: { kind: 'gte', column: 'starts_on', type: 'date' },
    startsTo: { kind: 'lt', column: 'starts_on', type: 'date' },
  },
  sorts: {
    name: { expr: 'lower(name)', type: 'text' },
    startsOn: { expr: "coalesce(starts_on, '-infinity'::date)", type: 'date' },
    createdAt: { expr: 'created_at', type: 'timestamp' },
  },
  defaultSort: 'name',
};

/** A campaign's period is checked on the merged record, so a PATCH of one end is checked against the other. */
function checkPeriod(startsOn: unknown, endsOn: unknown) {
  if (typeof startsOn === 'string' && typeof endsOn === 'string' && endsOn < startsOn) {
    throw fieldError('endsOn', 'before_start', 'The campaign cannot end before it starts.');
  }
}

// Checked before writing so the answer names the field (a foreign-key error would not reach here as one).
async function checkSource(tx: Db, workspaceId: string, sourceId: unknown) {
  if (typeof sourceId === 'string' && !(await sourceExists(tx, workspaceId, sourceId))) {
    throw fieldError('sourceId', 'not_found', 'No such source in this workspace.');
  }
}

export function campaignRoutes(deps: Deps) {
  const spec: ResourceSpec = {
    entity: 'campaign', path: '/campaigns', tag: 'campaigns', table: campaign, list: campaignList,
    out: CampaignOut, createIn: CampaignIn, updateIn: CampaignPatch, without: ['delete'],
    canWrite: managersWrite,
    beforeCreate: async ({ tx, actor }, input) => {
      checkPeriod(input['startsOn'], input['endsOn']);
      await checkSource(tx, actor.workspaceId, input['sourceId']);
      if (typeof input['segmentId'] === 'string') await findVisibleSegment(tx, actor, input['segmentId']);
      return input;
    },
    beforeUpdate: async ({ tx, actor }, before, patch) => {
      const merged = { ...before, ...patch };
      checkPeriod(merged['startsOn'], merged['endsOn']);
      await checkSource(tx, actor.workspaceId, patch['sourceId']);
      if (typeof patch['segmentId'] === 'string') await findVisibleSegment(tx, actor, patch['segmentId']);
      return patch;
    },
  };
  const r = resourceRoutes(deps, spec);
  addGuardedDelete(r, deps, {
    entity: 'campaign', path: '/campaigns', tag: 'campaigns', table: campaign, usage: campaignUsage,
    alternative: 'keep it: its leads are the basis of its cost per lead.',
  });
  return r;
}
