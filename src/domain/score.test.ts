import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { computeScore, formatLine, maxWindowDays, validateScoreRules, type ScoreContext, type ScoreRule, type ScoreSnapshot } from './score.js';

const now = new Date('2026-11-23T10:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
const P1 = '11111111-1111-4111-8111-111111111111';
const S1 = '22222222-2222-4222-8222-222222222222';

const ctx: ScoreContext = {
  customFields: [
    { entity: 'company', key: 'budget', type: 'number', options: [] },
    { entity: 'contact', key: 'tier', type: 'choice', options: ['Oro', 'Plata'] },
  ],
  productIds: new Set([P1]),
  sourceIds: new Set([S1]),
};

const snapshot = (over: Partial<ScoreSnapshot> = {}): ScoreSnapshot => ({
  sector: 'Hostelería', employees: 40, postalCode: '28013', sourceId: S1, productIds: [P1],
  customFields: { company: { budget: 12000 }, contact: { tier: 'Oro' } },
  interactions: [], purchases: [], lastContactAt: daysAgo(1), ...over,
});

const rules: ScoreRule[] = [
  { id: 'a', label: 'sector objetivo', weight: 20, condition: { type: 'sector', values: ['hosteleria'] } },
  { id: 'b', label: 'respondió en los últimos 7 días', weight: 15, condition: { type: 'replied', days: 7 } },
  { id: 'c', label: 'sin contacto en 30 días', weight: -10, condition: { type: 'noContact', days: 30 } },
];

describe('computeScore', () => {
  it('adds the weights of the rules that hold and explains each one, largest first', () => {
    const r = computeScore(rules, ctx, snapshot({ interactions: [{ type: 'email', direction: 'inbound', at: daysAgo(2) }] }), now);
    expect(r.score).toBe(35);
    expect(r.lines.map(formatLine)).toEqual(['+20 sector objetivo', '+15 respondió en los últimos 7 días']);
    expect(r.warnings).toEqual([]);
  });

  it('matches a sector ignoring accents and case, and an outbound email is not a reply', () => {
    const r = computeScore(rules, ctx, snapshot({ interactions: [{ type: 'email', direction: 'outbound', at: daysAgo(1) }] }), now);
    expect(r.lines.map((l) => l.ruleId)).toEqual(['a']);
  });

  it('decays a record nobody has contacted for the window and never goes below 0', () => {
    const r = computeScore(rules, ctx, snapshot({ sector: 'Banca', lastContactAt: daysAgo(31) }), now);
    expect(r.score).toBe(0);
    expect(r.lines.map(formatLine)).toEqual(['−10 sin contacto en 30 días']);
  });

  it('clamps at 100', () => {
    const big: ScoreRule[] = [1, 2, 3].map((i) => ({ id: `x${i}`, label: `r${i}`, weight: 60, condition: { type: 'sector', values: ['Hostelería'] } }));
    expect(computeScore(big, ctx, snapshot(), now).score).toBe(100);
  });

  it('counts interactions of the chosen types inside the window only', () => {
    const rule: ScoreRule = { id: 'i', label: '2 llamadas en 14 días', weight: 10, condition: { type: 'interactions', activityTypes: ['call'], days: 14, min: 2 } };
    const calls = (ages: number[]) => ages.map((d) => ({ type: 'call' as const, direction: null, at: daysAgo(d) }));
    expect(computeScore([rule], ctx, snapshot({ interactions: calls([1, 20]) }), now).score).toBe(0);
    expect(computeScore([rule], ctx, snapshot({ interactions: calls([1, 13]) }), now).score).toBe(10);
  });

  it('applies size, postal prefix, product, source, purchases and custom field rules', () => {
    const all: ScoreRule[] = [
      { id: '1', label: 'pyme', weight: 5, condition: { type: 'size', min: 10, max: 49 } },
      { id: '2', label: 'Madrid centro', weight: 5, condition: { type: 'postalCode', prefixes: ['280'] } },
      { id: '3', label: 'producto', weight: 5, condition: { type: 'product', productIds: [P1] } },
      { id: '4', label: 'fuente', weight: 5, condition: { type: 'source', sourceIds: [S1] } },
      { id: '5', label: 'compró', weight: 5, condition: { type: 'purchases', days: 365, min: 1 } },
      { id: '6', label: 'presupuesto', weight: 5, condition: { type: 'customField', entity: 'company', key: 'budget', min: 10000, max: null } },
      { id: '7', label: 'oro', weight: 5, condition: { type: 'customField', entity: 'contact', key: 'tier', values: ['oro'] } },
    ];
    expect(computeScore(all, ctx, snapshot({ purchases: [daysAgo(100)] }), now).score).toBe(35);
    expect(computeScore(all, ctx, snapshot({ employees: 50, postalCode: '08001', productIds: [], sourceId: null, customFields: {} }), now).score).toBe(0);
  });

  it('skips a rule whose custom field was deleted after saving, with a warning instead of an error', () => {
    const rule: ScoreRule = { id: 'g', label: 'presupuesto', weight: 30, condition: { type: 'customField', entity: 'company', key: 'gone', min: 1, max: null } };
    const r = computeScore([rule, rules[0]!], ctx, snapshot(), now);
    expect(r.score).toBe(20);
    expect(r.warnings).toEqual([{ ruleId: 'g', label: 'presupuesto', reason: 'field_deleted' }]);
  });

  it('knows how far back the behaviour rules look', () => {
    expect(maxWindowDays(rules)).toBe(30);
  });
});

describe('validateScoreRules', () => {
  const fieldsOf = (raw: unknown[]) => {
    try { validateScoreRules(raw, ctx); } catch (e) { return (e as AppError).fields.map((f) => `${f.field}:${f.code}`); }
    return [];
  };

  it('accepts a valid set and keeps its ids', () => {
    expect(validateScoreRules(rules, ctx).map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });

  it('refuses a non-numeric weight, an unknown field and an impossible range, naming each', () => {
    expect(fieldsOf([
      { label: 'x', weight: '20', condition: { type: 'sector', values: ['A'] } },
      { label: 'y', weight: 10, condition: { type: 'customField', entity: 'company', key: 'nope' } },
      { label: 'z', weight: 10, condition: { type: 'size', min: 50, max: 10 } },
    ])).toEqual(['rules.0.weight:not_a_number', 'rules.1.condition.key:unknown_field', 'rules.2.condition.max:impossible']);
  });

  it('refuses a decay that raises the score, an empty list, an unknown product, a choice option that does not exist and a zero window', () => {
    expect(fieldsOf([
      { label: 'd', weight: 10, condition: { type: 'noContact', days: 30 } },
      { label: 's', weight: 10, condition: { type: 'sector', values: [] } },
      { label: 'p', weight: 10, condition: { type: 'product', productIds: ['33333333-3333-4333-8333-333333333333'] } },
      { label: 'c', weight: 10, condition: { type: 'customField', entity: 'contact', key: 'tier', values: ['Bronce'] } },
      { label: 'w', weight: 10, condition: { type: 'replied', days: 0 } },
    ])).toEqual([
      'rules.0.weight:decay_must_lower', 'rules.1.condition.values:required', 'rules.2.condition.productIds:not_found',
      'rules.3.condition.values:impossible', 'rules.4.condition.days:out_of_range',
    ]);
  });

  it('refuses a missing label, a fractional weight, an unknown condition type and a note as interaction', () => {
    expect(fieldsOf([
      { label: ' ', weight: 1.5, condition: { type: 'mood' } },
      { label: 'n', weight: 5, condition: { type: 'interactions', activityTypes: ['note'], days: 7 } },
    ])).toEqual(['rules.0.label:required', 'rules.0.weight:not_integer', 'rules.0.condition.type:invalid_value', 'rules.1.condition.activityTypes:invalid_value']);
  });
});
