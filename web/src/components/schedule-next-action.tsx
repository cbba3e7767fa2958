import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../api/client.js';
import type { Lead } from '../api/types.js';
import { fieldErrorText, useI18n } from '../i18n/i18n.js';
import { Dialog, FormAlert, formErrors } from './ui.js';
import { NextActionFields } from './next-action-fields.js';
import { draftOfNextAction, nextActionFieldOf, validateNextAction, type NextActionDraft } from '../lib/next-action.js';

/**
 * Schedules the next action of a lead without logging an interaction (POST /leads/{id}/next-action);
 * a lead that has one opens with it, to be moved rather than typed again.
 */
export function ScheduleNextActionDialog({ lead, name, onClose }: { lead: Pick<Lead, 'id' | 'version' | 'nextActionAt' | 'nextActionType' | 'nextActionNote'>; name: string; onClose: () => void }) {
  const { t, fmt } = useI18n();
  const queryClient = useQueryClient();
  const [next, setNext] = useState<NextActionDraft>(() => draftOfNextAction(lead, fmt.timeZone));
  const [local, setLocal] = useState<Partial<Record<'date' | 'type', string>>>({});
  const mutation = useMutation({
    mutationFn: (at: string) => api.post<Lead>(`/leads/${lead.id}/next-action`, { at, type: next.type, note: next.note.trim() || null }),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['today'] }),
        queryClient.invalidateQueries({ queryKey: ['lead', lead.id] }),
        queryClient.invalidateQueries({ queryKey: ['list', '/leads'] }),
      ]);
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const v = validateNextAction(next, fmt.timeZone);
    setLocal({ ...(v.errors.date ? { date: v.errors.date } : {}), ...(v.errors.type ? { type: v.errors.type } : {}) });
    if (v.errors.date || v.errors.type || !v.at) return;
    mutation.mutate(v.at);
  };
  const api422 = mutation.error instanceof ApiError ? mutation.error.fieldErrors : [];
  const errs: Partial<Record<'date' | 'type' | 'note', string>> = {};
  for (const fe of api422) { const slot = nextActionFieldOf(fe.field) ?? (fe.field === 'at' ? 'date' : fe.field === 'type' ? 'type' : null); if (slot) errs[slot] ??= fieldErrorText(t, fe); }
  const code = (c?: string) => (c ? fieldErrorText(t, { field: '', code: c, message: c }) : undefined);
  return (
    <Dialog open title={`${t('lead.nextAction')} · ${name}`} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <FormAlert message={formErrors(t, mutation.error).general} />
        <NextActionFields value={next} onChange={setNext} required
          errors={{ date: errs.date ?? code(local.date), type: errs.type ?? code(local.type), note: errs.note }} />
        <div className="dialog__actions">
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button button--primary" disabled={mutation.isPending}>{t('today.schedule')}</button>
        </div>
      </form>
    </Dialog>
  );
}
