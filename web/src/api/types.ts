// Shapes of the /api/v1 records the web app reads. Kept by hand while the API grows; fields a
// given server version may not send yet are optional so the UI degrades instead of crashing.
export type Role = 'admin' | 'manager' | 'sales';
export type Locale = 'es' | 'en';

export type Page<T> = { data: T[]; nextCursor: string | null };

export type Me = {
  user: { id: string; email: string; name: string; role: Role; teamId: string | null; locale: Locale | null };
  workspace: { id: string; name: string; currency: string; timeZone: string; locale: string; defaultCountry: string };
  csrfToken: string | null;
};

type Meta = { id: string; createdAt: string; updatedAt: string; version: number };
export type CustomFieldValues = Record<string, string | number | null>;

export type User = Meta & { email: string; name: string; role: Role; teamId: string | null; locale: Locale | null; isActive: boolean };

export type StageKind = 'open' | 'won' | 'lost';
export type Stage = Meta & { pipelineId: string; name: string; position: number; kind: StageKind; probability: number; temperature?: 'cold' | 'warm' | 'hot' | null };
export type Pipeline = Meta & { name: string; isDefault: boolean; position: number; stages?: Stage[] };

export type Source = Meta & { name: string; kind: string; isActive: boolean };
export type Product = Meta & { name: string; sku: string | null; category: string | null; unitPrice: number; isActive: boolean };
export type CustomFieldDef = Meta & { entity: 'company' | 'contact' | 'lead'; key: string; label: string; type: 'text' | 'number' | 'date' | 'choice'; options: string[]; isRequired: boolean; position: number };

export type Company = Meta & { name: string; sector: string | null; city: string | null; email: string | null; phone: string | null; website: string | null; ownerId: string | null; customFields: CustomFieldValues; status: string };

export type Contact = Meta & {
  firstName: string; lastName: string | null; secondLastName?: string | null; jobTitle: string | null;
  email: string | null; phone: string | null; city?: string | null; companyId: string | null; ownerId: string | null;
  lifecycle?: string; lastActivityAt?: string | null; customFields?: CustomFieldValues; status?: string;
};

export type LeadStatus = 'open' | 'won' | 'lost' | 'cancelled';
export const nextActionTypes = ['call', 'email', 'meeting', 'visit', 'message', 'task'] as const;
export type NextActionType = (typeof nextActionTypes)[number];
export const activityTypes = ['call', 'email', 'meeting', 'visit', 'message', 'note', 'task'] as const;
export type ActivityType = (typeof activityTypes)[number];

/** The explanation stored with every lead's and contact's score (src/domain/score.ts). */
export type ScoreLine = { ruleId: string; label: string; points: number; kind: 'fit' | 'behaviour' | 'decay' };
export type ScoreWarning = { ruleId: string; label: string; reason: 'field_deleted' | 'product_deleted' | 'source_deleted' };
export type ScoreExplanation = { lines: ScoreLine[]; warnings: ScoreWarning[] };

export type Lead = Meta & {
  title: string;
  contactId: string | null; companyId: string | null; pipelineId: string; stageId: string;
  score: number; probability: number; amount: number; currency: string; expectedCloseDate: string | null;
  sourceId: string | null; campaignId: string | null; productIds: string[]; ownerId: string | null;
  nextActionAt: string | null; nextActionType: NextActionType | null; nextActionNote: string | null;
  status: LeadStatus; lostReason: string | null; cancelReason: string | null;
  lastActivityAt: string | null; customFields: CustomFieldValues;
  closedAt?: string | null; cancelledAt?: string | null; sharedWith?: string[];
  /** Why the (computed, read-only) score is what it is (docs/score.md). */
  scoreExplanation?: ScoreExplanation;
  /** Names the API joins in so a table row needs no extra request. */
  contactName?: string | null; companyName?: string | null; stageName?: string | null; ownerName?: string | null; sourceName?: string | null;
  weightedAmount?: number;
  contact?: { id: string; firstName: string; lastName: string | null; email?: string | null; phone?: string | null } | null;
};

export type Activity = Meta & {
  type: ActivityType; direction: 'inbound' | 'outbound' | null; subject: string | null; body: string | null; outcome: string | null;
  occurredAt: string | null; dueAt: string | null; doneAt: string | null;
  leadId: string | null; contactId: string | null; companyId: string | null; userId: string | null; userName?: string | null;
};
export type Comment = { id: string; activityId: string; userId: string | null; userName?: string | null; body: string; createdAt: string };

export type Section<T> = { total: number; items: T[] };
export type StaleContact = Pick<Contact, 'id' | 'firstName' | 'lastName' | 'email' | 'phone' | 'companyId'> & {
  secondLastName: string | null; lifecycle: string; companyName: string | null; lastActivityAt: string | null;
};
export type TaskDue = { id: string; type: string; subject: string | null; dueAt: string; leadId: string | null; contactId: string | null; companyId: string | null };

/** GET /today: the sections of the landing page, each with its total and first items. */
export type Today = {
  userId: string; date: string; timeZone: string; dayStart: string; dayEnd: string;
  dueToday: Section<Lead>;
  overdue: Section<Lead>;
  withoutNextAction: Section<Lead>;
  staleContacts: Section<StaleContact>;
  tasksDue: Section<TaskDue>;
  followUpsDue: Section<import('../lib/records.js').FollowUpRecord>;
};

export type SaleLineInput = { productId?: string | null; description?: string | null; quantity: number; unitPrice?: number | null };
