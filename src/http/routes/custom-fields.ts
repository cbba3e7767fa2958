import { createRoute, z } from '@hono/zod-openapi';
import { customField } from '../../db/schema.js';
import type { ListSpec } from '../../db/list.js';
import type { Db } from '../../db/client.js';
import { deleteRow, findRow, write } from '../../db/repository.js';
import { customFieldHasValues, customFieldValuesInUse, isCustomFieldKeyTaken } from '../../db/queries/reference-data.js';
import { assertAdmin } from '../../domain/access.js';
import { AppError, fieldError } from '../../domain/errors.js';
import { assertSensitiveOptional } from '../../domain/profile.js';
import { resourceRoutes, type ResourceSpec } from '../resource.js';
import type { Deps } from '../context.js';
import { IdParam, problemResponses, recordMeta } from '../schemas.js';

const entities = ['company', 'contact', 'lead'] as const;
const types = ['text', 'number', 'date', 'choice'] as const;
type Entity = (typeof entities)[number];

const options = z.array(z.string().trim().min(1).max(120)).max(200)
  .refine((o) => new Set(o).size === o.length, 'Options must be distinct.');
const defFields = {
  label: z.string().trim().min(1).max(120),
  type: z.enum(types),
  options: options.optional().openapi({ description: 'The allowed values of a choice field (required, non-empty, for choice)' }),
  isRequired: z.boolean().optional(),
  isSensitive: z.boolean().optional().openapi({ description: 'Contact fields only: hidden from roles outside the workspace setting profile.sensitiveRoles; cannot be required' }),
  position: z.number().int().min(0).max(10_000).optional(),
};
export const CustomFieldIn = z.strictObject({
  entity: z.enum(entities),
  key: z.string().regex(/^[a-z][a-z0-9_]*$/, 'Lowercase letters, digits and _, starting with a letter').max(63),
  ...defFields,
}).openapi('CustomFieldInput');
// entity and key are fixed once created: stored values are filed under them.
export const CustomFieldPatch = z.strictObject({
  label: defFields.label.optional(), type: defFields.type.optional(), options: defFields.options,
  isRequired: defFields.isRequired, isSensitive: defFields.isSensitive, position: defFields.position, version: z.number().int().optional(),
}).openapi('CustomFieldPatch');
export const CustomFieldOut = z.object({
  ...recordMeta, entity: z.enum(entities), key: z.string(), label: z.string(), type: z.enum(types),
  options: z.array(z.string()), isRequired: z.boolean(), isSensitive: z.boolean(), position: z.number().int(),
}).openapi('CustomField');

export const customFieldList: ListSpec = {
  table: customField,
  scope: 'workspace',
  filters: { entity: { kind: 'enum', column: 'entity', values: entities } },
  sorts: { position: { expr: 'position', type: 'number' }, key: { expr: 'key', type: 'text' } },
  defaultSort: 'position',
};

/** A choice field lists its options; other types have none. Checked on the merged definition. */
function checkOptions(type: unknown, opts: unknown) {
  const list = (opts as string[] | undefined) ?? [];
  if (type === 'choice' && list.length === 0) throw fieldError('options', 'required', 'A choice field needs at least one option.');
  if (type !== 'choice' && list.length > 0) throw fieldError('options', 'not_allowed', 'Only a choice field has options.');
}

async function assertNoValues(tx: Db, workspaceId: string, def: Record<string, unknown>, message: string) {
  if (await customFieldHasValues(tx, workspaceId, def['entity'] as Entity, def['key'] as string)) {
    throw new AppError('conflict', message, [], { reason: 'field_has_values' });
  }
}

/**
 * Definitions of the extra fields of companies, contacts and leads. Everyone reads them (forms);
 * admins change them. A definition whose records hold values keeps its type, and is not deleted,
 * so stored values never stop matching their definition.
 */
export function customFieldRoutes(deps: Deps) {
  const spec: ResourceSpec = {
    entity: 'customField', path: '/custom-fields', tag: 'custom fields', table: customField, list: customFieldList,
    out: CustomFieldOut, createIn: CustomFieldIn, updateIn: CustomFieldPatch, without: ['delete'],
    canWrite: (actor) => assertAdmin(actor),
    beforeCreate: async ({ tx, actor }, input) => {
      checkOptions(input['type'], input['options']);
      assertSensitiveOptional(input);
      if (input['isSensitive'] && input['entity'] !== 'contact') throw fieldError('isSensitive', 'not_allowed', 'Only contact fields can be sensitive.');
      const taken = await isCustomFieldKeyTaken(tx, actor.workspaceId, input['entity'] as Entity, input['key'] as string);
      if (taken) {
        throw new AppError('conflict', `The ${String(input['entity'])} already has a field "${String(input['key'])}".`,
          [{ field: 'key', code: 'taken', message: 'This key is already in use.' }]);
      }
      return input;
    },
    beforeUpdate: async ({ tx, actor }, before, patch) => {
      const type = patch['type'] ?? before['type'];
      // Switching away from choice drops the options, which only make sense for a choice.
      const opts = 'options' in patch ? patch['options'] : type === 'choice' ? before['options'] : [];
      checkOptions(type, opts);
      assertSensitiveOptional({ isSensitive: (patch['isSensitive'] ?? before['isSensitive']) as boolean, isRequired: (patch['isRequired'] ?? before['isRequired']) as boolean });
      if (patch['isSensitive'] && before['entity'] !== 'contact') throw fieldError('isSensitive', 'not_allowed', 'Only contact fields can be sensitive.');
      if (patch['type'] !== undefined && patch['type'] !== before['type']) {
        await assertNoValues(tx, actor.workspaceId, before, 'Records hold values of this field; its type cannot change.');
      } else if (type === 'choice' && 'options' in patch) {
        // Removing an option that records hold would leave them with a value the field no longer allows.
        const kept = new Set(opts as string[]);
        const inUse = (await customFieldValuesInUse(tx, actor.workspaceId, before['entity'] as Entity, before['key'] as string)).filter((v) => !kept.has(v));
        if (inUse.length) {
          throw new AppError('conflict', `Records still hold the option(s) ${inUse.join(', ')}.`,
            [{ field: 'options', code: 'option_in_use', message: `In use: ${inUse.join(', ')}.` }], { reason: 'option_in_use', inUse });
        }
      }
      return { ...patch, options: opts };
    },
  };
  const r = resourceRoutes(deps, spec);

  r.openapi(createRoute({
    method: 'delete', path: '/custom-fields/{id}', tags: ['custom fields'], summary: 'Delete a custom field that no record uses (409 otherwise)',
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    await write(deps.database, async (tx) => {
      const before = await findRow(tx, customField, actor.workspaceId, c.req.valid('param').id, 'customField', true);
      assertAdmin(actor);
      await assertNoValues(tx, actor.workspaceId, before, 'Records hold values of this field; clear them before deleting it.');
      await deleteRow(tx, customField, actor, 'customField', before);
    });
    return c.body(null, 204);
  });
  return r;
}
