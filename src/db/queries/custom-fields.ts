import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { customField } from '../schema.js';
import { checkCustomFields, type CustomFieldDefinition, type CustomFieldValue } from '../../domain/custom-fields.js';
import { invalid } from '../../domain/errors.js';

export type CustomFieldEntity = 'company' | 'contact' | 'lead';

export async function customFieldDefs(tx: Db, workspaceId: string, entity: CustomFieldEntity): Promise<CustomFieldDefinition[]> {
  return tx.select({ key: customField.key, label: customField.label, type: customField.type, options: customField.options, isRequired: customField.isRequired })
    .from(customField).where(and(eq(customField.workspaceId, workspaceId), eq(customField.entity, entity))).orderBy(asc(customField.position));
}

/**
 * Validates custom field values for a create (all required present) or an update (merged over the
 * stored values). Throws a validation error naming each bad field.
 */
export async function resolveCustomFields(
  tx: Db, workspaceId: string, entity: CustomFieldEntity,
  input: Record<string, unknown> | undefined, stored: Record<string, CustomFieldValue> | null,
): Promise<Record<string, CustomFieldValue> | undefined> {
  if (input === undefined && stored !== null) return undefined;
  const defs = await customFieldDefs(tx, workspaceId, entity);
  const { values, errors } = checkCustomFields(defs, input ?? {}, { partial: stored !== null });
  if (errors.length) throw invalid(errors);
  return { ...(stored ?? {}), ...values };
}
