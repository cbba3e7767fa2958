import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { useUsers } from '../api/lookups.js';
import { useI18n, type MessageKey } from '../i18n/i18n.js';
import { useMe } from '../session.js';
import { useCursorList } from '../lib/use-list.js';
import { Dialog, Empty, ErrorState, FormAlert, Loading, SelectField, TextAreaField, formErrors } from '../components/ui.js';
import { LoadMore } from '../components/record-list-bits.js';
import { followUpStatusKey } from '../components/record-related.js';
import { feedbackChannels, type FollowUpRecord } from '../lib/records.js';
import { zonedDate, zonedToIso } from '../lib/format.js';

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

function CompleteFollowUpDialog({ followUp, onClose }: { followUp: FollowUpRecord; onClose: () => void }) {
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

/** Post-sale follow-ups: due ones by date, the user's own by default; complete records the feedback. */
export function FollowUpsPage() {
  const { t, fmt } = useI18n();
  const me = useMe();
  const users = useUsers();
  const [status, setStatus] = useState('planned');
  const [userId, setUserId] = useState(me.user.role === 'sales' ? me.user.id : '');
  const [due, setDue] = useState('');
  const [completing, setCompleting] = useState<FollowUpRecord | null>(null);
  const tz = fmt.timeZone;
  const dueTo = due === 'today' ? zonedToIso(zonedDate(tz, 1), '00:00', tz) : due === 'week' ? zonedToIso(zonedDate(tz, 7), '00:00', tz) : undefined;
  const list = useCursorList<FollowUpRecord>('/follow-ups', { status, userId, dueTo, sort: status === 'planned' ? 'dueAt' : '-dueAt' }, 50);
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const now = Date.now();
  return (
    <section className="page" aria-labelledby="follow-ups-title">
      <header className="page__header"><h1 id="follow-ups-title">{t('followUps.title')}</h1></header>
      <div className="filters" role="group" aria-label={t('leads.filters')}>
        <SelectField label={t('lead.status')} value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">{t('common.all')}</option>
          {(['planned', 'done', 'cancelled'] as const).map((s) => <option key={s} value={s}>{t(followUpStatusKey(s))}</option>)}
        </SelectField>
        <SelectField label={t('record.owner')} value={userId} onChange={(e) => setUserId(e.target.value)}>
          <option value="">{t('leads.allOwners')}</option>{users.data?.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
        </SelectField>
        <SelectField label={t('followUps.due')} value={due} onChange={(e) => setDue(e.target.value)}>
          <option value="">{t('common.all')}</option><option value="today">{t('followUps.dueToday')}</option><option value="week">{t('followUps.dueWeek')}</option>
        </SelectField>
      </div>
      {list.isLoading ? <Loading /> : list.error ? <ErrorState error={list.error} onRetry={() => list.refetch()} /> : !rows.length ? <Empty>{t('followUps.empty')}</Empty> : (
        <div className="table-wrap">
          <table className="table">
            <thead><tr>
              <th scope="col">{t('followUps.dueAt')}</th><th scope="col">{t('lead.contact')}</th><th scope="col">{t('followUps.sale')}</th>
              <th scope="col">{t('record.owner')}</th><th scope="col">{t('lead.status')}</th><th scope="col"><span className="visually-hidden">{t('settings.actions')}</span></th>
            </tr></thead>
            <tbody>
              {rows.map((f) => (
                <tr key={f.id}>
                  <td className={f.status === 'planned' && new Date(f.dueAt).getTime() < now ? 'overdue' : undefined}>{fmt.dateTime(f.dueAt)}</td>
                  <td>{f.contactId ? <Link to={`/contacts/${f.contactId}`}>{f.contactName}</Link> : '—'}</td>
                  <td>{fmt.date(f.soldAt)}{f.saleTotal != null ? ` · ${fmt.money(f.saleTotal)}` : ''}</td>
                  <td>{f.userName}</td>
                  <td><span className="badge">{t(followUpStatusKey(f.status))}</span></td>
                  <td>{f.status === 'planned' && (
                    <button type="button" className="button button--small" onClick={() => setCompleting(f)} aria-label={t('followUps.completeFor', { name: f.contactName ?? '' })}>{t('followUps.complete')}</button>
                  )}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore hasNextPage={list.hasNextPage} isFetching={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {completing && <CompleteFollowUpDialog followUp={completing} onClose={() => setCompleting(null)} />}
    </section>
  );
}
