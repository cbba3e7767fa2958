import type { MessageKey } from '../i18n/es.js';
import type { ActivityType, LeadStatus } from '../api/types.js';

// Enum values from the API → message keys, typed so a missing translation fails to compile.
export const activityLabelKey: Record<ActivityType, MessageKey> = {
  call: 'activity.call', email: 'activity.email', meeting: 'activity.meeting', visit: 'activity.visit',
  message: 'activity.message', note: 'activity.note', task: 'activity.task',
};

export const statusLabelKey: Record<LeadStatus, MessageKey> = {
  open: 'status.open', won: 'status.won', lost: 'status.lost', cancelled: 'status.cancelled',
};

export const temperatureLabelKey: Record<'cold' | 'warm' | 'hot', MessageKey> = {
  cold: 'temperature.cold', warm: 'temperature.warm', hot: 'temperature.hot',
};

export const outcomes = ['reached', 'no_answer', 'interested', 'not_interested', 'callback', 'meeting_set'] as const;
export const outcomeLabelKey: Record<(typeof outcomes)[number], MessageKey> = {
  reached: 'outcome.reached', no_answer: 'outcome.no_answer', interested: 'outcome.interested',
  not_interested: 'outcome.not_interested', callback: 'outcome.callback', meeting_set: 'outcome.meeting_set',
};

/** An outcome stored by code shows translated; free text stays as typed. */
export const outcomeKey = (o: string | null | undefined): MessageKey | null =>
  o && o in outcomeLabelKey ? outcomeLabelKey[o as keyof typeof outcomeLabelKey] : null;

/** A type the API sends as plain text (e.g. Today's tasks): its label when known, else the raw value. */
export const activityKeyOf = (type: string): MessageKey | null =>
  type in activityLabelKey ? activityLabelKey[type as ActivityType] : null;
