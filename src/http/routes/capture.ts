import { createRoute, z } from '@hono/zod-openapi';
import { applyCapturePolicy, type CapturePolicy } from '../../domain/capture-policy.js';
import { captureEntryInTx, loadCapturePolicy, loadStoredCapturePolicy, saveCapturePolicy } from '../../db/queries/capture-policy.js';
import { findDuplicateCandidates, type CompanyValues, type ContactValues } from '../../db/queries/duplicates.js';
import { createLeadInTx, type LeadInput } from '../../db/queries/leads.js';
import { write } from '../../db/repository.js';
import { nextActionTypes } from '../../db/schema.js';
import { newRouter, type Deps } from '../context.js';
import { problemResponses, Timestamp, TimestampOut, Uuid } from '../schemas.js';

/*
 * Capture: the workspace's capture policy (read by everyone, saved by admins), the live check the
 * forms and the batch grid call while the user types, and one-row capture (quick-add, batch entry).
 */

const FieldList = z.array(z.string().max(60)).max(60);
const CasingOf = z.enum(['upper', 'title', 'none']);
const policyShape = {
  required: z.strictObject({ contact: FieldList, company: FieldList, lead: FieldList })
    .openapi({ description: 'Fields that must be filled, per entity' }),
  requiredBySource: z.record(z.string(), z.strictObject({ contact: FieldList.optional(), company: FieldList.optional(), lead: FieldList.optional() }))
    .openapi({ description: 'Extra required fields when the record comes from a source (key: source id)' }),
  casing: z.record(z.string(), CasingOf).openapi({ description: 'Casing per "entity.field" of a free-text field, e.g. {"contact.lastName": "upper"}' }),
  validatePostalCode: z.boolean().openapi({ description: 'Check postal codes against the country\'s format' }),
  splitSurnames: z.boolean().openapi({ description: 'Suggest splitting two surnames typed in lastName' }),
  defaultCountry: z.string().openapi({ description: 'ISO 3166-1 alpha-2 country for phones without a prefix and postal codes' }),
};
export const CapturePolicyOut = z.object({
  ...policyShape,
  version: z.number().int().openapi({ description: '0 while the workspace uses the defaults' }),
  updatedAt: TimestampOut.nullable(),
}).openapi('CapturePolicy');
const CapturePolicyIn = z.strictObject({ ...policyShape, version: z.number().int().optional() }).openapi('CapturePolicyInput');

const FieldErrorOut = z.object({ field: z.string(), code: z.string(), message: z.string() });
const SuggestionOut = z.object({ field: z.string(), code: z.literal('split_surnames'), values: z.record(z.string(), z.string()) }).openapi('CaptureSuggestion');
const DuplicateOut = z.object({
  id: Uuid, score: z.number(), reasons: z.array(z.string()),
  record: z.record(z.string(), z.unknown()).openapi({ description: 'Summary of the existing record (names, email, phone, city, company)' }),
}).openapi('CaptureDuplicate');

const CheckIn = z.strictObject({
  entity: z.enum(['contact', 'company', 'lead']),
  values: z.record(z.string(), z.unknown()).openapi({ description: 'The values as typed; for a contact, companyName helps find duplicates' }),
  sourceId: Uuid.nullish().openapi({ description: 'Source of the record: adds the source\'s required fields' }),
  excludeId: Uuid.optional().openapi({ description: 'The record being edited, never reported as its own duplicate' }),
  partial: z.boolean().optional().openapi({ description: 'An update: required fields are checked only when sent' }),
}).openapi('CaptureCheckInput');
const CheckOut = z.object({
  values: z.record(z.string(), z.unknown()).openapi({ description: 'The values as the policy stores them' }),
  errors: z.array(FieldErrorOut), suggestions: z.array(SuggestionOut), duplicates: z.array(DuplicateOut),
}).openapi('CaptureCheck');

const text = (max: number) => z.string().max(max).nullish();
const EntryIn = z.strictObject({
  contact: z.strictObject({
    firstName: text(120), lastName: text(120), secondLastName: text(120), jobTitle: text(120),
    email: text(254), phone: text(40), postalCode: text(20), city: text(120),
    country: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 code, e.g. ES').nullish(),
  }),
  existingContactId: Uuid.nullish().openapi({ description: '"Use this one": update this contact with the non-empty values instead of creating one' }),
  companyName: text(200).openapi({ description: 'An active company of that name, or a new one' }),
  lead: z.strictObject({
    title: text(200).openapi({ description: 'Defaults to the contact\'s name' }),
    productIds: z.array(Uuid).max(100).optional(),
    nextActionAt: Timestamp.nullish(), nextActionType: z.enum(nextActionTypes).nullish(), nextActionNote: z.string().max(2000).nullish(),
  }),
  sourceId: Uuid.nullish(),
  campaignId: Uuid.nullish(),
}).openapi('CaptureEntryInput');
const EntryOut = z.object({ contactId: Uuid, leadId: Uuid, companyId: Uuid.nullable(), contactCreated: z.boolean() }).openapi('CaptureEntry');

export function captureRoutes(deps: Deps) {
  const r = newRouter();

  r.openapi(createRoute({
    method: 'get', path: '/capture/policy', tags: ['capture'], summary: 'The workspace\'s capture policy (defaults until an admin saves one)',
    responses: { 200: { description: 'Policy', content: { 'application/json': { schema: CapturePolicyOut } } }, ...problemResponses },
  }), async (c) => {
    const stored = await loadStoredCapturePolicy(deps.database.db, c.get('actor').workspaceId);
    return c.json({ ...stored.policy, version: stored.version, updatedAt: stored.updatedAt } as never, 200);
  });

  r.openapi(createRoute({
    method: 'put', path: '/capture/policy', tags: ['capture'], summary: 'Replace the capture policy (admins; every invalid rule is named by its path)',
    request: { body: { content: { 'application/json': { schema: CapturePolicyIn } }, required: true } },
    responses: { 200: { description: 'Saved', content: { 'application/json': { schema: CapturePolicyOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const { version, ...policy } = c.req.valid('json');
    const saved = await write(deps.database, (tx) => saveCapturePolicy(tx, actor, policy as CapturePolicy, version));
    return c.json({ ...saved.policy, version: saved.version, updatedAt: saved.updatedAt } as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/capture/check', tags: ['capture'],
    summary: 'Check values against the policy while typing: normalised values, errors, suggestions and likely duplicates (nothing is saved)',
    request: { body: { content: { 'application/json': { schema: CheckIn } }, required: true } },
    responses: { 200: { description: 'Result', content: { 'application/json': { schema: CheckOut } } }, ...problemResponses },
  }), async (c) => {
    const { workspaceId } = c.get('actor');
    const body = c.req.valid('json');
    const db = deps.database.db;
    const policy = await loadCapturePolicy(db, workspaceId);
    const result = applyCapturePolicy(body.entity, body.values, policy, { sourceId: body.sourceId ?? null, partial: body.partial ?? false });
    // Duplicates are looked up with the cleaned values (an E.164 phone, a lowercased email).
    const duplicates = body.entity === 'lead' ? [] : await findDuplicateCandidates(db, workspaceId, body.entity,
      result.values as ContactValues | CompanyValues, { defaultCountry: policy.defaultCountry, excludeIds: body.excludeId ? [body.excludeId] : [], limit: 5 });
    return c.json({ ...result, duplicates } as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/capture/entries', tags: ['capture'],
    summary: 'Capture one prospect (quick-add, a batch-entry row): contact, company by name and lead, in one transaction',
    request: { body: { content: { 'application/json': { schema: EntryIn } }, required: true } },
    responses: { 201: { description: 'Saved', content: { 'application/json': { schema: EntryOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const body = c.req.valid('json');
    const now = deps.now();
    const saved = await write(deps.database, (tx) => captureEntryInTx(tx, actor, {
      ...body,
      lead: { ...body.lead, nextActionAt: body.lead.nextActionAt ? new Date(body.lead.nextActionAt) : null },
    }, (tx2, a, input) => createLeadInTx(tx2, a, input as LeadInput, now)));
    c.header('Location', `/api/v1/leads/${saved.leadId}`);
    return c.json(saved as never, 201);
  });

  return r;
}
