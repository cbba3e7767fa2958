import { activityTypes, type ActivityType } from './activity.js';
import { invalid, type FieldError } from './errors.js';

/**
 * The rule score: 0–100 from rules an admin writes, each explaining its points. Fit rules look at
 * who the client is (sector, size, postal area, product of interest, source, custom fields),
 * behaviour rules at what they did recently (interactions, replies, visits, purchases), decay at
 * how long nobody has spoken to them. Rules are validated when saved (validateScoreRules); a rule
 * whose field, product or source disappears later is skipped with a warning (ruleWarning), so
 * scoring never fails at read time.
 */

export const customFieldEntities = ['lead', 'contact', 'company'] as const;
export type CustomFieldEntity = (typeof customFieldEntities)[number];

export type ScoreCondition =
  | { type: 'sector'; values: string[] }
  | { type: 'size'; min: number | null; max: number | null }
  | { type: 'postalCode'; prefixes: string[] }
  | { type: 'product'; productIds: string[] }
  | { type: 'source'; sourceIds: string[] }
  | { type: 'customField'; entity: CustomFieldEntity; key: string; values?: string[] | undefined; min?: number | null | undefined; max?: number | null | undefined }
  | { type: 'interactions'; activityTypes: ActivityType[]; days: number; min: number }
  | { type: 'replied'; days: number }
  | { type: 'visits'; days: number; min: number }
  | { type: 'purchases'; days: number; min: number }
  | { type: 'noContact'; days: number };

export type ScoreConditionType = ScoreCondition['type'];
export const fitConditions = ['sector', 'size', 'postalCode', 'product', 'source', 'customField'] as const;
export const behaviourConditions = ['interactions', 'replied', 'visits', 'purchases'] as const;
export const decayConditions = ['noContact'] as const;
export const scoreConditionTypes = [...fitConditions, ...behaviourConditions, ...decayConditions] as const;
export type ScoreRuleKind = 'fit' | 'behaviour' | 'decay';

export type ScoreRule = { id: string; label: string; weight: number; condition: ScoreCondition };

export const MAX_RULES = 100;
export const MAX_WINDOW_DAYS = 730;
export const MAX_WEIGHT = 100;

export function ruleKind(c: Pick<ScoreCondition, 'type'>): ScoreRuleKind {
  if ((fitConditions as readonly string[]).includes(c.type)) return 'fit';
  if ((behaviourConditions as readonly string[]).includes(c.type)) return 'behaviour';
  return 'decay';
}

/** What exists in the workspace now: the custom fields (by entity) and the products and sources rules may name. */
export type ScoreContext = {
  customFields: { entity: CustomFieldEntity; key: string; type: 'text' | 'number' | 'date' | 'choice'; options: string[] }[];
  productIds: ReadonlySet<string>;
  sourceIds: ReadonlySet<string>;
};

/** What the rules look at, for one lead or one contact. Interactions are done ones (notes excluded). */
export type ScoreSnapshot = {
  sector: string | null;
  employees: number | null;
  postalCode: string | null;
  sourceId: string | null;
  productIds: string[];
  customFields: Partial<Record<CustomFieldEntity, Record<string, unknown>>>;
  interactions: { type: ActivityType; direction: 'inbound' | 'outbound' | null; at: Date }[];
  purchases: Date[];
  /** The last done interaction, or when the record was created if there was none yet. */
  lastContactAt: Date | null;
};

export type ScoreLine = { ruleId: string; label: string; points: number; kind: ScoreRuleKind };
export type ScoreWarning = { ruleId: string; label: string; reason: 'field_deleted' | 'product_deleted' | 'source_deleted' };
export type ScoreResult = { score: number; lines: ScoreLine[]; warnings: ScoreWarning[] };

const DAY_MS = 86_400_000;
const norm = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').trim().toLowerCase();
const postalNorm = (s: string) => s.replace(/\s+/g, '').toUpperCase();

/** The widest behaviour/decay window the rules use: how far back the storage must look. */
export function maxWindowDays(rules: readonly ScoreRule[]): number {
  let max = 0;
  for (const r of rules) if ('days' in r.condition) max = Math.max(max, r.condition.days);
  return max;
}

/** Why a stored rule cannot apply any more (its field, product or source was deleted), or null. */
export function ruleWarning(rule: ScoreRule, ctx: ScoreContext): ScoreWarning['reason'] | null {
  const c = rule.condition;
  if (c.type === 'customField' && !ctx.customFields.some((f) => f.entity === c.entity && f.key === c.key)) return 'field_deleted';
  if (c.type === 'product' && !c.productIds.some((id) => ctx.productIds.has(id))) return 'product_deleted';
  if (c.type === 'source' && !c.sourceIds.some((id) => ctx.sourceIds.has(id))) return 'source_deleted';
  return null;
}

function countSince<T>(items: readonly T[], at: (x: T) => Date, now: Date, days: number, pred: (x: T) => boolean = () => true): number {
  const from = now.getTime() - days * DAY_MS;
  let n = 0;
  for (const x of items) if (at(x).getTime() >= from && pred(x)) n++;
  return n;
}

function inRange(v: number, min: number | null | undefined, max: number | null | undefined): boolean {
  return (min === null || min === undefined || v >= min) && (max === null || max === undefined || v <= max);
}

/** Whether a (valid, active) rule's condition holds for the snapshot at `now`. */
export function matches(c: ScoreCondition, s: ScoreSnapshot, now: Date): boolean {
  switch (c.type) {
    case 'sector': return s.sector !== null && c.values.some((v) => norm(v) === norm(s.sector!));
    case 'size': return s.employees !== null && inRange(s.employees, c.min, c.max);
    case 'postalCode': return s.postalCode !== null && c.prefixes.some((p) => postalNorm(s.postalCode!).startsWith(postalNorm(p)));
    case 'product': return c.productIds.some((id) => s.productIds.includes(id));
    case 'source': return s.sourceId !== null && c.sourceIds.includes(s.sourceId);
    case 'customField': {
      const v = s.customFields[c.entity]?.[c.key];
      if (v === null || v === undefined || v === '') return false;
      if (c.values && c.values.length > 0) return c.values.some((x) => norm(x) === norm(String(v)));
      if (c.min !== undefined && c.min !== null || c.max !== undefined && c.max !== null) return typeof v === 'number' && inRange(v, c.min, c.max);
      return true; // no value given: "the field is filled in"
    }
    case 'interactions': return countSince(s.interactions, (i) => i.at, now, c.days, (i) => c.activityTypes.includes(i.type)) >= c.min;
    case 'replied': return countSince(s.interactions, (i) => i.at, now, c.days, (i) => i.type === 'email' && i.direction === 'inbound') >= 1;
    case 'visits': return countSince(s.interactions, (i) => i.at, now, c.days, (i) => i.type === 'visit') >= c.min;
    case 'purchases': return countSince(s.purchases, (d) => d, now, c.days) >= c.min;
    case 'noContact': return s.lastContactAt === null || now.getTime() - s.lastContactAt.getTime() >= c.days * DAY_MS;
  }
}

/**
 * The score of one record: the sum of the weights of the rules that hold, clamped to 0–100, with
 * one explanation line per rule that counted (largest effect first) and a warning per rule that
 * could not apply. With no rules the score is 0.
 */
export function computeScore(rules: readonly ScoreRule[], ctx: ScoreContext, snapshot: ScoreSnapshot, now: Date): ScoreResult {
  const lines: ScoreLine[] = [];
  const warnings: ScoreWarning[] = [];
  let total = 0;
  for (const rule of rules) {
    const w = ruleWarning(rule, ctx);
    if (w) { warnings.push({ ruleId: rule.id, label: rule.label, reason: w }); continue; }
    if (rule.weight === 0 || !matches(rule.condition, snapshot, now)) continue;
    total += rule.weight;
    lines.push({ ruleId: rule.id, label: rule.label, points: rule.weight, kind: ruleKind(rule.condition) });
  }
  lines.sort((a, b) => Math.abs(b.points) - Math.abs(a.points) || a.label.localeCompare(b.label));
  return { score: Math.max(0, Math.min(100, Math.round(total))), lines, warnings };
}

/** "+20 sector objetivo", "−10 sin contacto en 30 días": the sign always shown, a real minus sign. */
export function formatLine(line: Pick<ScoreLine, 'points' | 'label'>): string {
  return `${line.points >= 0 ? '+' : '−'}${Math.abs(line.points)} ${line.label}`;
}

/**
 * Checks a whole rule set before it is stored: every weight a whole number within ±100, every
 * window and count possible, every field, product and source existing now. Unknown input shapes are
 * reported too, since rules arrive as JSON. Throws one validation error naming every bad field
 * (`rules.2.weight`, `rules.0.condition.key`…).
 */
export function validateScoreRules(rules: readonly unknown[], ctx: ScoreContext): ScoreRule[] {
  const errors: FieldError[] = [];
  const err = (field: string, code: string, message: string) => errors.push({ field, code, message });
  if (rules.length > MAX_RULES) err('rules', 'too_many', `At most ${MAX_RULES} rules.`);
  const out: ScoreRule[] = [];
  const seen = new Set<string>();
  rules.forEach((raw, i) => {
    const p = `rules.${i}`;
    const r = (raw ?? {}) as Record<string, unknown>;
    const label = typeof r['label'] === 'string' ? r['label'].trim() : '';
    if (!label) err(`${p}.label`, 'required', 'A rule needs a label: it is the explanation people read.');
    else if (label.length > 80) err(`${p}.label`, 'too_long', 'At most 80 characters.');
    const weight = r['weight'];
    if (typeof weight !== 'number' || !Number.isFinite(weight)) err(`${p}.weight`, 'not_a_number', 'The weight must be a number, e.g. 20 or -10.');
    else if (!Number.isInteger(weight)) err(`${p}.weight`, 'not_integer', 'The weight must be a whole number.');
    else if (Math.abs(weight) > MAX_WEIGHT) err(`${p}.weight`, 'out_of_range', `The weight must be between -${MAX_WEIGHT} and ${MAX_WEIGHT}.`);
    else if (weight === 0) err(`${p}.weight`, 'zero', 'A weight of 0 never changes the score.');
    const id = typeof r['id'] === 'string' && r['id'] ? r['id'] : `r${i + 1}`;
    if (seen.has(id)) err(`${p}.id`, 'duplicate', 'Two rules have the same id.');
    seen.add(id);
    const c = (r['condition'] ?? {}) as Record<string, unknown>;
    const before = errors.length;
    const condition = checkCondition(c, `${p}.condition`, ctx, err);
    if (condition && condition.type === 'noContact' && typeof weight === 'number' && weight > 0) {
      err(`${p}.weight`, 'decay_must_lower', 'A decay rule lowers the score: use a negative weight.');
    }
    if (errors.length === before && condition && typeof weight === 'number') out.push({ id, label, weight, condition });
  });
  if (errors.length) throw invalid(errors, 'Some score rules are invalid.');
  return out;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const strings = (v: unknown): string[] | null => Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.map((x) => (x as string).trim()).filter(Boolean) : null;

function checkCondition(
  c: Record<string, unknown>, p: string, ctx: ScoreContext, err: (f: string, code: string, m: string) => void,
): ScoreCondition | null {
  const type = c['type'];
  const days = (): number | null => {
    const d = c['days'];
    if (!isCount(d)) { err(`${p}.days`, 'not_a_number', 'The number of days must be a whole number.'); return null; }
    if (d < 1 || d > MAX_WINDOW_DAYS) { err(`${p}.days`, 'out_of_range', `Between 1 and ${MAX_WINDOW_DAYS} days.`); return null; }
    return d;
  };
  const min = (): number | null => {
    const m = c['min'] ?? 1;
    if (!isCount(m)) { err(`${p}.min`, 'not_a_number', 'The minimum count must be a whole number.'); return null; }
    if (m < 1) { err(`${p}.min`, 'impossible', 'At least 1: "0 or more" always holds.'); return null; }
    return m;
  };
  const range = (): { min: number | null; max: number | null } | null => {
    const lo = c['min'] ?? null;
    const hi = c['max'] ?? null;
    let ok = true;
    if (lo !== null && (typeof lo !== 'number' || !Number.isFinite(lo))) { err(`${p}.min`, 'not_a_number', 'The minimum must be a number.'); ok = false; }
    if (hi !== null && (typeof hi !== 'number' || !Number.isFinite(hi))) { err(`${p}.max`, 'not_a_number', 'The maximum must be a number.'); ok = false; }
    if (!ok) return null;
    if (lo !== null && hi !== null && (lo as number) > (hi as number)) { err(`${p}.max`, 'impossible', 'The maximum is below the minimum: no record can match.'); return null; }
    return { min: lo as number | null, max: hi as number | null };
  };
  const list = (field: string, what: string): string[] | null => {
    const v = strings(c[field]);
    if (!v) { err(`${p}.${field}`, 'invalid_type', `A list of ${what}.`); return null; }
    if (v.length === 0) { err(`${p}.${field}`, 'required', `At least one ${what.replace(/s$/, '')}: an empty list never matches.`); return null; }
    return [...new Set(v)];
  };
  switch (type) {
    case 'sector': { const values = list('values', 'sectors'); return values && { type, values }; }
    case 'size': {
      const r = range();
      if (!r) return null;
      if (r.min === null && r.max === null) { err(`${p}.min`, 'required', 'Give a minimum, a maximum or both.'); return null; }
      if ((r.min ?? 0) < 0 || (r.max ?? 0) < 0) { err(`${p}.min`, 'impossible', 'A company cannot have fewer than 0 employees.'); return null; }
      return { type, ...r };
    }
    case 'postalCode': { const prefixes = list('prefixes', 'prefixes'); return prefixes && { type, prefixes }; }
    case 'product': {
      const ids = list('productIds', 'products');
      if (!ids) return null;
      const missing = ids.filter((x) => !ctx.productIds.has(x));
      if (missing.length) { err(`${p}.productIds`, 'not_found', `Unknown product: ${missing.join(', ')}.`); return null; }
      return { type, productIds: ids };
    }
    case 'source': {
      const ids = list('sourceIds', 'sources');
      if (!ids) return null;
      const missing = ids.filter((x) => !ctx.sourceIds.has(x));
      if (missing.length) { err(`${p}.sourceIds`, 'not_found', `Unknown source: ${missing.join(', ')}.`); return null; }
      return { type, sourceIds: ids };
    }
    case 'customField': {
      const entity = c['entity'];
      const key = c['key'];
      if (!(customFieldEntities as readonly unknown[]).includes(entity)) { err(`${p}.entity`, 'invalid_value', 'One of lead, contact, company.'); return null; }
      if (typeof key !== 'string' || !key) { err(`${p}.key`, 'required', 'Which custom field.'); return null; }
      const def = ctx.customFields.find((f) => f.entity === entity && f.key === key);
      if (!def) { err(`${p}.key`, 'unknown_field', `There is no ${String(entity)} custom field "${key}".`); return null; }
      const hasValues = c['values'] !== undefined && c['values'] !== null;
      const hasRange = c['min'] !== undefined && c['min'] !== null || c['max'] !== undefined && c['max'] !== null;
      if (hasValues && hasRange) { err(`${p}.values`, 'ambiguous', 'Give values or a range, not both.'); return null; }
      if (hasRange) {
        if (def.type !== 'number') { err(`${p}.min`, 'wrong_field_type', `"${key}" is not a number field.`); return null; }
        const r = range();
        return r && { type, entity: entity as CustomFieldEntity, key, ...r };
      }
      if (hasValues) {
        const values = list('values', 'values');
        if (!values) return null;
        if (def.type === 'choice') {
          const bad = values.filter((v) => !def.options.some((o) => norm(o) === norm(v)));
          if (bad.length) { err(`${p}.values`, 'impossible', `"${key}" has no option ${bad.map((b) => `"${b}"`).join(', ')}.`); return null; }
        }
        return { type, entity: entity as CustomFieldEntity, key, values };
      }
      return { type, entity: entity as CustomFieldEntity, key };
    }
    case 'interactions': {
      const types = strings(c['activityTypes']);
      const d = days();
      const m = min();
      if (!types || types.length === 0) { err(`${p}.activityTypes`, 'required', 'At least one interaction type.'); return null; }
      const bad = types.filter((x) => !(activityTypes as readonly string[]).includes(x) || x === 'note');
      if (bad.length) { err(`${p}.activityTypes`, 'invalid_value', `Not an interaction type: ${bad.join(', ')}.`); return null; }
      return d && m ? { type, activityTypes: [...new Set(types)] as ActivityType[], days: d, min: m } : null;
    }
    case 'replied': { const d = days(); return d ? { type, days: d } : null; }
    case 'visits':
    case 'purchases': { const d = days(); const m = min(); return d && m ? { type, days: d, min: m } : null; }
    case 'noContact': { const d = days(); return d ? { type, days: d } : null; }
    default:
      err(`${p}.type`, 'invalid_value', `One of ${scoreConditionTypes.join(', ')}.`);
      return null;
  }
}
