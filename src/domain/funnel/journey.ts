import { fieldError, invalid, type FieldError } from '../errors.js';
import { activityTypes } from '../activity.js';

/**
 * The customer journey of one pipeline: ordered steps from demand to recommendation, each bound to
 * something the data can count (docs/funnel.md).
 *  - `stage`: the lead entered this open stage (or a later one: skipping a stage counts as passing it,
 *    as in docs/metrics.md#stage-conversion);
 *  - `activity`: a done activity of this type on the lead (a meeting held, a visit made);
 *  - `sale`: the lead was won;
 *  - `repeat_sale`: the lead's client (contact, else company) bought a second time;
 *  - `promoter`: the lead's contact answered NPS 9–10;
 *  - `manual`: not a record (shop visitors, web sessions, ad impressions): counts entered per period.
 */
export const stepKinds = ['stage', 'activity', 'sale', 'repeat_sale', 'promoter', 'manual'] as const;
export type StepKind = (typeof stepKinds)[number];

export type StepBinding = { kind: StepKind; stageId?: string | null; activityType?: string | null };
export type JourneyStep = { id: string; name: string; position: number } & StepBinding;

/** A bitmask per lead carries which steps it reached, so a journey is capped at 30 steps. */
export const MAX_STEPS = 30;

export const isRecordStep = (s: StepBinding) => s.kind !== 'manual';

/** The stage kinds the journey may be built from. */
export type JourneyStage = { id: string; name: string; position: number; kind: 'open' | 'won' | 'lost' };

/**
 * The journey a pipeline starts with: each open stage in order, then the sale (its won stage's
 * name), repeat purchase and promoter. Demand steps (visitors…) are the user's to add.
 */
export function defaultJourney(stages: readonly JourneyStage[]): Omit<JourneyStep, 'id'>[] {
  const ordered = [...stages].sort((a, b) => a.position - b.position);
  const open = ordered.filter((s) => s.kind === 'open');
  const won = ordered.find((s) => s.kind === 'won');
  const steps: Omit<JourneyStep, 'id'>[] = open.map((s) => ({ name: s.name, kind: 'stage', stageId: s.id, activityType: null, position: 0 }));
  steps.push({ name: won?.name ?? 'Venta', kind: 'sale', stageId: null, activityType: null, position: 0 });
  steps.push({ name: 'Recompra', kind: 'repeat_sale', stageId: null, activityType: null, position: 0 });
  steps.push({ name: 'Promotor (NPS 9–10)', kind: 'promoter', stageId: null, activityType: null, position: 0 });
  return steps.map((s, i) => ({ ...s, position: i + 1 }));
}

/**
 * A step's binding is complete and points at something of this pipeline: a stage step names one of
 * its open stages, an activity step a type other than notes, the others nothing.
 */
export function assertBinding(b: StepBinding, openStageIds: ReadonlySet<string>, field = ''): StepBinding {
  const at = (f: string) => (field ? `${field}.${f}` : f);
  if (b.kind === 'stage') {
    if (!b.stageId) throw fieldError(at('stageId'), 'required', 'A stage step names the stage it counts.');
    if (!openStageIds.has(b.stageId)) throw fieldError(at('stageId'), 'not_open_stage', 'A stage step counts an open stage of this journey\'s pipeline (the sale has its own step).');
    return { kind: b.kind, stageId: b.stageId, activityType: null };
  }
  if (b.kind === 'activity') {
    if (!b.activityType) throw fieldError(at('activityType'), 'required', 'An activity step names the activity type it counts.');
    if (!(activityTypes as readonly string[]).includes(b.activityType) || b.activityType === 'note') {
      throw fieldError(at('activityType'), 'invalid_type', 'An activity step counts calls, emails, meetings, visits, messages or tasks done.');
    }
    return { kind: b.kind, stageId: null, activityType: b.activityType };
  }
  return { kind: b.kind, stageId: null, activityType: null };
}

/** The whole journey: at most MAX_STEPS, at most one step of each non-repeatable kind, no stage twice. */
export function assertJourney(steps: readonly StepBinding[]): void {
  const errors: FieldError[] = [];
  if (steps.length > MAX_STEPS) errors.push({ field: 'steps', code: 'too_many', message: `A journey has at most ${MAX_STEPS} steps.` });
  const seen = new Set<string>();
  for (const s of steps) {
    const key = s.kind === 'stage' ? `stage:${s.stageId}` : s.kind === 'activity' ? `activity:${s.activityType}` : s.kind === 'manual' ? null : s.kind;
    if (key === null) continue;
    if (seen.has(key)) errors.push({ field: 'kind', code: 'duplicate_step', message: `The journey already has a step counting ${key.replace(':', ' ')}.` });
    seen.add(key);
  }
  if (errors.length) throw invalid(errors, errors[0]!.message);
}
