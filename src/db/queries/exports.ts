import type { Actor } from '../../domain/access.js';
import type { Database } from '../client.js';
import { buildListQuery, runList, selectList, type BuiltQuery, type ListParams, type ListSpec } from '../list.js';
import { company } from '../schema.js';
import { contactList, contactSelect } from './contacts.js';
import { leadList, leadSelect } from './leads.js';
import { customFieldDefs, type CustomFieldEntity } from './custom-fields.js';
import { loadSegmentFilter } from './segments.js';
import type { CustomFieldDefinition } from '../../domain/custom-fields.js';

type AnyRow = Record<string, unknown>;
export type ExportEntity = 'lead' | 'contact' | 'company';

/** Rows per query: large enough to keep the round trips few, small enough to keep memory flat. */
const PAGE_SIZE = 500;

const ownerName = (table: string) =>
  `(SELECT u.name FROM app_user u WHERE u.workspace_id = ${table}.workspace_id AND u.id = ${table}.owner_id) AS "ownerName"`;
const contactOf = (column: string, alias: string) =>
  `(SELECT c.${column} FROM contact c WHERE c.workspace_id = lead.workspace_id AND c.id = lead.contact_id) AS "${alias}"`;

/** Only the leads whose contact (if any) may be contacted: an export for a campaign. */
const campaignLeads = `(SELECT * FROM lead WHERE NOT EXISTS (SELECT 1 FROM contact c
    WHERE c.workspace_id = lead.workspace_id AND c.id = lead.contact_id AND c.do_not_contact)) AS lead`;

export type ExportOptions = {
  /** The list endpoint's filters, sort and search. */
  params: ListParams;
  /** For a campaign: people who asked not to be contacted (and their leads) are left out. */
  forCampaign: boolean;
};

type InSegment = ((p: (v: unknown) => string, contactIdExpr: string) => string) | null;

function query(entity: ExportEntity, spec: ListSpec, actor: Actor, params: ListParams, o: ExportOptions, inSegment: InSegment = null): BuiltQuery & { limit: number } {
  switch (entity) {
    case 'contact':
      return buildListQuery(spec, actor, o.forCampaign ? { ...params, doNotContact: 'false' } : params, {
        select: `${contactSelect}, ${ownerName('contact')}`, ...(inSegment ? { where: (p) => inSegment(p, 'contact.id') } : {}),
      });
    case 'lead':
      return buildListQuery(spec, actor, params, {
        select: `${leadSelect}, ${contactOf('email', 'contactEmail')}, ${contactOf('phone', 'contactPhone')}, ${contactOf('do_not_contact', 'contactDoNotContact')}`,
        ...(o.forCampaign ? { from: campaignLeads } : {}),
      });
    case 'company':
      return buildListQuery(spec, actor, params, { select: `${selectList(company)}, ${ownerName('company')}` });
  }
}

/**
 * Every row the list endpoint would return for these filters, with the same visibility (the list
 * spec applies the actor's ownership scope), read in keyset pages so memory stays flat whatever
 * the size of the list.
 */
export async function* exportRows(database: Database, actor: Actor, entity: ExportEntity, spec: ListSpec, o: ExportOptions): AsyncGenerator<AnyRow> {
  let cursor: string | undefined;
  const { cursor: _c, limit: _l, ...params } = o.params;
  // A segment (contacts only) is read once; its SQL then goes into every page's statement.
  const inSegment = entity === 'contact' && params['segmentId'] ? await loadSegmentFilter(database, actor.workspaceId, params['segmentId'], actor) : null;
  do {
    const page = await runList<AnyRow>(database, query(entity, spec, actor, { ...params, limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) }, o, inSegment));
    for (const row of page.data) yield row;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

export const listSpecOf = (entity: Exclude<ExportEntity, 'company'>): ListSpec => (entity === 'lead' ? leadList : contactList);

export async function exportCustomFields(database: Database, workspaceId: string, entity: CustomFieldEntity): Promise<CustomFieldDefinition[]> {
  return customFieldDefs(database.db, workspaceId, entity);
}

export async function workspaceExportSettings(database: Database, workspaceId: string): Promise<{ timeZone: string; defaultCountry: string }> {
  const rows = await database.query<{ timeZone: string; defaultCountry: string }>(
    'SELECT time_zone AS "timeZone", default_country AS "defaultCountry" FROM workspace WHERE id = $1', [workspaceId]);
  return rows[0] ?? { timeZone: 'UTC', defaultCountry: 'ES' };
}
