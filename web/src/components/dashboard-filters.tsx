import { useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { useSources, useUsers } from '../api/lookups.js';
import type { Page } from '../api/types.js';
import type { TeamRecord } from '../lib/records.js';
import { useT } from '../i18n/i18n.js';
import { useMe } from '../session.js';
import { useSegments } from './segment-editor.js';
import { defaultDashboardView, periodPresets, periodUnits, type DashboardView } from '../lib/dashboard-period.js';

export const useTeams = () => useQuery({ queryKey: ['lookup', 'teams'], staleTime: 5 * 60_000, queryFn: async () => (await api.get<Page<TeamRecord>>('/teams', { limit: '500' })).data });

/**
 * Period, breakdown unit and filters of the dashboard. A salesperson's numbers are always their
 * own, so the team and owner pickers are for managers and admins; a manager's lists hold only
 * the teams they manage and those teams' people (the API refuses anyone else).
 */
export function DashboardFilters({ view, range, onChange }: { view: DashboardView; range: { from: string; to: string }; onChange: (patch: Partial<DashboardView>) => void }) {
  const t = useT();
  const me = useMe();
  const role = me.user.role;
  const users = useUsers();
  const sources = useSources();
  const segments = useSegments();
  const teams = useTeams();
  const myTeams = (teams.data ?? []).filter((x) => role === 'admin' || x.managerId === me.user.id);
  const myTeamIds = new Set(myTeams.map((x) => x.id));
  const people = (users.data ?? []).filter((u) => role === 'admin' || u.id === me.user.id || (u.teamId !== null && myTeamIds.has(u.teamId)))
    .filter((u) => !view.teamId || u.teamId === view.teamId);
  const set = onChange;

  return (
    <div className="filters dash-filters" role="group" aria-label={t('dashboard.filters')}>
      <div className="field">
        <label htmlFor="dash-period">{t('dashboard.period')}</label>
        <select id="dash-period" value={view.preset}
          onChange={(e) => {
            const preset = e.target.value as DashboardView['preset'];
            // Switching to a custom range starts from the days on screen, ready to adjust.
            set(preset === 'custom' ? { preset, from: range.from, to: range.to } : { preset, from: '', to: '' });
          }}>
          {periodPresets.map((p) => <option key={p} value={p}>{t(`dashboard.preset.${p}`)}</option>)}
        </select>
      </div>
      {view.preset === 'custom' && <CustomRange from={view.from || range.from} to={view.to || range.to} onChange={onChange} />}
      <div className="field">
        <label htmlFor="dash-unit">{t('dashboard.unit')}</label>
        <select id="dash-unit" value={view.unit} onChange={(e) => set({ unit: e.target.value as DashboardView['unit'] })}>
          {periodUnits.map((u) => <option key={u} value={u}>{t(`dashboard.unit.${u}`)}</option>)}
        </select>
      </div>
      {role !== 'sales' && myTeams.length > 0 && (
        <div className="field">
          <label htmlFor="dash-team">{t('dashboard.team')}</label>
          <select id="dash-team" value={view.teamId} onChange={(e) => set({ teamId: e.target.value, ownerId: '' })}>
            <option value="">{t('dashboard.allTeams')}</option>
            {myTeams.map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
          </select>
        </div>
      )}
      {role !== 'sales' && (
        <div className="field">
          <label htmlFor="dash-owner">{t('dashboard.owner')}</label>
          <select id="dash-owner" value={view.ownerId} onChange={(e) => set({ ownerId: e.target.value })}>
            <option value="">{t('dashboard.allOwners')}</option>
            {people.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
          </select>
        </div>
      )}
      <div className="field">
        <label htmlFor="dash-source">{t('dashboard.source')}</label>
        <select id="dash-source" value={view.sourceId} onChange={(e) => set({ sourceId: e.target.value })}>
          <option value="">{t('dashboard.allSources')}</option>
          {sources.data?.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </select>
      </div>
      <div className="field">
        <label htmlFor="dash-segment">{t('dashboard.segment')}</label>
        <select id="dash-segment" value={view.segmentId} aria-describedby={view.segmentId ? 'dash-segment-note' : undefined} onChange={(e) => set({ segmentId: e.target.value })}>
          <option value="">{t('dashboard.allSegments')}</option>
          {segments.data?.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </select>
        {view.segmentId && <small id="dash-segment-note" className="field__hint">{t('dashboard.segmentNote')}</small>}
      </div>
      <button type="button" className="button button--ghost" onClick={() => onChange(defaultDashboardView)}>{t('dashboard.reset')}</button>
    </div>
  );
}

/**
 * The two days of a custom range, applied together a moment after the last keystroke: one change
 * of address per edit, and a reversed range is explained here instead of being sent.
 */
function CustomRange({ from, to, onChange }: { from: string; to: string; onChange: (patch: Partial<DashboardView>) => void }) {
  const t = useT();
  const [draft, setDraft] = useState({ from, to });
  useEffect(() => setDraft({ from, to }), [from, to]);
  const reversed = !!draft.from && !!draft.to && draft.to < draft.from;
  useEffect(() => {
    if (!draft.from || !draft.to || reversed || (draft.from === from && draft.to === to)) return;
    const h = setTimeout(() => onChange({ from: draft.from, to: draft.to }), 300);
    return () => clearTimeout(h);
  }, [draft, reversed, from, to, onChange]);
  return (
    <>
      <div className="field">
        <label htmlFor="dash-from">{t('dashboard.from')}</label>
        <input id="dash-from" type="date" value={draft.from} onChange={(e) => setDraft((d) => ({ ...d, from: e.target.value }))} />
      </div>
      <div className={`field${reversed ? ' field--invalid' : ''}`}>
        <label htmlFor="dash-to">{t('dashboard.to')}</label>
        <input id="dash-to" type="date" value={draft.to} aria-invalid={reversed || undefined} aria-describedby={reversed ? 'dash-to-error' : undefined}
          onChange={(e) => setDraft((d) => ({ ...d, to: e.target.value }))} />
        {reversed && <small id="dash-to-error" className="field__error" role="alert">{t('dashboard.reversedRange')}</small>}
      </div>
    </>
  );
}
