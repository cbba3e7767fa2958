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
import { CompleteFollowUpDialog } from '../components/complete-follow-up.js';
import { followUpStatusKey } from '../components/record-related.js';
import { feedbackChannels, type FollowUpRecord } from '../lib/records.js';
import { zonedDate, zonedToIso } from '../lib/format.js';

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
