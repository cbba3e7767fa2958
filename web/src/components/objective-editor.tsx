import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import type { components } from '../api/openapi.js';
import { useUsers } from '../api/lookups.js';
import { useI18n } from '../i18n/i18n.js';
import { useMe } from '../session.js';
import { Dialog, FormAlert, SelectField, TextField, formErrors } from './ui.js';
import { useTeams } from './dashboard-filters.js';

export type Objective = components['schemas']['Objective'];
type ObjectiveInput = components['schemas']['ObjectiveInput'];
export const objectiveMetrics = ['sales_amount', 'sales_count', 'leads_won', 'new_leads', 'activities', 'nps'] as const;
type KeyResultDraft = { title: string; target: string; done: boolean };

const numberOrNull = (s: string) => (s.trim() === '' || !Number.isFinite(Number(s.replace(',', '.'))) ? null : Number(s.replace(',', '.')));

/**
 * Creates or edits an objective with its key results (admins any; managers for themselves, their
 * teams and their teams' people — the API checks, the lists here only offer those).
 */
export function ObjectiveEditor({ objective, defaults, onClose }: { objective: Objective | null; defaults: { periodStart: string; periodEnd: string }; onClose: () => void }) {
  const { t } = useI18n();
  const me = useMe();
  const qc = useQueryClient();
  const users = useUsers();
  const teams = useTeams();
  const isAdmin = me.user.role === 'admin';
  const myTeams = (teams.data ?? []).filter((x) => isAdmin || x.managerId === me.user.id);
  const myTeamIds = new Set(myTeams.map((x) => x.id));
  const people = (users.data ?? []).filter((u) => u.isActive !== false && (isAdmin || u.id === me.user.id || (u.teamId !== null && myTeamIds.has(u.teamId))));

  const [name, setName] = useState(objective?.name ?? '');
  const [metric, setMetric] = useState<Objective['metric']>(objective?.metric ?? 'sales_amount');
  const [forKind, setForKind] = useState<'user' | 'team'>(objective?.teamId ? 'team' : 'user');
  const [userId, setUserId] = useState(objective?.userId ?? '');
  const [teamId, setTeamId] = useState(objective?.teamId ?? '');
  const [periodStart, setPeriodStart] = useState(objective?.periodStart ?? defaults.periodStart);
  const [periodEnd, setPeriodEnd] = useState(objective?.periodEnd ?? defaults.periodEnd);
  const [target, setTarget] = useState(objective ? String(objective.target) : '');
  const [keyResults, setKeyResults] = useState<KeyResultDraft[]>(
    (objective?.keyResults ?? []).map((k) => ({ title: k.title, target: k.target == null ? '' : String(k.target), done: !!k.done })),
  );

  const refresh = () => qc.invalidateQueries({ queryKey: ['objectives'] });
  const save = useMutation({
    mutationFn: async () => {
      const targetValue = numberOrNull(target);
      // A missing target is left out so the API answers with the field and reason to show.
      const body = {
        name: name.trim(), metric, periodStart, periodEnd,
        ...(targetValue === null ? {} : { target: targetValue }),
        userId: forKind === 'user' ? userId || null : null,
        teamId: forKind === 'team' ? teamId || null : null,
        keyResults: keyResults.filter((k) => k.title.trim()).map((k) => ({ title: k.title.trim(), target: numberOrNull(k.target), done: k.done })),
      } as ObjectiveInput;
      return objective
        ? api.patch<Objective>(`/objectives/${objective.id}`, { ...body, version: objective.version })
        : api.post<Objective>('/objectives', body);
    },
    onSuccess: async () => { await refresh(); onClose(); },
  });
  const remove = useMutation({
    mutationFn: () => api.del(`/objectives/${objective!.id}`),
    onSuccess: async () => { await refresh(); onClose(); },
  });
  const errors = formErrors(t, save.error ?? remove.error);
  const setKr = (i: number, patch: Partial<KeyResultDraft>) => setKeyResults((ks) => ks.map((k, j) => (j === i ? { ...k, ...patch } : k)));

  const submit = (e: FormEvent) => { e.preventDefault(); save.mutate(); };
  return (
    <Dialog open title={objective ? t('objective.editNamed', { name: objective.name }) : t('objective.add')} onClose={onClose} wide>
      <form onSubmit={submit} noValidate className="objective-form">
        <FormAlert message={errors.general} />
        <TextField label={t('objective.name')} value={name} onChange={(e) => setName(e.target.value)} error={errors.fields['name']} required maxLength={200} />
        <div className="form-row">
          <SelectField label={t('objective.metric')} value={metric} onChange={(e) => setMetric(e.target.value as Objective['metric'])} error={errors.fields['metric']}>
            {objectiveMetrics.map((m) => <option key={m} value={m}>{t(`objective.metric.${m}`)}</option>)}
          </SelectField>
          <TextField label={t('objective.target')} inputMode="decimal" value={target} onChange={(e) => setTarget(e.target.value)} error={errors.fields['target']} required />
        </div>
        <fieldset className="plain-fieldset">
          <legend>{t('objective.for')}</legend>
          <label className="checkbox-label"><input type="radio" name="objective-for" checked={forKind === 'user'} onChange={() => setForKind('user')} /> {t('objective.forUser')}</label>
          <label className="checkbox-label"><input type="radio" name="objective-for" checked={forKind === 'team'} onChange={() => setForKind('team')} /> {t('objective.forTeam')}</label>
        </fieldset>
        {forKind === 'user' ? (
          <SelectField label={t('objective.user')} value={userId} onChange={(e) => setUserId(e.target.value)} error={errors.fields['userId']}>
            <option value="">{t('objective.choose')}</option>
            {people.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
          </SelectField>
        ) : (
          <SelectField label={t('objective.team')} value={teamId} onChange={(e) => setTeamId(e.target.value)} error={errors.fields['teamId']}>
            <option value="">{t('objective.choose')}</option>
            {myTeams.map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
          </SelectField>
        )}
        <div className="form-row">
          <TextField label={t('objective.periodStart')} type="date" value={periodStart} onChange={(e) => setPeriodStart(e.target.value)} error={errors.fields['periodStart']} required />
          <TextField label={t('objective.periodEnd')} type="date" value={periodEnd} onChange={(e) => setPeriodEnd(e.target.value)} error={errors.fields['periodEnd']} required />
        </div>
        <fieldset className="plain-fieldset objective-krs">
          <legend>{t('objective.keyResults')}</legend>
          {keyResults.map((k, i) => (
            <div key={i} className="objective-kr">
              <TextField label={t('objective.krTitle', { n: i + 1 })} value={k.title} onChange={(e) => setKr(i, { title: e.target.value })}
                error={errors.fields[`keyResults.${i}.title`]} maxLength={300} />
              <TextField label={t('objective.krTarget', { n: i + 1 })} inputMode="decimal" value={k.target} onChange={(e) => setKr(i, { target: e.target.value })}
                error={errors.fields[`keyResults.${i}.target`]} />
              <label className="checkbox-label"><input type="checkbox" checked={k.done} onChange={(e) => setKr(i, { done: e.target.checked })} /> {t('objective.krDone')}</label>
              <button type="button" className="button button--ghost button--small" onClick={() => setKeyResults((ks) => ks.filter((_, j) => j !== i))}>
                {t('objective.removeKr', { n: i + 1 })}
              </button>
            </div>
          ))}
          {keyResults.length < 20 && (
            <button type="button" className="button button--small" onClick={() => setKeyResults((ks) => [...ks, { title: '', target: '', done: false }])}>{t('objective.addKr')}</button>
          )}
        </fieldset>
        <div className="dialog__actions">
          {objective && (
            <button type="button" className="button button--danger" disabled={remove.isPending}
              onClick={() => { if (window.confirm(t('objective.deleteConfirm', { name: objective.name }))) remove.mutate(); }}>
              {t('objective.delete')}
            </button>
          )}
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button button--primary" disabled={save.isPending}>{save.isPending ? t('common.saving') : t('common.save')}</button>
        </div>
      </form>
    </Dialog>
  );
}
