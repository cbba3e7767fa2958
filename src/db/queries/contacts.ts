import { and, eq, inArray, type Table } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import { invalid, notFound, type FieldError } from '../../domain/errors.js';
import type { Database, Db } from '../client.js';
import { buildListQuery, runList, selectList, type ListParams, type ListSpec, type Page } from '../list.js';
import type { TenantTable } from '../repository.js';
import { contact } from '../schema.js';
import { lifecycles } from '../../domain/profile.js';
import { loadSegmentFilter } from './segments.js';

type AnyRow = Record<string, unknown>;

/** Dates travel as 'YYYY-MM-DD' text: the drivers would otherwise turn them into local-midnight Dates. */
const dateAsText = (select: string, column: string) => select.replace(`"${column}" AS`, `"${column}"::text AS`);

export const contactSelect = `${dateAsText(selectList(contact), 'birth_date')},
  (SELECT co.name FROM company co WHERE co.workspace_id = contact.workspace_id AND co.id = contact.company_id) AS "companyName"`;

export const contactList: ListSpec = {
  table: contact,
  scope: 'workspace',
  hideCancelled: true,
  searchColumn: 'search_text',
  searchExtra: `EXISTS (SELECT 1 FROM company co WHERE co.workspace_id = contact.workspace_id AND co.id = contact.company_id
                  AND co.search_text LIKE '%' || f_search_text($q) || '%')`,
  filters: {
    companyId: { kind: 'in', column: 'company_id', type: 'uuid' },
    ownerId: { kind: 'in', column: 'owner_id', type: 'uuid' },
    lifecycle: { kind: 'enum', column: 'lifecycle', values: lifecycles },
    doNotContact: { kind: 'bool', column: 'do_not_contact' },
    city: { kind: 'in', column: 'city', type: 'text' },
    postalCode: { kind: 'in', column: 'postal_code', type: 'text' },
    neighbourhood: { kind: 'in', column: 'neighbourhood', type: 'text' },
    status: { kind: 'enum', column: 'status', values: ['active', 'cancelled'] },
    createdFrom: { kind: 'gte', column: 'created_at', type: 'timestamp' },
    createdTo: { kind: 'lt', column: 'created_at', type: 'timestamp' },
    // A contact never contacted counts as contacted before any date.
    lastActivityBefore: { kind: 'lt', column: `coalesce(last_activity_at, '-infinity'::timestamptz)`, type: 'timestamp' },
    segmentId: { kind: 'external', description: 'Only the contacts of this segment (see /segments)' },
  },
  sorts: {
    name: { expr: `lower(coalesce(last_name, '') || ' ' || first_name)`, type: 'text' },
    createdAt: { expr: 'created_at', type: 'timestamp' },
    updatedAt: { expr: 'updated_at', type: 'timestamp' },
    lastActivityAt: { expr: `coalesce(last_activity_at, '-infinity'::timestamptz)`, type: 'timestamp' },
  },
  defaultSort: 'name',
};

export async function listContacts(database: Database, actor: Actor, params: ListParams): Promise<Page<AnyRow>> {
  const inSegment = params['segmentId'] ? await loadSegmentFilter(database, actor.workspaceId, params['segmentId'], actor) : null;
  return runList<AnyRow>(database, buildListQuery(contactList, actor, params, {
    select: contactSelect, ...(inSegment ? { where: (p) => inSegment(p, 'contact.id') } : {}),
  }));
}

/** One contact in its API shape (with companyName), or 404. */
export async function getContactView(database: Database, workspaceId: string, id: string): Promise<AnyRow> {
  const rows = await database.query(`SELECT ${contactSelect} FROM contact WHERE workspace_id = $1 AND id = $2`, [workspaceId, id], 'contact_view');
  if (!rows[0]) throw notFound('contact');
  return rows[0];
}

export type Reference = { field: string; table: TenantTable; ids: (string | null | undefined)[] | string | null | undefined };

/**
 * Checks that referenced records exist in the actor's workspace, naming every missing one. An id
 * of another workspace is reported exactly like an id that does not exist, so nothing leaks.
 */
export async function assertReferences(tx: Db, workspaceId: string, refs: Reference[]): Promise<void> {
  const errors: FieldError[] = [];
  for (const ref of refs) {
    const list = (Array.isArray(ref.ids) ? ref.ids : [ref.ids]).filter((x): x is string => typeof x === 'string');
    if (!list.length) continue;
    const unique = [...new Set(list)];
    const found = await tx.select({ id: ref.table.id }).from(ref.table as Table)
      .where(and(eq(ref.table.workspaceId, workspaceId), inArray(ref.table.id, unique))) as { id: string }[];
    const have = new Set(found.map((r) => r.id));
    const missing = unique.filter((id) => !have.has(id));
    for (const id of missing) {
      const index = Array.isArray(ref.ids) ? `.${ref.ids.indexOf(id)}` : '';
      errors.push({ field: `${ref.field}${index}`, code: 'not_found', message: `No such record in this workspace (${id}).` });
    }
  }
  if (errors.length) throw invalid(errors, 'Some referenced records do not exist.');
}
