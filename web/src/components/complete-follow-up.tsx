import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { useI18n, type MessageKey } from '../i18n/i18n.js';
import { Dialog, FormAlert, SelectField, TextAreaField, formErrors } from './ui.js';
import { feedbackChannels, type FollowUpRecord } from '../lib/records.js';

/** A row of radio buttons for a score (satisfaction 1–5, NPS 0–10); arrow keys move within it. */
function ScoreField({ legend, name, from, to, value, onChange, error }: { legend: string; name: string; from: number; to: number; value: number | null; onChange: (v: number | null) => void; error?: string | undefined }) {
  const { t } = useI18n();
  const scores = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  return (
    <fieldset className="rating">
      <legend>{legend}</legend>
      {scores.map((s) => (
        <label key={s}><input type="radio" name={name} value={s} checked={value === s} onChange={() => onChange(s)} /> {s}</label>
      ))}
      <label><input type="radio" name={name} value="" checked={value === null} onChange={() => onChange(null)} /> {t('followUps.noAnswer')}</label>
      {error && <small className="field__error" role="alert">{error}</small>}
    </fieldset>
  );
}

/** Completing a post-sale follow-up records the client's satisfaction and NPS (Today and the follow-ups page). */
export function CompleteFollowUpDialog({ followUp, onClose }: { followUp: FollowUpRecord; onClose: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [satisfaction, setSatisfaction] = useState<number | null>(null);
  const [nps, setNps] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const [channel, setChannel] = useState<string>('phone');
  const complete = useMutation({
    mutationFn: () => api.post(`/follow-ups/${followUp.id}/complete`, { satisfaction, nps, comment: comment.trim() || null, channel, version: followUp.version }),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['list', '/follow-ups'] }),
        queryClient.invalidateQueries({ queryKey: ['related'] }),
        queryClient.invalidateQueries({ queryKey: ['today'] }),
      ]);
      onClose();
    },
  });
  const { fields, general } = formErrors(t, complete.error);
  const submit = (e: FormEvent) => { e.preventDefault(); complete.mutate(); };
  return (
    <Dialog open title={t('followUps.completeFor', { name: followUp.contactName ?? '' })} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <FormAlert message={general} />
        <ScoreField legend={t('followUps.satisfaction')} name="satisfaction" from={1} to={5} value={satisfaction} onChange={setSatisfaction} error={fields['satisfaction']} />
        <ScoreField legend={t('followUps.nps')} name="nps" from={0} to={10} value={nps} onChange={setNps} error={fields['nps']} />
        <TextAreaField label={t('followUps.comment')} value={comment} onChange={(e) => setComment(e.target.value)} error={fields['comment']} rows={3} />
        <SelectField label={t('followUps.channel')} value={channel} onChange={(e) => setChannel(e.target.value)} error={fields['channel']}>
          {feedbackChannels.map((c) => <option key={c} value={c}>{t(`followUps.channel.${c}` as MessageKey)}</option>)}
        </SelectField>
        <div className="dialog__actions">
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button button--primary" disabled={complete.isPending}>{t('followUps.complete')}</button>
        </div>
      </form>
    </Dialog>
  );
}
