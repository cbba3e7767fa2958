import { useId, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.js';
import type { components } from '../api/openapi.js';
import type { Page } from '../api/types.js';
import { byId, useUsers } from '../api/lookups.js';
import { useI18n } from '../i18n/i18n.js';
import { useMe } from '../session.js';
import { formatDay, objectiveBar } from '../lib/dashboard-data.js';
import { addDays } from '../lib/dashboard-period.js';
import { ErrorState, Loading } from './ui.js';
import { ObjectiveEditor, type Objective } from './objective-editor.js';
import { useTeams } from './dashboard-filters.js';

type Progress = components['schemas']['ObjectiveProgress'];

/**
 * One objective: a bar filled to the progress so far, a mark where the expected pace stands today
 * (docs/metrics.md, Objectives), the figures in words, and the key results.
 */
function ObjectiveRow({ o, whom, canEdit, onEdit }: { o: Objective; whom: string; canEdit: boolean; onEdit: () => void }) {
  const { t, fmt } = useI18n();
  const id = useId();
  const progress = useQuery({ queryKey: ['objectives', 'progress', o.id, o.version], queryFn: () => api.get<Progress>(`/objectives/${o.id}/progress`) });
  const show = (n: number | null | undefined) => (n == null ? '—' : o.metric === 'sales_amount' ? fmt.money(n) : fmt.number(Math.round(n * 10) / 10));
  const p = progress.data;
  const bar = p ? objectiveBar(o.metric, p) : null;
  return (
    <li className="objective" aria-labelledby={id}>
      <div className="objective__head">
        <h3 id={id} className="objective__name">{o.name}</h3>
        <span className="muted small">{t(`objective.metric.${o.metric}`)} · {whom} · {t('objective.period', { from: formatDay(fmt.locale, o.periodStart), to: formatDay(fmt.locale, o.periodEnd) })}</span>
        {p && <span className={`badge objective__status objective__status--${p.status}`}>{t(`objective.status.${p.status}`)}</span>}
        {canEdit && <button type="button" className="button button--ghost button--small" onClick={onEdit} aria-label={t('objective.editNamed', { name: o.name })}>{t('common.edit')}</button>}
      </div>
      {progress.error ? <ErrorState error={progress.error} onRetry={() => progress.refetch()} /> : !p || !bar ? <Loading /> : (
        <>
          <div className="objective-bar" role="meter" aria-label={o.name} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(bar.fill)}
            aria-valuetext={t('objective.progressLabel', { name: o.name, actual: show(p.actual), target: show(p.target), expected: show(p.expected) })}>
            <div className={`objective-bar__fill objective-bar__fill--${p.status}`} style={{ width: `${bar.fill}%` }} />
            <div className="objective-bar__pace" style={{ left: `${bar.pace}%` }} aria-hidden="true" />
          </div>
          <p className="objective__figures small">
            <strong>{t('objective.progress', { actual: show(p.actual), target: show(p.target) })}</strong>
            {' · '}{t('objective.expected', { expected: show(p.expected) })}
          </p>
        </>
      )}
      {o.keyResults.length > 0 && (
        <ul className="objective__krs small">
          {o.keyResults.map((k, i) => (
            <li key={i}><span aria-hidden="true">{k.done ? '☑' : '☐'}</span> <span className="visually-hidden">{k.done ? t('objective.krDone') : ''}</span>{k.title}{k.target != null ? ` (${fmt.number(k.target)})` : ''}</li>
          ))}
        </ul>
      )}
    </li>
  );
}

/**
 * The objectives whose period meets the dashboard's, narrowed like the numbers: a salesperson sees
 * theirs and their team's, an owner or team filter keeps that owner's or team's.
 */
export function ObjectivesBlock({ range, ownerId, teamId }: { range: { from: string; to: string }; ownerId: string; teamId: string }) {
  const { t } = useI18n();
  const me = useMe();
  const users = useUsers();
  const teams = useTeams();
  const userById = byId(users.data);
  const teamById = byId(teams.data);
  const [editing, setEditing] = useState<Objective | 'new' | null>(null);
  const canWrite = me.user.role !== 'sales';
  const list = useQuery({
    queryKey: ['objectives', 'list', range.from, range.to],
    queryFn: () => api.get<Page<Objective>>('/objectives', { endsFrom: range.from, startsTo: addDays(range.to, 1), limit: '200' }),
  });
  const objectives = (list.data?.data ?? []).filter((o) => {
    if (me.user.role === 'sales') return o.userId === me.user.id || (!!o.teamId && o.teamId === me.user.teamId);
    if (ownerId) return o.userId === ownerId || (!!o.teamId && o.teamId === userById.get(ownerId)?.teamId);
    if (teamId) return o.teamId === teamId || (!!o.userId && userById.get(o.userId)?.teamId === teamId);
    return true;
  });
  const mayEdit = (o: Objective) => me.user.role === 'admin' || (me.user.role === 'manager' && (
    o.userId === me.user.id || (!!o.teamId && teamById.get(o.teamId)?.managerId === me.user.id)
    || (!!o.userId && !!userById.get(o.userId)?.teamId && teamById.get(userById.get(o.userId)!.teamId!)?.managerId === me.user.id)));
  const id = useId();
  return (
    <section className="dash-block objectives" aria-labelledby={id}>
      <header className="dash-block__header">
        <h2 id={id}>{t('objective.title')}</h2>
        {canWrite && <button type="button" className="button button--small" onClick={() => setEditing('new')}>{t('objective.add')}</button>}
      </header>
      {list.error ? <ErrorState error={list.error} onRetry={() => list.refetch()} /> : list.isLoading ? <Loading /> : objectives.length === 0 ? (
        <p className="empty">{t('objective.empty')}</p>
      ) : (
        <ul className="objective-list">
          {objectives.map((o) => (
            <ObjectiveRow key={o.id} o={o} canEdit={mayEdit(o)} onEdit={() => setEditing(o)}
              whom={o.userId ? userById.get(o.userId)?.name ?? '' : teamById.get(o.teamId ?? '')?.name ?? ''} />
          ))}
        </ul>
      )}
      {editing && (
        <ObjectiveEditor objective={editing === 'new' ? null : editing} defaults={{ periodStart: range.from, periodEnd: range.to }} onClose={() => setEditing(null)} />
      )}
    </section>
  );
}
