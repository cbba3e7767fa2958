// Drizzle table definitions: the typed mirror of src/db/migrations/*.sql.
// The SQL files are the source of truth; schema.test.ts checks that both agree after migrating.
import { sql } from 'drizzle-orm';
import {
  pgTable, uuid, text, integer, boolean, timestamp, jsonb, numeric, date, char, bigint, primaryKey, doublePrecision, customType,
} from 'drizzle-orm/pg-core';
import { bestTimesToContact, lifecycles } from '../domain/profile.js';
import type { ScoreCondition, ScoreLine, ScoreWarning } from '../domain/score.js';
import type { Coefficient } from '../domain/score-model.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const money = (name: string) => numeric(name, { precision: 14, scale: 2, mode: 'number' });
const audited = {
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  version: integer('version').notNull().default(1),
};
const tenant = {
  workspaceId: uuid('workspace_id').notNull(),
  id: uuid('id').notNull().defaultRandom(),
};
const tenantKey = (t: { workspaceId: unknown; id: unknown }) =>
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- drizzle's column types are internal
  [primaryKey({ columns: [t.workspaceId as any, t.id as any] })];
const address = {
  address: text('address'),
  postalCode: text('postal_code'),
  neighbourhood: text('neighbourhood'),
  city: text('city'),
  region: text('region'),
  country: char('country', { length: 2 }),
};
const cancellable = {
  status: text('status', { enum: ['active', 'cancelled'] }).notNull().default('active'),
  cancelReason: text('cancel_reason'),
  cancelledAt: ts('cancelled_at'),
};

export const appSetting = pgTable('app_setting', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const workspace = pgTable('workspace', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  currency: char('currency', { length: 3 }).notNull().default('EUR'),
  timeZone: text('time_zone').notNull().default('Europe/Madrid'),
  locale: text('locale').notNull().default('es'),
  defaultCountry: char('default_country', { length: 2 }).notNull().default('ES'),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  ...audited,
});

export const team = pgTable('team', {
  ...tenant,
  name: text('name').notNull(),
  managerId: uuid('manager_id'),
  ...audited,
}, tenantKey);

export const appUser = pgTable('app_user', {
  ...tenant,
  email: text('email').notNull(),
  name: text('name').notNull(),
  role: text('role', { enum: ['admin', 'manager', 'sales'] }).notNull(),
  locale: text('locale', { enum: ['es', 'en'] }),
  teamId: uuid('team_id'),
  passwordHash: text('password_hash'),
  isActive: boolean('is_active').notNull().default(true),
  ...audited,
}, tenantKey);

export const session = pgTable('session', {
  id: text('id').primaryKey(),
  workspaceId: uuid('workspace_id').notNull(),
  userId: uuid('user_id').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  expiresAt: ts('expires_at').notNull(),
  userAgent: text('user_agent'),
});

export const apiToken = pgTable('api_token', {
  ...tenant,
  userId: uuid('user_id').notNull(),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull(),
  prefix: text('prefix').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  lastUsedAt: ts('last_used_at'),
  expiresAt: ts('expires_at'),
  revokedAt: ts('revoked_at'),
  /** Null: the full rights of the user (migration 0012_integrations.sql). */
  scopes: text('scopes').array(),
}, tenantKey);

export const loginAttempt = pgTable('login_attempt', {
  key: text('key').notNull(),
  at: ts('at').notNull().defaultNow(),
});

export const pipeline = pgTable('pipeline', {
  ...tenant,
  name: text('name').notNull(),
  isDefault: boolean('is_default').notNull().default(false),
  position: integer('position').notNull().default(0),
  ...audited,
}, tenantKey);

export const stage = pgTable('stage', {
  ...tenant,
  pipelineId: uuid('pipeline_id').notNull(),
  name: text('name').notNull(),
  position: integer('position').notNull(),
  kind: text('kind', { enum: ['open', 'won', 'lost'] }).notNull(),
  probability: integer('probability').notNull(),
  temperature: text('temperature', { enum: ['cold', 'warm', 'hot'] }),
  ...audited,
}, tenantKey);

export const sourceKinds = ['phone', 'emailing', 'campaign', 'social', 'website', 'fair', 'referral', 'walk_in', 'other'] as const;
export const source = pgTable('source', {
  ...tenant,
  name: text('name').notNull(),
  kind: text('kind', { enum: sourceKinds }).notNull(),
  isActive: boolean('is_active').notNull().default(true),
  ...audited,
}, tenantKey);

export const campaign = pgTable('campaign', {
  ...tenant,
  name: text('name').notNull(),
  sourceId: uuid('source_id'),
  startsOn: date('starts_on', { mode: 'string' }),
  endsOn: date('ends_on', { mode: 'string' }),
  cost: money('cost').notNull().default(0),
  notes: text('notes'),
  ...audited,
  // Migration 0023_segments.sql: the segment the campaign targets.
  segmentId: uuid('segment_id'),
}, tenantKey);

export const product = pgTable('product', {
  ...tenant,
  name: text('name').notNull(),
  sku: text('sku'),
  category: text('category'),
  unitPrice: money('unit_price').notNull().default(0),
  isActive: boolean('is_active').notNull().default(true),
  ...audited,
}, tenantKey);

export const customField = pgTable('custom_field', {
  ...tenant,
  entity: text('entity', { enum: ['company', 'contact', 'lead'] }).notNull(),
  key: text('key').notNull(),
  label: text('label').notNull(),
  type: text('type', { enum: ['text', 'number', 'date', 'choice'] }).notNull(),
  options: jsonb('options').$type<string[]>().notNull().default([]),
  isRequired: boolean('is_required').notNull().default(false),
  position: integer('position').notNull().default(0),
  ...audited,
  isSensitive: boolean('is_sensitive').notNull().default(false),
}, tenantKey);

export type CustomFieldValues = Record<string, string | number | null>;

export const company = pgTable('company', {
  ...tenant,
  name: text('name').notNull(),
  sector: text('sector'),
  employees: integer('employees'),
  annualRevenue: numeric('annual_revenue', { precision: 16, scale: 2, mode: 'number' }),
  website: text('website'),
  email: text('email'),
  phone: text('phone'),
  ...address,
  ownerId: uuid('owner_id'),
  customFields: jsonb('custom_fields').$type<CustomFieldValues>().notNull().default({}),
  ...cancellable,
  ...audited,
  searchText: text('search_text').generatedAlwaysAs(sql``),
}, tenantKey);

export const contact = pgTable('contact', {
  ...tenant,
  firstName: text('first_name').notNull(),
  lastName: text('last_name'),
  secondLastName: text('second_last_name'),
  jobTitle: text('job_title'),
  email: text('email'),
  phone: text('phone'),
  ...address,
  birthDate: date('birth_date', { mode: 'string' }),
  maritalStatus: text('marital_status', { enum: ['single', 'married', 'partner', 'divorced', 'widowed'] }),
  contactPreference: text('contact_preference', { enum: ['email', 'phone', 'whatsapp', 'visit'] }),
  doNotContact: boolean('do_not_contact').notNull().default(false),
  lifecycle: text('lifecycle', { enum: lifecycles }).notNull().default('prospect'),
  companyId: uuid('company_id'),
  ownerId: uuid('owner_id'),
  customFields: jsonb('custom_fields').$type<CustomFieldValues>().notNull().default({}),
  ...cancellable,
  lastActivityAt: ts('last_activity_at'),
  // Computed by src/domain/score.ts (migration 0022_score.sql); never written by the API.
  score: integer('score').notNull().default(0),
  scoreExplanation: jsonb('score_explanation').$type<ScoreExplanation>().notNull().default({ lines: [], warnings: [] }),
  ...audited,
  searchText: text('search_text').generatedAlwaysAs(sql``),
  // The client profile (migration 0021_client_profile.sql, docs/profile.md).
  occupation: text('occupation'),
  bestTimeToContact: text('best_time_to_contact', { enum: bestTimesToContact }),
  lifecycleOverride: text('lifecycle_override', { enum: lifecycles }),
}, tenantKey);

export const leadStatuses = ['open', 'won', 'lost', 'cancelled'] as const;
export const nextActionTypes = ['call', 'email', 'meeting', 'visit', 'message', 'task'] as const;
export const lead = pgTable('lead', {
  ...tenant,
  title: text('title').notNull(),
  contactId: uuid('contact_id'),
  companyId: uuid('company_id'),
  pipelineId: uuid('pipeline_id').notNull(),
  stageId: uuid('stage_id').notNull(),
  score: integer('score').notNull().default(0),
  scoreExplanation: jsonb('score_explanation').$type<ScoreExplanation>().notNull().default({ lines: [], warnings: [] }),
  probability: integer('probability').notNull(),
  amount: money('amount').notNull().default(0),
  currency: char('currency', { length: 3 }).notNull(),
  expectedCloseDate: date('expected_close_date', { mode: 'string' }),
  sourceId: uuid('source_id'),
  campaignId: uuid('campaign_id'),
  productIds: uuid('product_ids').array().notNull().default(sql`'{}'`),
  ownerId: uuid('owner_id'),
  sharedWith: uuid('shared_with').array().notNull().default(sql`'{}'`),
  nextActionAt: ts('next_action_at'),
  nextActionType: text('next_action_type', { enum: nextActionTypes }),
  nextActionNote: text('next_action_note'),
  status: text('status', { enum: leadStatuses }).notNull().default('open'),
  lostReason: text('lost_reason'),
  cancelReason: text('cancel_reason'),
  closedAt: ts('closed_at'),
  cancelledAt: ts('cancelled_at'),
  lastActivityAt: ts('last_activity_at'),
  customFields: jsonb('custom_fields').$type<CustomFieldValues>().notNull().default({}),
  ...audited,
  searchText: text('search_text').generatedAlwaysAs(sql``),
  // Sort keys copied from the referenced rows by triggers (0016_lead_sort_keys.sql); never written here.
  contactSort: text('contact_sort').notNull().default(''),
  companySort: text('company_sort').notNull().default(''),
  ownerSort: text('owner_sort').notNull().default(''),
  sourceSort: text('source_sort').notNull().default(''),
  stageSort: integer('stage_sort').notNull().default(0),
}, tenantKey);

export const leadStageHistory = pgTable('lead_stage_history', {
  ...tenant,
  leadId: uuid('lead_id').notNull(),
  fromStageId: uuid('from_stage_id'),
  toStageId: uuid('to_stage_id').notNull(),
  userId: uuid('user_id'),
  changedAt: ts('changed_at').notNull().defaultNow(),
}, tenantKey);

export const activityTypes = ['call', 'email', 'meeting', 'visit', 'message', 'note', 'task'] as const;
export const activity = pgTable('activity', {
  ...tenant,
  type: text('type', { enum: activityTypes }).notNull(),
  direction: text('direction', { enum: ['inbound', 'outbound'] }),
  subject: text('subject'),
  body: text('body'),
  outcome: text('outcome'),
  occurredAt: ts('occurred_at'),
  dueAt: ts('due_at'),
  doneAt: ts('done_at'),
  leadId: uuid('lead_id'),
  contactId: uuid('contact_id'),
  companyId: uuid('company_id'),
  userId: uuid('user_id'),
  ...audited,
}, tenantKey);

export const activityComment = pgTable('activity_comment', {
  ...tenant,
  activityId: uuid('activity_id').notNull(),
  userId: uuid('user_id'),
  body: text('body').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
}, tenantKey);

export const sale = pgTable('sale', {
  ...tenant,
  contactId: uuid('contact_id'),
  companyId: uuid('company_id'),
  leadId: uuid('lead_id'),
  ownerId: uuid('owner_id'),
  soldAt: ts('sold_at').notNull(),
  total: money('total').notNull(),
  currency: char('currency', { length: 3 }).notNull(),
  notes: text('notes'),
  ...audited,
}, tenantKey);

export const saleLine = pgTable('sale_line', {
  ...tenant,
  saleId: uuid('sale_id').notNull(),
  position: integer('position').notNull(),
  productId: uuid('product_id'),
  description: text('description'),
  quantity: numeric('quantity', { precision: 14, scale: 3, mode: 'number' }).notNull(),
  unitPrice: money('unit_price').notNull(),
  lineTotal: money('line_total').notNull(),
}, tenantKey);

export const auditEvent = pgTable('audit_event', {
  workspaceId: uuid('workspace_id').notNull(),
  id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity(),
  userId: uuid('user_id'),
  entity: text('entity').notNull(),
  entityId: uuid('entity_id').notNull(),
  action: text('action').notNull(),
  changes: jsonb('changes').$type<Record<string, unknown>>().notNull().default({}),
  at: ts('at').notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.id] })]);

// Jobs and notifications (migration 0005_jobs.sql).
export const jobStatuses = ['queued', 'running', 'done', 'failed'] as const;
export const job = pgTable('job', {
  workspaceId: uuid('workspace_id').notNull(),
  /** Deterministic for scheduled runs (`digest:2026-11-23:<userId>`), so enqueueing twice is a no-op. */
  id: text('id').notNull(),
  kind: text('kind').notNull(),
  payload: jsonb('payload').$type<unknown>().notNull().default({}),
  runAt: ts('run_at').notNull(),
  status: text('status', { enum: jobStatuses }).notNull().default('queued'),
  attempts: integer('attempts').notNull().default(0),
  maxAttempts: integer('max_attempts').notNull().default(5),
  lastError: text('last_error'),
  lockedUntil: ts('locked_until'),
  createdAt: ts('created_at').notNull().defaultNow(),
  finishedAt: ts('finished_at'),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.id] })]);

export const notification = pgTable('notification', {
  ...tenant,
  userId: uuid('user_id').notNull(),
  kind: text('kind').notNull(),
  title: text('title').notNull(),
  body: text('body'),
  link: text('link'),
  createdAt: ts('created_at').notNull().defaultNow(),
  readAt: ts('read_at'),
}, tenantKey);

// Per-user calendar feed (migration 0006_calendar.sql): only the sha256 of the URL's token is kept.
export const calendarFeed = pgTable('calendar_feed', {
  ...tenant,
  userId: uuid('user_id').notNull(),
  tokenHash: text('token_hash').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  lastUsedAt: ts('last_used_at'),
}, tenantKey);

// After the sale: follow-ups, satisfaction/NPS feedback, complaints (migration 0007_post_sale.sql).
export const feedbackChannels = ['phone', 'email', 'whatsapp', 'visit', 'web'] as const;
export const feedback = pgTable('feedback', {
  ...tenant,
  saleId: uuid('sale_id'),
  contactId: uuid('contact_id'),
  userId: uuid('user_id'),
  nps: integer('nps'),
  satisfaction: integer('satisfaction'),
  comment: text('comment'),
  channel: text('channel', { enum: feedbackChannels }).notNull(),
  answeredAt: ts('answered_at').notNull(),
  ...audited,
}, tenantKey);

export const followUpStatuses = ['planned', 'done', 'cancelled'] as const;
export const followUp = pgTable('follow_up', {
  ...tenant,
  saleId: uuid('sale_id').notNull(),
  contactId: uuid('contact_id'),
  userId: uuid('user_id'),
  dueAt: ts('due_at').notNull(),
  status: text('status', { enum: followUpStatuses }).notNull().default('planned'),
  doneAt: ts('done_at'),
  outcome: text('outcome'),
  feedbackId: uuid('feedback_id'),
  ...audited,
}, tenantKey);

export const complaintCategories = ['quality_defect', 'durability', 'portability', 'after_sales_service', 'functionality', 'other'] as const;
export const complaintStatuses = ['open', 'in_progress', 'resolved'] as const;
export const complaintResolutions = ['replacement', 'repair', 'home_maintenance', 'substitute_product', 'cost_assumed', 'other'] as const;
export const complaint = pgTable('complaint', {
  ...tenant,
  contactId: uuid('contact_id'),
  saleId: uuid('sale_id'),
  category: text('category', { enum: complaintCategories }).notNull(),
  description: text('description').notNull(),
  status: text('status', { enum: complaintStatuses }).notNull().default('open'),
  resolution: text('resolution', { enum: complaintResolutions }),
  resolvedAt: ts('resolved_at'),
  ownerId: uuid('owner_id'),
  dueAt: ts('due_at'),
  createdBy: uuid('created_by'),
  ...audited,
}, tenantKey);

export const complaintEvent = pgTable('complaint_event', {
  ...tenant,
  complaintId: uuid('complaint_id').notNull(),
  userId: uuid('user_id'),
  kind: text('kind', { enum: ['status', 'note'] }).notNull(),
  fromStatus: text('from_status', { enum: complaintStatuses }),
  toStatus: text('to_status', { enum: complaintStatuses }),
  resolution: text('resolution', { enum: complaintResolutions }),
  body: text('body'),
  at: ts('at').notNull(),
}, tenantKey);

export const satisfactionRequest = pgTable('satisfaction_request', {
  ...tenant,
  saleId: uuid('sale_id'),
  contactId: uuid('contact_id'),
  tokenHash: text('token_hash').notNull(),
  email: text('email'),
  createdBy: uuid('created_by'),
  createdAt: ts('created_at').notNull().defaultNow(),
  expiresAt: ts('expires_at').notNull(),
  emailedAt: ts('emailed_at'),
  answeredAt: ts('answered_at'),
  feedbackId: uuid('feedback_id'),
}, tenantKey);

// Objectives (migration 0008_metrics.sql): a target for a user or a team over a period on a metric.
export const objectiveMetrics = ['sales_amount', 'sales_count', 'leads_won', 'new_leads', 'activities', 'nps'] as const;
export type KeyResult = { title: string; target?: number | null; done?: boolean };
export const objective = pgTable('objective', {
  ...tenant,
  name: text('name').notNull(),
  userId: uuid('user_id'),
  teamId: uuid('team_id'),
  metric: text('metric', { enum: objectiveMetrics }).notNull(),
  periodStart: date('period_start', { mode: 'string' }).notNull(),
  periodEnd: date('period_end', { mode: 'string' }).notNull(),
  target: money('target').notNull(),
  keyResults: jsonb('key_results').$type<KeyResult[]>().notNull().default([]),
  createdBy: uuid('created_by'),
  ...audited,
  // Migration 0018: only the records of this segment's contacts count.
  segmentId: uuid('segment_id'),
}, tenantKey);

// Capture policy (migration 0009_capture_policy.sql): one JSON document of rules per workspace.
export const capturePolicy = pgTable('capture_policy', {
  ...tenant,
  rules: jsonb('rules').$type<Record<string, unknown>>().notNull(),
  updatedBy: uuid('updated_by'),
  ...audited,
}, tenantKey);

/**
 * Columns the database derives (search text, copied sort keys): never part of a record's API shape
 * or its audit trail.
 */
export const derivedColumns: ReadonlySet<string> = new Set(['search_text', 'contact_sort', 'company_sort', 'owner_sort', 'source_sort', 'stage_sort']);

// Saved views of a list (migration 0016_lead_sort_keys.sql): a user's named filters, sort and columns.
export const savedViewEntities = ['lead', 'contact', 'company'] as const;
export const savedView = pgTable('saved_view', {
  ...tenant,
  userId: uuid('user_id').notNull(),
  entity: text('entity', { enum: savedViewEntities }).notNull(),
  name: text('name').notNull(),
  definition: jsonb('definition').$type<Record<string, unknown>>().notNull(),
  shared: boolean('shared').notNull().default(false),
  ...audited,
}, tenantKey);

// Duplicates (migration 0010_duplicates.sql): candidate pairs found by the scan, and reversible merges.
export const duplicatePair = pgTable('duplicate_pair', {
  ...tenant,
  entity: text('entity', { enum: ['contact', 'company'] }).notNull(),
  recordAId: uuid('record_a_id').notNull(),
  recordBId: uuid('record_b_id').notNull(),
  score: integer('score').notNull(),
  reasons: text('reasons').array().notNull().default(sql`'{}'`),
  detectedAt: ts('detected_at').notNull().defaultNow(),
  dismissedAt: ts('dismissed_at'),
  dismissedBy: uuid('dismissed_by'),
}, tenantKey);

export const duplicateMerge = pgTable('duplicate_merge', {
  ...tenant,
  entity: text('entity', { enum: ['contact', 'company'] }).notNull(),
  keepId: uuid('keep_id').notNull(),
  mergedId: uuid('merged_id').notNull(),
  snapshot: jsonb('snapshot').$type<Record<string, unknown>>().notNull().default({}),
  moved: jsonb('moved').$type<Record<string, string[]>>().notNull().default({}),
  mergedBy: uuid('merged_by'),
  mergedAt: ts('merged_at').notNull().defaultNow(),
  undoneAt: ts('undone_at'),
  undoneBy: uuid('undone_by'),
  purgedAt: ts('purged_at'),
}, tenantKey);

// Web-form lead capture (migration 0013_web_forms.sql).
export type LeadFormField = { key: string; label: string; required: boolean };
export const leadFormAssignments = ['fixed', 'round_robin'] as const;
export const leadForm = pgTable('lead_form', {
  ...tenant,
  publicId: text('public_id').notNull(),
  name: text('name').notNull(),
  intro: text('intro'),
  fields: jsonb('fields').$type<LeadFormField[]>().notNull().default([]),
  sourceId: uuid('source_id'),
  campaignId: uuid('campaign_id'),
  productId: uuid('product_id'),
  assignment: text('assignment', { enum: leadFormAssignments }).notNull().default('fixed'),
  ownerId: uuid('owner_id'),
  assigneeIds: uuid('assignee_ids').array().notNull().default(sql`'{}'`),
  roundRobinCursor: integer('round_robin_cursor').notNull().default(0),
  locale: text('locale', { enum: ['es', 'en'] }),
  thankYouMessage: text('thank_you_message'),
  redirectUrl: text('redirect_url'),
  isActive: boolean('is_active').notNull().default(true),
  createdBy: uuid('created_by'),
  ...audited,
}, tenantKey);

export const formSubmission = pgTable('form_submission', {
  ...tenant,
  formId: uuid('form_id').notNull(),
  fieldValues: jsonb('field_values').$type<Record<string, string>>().notNull().default({}),
  utmSource: text('utm_source'),
  utmMedium: text('utm_medium'),
  utmCampaign: text('utm_campaign'),
  utmTerm: text('utm_term'),
  utmContent: text('utm_content'),
  referrer: text('referrer'),
  ipHash: text('ip_hash'),
  isSpam: boolean('is_spam').notNull().default(false),
  contactId: uuid('contact_id'),
  leadId: uuid('lead_id'),
  createdAt: ts('created_at').notNull().defaultNow(),
}, tenantKey);

export const formRateLimit = pgTable('form_rate_limit', {
  workspaceId: uuid('workspace_id').notNull(),
  id: text('id').notNull(),
  formId: uuid('form_id').notNull(),
  windowStart: ts('window_start').notNull(),
  hits: integer('hits').notNull().default(0),
}, tenantKey);

// Daily rollups of the dashboard's additive numbers (migration 0014_metric_rollups.sql): kept by
// triggers in the same transaction as each write; the nil uuid stands for "none" in key columns.
export const leadDaily = pgTable('lead_daily', {
  workspaceId: uuid('workspace_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  ownerId: uuid('owner_id').notNull(),
  sourceId: uuid('source_id').notNull(),
  campaignId: uuid('campaign_id').notNull(),
  leads: integer('leads').notNull(),
  won: integer('won').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.day, t.ownerId, t.sourceId, t.campaignId] })]);

export const leadFunnelDaily = pgTable('lead_funnel_daily', {
  workspaceId: uuid('workspace_id').notNull(),
  pipelineId: uuid('pipeline_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  ownerId: uuid('owner_id').notNull(),
  sourceId: uuid('source_id').notNull(),
  furthestStageId: uuid('furthest_stage_id').notNull(),
  leads: integer('leads').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.pipelineId, t.day, t.ownerId, t.sourceId, t.furthestStageId] })]);

export const leadClosedDaily = pgTable('lead_closed_daily', {
  workspaceId: uuid('workspace_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  ownerId: uuid('owner_id').notNull(),
  sourceId: uuid('source_id').notNull(),
  won: integer('won').notNull(),
  lost: integer('lost').notNull(),
  wonDays: numeric('won_days').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.day, t.ownerId, t.sourceId] })]);

export const leadOpenSummary = pgTable('lead_open_summary', {
  workspaceId: uuid('workspace_id').notNull(),
  stageId: uuid('stage_id').notNull(),
  ownerId: uuid('owner_id').notNull(),
  sourceId: uuid('source_id').notNull(),
  closeMonth: text('close_month').notNull(),
  leads: integer('leads').notNull(),
  amount: numeric('amount').notNull(),
  weighted: numeric('weighted').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.stageId, t.ownerId, t.sourceId, t.closeMonth] })]);

export const activityDaily = pgTable('activity_daily', {
  workspaceId: uuid('workspace_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  userId: uuid('user_id').notNull(),
  type: text('type').notNull(),
  done: integer('done').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.day, t.userId, t.type] })]);

export const saleDaily = pgTable('sale_daily', {
  workspaceId: uuid('workspace_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  ownerId: uuid('owner_id').notNull(),
  sales: integer('sales').notNull(),
  amount: numeric('amount').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.day, t.ownerId] })]);

export const feedbackDaily = pgTable('feedback_daily', {
  workspaceId: uuid('workspace_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  userId: uuid('user_id').notNull(),
  nps: integer('nps').notNull(),
  satisfaction: integer('satisfaction').notNull(),
  answers: integer('answers').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.day, t.userId, t.nps, t.satisfaction] })]);

// Integrations (migration 0012_integrations.sql): outgoing webhooks and their delivery log.
export const webhookDeliveryStatuses = ['pending', 'delivered', 'failed'] as const;
export const webhook = pgTable('webhook', {
  ...tenant,
  name: text('name').notNull(),
  url: text('url').notNull(),
  events: text('events').array().notNull(),
  secret: text('secret').notNull(),
  active: boolean('active').notNull().default(true),
  createdBy: uuid('created_by'),
  ...audited,
}, tenantKey);

export const webhookDelivery = pgTable('webhook_delivery', {
  ...tenant,
  webhookId: uuid('webhook_id').notNull(),
  event: text('event').notNull(),
  eventId: uuid('event_id').notNull(),
  payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
  status: text('status', { enum: webhookDeliveryStatuses }).notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  responseCode: integer('response_code'),
  lastError: text('last_error'),
  nextAttemptAt: ts('next_attempt_at'),
  replayOf: uuid('replay_of'),
  createdAt: ts('created_at').notNull().defaultNow(),
  finishedAt: ts('finished_at'),
}, tenantKey);

// Imports (migration 0011_imports.sql): the import, its rejected rows, and what it created or updated.
export const importStatuses = ['uploaded', 'queued', 'running', 'failed', 'done', 'rolled_back'] as const;
export const fileImport = pgTable('import', {
  ...tenant,
  fileName: text('file_name').notNull(),
  fileSize: bigint('file_size', { mode: 'number' }).notNull(),
  format: text('format', { enum: ['csv', 'xlsx'] }).notNull(),
  encoding: text('encoding', { enum: ['utf-8', 'windows-1252', 'utf-16le'] }),
  delimiter: text('delimiter'),
  headerRow: integer('header_row').notNull(),
  headers: jsonb('headers').$type<string[]>().notNull(),
  layoutFingerprint: text('layout_fingerprint').notNull(),
  mapping: jsonb('mapping').$type<(string | null)[]>().notNull().default([]),
  upsertKey: text('upsert_key', { enum: ['email', 'phone', 'externalId'] }).notNull().default('email'),
  createLeads: boolean('create_leads').notNull().default(false),
  status: text('status', { enum: importStatuses }).notNull().default('uploaded'),
  totalRows: integer('total_rows'),
  processedRows: integer('processed_rows').notNull().default(0),
  createdCount: integer('created_count').notNull().default(0),
  updatedCount: integer('updated_count').notNull().default(0),
  unchangedCount: integer('unchanged_count').notNull().default(0),
  duplicateCount: integer('duplicate_count').notNull().default(0),
  rejectedCount: integer('rejected_count').notNull().default(0),
  leadsCreated: integer('leads_created').notNull().default(0),
  lastError: text('last_error'),
  createdBy: uuid('created_by'),
  startedAt: ts('started_at'),
  finishedAt: ts('finished_at'),
  rolledBackAt: ts('rolled_back_at'),
  ...audited,
}, tenantKey);

export const importRow = pgTable('import_row', {
  ...tenant,
  importId: uuid('import_id').notNull(),
  rowNumber: integer('row_number').notNull(),
  original: jsonb('original').$type<string[]>().notNull(),
  reasons: jsonb('reasons').$type<{ field: string; code: string; message: string }[]>().notNull(),
}, tenantKey);

export const importRecord = pgTable('import_record', {
  ...tenant,
  importId: uuid('import_id').notNull(),
  entity: text('entity', { enum: ['contact', 'company', 'lead'] }).notNull(),
  recordId: uuid('record_id').notNull(),
  action: text('action', { enum: ['created', 'updated'] }).notNull(),
  rowNumber: integer('row_number').notNull(),
  before: jsonb('before').$type<Record<string, unknown>>(),
  externalId: text('external_id'),
}, tenantKey);

// The customer journey as a model (migration 0015_funnel.sql, docs/funnel.md).
export const journeyStepKinds = ['stage', 'activity', 'sale', 'repeat_sale', 'promoter', 'manual'] as const;
export const journeyStep = pgTable('journey_step', {
  ...tenant,
  pipelineId: uuid('pipeline_id').notNull(),
  name: text('name').notNull(),
  position: integer('position').notNull(),
  kind: text('kind', { enum: journeyStepKinds }).notNull(),
  stageId: uuid('stage_id'),
  activityType: text('activity_type', { enum: ['call', 'email', 'meeting', 'visit', 'message', 'task'] }),
  ...audited,
}, tenantKey);

export const stepCount = pgTable('step_count', {
  ...tenant,
  stepId: uuid('step_id').notNull(),
  periodStart: date('period_start', { mode: 'string' }).notNull(),
  periodEnd: date('period_end', { mode: 'string' }).notNull(),
  count: integer('count').notNull(),
  note: text('note'),
  createdBy: uuid('created_by'),
  ...audited,
}, tenantKey);

export const scenario = pgTable('scenario', {
  ...tenant,
  name: text('name').notNull(),
  pipelineId: uuid('pipeline_id').notNull(),
  levers: jsonb('levers').$type<unknown[]>().notNull().default([]),
  filters: jsonb('filters').$type<Record<string, string | null>>().notNull().default({}),
  baselineFrom: date('baseline_from', { mode: 'string' }).notNull(),
  baselineTo: date('baseline_to', { mode: 'string' }).notNull(),
  months: integer('months').notNull().default(6),
  createdBy: uuid('created_by'),
  ...audited,
}, tenantKey);

// Segments (migration 0023_segments.sql): saved sets of contacts defined by a condition tree.
export const segmentBuiltins = ['best_clients', 'vip', 'at_risk', 'hot_prospects', 'warm_prospects', 'cold_prospects', 'detractors'] as const;
export const segment = pgTable('segment', {
  ...tenant,
  name: text('name').notNull(),
  description: text('description'),
  definition: jsonb('definition').$type<Record<string, unknown>>().notNull(),
  ownerId: uuid('owner_id'),
  shared: boolean('shared').notNull().default(false),
  builtin: text('builtin', { enum: segmentBuiltins }),
  ...audited,
}, tenantKey);

// Portfolio reassignments (migration 0024_portfolio_transfers.sql): one row per batch moved.
export type PortfolioTransferCounts = { contacts: number; companies: number; leads: number; activities: number; followUps: number; complaints: number };
export const portfolioTransfer = pgTable('portfolio_transfer', {
  workspaceId: uuid('workspace_id').notNull(),
  id: uuid('id').notNull().defaultRandom(),
  fromUserId: uuid('from_user_id').notNull(),
  toUserId: uuid('to_user_id').notNull(),
  segmentId: uuid('segment_id'),
  idempotencyKey: text('idempotency_key'),
  counts: jsonb('counts').$type<PortfolioTransferCounts>().notNull(),
  createdBy: uuid('created_by'),
  createdAt: ts('created_at').notNull().defaultNow(),
}, tenantKey);

// More metric rollups and the weekly summary opt-out (migration 0018_metric_rollups_more.sql).
export const leadPlaceDaily = pgTable('lead_place_daily', {
  workspaceId: uuid('workspace_id').notNull(),
  ownerId: uuid('owner_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  sourceId: uuid('source_id').notNull(),
  productId: uuid('product_id').notNull(),
  neighbourhood: text('neighbourhood').notNull(),
  city: text('city').notNull(),
  leads: integer('leads').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.ownerId, t.day, t.sourceId, t.productId, t.neighbourhood, t.city] })]);

export const leadPlaceWeekly = pgTable('lead_place_weekly', {
  workspaceId: uuid('workspace_id').notNull(),
  week: date('week', { mode: 'string' }).notNull(),
  sourceId: uuid('source_id').notNull(),
  productId: uuid('product_id').notNull(),
  neighbourhood: text('neighbourhood').notNull(),
  city: text('city').notNull(),
  leads: integer('leads').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.week, t.sourceId, t.productId, t.neighbourhood, t.city] })]);

export const activityWeekly = pgTable('activity_weekly', {
  workspaceId: uuid('workspace_id').notNull(),
  week: date('week', { mode: 'string' }).notNull(),
  userId: uuid('user_id').notNull(),
  type: text('type').notNull(),
  done: integer('done').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.week, t.userId, t.type] })]);

export const contactLifecycleSummary = pgTable('contact_lifecycle_summary', {
  workspaceId: uuid('workspace_id').notNull(),
  ownerId: uuid('owner_id').notNull(),
  lifecycle: text('lifecycle').notNull(),
  contacts: integer('contacts').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.ownerId, t.lifecycle] })]);

export const saleClientFirst = pgTable('sale_client_first', {
  workspaceId: uuid('workspace_id').notNull(),
  contactId: uuid('contact_id').notNull(),
  companyId: uuid('company_id').notNull(),
  firstSoldAt: ts('first_sold_at').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.contactId, t.companyId] })]);

export const mailOptOutKinds = ['weekly_summary'] as const;
export const mailOptOut = pgTable('mail_opt_out', {
  workspaceId: uuid('workspace_id').notNull(),
  userId: uuid('user_id').notNull(),
  kind: text('kind', { enum: mailOptOutKinds }).notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.userId, t.kind] })]);

// The uploaded file of an import in chunks (migration 0019_import_files.sql), readable by every app instance.
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });
export const importFileChunk = pgTable('import_file_chunk', {
  workspaceId: uuid('workspace_id').notNull(),
  importId: uuid('import_id').notNull(),
  seq: integer('seq').notNull(),
  data: bytea('data').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.importId, t.seq] })]);

// The score (migration 0022_score.sql, docs/score.md): rules, and the latest measured model.
export type ScoreExplanation = { lines: ScoreLine[]; warnings: ScoreWarning[] };
export const scoreRule = pgTable('score_rule', {
  ...tenant,
  position: integer('position').notNull(),
  label: text('label').notNull(),
  weight: integer('weight').notNull(),
  condition: jsonb('condition').$type<ScoreCondition>().notNull(),
  ...audited,
}, tenantKey);

export const scoreModel = pgTable('score_model', {
  ...tenant,
  status: text('status', { enum: ['trained', 'insufficient'] }).notNull(),
  reason: text('reason'),
  trainedAt: ts('trained_at').notNull(),
  n: integer('n').notNull(),
  nTrain: integer('n_train').notNull().default(0),
  nTest: integer('n_test').notNull().default(0),
  won: integer('won').notNull(),
  lost: integer('lost').notNull(),
  auc: doublePrecision('auc'),
  intercept: doublePrecision('intercept').notNull().default(0),
  coefficients: jsonb('coefficients').$type<Coefficient[]>().notNull().default([]),
  earlyDays: integer('early_days').notNull(),
}, tenantKey);

// Funnel model rollups (migration 0020_funnel_rollups.sql, docs/funnel.md#speed): kept by triggers, read by src/db/queries/funnel.ts.
export const funnelLeadDaily = pgTable('funnel_lead_daily', {
  workspaceId: uuid('workspace_id').notNull(),
  pipelineId: uuid('pipeline_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  ownerId: uuid('owner_id').notNull(),
  sourceId: uuid('source_id').notNull(),
  mask: integer('mask').notNull(),
  atStep: integer('at_step').notNull(),
  outcome: integer('outcome').notNull(),
  closeAge: integer('close_age').notNull(),
  leads: integer('leads').notNull(),
  amount: numeric('amount').notNull(),
  weighted: numeric('weighted').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.pipelineId, t.day, t.ownerId, t.sourceId, t.mask, t.atStep, t.outcome, t.closeAge] })]);

export const funnelStepDays = pgTable('funnel_step_days', {
  workspaceId: uuid('workspace_id').notNull(),
  pipelineId: uuid('pipeline_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  ownerId: uuid('owner_id').notNull(),
  sourceId: uuid('source_id').notNull(),
  step: integer('step').notNull(),
  lo: integer('lo').notNull(),
  leads: integer('leads').notNull(),
  days: doublePrecision('days').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.pipelineId, t.step, t.day, t.ownerId, t.sourceId, t.lo] })]);

export const funnelWonCycle = pgTable('funnel_won_cycle', {
  workspaceId: uuid('workspace_id').notNull(),
  pipelineId: uuid('pipeline_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  ownerId: uuid('owner_id').notNull(),
  sourceId: uuid('source_id').notNull(),
  lo: integer('lo').notNull(),
  leads: integer('leads').notNull(),
  days: doublePrecision('days').notNull(),
  priced: integer('priced').notNull(),
  amount: doublePrecision('amount').notNull(),
  amountSq: doublePrecision('amount_sq').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.pipelineId, t.day, t.ownerId, t.sourceId, t.lo] })]);

export const funnelLeadDailyAll = pgTable('funnel_lead_daily_all', {
  workspaceId: uuid('workspace_id').notNull(),
  pipelineId: uuid('pipeline_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  sourceId: uuid('source_id').notNull(),
  mask: integer('mask').notNull(),
  atStep: integer('at_step').notNull(),
  outcome: integer('outcome').notNull(),
  closeAge: integer('close_age').notNull(),
  leads: integer('leads').notNull(),
  amount: numeric('amount').notNull(),
  weighted: numeric('weighted').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.pipelineId, t.day, t.sourceId, t.mask, t.atStep, t.outcome, t.closeAge] })]);

export const funnelStepDaysAll = pgTable('funnel_step_days_all', {
  workspaceId: uuid('workspace_id').notNull(),
  pipelineId: uuid('pipeline_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  step: integer('step').notNull(),
  lo: integer('lo').notNull(),
  leads: integer('leads').notNull(),
  days: doublePrecision('days').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.pipelineId, t.step, t.day, t.lo] })]);

export const funnelWonCycleAll = pgTable('funnel_won_cycle_all', {
  workspaceId: uuid('workspace_id').notNull(),
  pipelineId: uuid('pipeline_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  lo: integer('lo').notNull(),
  leads: integer('leads').notNull(),
  days: doublePrecision('days').notNull(),
  priced: integer('priced').notNull(),
  amount: doublePrecision('amount').notNull(),
  amountSq: doublePrecision('amount_sq').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.pipelineId, t.day, t.lo] })]);

export const funnelRollupState = pgTable('funnel_rollup_state', {
  workspaceId: uuid('workspace_id').notNull(),
  pipelineId: uuid('pipeline_id').notNull(),
  signature: text('signature').notNull(),
  rebuiltAt: ts('rebuilt_at').notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.pipelineId] })]);

// Per-contact purchase figures for segment conditions (migration 0023_segments.sql), kept by triggers on sale.
export const contactSaleStats = pgTable('contact_sale_stats', {
  workspaceId: uuid('workspace_id').notNull(),
  contactId: uuid('contact_id').notNull(),
  purchases: integer('purchases').notNull(),
  revenue: numeric('revenue', { precision: 16, scale: 2, mode: 'number' }).notNull(),
  firstSoldAt: ts('first_sold_at').notNull(),
  lastSoldAt: ts('last_sold_at').notNull(),
  purchases12m: integer('purchases_12m').notNull(),
  revenue12m: numeric('revenue_12m', { precision: 16, scale: 2, mode: 'number' }).notNull(),
  computedAt: ts('computed_at').notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.contactId] })]);

// Sales per (sale day, month or day of the client's previous / first sale), and all-time sales per
// client: exact distinct-client sales figures without reading the period's sales (migration 0026).
export const saleClientRefDaily = pgTable('sale_client_ref_daily', {
  workspaceId: uuid('workspace_id').notNull(),
  ref: text('ref', { enum: ['previous', 'first'] }).notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  refMonth: date('ref_month', { mode: 'string' }).notNull(),
  sales: integer('sales').notNull(),
  amount: numeric('amount').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.ref, t.day, t.refMonth] })]);

export const saleClientRefPair = pgTable('sale_client_ref_pair', {
  workspaceId: uuid('workspace_id').notNull(),
  ref: text('ref', { enum: ['previous', 'first'] }).notNull(),
  refDay: date('ref_day', { mode: 'string' }).notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  sales: integer('sales').notNull(),
  amount: numeric('amount').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.ref, t.refDay, t.day] })]);

export const saleClientTotal = pgTable('sale_client_total', {
  workspaceId: uuid('workspace_id').notNull(),
  contactId: uuid('contact_id').notNull(),
  companyId: uuid('company_id').notNull(),
  sales: integer('sales').notNull(),
  amount: numeric('amount').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.contactId, t.companyId] })]);

// lead_daily / lead_funnel_daily summed per month (kept by triggers on them) and open leads per UTC day
// of their next action (migration 0026).
export const leadMonthly = pgTable('lead_monthly', {
  workspaceId: uuid('workspace_id').notNull(),
  month: date('month', { mode: 'string' }).notNull(),
  ownerId: uuid('owner_id').notNull(),
  sourceId: uuid('source_id').notNull(),
  campaignId: uuid('campaign_id').notNull(),
  leads: integer('leads').notNull(),
  won: integer('won').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.month, t.ownerId, t.sourceId, t.campaignId] })]);

export const leadFunnelMonthly = pgTable('lead_funnel_monthly', {
  workspaceId: uuid('workspace_id').notNull(),
  pipelineId: uuid('pipeline_id').notNull(),
  month: date('month', { mode: 'string' }).notNull(),
  ownerId: uuid('owner_id').notNull(),
  sourceId: uuid('source_id').notNull(),
  furthestStageId: uuid('furthest_stage_id').notNull(),
  leads: integer('leads').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.pipelineId, t.month, t.ownerId, t.sourceId, t.furthestStageId] })]);

export const leadNextActionDaily = pgTable('lead_next_action_daily', {
  workspaceId: uuid('workspace_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  ownerId: uuid('owner_id').notNull(),
  sourceId: uuid('source_id').notNull(),
  leads: integer('leads').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.day, t.ownerId, t.sourceId] })]);

// Plan vs actual (0028): leads reaching each journey step per local day of the reach.
export const funnelStepReached = pgTable('funnel_step_reached', {
  workspaceId: uuid('workspace_id').notNull(),
  pipelineId: uuid('pipeline_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  ownerId: uuid('owner_id').notNull(),
  sourceId: uuid('source_id').notNull(),
  step: integer('step').notNull(),
  leads: integer('leads').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.pipelineId, t.day, t.ownerId, t.sourceId, t.step] })]);

export const funnelStepReachedAll = pgTable('funnel_step_reached_all', {
  workspaceId: uuid('workspace_id').notNull(),
  pipelineId: uuid('pipeline_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  step: integer('step').notNull(),
  leads: integer('leads').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.pipelineId, t.day, t.step] })]);

// Each owned sale with its client's previous and first sale days and whether the client bought from more
// than one owner (migration 0032): a salesperson's or a team's distinct-client figures by sums.
export const saleClientRef = pgTable('sale_client_ref', {
  workspaceId: uuid('workspace_id').notNull(),
  saleId: uuid('sale_id').notNull(),
  ownerId: uuid('owner_id').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  contactId: uuid('contact_id').notNull(),
  companyId: uuid('company_id').notNull(),
  prevDay: date('prev_day', { mode: 'string' }),
  firstDay: date('first_day', { mode: 'string' }).notNull(),
  shared: boolean('shared').notNull(),
  total: numeric('total').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.saleId] })]);

export const saleClientOwnerTotal = pgTable('sale_client_owner_total', {
  workspaceId: uuid('workspace_id').notNull(),
  contactId: uuid('contact_id').notNull(),
  companyId: uuid('company_id').notNull(),
  ownerId: uuid('owner_id').notNull(),
  sales: integer('sales').notNull(),
  amount: numeric('amount').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.contactId, t.companyId, t.ownerId] })]);

// While the funnel rollups job rebuilds funnel_step_reached range by range (migration 0034): the local
// creation day before which the pipeline's leads are counted in it; its triggers leave the later ones alone.
export const funnelRollupCursor = pgTable('funnel_rollup_cursor', {
  workspaceId: uuid('workspace_id').notNull(),
  pipelineId: uuid('pipeline_id').notNull(),
  builtBefore: date('built_before', { mode: 'string' }).notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.pipelineId] })]);

// Non-shared sale_client_ref rows summed per owner, month of the sale and month of the client's previous /
// first sale (migration 0036): a team's distinct-client sale figures from a few hundred rows.
export const saleClientOwnerMonthly = pgTable('sale_client_owner_monthly', {
  workspaceId: uuid('workspace_id').notNull(),
  ownerId: uuid('owner_id').notNull(),
  month: date('month', { mode: 'string' }).notNull(),
  ref: text('ref', { enum: ['previous', 'first'] }).notNull(),
  refMonth: date('ref_month', { mode: 'string' }).notNull(),
  sales: integer('sales').notNull(),
  amount: numeric('amount').notNull(),
}, (t) => [primaryKey({ columns: [t.workspaceId, t.ownerId, t.month, t.ref, t.refMonth] })]);
