import { createRoute, z } from '@hono/zod-openapi';
import { assertAdmin } from '../../domain/access.js';
import { ruleKind, ruleWarning, scoreConditionTypes } from '../../domain/score.js';
import { MIN_AUC, MIN_CLOSED_LEADS, MIN_PER_CLASS, HOLDOUT_SHARE } from '../../domain/score-model.js';
import { findRow, write } from '../../db/repository.js';
import { getLeadView, leadList } from '../../db/queries/leads.js';
import { coefficientNames, loadModel, loadRules, loadScoreContext, measuredProbability, saveRules } from '../../db/queries/score.js';
import { contact, type ScoreExplanation } from '../../db/schema.js';
import { enqueueRescore, enqueueTraining } from '../../jobs/score-queue.js';
import { assertVisible } from '../resource.js';
import { newRouter, type Deps } from '../context.js';
import { IdParam, problemResponses, TimestampOut, Uuid } from '../schemas.js';

const Kind = z.enum(['fit', 'behaviour', 'decay']);
export const ScoreLineOut = z.object({ ruleId: z.string(), label: z.string(), points: z.number().int(), kind: Kind }).openapi('ScoreLine');
export const ScoreWarningOut = z.object({
  ruleId: z.string(), label: z.string(), reason: z.enum(['field_deleted', 'product_deleted', 'source_deleted']),
}).openapi('ScoreWarning');
export const ScoreExplanationOut = z.object({ lines: z.array(ScoreLineOut), warnings: z.array(ScoreWarningOut) })
  .openapi('ScoreExplanation', { description: 'Why the score is what it is: one line per rule that counted, one warning per rule that could not apply' });

const Condition = z.object({ type: z.enum(scoreConditionTypes) }).catchall(z.unknown()).openapi('ScoreCondition', {
  description: 'sector {values}; size {min,max} employees; postalCode {prefixes}; product {productIds}; source {sourceIds}; '
    + 'customField {entity,key,values|min,max}; interactions {activityTypes,days,min}; replied {days}; visits {days,min}; '
    + 'purchases {days,min}; noContact {days} (decay, negative weight)',
});
const RuleIn = z.strictObject({
  id: z.string().max(64).optional().openapi({ description: 'Keep it to keep the rule\'s identity; new rules get one' }),
  label: z.string().max(200).openapi({ description: 'The explanation people read, e.g. "sector objetivo"' }),
  weight: z.number().openapi({ description: 'Whole points, -100 to 100 (decay rules negative)' }),
  condition: Condition,
});
const RulesIn = z.strictObject({ rules: z.array(RuleIn).max(100) }).openapi('ScoreRulesInput');
const RuleOut = z.object({
  id: z.string(), label: z.string(), weight: z.number().int(), condition: Condition, kind: Kind,
  warning: z.enum(['field_deleted', 'product_deleted', 'source_deleted']).nullable()
    .openapi({ description: 'Set when the rule no longer applies (its field, product or source was deleted); the score skips it' }),
}).openapi('ScoreRule');
const RulesOut = z.object({ rules: z.array(RuleOut) }).openapi('ScoreRules');

const CoefficientOut = z.object({
  key: z.string(), kind: z.enum(['source', 'sector', 'size', 'product', 'interactions', 'replied', 'amount']), value: z.string(),
  label: z.string().openapi({ description: 'The value named for people (the source or product name, the sector…)' }),
  weight: z.number().openapi({ description: 'Log-odds: above 0 raises the chance of winning, below 0 lowers it' }),
}).openapi('ScoreCoefficient');
const ModelOut = z.object({
  status: z.enum(['none', 'trained', 'insufficient']),
  reason: z.string().nullable().openapi({ description: 'Why no model is used: too_few_closed, too_few_won, too_few_lost, or not_predictive (trained, but its held-out AUC is below rule.minAuc; its AUC and weights are shown)' }),
  trainedAt: TimestampOut.nullable(), n: z.number().int(), nTrain: z.number().int(), nTest: z.number().int(),
  won: z.number().int(), lost: z.number().int(),
  auc: z.number().nullable().openapi({ description: 'Area under the ROC curve on the held-out closed leads (0.5 = chance, 1 = perfect)' }),
  earlyDays: z.number().int().nullable(), coefficients: z.array(CoefficientOut),
  rule: z.object({ minClosed: z.number().int(), minPerClass: z.number().int(), holdoutShare: z.number(), minAuc: z.number() })
    .openapi({ description: 'When a model is used: at least minClosed closed leads with minPerClass won and lost, and a held-out AUC of at least minAuc' }),
}).openapi('ScoreModel');

const LeadScoreOut = z.object({
  leadId: Uuid, score: z.number().int(), scoreExplanation: ScoreExplanationOut,
  probability: z.number().int().openapi({ description: 'The salesperson\'s (or the stage\'s) probability, 0–100' }),
  measuredProbability: z.number().nullable().openapi({ description: 'The model\'s probability 0–100 from the workspace\'s closed leads; null without a trained model' }),
  model: z.object({ auc: z.number().nullable(), trainedAt: TimestampOut, n: z.number().int() }).nullable(),
}).openapi('LeadScore');
const ContactScoreOut = z.object({ contactId: Uuid, score: z.number().int(), scoreExplanation: ScoreExplanationOut }).openapi('ContactScore');

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });

/** The score rules (admins edit, everyone reads), the measured model, and a lead's or contact's score explained. */
export function scoreRoutes(deps: Deps) {
  const r = newRouter();

  const rulesView = async (workspaceId: string) => deps.database.transaction(async (tx) => {
    const rules = await loadRules(tx, workspaceId);
    const ctx = await loadScoreContext(tx, workspaceId, rules);
    return { rules: rules.map((x) => ({ ...x, kind: ruleKind(x.condition), warning: ruleWarning(x, ctx) })) };
  });

  r.openapi(createRoute({
    method: 'get', path: '/score/rules', tags: ['score'], summary: 'The score rules, in order, each with a warning when it no longer applies',
    responses: { 200: { description: 'The rules', ...json(RulesOut) }, ...problemResponses },
  }), async (c) => c.json(await rulesView(c.get('actor').workspaceId) as never, 200));

  r.openapi(createRoute({
    method: 'put', path: '/score/rules', tags: ['score'],
    summary: 'Replace the score rules (admins); validated as a whole, then every open lead and active contact is rescored in the background',
    request: { body: { ...json(RulesIn), required: true } },
    responses: { 200: { description: 'The stored rules', ...json(RulesOut) }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertAdmin(actor);
    const now = deps.now();
    await write(deps.database, (tx) => saveRules(tx, actor, c.req.valid('json').rules, (t) => enqueueRescore(t, actor.workspaceId, now)));
    return c.json(await rulesView(actor.workspaceId) as never, 200);
  });

  r.openapi(createRoute({
    method: 'get', path: '/score/model', tags: ['score'], summary: 'The measured model: what raises or lowers the chance of winning, its AUC, n and when it was trained',
    responses: { 200: { description: 'The model', ...json(ModelOut) }, ...problemResponses },
  }), async (c) => {
    const ws = c.get('actor').workspaceId;
    const out = await deps.database.transaction(async (tx) => {
      const m = await loadModel(tx, ws);
      const names = await coefficientNames(tx, ws, m?.coefficients ?? []);
      return {
        status: m?.status ?? 'none', reason: m?.reason ?? null, trainedAt: m?.trainedAt.toISOString() ?? null,
        n: m?.n ?? 0, nTrain: m?.nTrain ?? 0, nTest: m?.nTest ?? 0, won: m?.won ?? 0, lost: m?.lost ?? 0, auc: m?.auc ?? null,
        earlyDays: m?.earlyDays ?? null,
        coefficients: (m?.coefficients ?? []).map((k) => ({ ...k, label: names.get(k.value) ?? k.value })),
        rule: { minClosed: MIN_CLOSED_LEADS, minPerClass: MIN_PER_CLASS, holdoutShare: HOLDOUT_SHARE, minAuc: MIN_AUC },
      };
    });
    return c.json(out as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/score/model/train', tags: ['score'], summary: 'Train the measured model now (admins); runs as a background job',
    responses: { 202: { description: 'Queued', ...json(z.object({ jobId: z.string() }).openapi('ScoreTrainingQueued')) }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertAdmin(actor);
    const jobId = await write(deps.database, (tx) => enqueueTraining(tx, actor.workspaceId, deps.now()));
    return c.json({ jobId }, 202);
  });

  r.openapi(createRoute({
    method: 'get', path: '/score/leads/{id}', tags: ['score'],
    summary: 'A lead\'s rule score with its explanation, next to the measured probability and the salesperson\'s',
    request: { params: IdParam },
    responses: { 200: { description: 'The lead\'s score', ...json(LeadScoreOut) }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const id = c.req.valid('param').id;
    const lead = await getLeadView(deps.database, actor.workspaceId, id);
    await assertVisible(deps, actor, { list: leadList, entity: 'lead' }, lead);
    const out = await deps.database.transaction(async (tx) => {
      const model = await loadModel(tx, actor.workspaceId);
      const p = await measuredProbability(tx, actor.workspaceId, id, model);
      return {
        leadId: id, score: lead['score'], scoreExplanation: lead['scoreExplanation'], probability: lead['probability'],
        measuredProbability: p === null ? null : Math.round(p * 1000) / 10,
        model: model && model.status === 'trained' ? { auc: model.auc, trainedAt: model.trainedAt.toISOString(), n: model.n } : null,
      };
    });
    return c.json(out as never, 200);
  });

  r.openapi(createRoute({
    method: 'get', path: '/score/contacts/{id}', tags: ['score'], summary: 'A contact\'s rule score with its explanation',
    request: { params: IdParam },
    responses: { 200: { description: 'The contact\'s score', ...json(ContactScoreOut) }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const row = await findRow(deps.database.db, contact, actor.workspaceId, c.req.valid('param').id, 'contact');
    return c.json({ contactId: row['id'], score: row['score'], scoreExplanation: row['scoreExplanation'] as ScoreExplanation } as never, 200);
  });

  return r;
}
