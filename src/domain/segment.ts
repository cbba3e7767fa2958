import { z } from 'zod';
import type { CustomFieldDefinition } from './custom-fields.js';
import type { FieldError } from './errors.js';

/**
 * A segment is a set of contacts defined by a tree of AND / OR groups of conditions over contact
 * fields, company fields (through the contact), custom fields and computed values (RFM, revenue,
 * NPS…). This module is the model and its validation at save time; src/db/queries/segments.ts
 * compiles a valid definition to SQL. See docs/segments.md for every field and its formula.
 */

export const segmentOperators = [
  'eq', 'neq', 'in', 'notIn', 'lt', 'lte', 'gt', 'gte', 'between', 'contains', 'isEmpty', 'isNotEmpty',
] as const;
export type SegmentOperator = (typeof segmentOperators)[number];

export type SegmentCondition = { type: 'condition'; field: string; operator: SegmentOperator; value?: unknown };
export type SegmentGroup = { type: 'group'; combinator: 'and' | 'or'; children: SegmentNode[] };
export type SegmentNode = SegmentCondition | SegmentGroup;
/** The root of a definition is always a group. An empty AND matches every contact, an empty OR none. */
export type SegmentDefinition = SegmentGroup;

export const MAX_DEPTH = 4;
export const MAX_CONDITIONS = 60;
const MAX_LIST = 500;

export type FieldType = 'text' | 'number' | 'date' | 'enum' | 'boolean' | 'reference';
export type ReferenceKind = 'user' | 'stage' | 'source';
export type SegmentField = {
  key: string;
  type: FieldType;
  /** For enum fields: the allowed values. */
  values?: readonly string[];
  /** For reference fields: what the ids point at (checked to exist at save time). */
  reference?: ReferenceKind;
  group: 'contact' | 'company' | 'computed';
  /** Custom fields carry their label so the editor can show it. */
  label?: string;
};

export const operatorsByType: Record<FieldType, readonly SegmentOperator[]> = {
  text: ['eq', 'neq', 'in', 'notIn', 'contains', 'isEmpty', 'isNotEmpty'],
  number: ['eq', 'neq', 'in', 'notIn', 'lt', 'lte', 'gt', 'gte', 'between', 'isEmpty', 'isNotEmpty'],
  date: ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'between', 'isEmpty', 'isNotEmpty'],
  enum: ['eq', 'neq', 'in', 'notIn', 'isEmpty', 'isNotEmpty'],
  boolean: ['eq'],
  reference: ['eq', 'neq', 'in', 'notIn', 'isEmpty', 'isNotEmpty'],
};

export const temperatures = ['cold', 'warm', 'hot'] as const;

const f = (group: SegmentField['group'], key: string, type: FieldType, extra: Partial<SegmentField> = {}): SegmentField =>
  ({ key: `${group}.${key}`, type, group, ...extra });

/** Every field a condition may name, apart from custom fields (`contact.customFields.<key>`, `company.customFields.<key>`). */
export const segmentFields: readonly SegmentField[] = [
  f('contact', 'firstName', 'text'), f('contact', 'lastName', 'text'), f('contact', 'secondLastName', 'text'),
  f('contact', 'jobTitle', 'text'), f('contact', 'email', 'text'), f('contact', 'phone', 'text'),
  f('contact', 'address', 'text'), f('contact', 'postalCode', 'text'), f('contact', 'neighbourhood', 'text'),
  f('contact', 'city', 'text'), f('contact', 'region', 'text'), f('contact', 'country', 'text'),
  f('contact', 'birthDate', 'date'),
  f('contact', 'maritalStatus', 'enum', { values: ['single', 'married', 'partner', 'divorced', 'widowed'] }),
  f('contact', 'contactPreference', 'enum', { values: ['email', 'phone', 'whatsapp', 'visit'] }),
  f('contact', 'doNotContact', 'boolean'),
  f('contact', 'lifecycle', 'enum', { values: ['prospect', 'potential', 'client', 'former'] }),
  f('contact', 'score', 'number'),
  f('contact', 'ownerId', 'reference', { reference: 'user' }),
  f('contact', 'createdAt', 'date'),
  f('company', 'name', 'text'), f('company', 'sector', 'text'), f('company', 'employees', 'number'),
  f('company', 'annualRevenue', 'number'), f('company', 'postalCode', 'text'), f('company', 'neighbourhood', 'text'),
  f('company', 'city', 'text'), f('company', 'region', 'text'), f('company', 'country', 'text'),
  // RFM over the contact's sales (docs/segments.md): recency in days since the last purchase,
  // frequency = purchases in the last 12 months, monetary = revenue in the last 12 months, and
  // their scores 1–5 by quintile among the buyers (5 = most recent / most frequent / highest).
  f('computed', 'recencyDays', 'number'), f('computed', 'frequency', 'number'), f('computed', 'monetary', 'number'),
  f('computed', 'recencyScore', 'number'), f('computed', 'frequencyScore', 'number'), f('computed', 'monetaryScore', 'number'),
  f('computed', 'purchases', 'number'), f('computed', 'totalRevenue', 'number'), f('computed', 'averageBasket', 'number'),
  f('computed', 'purchaseIntervalDays', 'number'), f('computed', 'purchaseOverdue', 'boolean'),
  f('computed', 'lastInteractionDays', 'number'), f('computed', 'lastNps', 'number'), f('computed', 'openComplaints', 'number'),
  f('computed', 'leadScore', 'number'),
  f('computed', 'openLeadStage', 'reference', { reference: 'stage' }),
  f('computed', 'openLeadTemperature', 'enum', { values: temperatures }),
  f('computed', 'leadSource', 'reference', { reference: 'source' }),
];

const fieldsByKey = new Map(segmentFields.map((x) => [x.key, x]));

export type CustomFieldsByEntity = { contact: CustomFieldDefinition[]; company: CustomFieldDefinition[] };

const customTypeOf: Record<CustomFieldDefinition['type'], FieldType> = { text: 'text', number: 'number', date: 'date', choice: 'enum' };

/** The field a key names, given the workspace's custom fields; undefined when there is none. */
export function resolveSegmentField(key: string, custom: CustomFieldsByEntity): SegmentField | undefined {
  const m = /^(contact|company)\.customFields\.(.+)$/.exec(key);
  if (!m) return fieldsByKey.get(key);
  const entity = m[1] as 'contact' | 'company';
  const def = custom[entity].find((d) => d.key === m[2]);
  if (!def) return undefined;
  return {
    key, group: entity, type: customTypeOf[def.type], label: def.label,
    ...(def.type === 'choice' ? { values: def.options } : {}),
  };
}

/** Every field available in a workspace (for the editor). */
export const availableSegmentFields = (custom: CustomFieldsByEntity): SegmentField[] => [
  ...segmentFields,
  ...(['contact', 'company'] as const).flatMap((e) => custom[e].map((d) => resolveSegmentField(`${e}.customFields.${d.key}`, custom)!)),
];

// Structure first (zod), semantics after (fields, operators, values, contradictions).
const ConditionSchema = z.strictObject({
  type: z.literal('condition'),
  field: z.string().min(1).max(200),
  operator: z.enum(segmentOperators),
  value: z.unknown().optional(),
});
const GroupSchema = z.strictObject({
  type: z.literal('group'),
  combinator: z.enum(['and', 'or']),
  get children(): z.ZodArray<z.ZodDiscriminatedUnion<[typeof ConditionSchema, typeof GroupSchema]>> {
    return z.array(z.discriminatedUnion('type', [ConditionSchema, GroupSchema])).max(MAX_CONDITIONS);
  },
});
export const SegmentDefinitionSchema = GroupSchema;

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const validDate = (v: string) => isoDate.test(v) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v;

/** Is `v` a valid single value for the field? Returns a reason when not. */
function scalarProblem(field: SegmentField, v: unknown): string | null {
  switch (field.type) {
    case 'text': return typeof v === 'string' && v.trim() !== '' && v.length <= 200 ? null : 'a non-empty text (200 characters at most)';
    case 'number': return typeof v === 'number' && Number.isFinite(v) ? null : 'a number';
    case 'date': return typeof v === 'string' && validDate(v) ? null : 'a date as YYYY-MM-DD';
    case 'boolean': return typeof v === 'boolean' ? null : 'true or false';
    case 'reference': return typeof v === 'string' && uuidRe.test(v) ? null : 'an id (UUID)';
    case 'enum': return typeof v === 'string' && field.values!.includes(v) ? null : `one of: ${field.values!.join(', ')}`;
  }
}

export type SegmentReference = { kind: ReferenceKind; id: string; path: string };

export type SegmentCheck = {
  errors: FieldError[];
  /** Ids the definition refers to; the caller checks they exist in the workspace. */
  references: SegmentReference[];
};

/**
 * Validates a definition for saving: structure, known fields (a deleted custom field is unknown),
 * operators allowed for the field's type, values of the right type, and contradictions between
 * conditions on one field inside an AND group. Paths are dotted from `prefix`.
 */
export function checkSegmentDefinition(input: unknown, custom: CustomFieldsByEntity, prefix = 'definition'): SegmentCheck & { definition: SegmentDefinition | null } {
  const parsed = SegmentDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    return {
      definition: null, references: [],
      errors: parsed.error.issues.map((i) => ({
        field: [prefix, ...i.path.map(String)].join('.'),
        code: i.code === 'unrecognized_keys' ? 'unknown_field' : i.code === 'invalid_union' ? 'invalid_type' : i.code,
        message: i.message,
      })),
    };
  }
  const definition = parsed.data as SegmentDefinition;
  const errors: FieldError[] = [];
  const references: SegmentReference[] = [];
  let conditions = 0;

  const walk = (node: SegmentNode, path: string, depth: number) => {
    if (node.type === 'group') {
      if (depth >= MAX_DEPTH) {
        errors.push({ field: path, code: 'too_deep', message: `Groups nest ${MAX_DEPTH} levels deep at most.` });
        return;
      }
      if (depth > 0 && node.children.length === 0) {
        errors.push({ field: `${path}.children`, code: 'too_small', message: 'A group needs at least one condition.' });
      }
      node.children.forEach((child, i) => walk(child, `${path}.children.${i}`, depth + 1));
      if (node.combinator === 'and') errors.push(...contradictions(node, path, custom));
      return;
    }
    conditions++;
    const field = resolveSegmentField(node.field, custom);
    if (!field) {
      const isCustom = node.field.includes('.customFields.');
      errors.push({
        field: `${path}.field`, code: 'unknown_field',
        message: isCustom ? `There is no custom field "${node.field}" (it may have been deleted).` : `There is no field "${node.field}".`,
      });
      return;
    }
    if (!operatorsByType[field.type].includes(node.operator)) {
      errors.push({
        field: `${path}.operator`, code: 'operator_not_allowed',
        message: `"${node.operator}" does not apply to ${field.key} (${field.type}); use one of: ${operatorsByType[field.type].join(', ')}.`,
      });
      return;
    }
    const valueErrors = checkValue(field, node, `${path}.value`);
    errors.push(...valueErrors);
    if (!valueErrors.length && field.reference) {
      const ids = Array.isArray(node.value) ? node.value : node.value === undefined ? [] : [node.value];
      ids.forEach((id, i) => references.push({ kind: field.reference!, id: id as string, path: Array.isArray(node.value) ? `${path}.value.${i}` : `${path}.value` }));
    }
  };
  walk(definition, prefix, 0);
  if (conditions > MAX_CONDITIONS) errors.push({ field: prefix, code: 'too_big', message: `A segment has ${MAX_CONDITIONS} conditions at most.` });
  return { definition, errors, references };
}

function checkValue(field: SegmentField, c: SegmentCondition, path: string): FieldError[] {
  const bad = (message: string, code = 'invalid_value') => [{ field: path, code, message }];
  const op = c.operator;
  if (op === 'isEmpty' || op === 'isNotEmpty') {
    return c.value === undefined || c.value === null ? [] : bad(`"${op}" takes no value.`);
  }
  if (op === 'in' || op === 'notIn') {
    if (!Array.isArray(c.value) || c.value.length === 0 || c.value.length > MAX_LIST) return bad(`"${op}" takes a list of 1 to ${MAX_LIST} values.`);
    const out: FieldError[] = [];
    c.value.forEach((v, i) => {
      const p = scalarProblem(field, v);
      if (p) out.push({ field: `${path}.${i}`, code: 'invalid_value', message: `${field.key} needs ${p}.` });
    });
    return out;
  }
  if (op === 'between') {
    if (!Array.isArray(c.value) || c.value.length !== 2) return bad('"between" takes two values: [from, to].');
    const p = scalarProblem(field, c.value[0]) ?? scalarProblem(field, c.value[1]);
    if (p) return bad(`${field.key} needs ${p}.`);
    if (compare(field, c.value[0], c.value[1]) > 0) return bad('The first value of "between" must not be greater than the second.', 'invalid_range');
    return [];
  }
  const p = scalarProblem(field, c.value);
  return p ? bad(`${field.key} needs ${p}.`) : [];
}

/** Accent- and case-insensitive form, as the SQL side compares texts (f_search_text). */
export const foldText = (s: string) => s.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();

function compare(field: SegmentField, a: unknown, b: unknown): number {
  if (field.type === 'number') return (a as number) - (b as number);
  const x = String(a); const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

type Bound = { v: unknown; inclusive: boolean };

/**
 * Conditions on one field inside one AND group that no contact can meet together: an empty range
 * ("> 10" and "< 5"), two different required values ("= client" and "= prospect"), a value that is
 * also excluded, "is empty" with anything that needs a value. Only direct children are compared;
 * nested OR groups are left alone (each alternative may be fine).
 */
function contradictions(group: SegmentGroup, path: string, custom: CustomFieldsByEntity): FieldError[] {
  const byField = new Map<string, { c: SegmentCondition; i: number }[]>();
  group.children.forEach((c, i) => {
    if (c.type !== 'condition') return;
    byField.set(c.field, [...(byField.get(c.field) ?? []), { c, i }]);
  });
  const errors: FieldError[] = [];
  for (const [key, list] of byField) {
    if (list.length < 2) continue;
    const field = resolveSegmentField(key, custom);
    if (!field) continue;
    // Only conditions that passed their own checks take part.
    if (list.some(({ c }) => !operatorsByType[field.type].includes(c.operator) || checkValue(field, c, '').length)) continue;
    const norm = (v: unknown) => (field.type === 'text' ? foldText(String(v)) : v);
    let allowed: unknown[] | null = null;
    const excluded: unknown[] = [];
    let lower: Bound | null = null;
    let upper: Bound | null = null;
    let empty = false;
    let needsValue = false;
    const contains: string[] = [];
    const same = (a: unknown, b: unknown) => compare(field, norm(a), norm(b)) === 0;
    const restrict = (vals: unknown[]) => {
      allowed = allowed === null ? vals : allowed.filter((a) => vals.some((v) => same(a, v)));
    };
    const raise = (b: Bound) => {
      if (!lower || compare(field, b.v, lower.v) > 0 || (compare(field, b.v, lower.v) === 0 && !b.inclusive)) lower = b;
    };
    const lowerTo = (b: Bound) => {
      if (!upper || compare(field, b.v, upper.v) < 0 || (compare(field, b.v, upper.v) === 0 && !b.inclusive)) upper = b;
    };
    for (const { c } of list) {
      const v = c.value;
      switch (c.operator) {
        case 'isEmpty': empty = true; break;
        case 'isNotEmpty': needsValue = true; break;
        case 'eq': needsValue = true; restrict([v]); break;
        case 'in': needsValue = true; restrict(v as unknown[]); break;
        case 'neq': excluded.push(v); break;
        case 'notIn': excluded.push(...(v as unknown[])); break;
        case 'lt': needsValue = true; lowerTo({ v, inclusive: false }); break;
        case 'lte': needsValue = true; lowerTo({ v, inclusive: true }); break;
        case 'gt': needsValue = true; raise({ v, inclusive: false }); break;
        case 'gte': needsValue = true; raise({ v, inclusive: true }); break;
        case 'between': needsValue = true; raise({ v: (v as unknown[])[0], inclusive: true }); lowerTo({ v: (v as unknown[])[1], inclusive: true }); break;
        case 'contains': needsValue = true; contains.push(foldText(String(v))); break;
      }
    }
    const inRange = (x: unknown) => {
      const lo = lower as Bound | null; const hi = upper as Bound | null;
      if (lo && (compare(field, x, lo.v) < 0 || (compare(field, x, lo.v) === 0 && !lo.inclusive))) return false;
      if (hi && (compare(field, x, hi.v) > 0 || (compare(field, x, hi.v) === 0 && !hi.inclusive))) return false;
      return true;
    };
    const lo = lower as Bound | null; const hi = upper as Bound | null;
    const rangeEmpty = !!lo && !!hi && (compare(field, lo.v, hi.v) > 0 || (compare(field, lo.v, hi.v) === 0 && !(lo.inclusive && hi.inclusive)));
    const candidates = (allowed as unknown[] | null)?.filter((a) => inRange(a) && !excluded.some((x) => same(a, x))
      && contains.every((s) => foldText(String(a)).includes(s)));
    const contradictory = (empty && needsValue) || rangeEmpty || (candidates !== undefined && candidates.length === 0);
    if (contradictory) {
      const last = list.at(-1)!;
      errors.push({
        field: `${path}.children.${last.i}`, code: 'contradiction',
        message: `No contact can meet all the conditions on ${key} in this AND group (${list.map(({ c }) => describe(c)).join(' and ')}).`,
      });
    }
  }
  return errors;
}

const symbols: Partial<Record<SegmentOperator, string>> = { eq: '=', neq: '≠', lt: '<', lte: '≤', gt: '>', gte: '≥' };
const describe = (c: SegmentCondition) =>
  `${c.field} ${symbols[c.operator] ?? c.operator}${c.value === undefined ? '' : ` ${JSON.stringify(c.value)}`}`;

// Built-in segments present in every workspace. Their conditions are code (so a better rule ships
// with an upgrade) except VIP, whose conditions the admin sets; until then VIP is an empty OR (nobody).
export type SegmentBuiltin = 'best_clients' | 'vip' | 'at_risk' | 'hot_prospects' | 'warm_prospects' | 'cold_prospects' | 'detractors';
const cond = (field: string, operator: SegmentOperator, value?: unknown): SegmentCondition =>
  ({ type: 'condition', field, operator, ...(value === undefined ? {} : { value }) });
const all = (...children: SegmentNode[]): SegmentDefinition => ({ type: 'group', combinator: 'and', children });

export const builtinSegments: Record<SegmentBuiltin, { name: { es: string; en: string }; definition: SegmentDefinition }> = {
  // Top 20% of the last 12 months' revenue among the contacts who bought in that time.
  best_clients: { name: { es: 'Mejores clientes', en: 'Best clients' }, definition: all(cond('computed.monetaryScore', 'eq', 5)) },
  vip: { name: { es: 'VIP', en: 'VIP' }, definition: { type: 'group', combinator: 'or', children: [] } },
  // No purchase in twice their usual interval between purchases (needs two purchases or more).
  at_risk: { name: { es: 'En riesgo', en: 'At risk' }, definition: all(cond('computed.purchaseOverdue', 'eq', true)) },
  hot_prospects: { name: { es: 'Prospectos calientes', en: 'Hot prospects' }, definition: all(cond('computed.openLeadTemperature', 'eq', 'hot')) },
  warm_prospects: { name: { es: 'Prospectos templados', en: 'Warm prospects' }, definition: all(cond('computed.openLeadTemperature', 'eq', 'warm')) },
  cold_prospects: { name: { es: 'Prospectos fríos', en: 'Cold prospects' }, definition: all(cond('computed.openLeadTemperature', 'eq', 'cold')) },
  // NPS detractors: last answer from 0 to 6.
  detractors: { name: { es: 'Detractores', en: 'Detractors' }, definition: all(cond('computed.lastNps', 'between', [0, 6])) },
};

/** The definition a segment is computed from: the code's for built-ins other than VIP, the stored one otherwise. */
export function effectiveDefinition(row: { builtin: string | null; definition: unknown }): SegmentDefinition {
  if (row.builtin && row.builtin !== 'vip') return builtinSegments[row.builtin as SegmentBuiltin].definition;
  return row.definition as SegmentDefinition;
}

export type SegmentAccessRow = { ownerId: string | null; shared: boolean; builtin: string | null };
export type SegmentActor = { userId: string; role: 'admin' | 'manager' | 'sales' };

/**
 * Who sees and changes a segment. Built-ins and shared segments are seen by everyone, others by
 * their owner (and admins). The owner or an admin changes a segment; built-ins are read-only except
 * VIP, whose conditions only an admin sets. Built-ins are never deleted.
 */
export function segmentAccess(actor: SegmentActor, row: SegmentAccessRow): { canSee: boolean; canEdit: boolean; canDelete: boolean } {
  const isAdmin = actor.role === 'admin';
  const isOwner = row.ownerId !== null && row.ownerId === actor.userId;
  if (row.builtin) return { canSee: true, canEdit: row.builtin === 'vip' && isAdmin, canDelete: false };
  return { canSee: row.shared || isOwner || isAdmin, canEdit: isOwner || isAdmin, canDelete: isOwner || isAdmin };
}
