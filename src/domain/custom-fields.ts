import type { FieldError } from './errors.js';

export type CustomFieldType = 'text' | 'number' | 'date' | 'choice';
export type CustomFieldDefinition = {
  key: string;
  label: string;
  type: CustomFieldType;
  options: string[];
  isRequired: boolean;
};
export type CustomFieldValue = string | number | null;

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

function isValidDate(v: string): boolean {
  if (!isoDate.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

/**
 * Checks custom field values against the workspace's definitions for the entity. `partial` is for
 * updates: required fields absent from the patch are not reported. Unknown keys are refused, so a
 * typo never silently drops data. Returns the cleaned values (texts trimmed, empty → null).
 */
export function checkCustomFields(
  defs: CustomFieldDefinition[],
  values: Record<string, unknown>,
  opts: { partial: boolean },
): { values: Record<string, CustomFieldValue>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const out: Record<string, CustomFieldValue> = {};
  const byKey = new Map(defs.map((d) => [d.key, d]));
  for (const [key, raw] of Object.entries(values)) {
    const field = `customFields.${key}`;
    const def = byKey.get(key);
    if (!def) {
      errors.push({ field, code: 'unknown_field', message: `There is no custom field "${key}".` });
      continue;
    }
    const v = typeof raw === 'string' ? raw.trim() : raw;
    if (v === null || v === undefined || v === '') {
      if (def.isRequired) errors.push({ field, code: 'required', message: `${def.label} is required.` });
      else out[key] = null;
      continue;
    }
    switch (def.type) {
      case 'text':
        if (typeof v !== 'string') errors.push({ field, code: 'invalid_type', message: `${def.label} must be text.` });
        else out[key] = v;
        break;
      case 'number':
        if (typeof v !== 'number' || !Number.isFinite(v)) errors.push({ field, code: 'invalid_type', message: `${def.label} must be a number.` });
        else out[key] = v;
        break;
      case 'date':
        if (typeof v !== 'string' || !isValidDate(v)) errors.push({ field, code: 'invalid_date', message: `${def.label} must be a date (YYYY-MM-DD).` });
        else out[key] = v;
        break;
      case 'choice':
        if (typeof v !== 'string' || !def.options.includes(v)) {
          errors.push({ field, code: 'invalid_choice', message: `${def.label} must be one of: ${def.options.join(', ')}.` });
        } else out[key] = v;
        break;
    }
  }
  if (!opts.partial) {
    for (const def of defs) {
      if (def.isRequired && !(def.key in values)) {
        errors.push({ field: `customFields.${def.key}`, code: 'required', message: `${def.label} is required.` });
      }
    }
  }
  return { values: out, errors };
}
