import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../api/client.js';
import type { Activity, ActivityType, Lead, NextActionType } from '../api/types.js';
import { useI18n, fieldErrorText } from '../i18n/i18n.js';
import { Dialog, FormAlert, SelectField, TextAreaField, formErrors } from './ui.js';
import { NextActionFields } from './next-action-fields.js';
import { emptyNextAction, nextActionFieldOf, validateNextAction, type NextActionDraft } from '../lib/next-action.js';
import { activityLabelKey, outcomeLabelKey, outcomes } from '../lib/labels.js';

// Every type that counts as an interaction (src/domain/activity.ts), the task included: marking a
// task-type next action done must be able to record a task, not a call.
const interactionTypes: ActivityType[] = ['call', 'email', 'meeting', 'visit', 'message', 'task'];

export type LogTarget =
  | { kind: 'lead'; leadId: string; name: string; type?: NextActionType | null }
  | { kind: 'task'; activityId: string; leadId: string | null; name: string }
  // A contact's or company's own interaction (no lead): no next action; a contact who asked not to
  // be contacted needs an explicit confirmation before an outbound interaction is logged.
  | { kind: 'contact'; contactId: string; companyId?: string | null; name: string; doNotContact?: boolean }
  | { kind: 'company'; companyId: string; name: string };

/**
 * "Log interaction + schedule next action": what happened, and what comes next. For an open lead
 * the next action is required (the API refuses the interaction without it, by the same rule).
 */
export function LogInteractionForm({ target, onDone, onCancel }: { target: LogTarget; onDone: (a: Activity) => void; onCancel?: () => void }) {
  const { t, fmt } = useI18n();
  const queryClient = useQueryClient();
  const leadId = target.kind === 'lead' || target.kind === 'task' ? target.leadId : null;
  const leadQuery = useQuery({
    queryKey: ['lead', leadId], enabled: !!leadId,
    queryFn: () => api.get<Lead>(`/leads/${leadId}`),
  });
  const leadOpen = !!leadId && (leadQuery.data ? leadQuery.data.status === 'open' : true);
  const [direction, setDirection] = useState<'outbound' | 'inbound'>('outbound');
  const [confirmedDoNotContact, setConfirmedDoNotContact] = useState(false);
  const needsDoNotContactConfirm = target.kind === 'contact' && !!target.doNotContact && direction === 'outbound';
  const initialType: ActivityType = target.kind === 'lead' && target.type && interactionTypes.includes(target.type) ? target.type : 'call';
  const [type, setType] = useState<ActivityType>(initialType);
  const [outcome, setOutcome] = useState('');
  const [note, setNote] = useState('');
  const [next, setNext] = useState<NextActionDraft>(emptyNextAction(target.kind === 'lead' && target.type ? target.type : 'call'));
  const [localErrors, setLocalErrors] = useState<Partial<Record<'date' | 'type', string>>>({});

  const mutation = useMutation({
    mutationFn: async (at: string | null) => {
      const nextAction = leadOpen && at && next.type ? { at, type: next.type, note: next.note.trim() || null } : undefined;
      if (target.kind === 'task') {
        return api.post<Activity>(`/activities/${target.activityId}/complete`, { outcome: outcome || null, note: note.trim() || null, ...(nextAction ? { nextAction } : {}) });
      }
      if (target.kind === 'contact' || target.kind === 'company') {
        const about = target.kind === 'contact' ? { contactId: target.contactId, companyId: target.companyId ?? null } : { companyId: target.companyId };
        return api.post<Activity>('/activities', { type, direction, ...about, outcome: outcome || null, body: note.trim() || null });
      }
      return api.post<Activity>('/activities', { type, leadId: target.leadId, outcome: outcome || null, body: note.trim() || null, ...(nextAction ? { nextAction } : {}) });
    },
    onSuccess: async (a) => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['today'] }),
        queryClient.invalidateQueries({ queryKey: ['lead'] }),
        queryClient.invalidateQueries({ queryKey: ['timeline'] }),
        queryClient.invalidateQueries({ queryKey: ['list', '/leads'] }),
      ]);
      onDone(a);
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    let at: string | null = null;
    if (needsDoNotContactConfirm && !confirmedDoNotContact) return;
    if (leadOpen) {
      const v = validateNextAction(next, fmt.timeZone);
      const errs = { date: v.errors.date, type: v.errors.type };
      setLocalErrors(errs as Partial<Record<'date' | 'type', string>>);
      if (errs.date || errs.type) return;
      at = v.at;
    }
    mutation.mutate(at);
  };

  // Field errors: ours first (same codes as the API), then the server's, all in the user's language.
  const apiErrors = mutation.error instanceof ApiError ? mutation.error.fieldErrors : [];
  const nextErrors: Partial<Record<'date' | 'type' | 'note', string>> = {};
  const otherErrors: Record<string, string> = {};
  for (const fe of apiErrors) {
    const slot = nextActionFieldOf(fe.field);
    if (slot) nextErrors[slot] ??= fieldErrorText(t, fe);
    else otherErrors[fe.field] ??= fieldErrorText(t, fe);
  }
  const codeText = (code: string | undefined) => (code ? fieldErrorText(t, { field: '', code, message: code }) : undefined);
  const { general } = formErrors(t, mutation.error);

  return (
    <form onSubmit={submit} noValidate className="log-form">
      <FormAlert message={general} />
      {target.kind !== 'task' && (
        <SelectField label={t('activity.type')} name="type" value={type} onChange={(e) => setType(e.target.value as ActivityType)} error={otherErrors['type']}>
          {interactionTypes.map((k) => <option key={k} value={k}>{t(activityLabelKey[k])}</option>)}
        </SelectField>
      )}
      {(target.kind === 'contact' || target.kind === 'company') && (
        <SelectField label={t('contact.direction')} name="direction" value={direction} onChange={(e) => setDirection(e.target.value as 'outbound' | 'inbound')} error={otherErrors['direction']}>
          <option value="outbound">{t('contact.outbound')}</option>
          <option value="inbound">{t('contact.inbound')}</option>
        </SelectField>
      )}
      {needsDoNotContactConfirm && (
        <div className="alert alert--warning" role="alert">
          <p>{t('contact.doNotContactWarning')}</p>
          <label className="checkbox-label">
            <input type="checkbox" checked={confirmedDoNotContact} onChange={(e) => setConfirmedDoNotContact(e.target.checked)} /> {t('contact.doNotContactConfirm')}
          </label>
        </div>
      )}
      <SelectField label={t('activity.outcome')} name="outcome" value={outcome} onChange={(e) => setOutcome(e.target.value)} error={otherErrors['outcome']}>
        <option value="">—</option>
        {outcomes.map((o) => <option key={o} value={o}>{t(outcomeLabelKey[o])}</option>)}
      </SelectField>
      <TextAreaField label={t('activity.note.label')} name="note" value={note} onChange={(e) => setNote(e.target.value)} error={otherErrors['body'] ?? otherErrors['note']} rows={3} />
      {leadOpen && (
        <NextActionFields value={next} onChange={setNext} required
          errors={{ date: nextErrors.date ?? codeText(localErrors.date), type: nextErrors.type ?? codeText(localErrors.type), note: nextErrors.note }} />
      )}
      <div className="dialog__actions">
        {onCancel && <button type="button" className="button" onClick={onCancel}>{t('common.cancel')}</button>}
        <button type="submit" className="button button--primary" disabled={mutation.isPending || (needsDoNotContactConfirm && !confirmedDoNotContact)}>
          {mutation.isPending ? t('common.saving') : leadOpen ? t('log.submit') : t('common.save')}
        </button>
      </div>
    </form>
  );
}

export function LogInteractionDialog({ target, onClose, onDone }: { target: LogTarget; onClose: () => void; onDone?: (a: Activity) => void }) {
  const { t } = useI18n();
  return (
    <Dialog open title={t('log.titleFor', { name: target.name })} onClose={onClose}>
      <LogInteractionForm target={target} onCancel={onClose} onDone={(a) => { onDone?.(a); onClose(); }} />
    </Dialog>
  );
}
