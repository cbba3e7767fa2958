// Records of the contact, company, reference-data and post-sale pages, read straight from the
// generated OpenAPI types so they never drift from what the API sends.
import type { components } from '../api/openapi.js';

type S = components['schemas'];
export type ContactRecord = S['Contact'];
export type CompanyRecord = S['Company'];
export type SaleRecord = S['Sale'];
export type FollowUpRecord = S['FollowUp'];
export type ComplaintRecord = S['Complaint'];
export type ComplaintEventRecord = S['ComplaintEvent'];
export type CampaignRecord = S['Campaign'];
export type TeamRecord = S['Team'];
export type ApiTokenRecord = S['ApiToken'];
export type CreatedApiToken = S['CreatedApiToken'];
export type WorkspaceRecord = S['Workspace'];
export type NotificationRecord = S['Notification'];
export type CalendarFeed = S['CalendarFeed'];
export type SourceKind = S['Source']['kind'];

export const lifecycles = ['prospect', 'potential', 'client', 'former'] as const;
export const bestTimesToContact = ['morning', 'midday', 'afternoon', 'evening'] as const;
export const maritalStatuses = ['single', 'married', 'partner', 'divorced', 'widowed'] as const;
export const contactPreferences = ['email', 'phone', 'whatsapp', 'visit'] as const;
export const complaintCategories = ['quality_defect', 'durability', 'portability', 'after_sales_service', 'functionality', 'other'] as const;
export const complaintStatuses = ['open', 'in_progress', 'resolved'] as const;
export const complaintResolutions = ['replacement', 'repair', 'home_maintenance', 'substitute_product', 'cost_assumed', 'other'] as const;
export const sourceKinds = ['phone', 'emailing', 'campaign', 'social', 'website', 'fair', 'referral', 'walk_in', 'other'] as const;
export const feedbackChannels = ['phone', 'email', 'whatsapp', 'visit', 'web'] as const;
