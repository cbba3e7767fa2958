import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { useUsers } from '../api/lookups.js';
import type { Lead, Section, StaleContact, TaskDue, Today } from '../api/types.js';
import { useI18n, type MessageKey } from '../i18n/i18n.js';
import { useMe } from '../session.js';
import { Empty, ErrorState, Loading } from '../components/ui.js';
import { LogInteractionDialog, type LogTarget } from '../components/log-interaction.js';
import { ScheduleNextActionDialog } from '../components/schedule-next-action.js';
import { activityKeyOf, activityLabelKey } from '../lib/labels.js';
import { contactName, leadDisplayName } from '../lib/names.js';
import { CompleteFollowUpDialog } from '../components/complete-follow-up.js';
import { todayQuery } from '../lib/today-query.js';
import type { FollowUpRecord } from '../lib/records.js';
import { ScoreBadge } from '../components/score-badge.js';

type TodaySort = 'nextAction' | 'score';
const SORT_KEY = 'seg.today.sort';
/** The lead sections as the server orders them (by next action), or highest score first (ties keep that order). */
const sorted = (s: Section<Lead> | undefined, sort: TodaySort): Section<Lead> | undefined =>
  s && sort === 'score' ? { ...s, items: [...s.items].sort((a, b) => b.score - a.score) } : s;

function TodaySection<T>(props: {
  id: string; titleKey: MessageKey; emptyKey: MessageKey; section: Section<T> | undefined; tone?: 'overdue';
  render: (item: T) => ReactNode; keyOf: (item: T) => string;
}) {
  const { t } = useI18n();
  const s = props.section ?? { total: 0, items: [] };
  return (
    <section className={`card today-section${props.tone ? ` today-section--${props.tone}` : ''}`} aria-labelledby={props.id}>
      <h2 id={props.id}>{t(props.titleKey)} <span className="count">{s.total}</span></h2>
      {s.items.length === 0 ? <Empty>{t(props.emptyKey)}</Empty> : (
        <ul className="item-list">{s.items.map((item) => <li key={props.keyOf(item)}>{props.render(item)}</li>)}</ul>
      )}
    </section>
  );
}

export function TodayPage() {
  const { t, fmt } = useI18n();
  const me = useMe();
  // Managers and admins can open any salesperson's day: their overdue and missing next actions.
  const [userId, setUserId] = useState<string>(me.user.id);
  const canPickUser = me.user.role !== 'sales';
  const users = useUsers();
  const today = useQuery(todayQuery(userId, userId !== me.user.id));
  const [logging, setLogging] = useState<LogTarget | null>(null);
  const [scheduling, setScheduling] = useState<Lead | null>(null);
  const [following, setFollowing] = useState<FollowUpRecord | null>(null);
  const [sort, setSortState] = useState<TodaySort>(() => (typeof localStorage !== 'undefined' && localStorage.getItem(SORT_KEY) === 'score' ? 'score' : 'nextAction'));
  const setSort = (v: TodaySort) => { setSortState(v); try { localStorage.setItem(SORT_KEY, v); } catch { /* private mode */ } };

  const leadRow = (lead: Lead, tone: 'due' | 'overdue' | 'none') => {
    const name = leadDisplayName(lead);
    return (
      <div className={`item${tone === 'overdue' ? ' item--overdue' : ''}`}>
        {tone !== 'none' && (
          <span className="item__time">{tone === 'due' ? fmt.time(lead.nextActionAt) : fmt.shortDate(lead.nextActionAt)}</span>
        )}
        <div className="item__main">
          <span className="item__head"><Link className="item__title" to={`/leads/${lead.id}`} title={name}>{name}</Link> <ScoreBadge score={lead.score} explanation={lead.scoreExplanation} /></span>
          <span className="item__meta">
            {[lead.nextActionType ? t(activityLabelKey[lead.nextActionType]) : null, lead.nextActionNote, lead.companyName ?? (lead.title !== name ? lead.title : null),
              tone === 'overdue' ? t('today.overdueSince', { when: fmt.daysAgo(lead.nextActionAt) }) : null].filter(Boolean).join(' · ')}
          </span>
        </div>
        {tone === 'none' ? (
          <button type="button" className="button button--small" onClick={() => setScheduling(lead)}>{t('today.schedule')}</button>
        ) : (
          <button type="button" className="button button--small" aria-label={t('today.markDoneLabel', { name })}
            onClick={() => setLogging({ kind: 'lead', leadId: lead.id, name, type: lead.nextActionType })}>
            ✓ {t('today.markDone')}
          </button>
        )}
      </div>
    );
  };

  const d = today.data;
  return (
    <section className="page" aria-labelledby="today-title">
      <header className="page__header">
        <div>
          <h1 id="today-title">{t('today.title')}</h1>
          <p className="muted">
            {t('today.greeting', { name: me.user.name.split(' ')[0] ?? me.user.name })}
            {d ? ` · ${fmt.date(d.dayStart)} · ${t('today.summary', { due: d.dueToday.total, overdue: d.overdue.total })}` : ''}
          </p>
        </div>
        <div className="toolbar">
          <label htmlFor="today-sort">{t('score.sort')}</label>
          <select id="today-sort" value={sort} onChange={(e) => setSort(e.target.value as TodaySort)}>
            <option value="nextAction">{t('score.sort.nextAction')}</option>
            <option value="score">{t('score.sort.score')}</option>
          </select>
        </div>
        {canPickUser && (
          <div className="toolbar">
            <label htmlFor="today-user">{t('today.dayOf')}</label>
            <select id="today-user" value={userId} onChange={(e) => setUserId(e.target.value)}>
              {(users.data ?? []).filter((u) => u.isActive || u.id === me.user.id).map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
            </select>
          </div>
        )}
      </header>
      {today.isLoading ? <Loading /> : today.error ? <ErrorState error={today.error} onRetry={() => today.refetch()} /> : (
        <div className="today-grid">
          <TodaySection id="today-due" titleKey="today.dueToday" emptyKey="today.nothingDue" section={sorted(d?.dueToday, sort)}
            keyOf={(l) => l.id} render={(l) => leadRow(l, 'due')} />
          <TodaySection id="today-overdue" titleKey="today.overdue" emptyKey="today.nothingOverdue" section={sorted(d?.overdue, sort)} tone="overdue"
            keyOf={(l) => l.id} render={(l) => leadRow(l, 'overdue')} />
          <TodaySection id="today-without" titleKey="today.withoutNextAction" emptyKey="today.allHaveNext" section={sorted(d?.withoutNextAction, sort)}
            keyOf={(l) => l.id} render={(l) => leadRow(l, 'none')} />
          <TodaySection id="today-stale" titleKey="today.staleContacts" emptyKey="today.noStale" section={d?.staleContacts}
            keyOf={(c: StaleContact) => c.id} render={(c: StaleContact) => (
              <div className="item">
                <div className="item__main">
                  <Link className="item__title" to={`/contacts/${c.id}`}>{contactName(c)}</Link>
                  <span className="item__meta">
                    {[c.companyName, c.lastActivityAt ? t('today.lastTouched', { when: fmt.daysAgo(c.lastActivityAt) }) : t('today.neverTouched')].filter(Boolean).join(' · ')}
                  </span>
                </div>
                {c.phone && <a className="button button--small" href={`tel:${c.phone}`}>{c.phone}</a>}
                {!c.phone && c.email && <a className="button button--small" href={`mailto:${c.email}`}>{c.email}</a>}
              </div>
            )} />
          <TodaySection id="today-tasks" titleKey="today.tasksDue" emptyKey="today.noTasks" section={d?.tasksDue}
            keyOf={(a: TaskDue) => a.id} render={(a: TaskDue) => {
              const typeKey = activityKeyOf(a.type);
              const typeLabel = typeKey ? t(typeKey) : a.type;
              const name = a.subject ?? typeLabel;
              return (
                <div className="item">
                  <span className="item__time">{fmt.time(a.dueAt)}</span>
                  <div className="item__main">
                    {a.leadId ? <Link className="item__title" to={`/leads/${a.leadId}`}>{name}</Link> : <span className="item__title">{name}</span>}
                    <span className="item__meta">{typeLabel} · {fmt.shortDate(a.dueAt)}</span>
                  </div>
                  <button type="button" className="button button--small" aria-label={t('today.markDoneLabel', { name })}
                    onClick={() => setLogging({ kind: 'task', activityId: a.id, leadId: a.leadId, name })}>✓ {t('today.markDone')}</button>
                </div>
              );
            }} />
          <TodaySection id="today-follow-ups" titleKey="today.followUpsDue" emptyKey="today.noFollowUps" section={d?.followUpsDue}
            keyOf={(f: FollowUpRecord) => f.id} render={(f: FollowUpRecord) => {
              const name = f.contactName ?? t('today.followUpNoContact');
              return (
                <div className="item">
                  <span className="item__time">{fmt.shortDate(f.dueAt)}</span>
                  <div className="item__main">
                    {f.contactId ? <Link className="item__title" to={`/contacts/${f.contactId}`}>{name}</Link> : <span className="item__title">{name}</span>}
                    <span className="item__meta">{[f.soldAt ? t('today.soldOn', { when: fmt.shortDate(f.soldAt) }) : null, f.saleTotal !== null ? fmt.money(f.saleTotal) : null].filter(Boolean).join(' · ')}</span>
                  </div>
                  <button type="button" className="button button--small" aria-label={t('followUps.completeFor', { name })}
                    onClick={() => setFollowing(f)}>{t('followUps.complete')}</button>
                </div>
              );
            }} />
        </div>
      )}
      {following && <CompleteFollowUpDialog followUp={following} onClose={() => setFollowing(null)} />}
      {logging && <LogInteractionDialog target={logging} onClose={() => setLogging(null)} />}
      {scheduling && <ScheduleNextActionDialog lead={scheduling} name={leadDisplayName(scheduling)} onClose={() => setScheduling(null)} />}
    </section>
  );
}
