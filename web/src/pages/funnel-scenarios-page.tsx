import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { useSources, useUsers } from '../api/lookups.js';
import type { Page } from '../api/types.js';
import { errorText, fieldErrorText, useI18n } from '../i18n/i18n.js';
import { isApiError } from '../api/client.js';
import { useMe } from '../session.js';
import { FormAlert, SelectField, TextField } from '../components/ui.js';
import { FunnelHeader, ModelPreparing, pollWhilePreparing, ScenarioChart, SensitivityTable, useBaseline } from '../components/funnel-parts.js';
import { blankLever, leverKinds, type FunnelModel, type Lever, type ModelStatus, type Projection, type Scenario, type WhatIf } from '../lib/funnel-data.js';

type Compared = { status: ModelStatus['status']; scenarios: { id: string; name: string; baseline: Projection; projection: Projection }[] };

/** /funnel/scenarios: levers → baseline vs scenario with ranges, sensitivity, save, compare, objectives. */
export function FunnelScenariosPage() {
  const { t, fmt } = useI18n();
  const me = useMe();
  const qc = useQueryClient();
  const baseline = useBaseline(me.workspace.timeZone);
  const sources = useSources();
  const users = useUsers();
  const model = useQuery({
    queryKey: ['funnel', 'model', baseline.from, baseline.to], refetchInterval: pollWhilePreparing,
    queryFn: () => api.get<ModelStatus & { pipelineId: string; model: FunnelModel | null }>('/funnel/model', { from: baseline.from, to: baseline.to }),
  });
  const scenarios = useQuery({ queryKey: ['funnel', 'scenarios'], queryFn: () => api.get<Page<Scenario>>('/funnel/scenarios', { limit: '100' }) });
  const [levers, setLevers] = useState<Lever[]>([]);
  const [months, setMonths] = useState(6);
  const [name, setName] = useState('');
  const [selected, setSelected] = useState<string[]>([]);
  const [owner, setOwner] = useState(me.user.id);
  const [message, setMessage] = useState<string | null>(null);
  const steps = (model.data?.model?.steps ?? []).filter((s) => s.rate !== null);
  const whatIf = useMutation({
    mutationFn: () => api.post<WhatIf>('/funnel/what-if', { from: baseline.from, to: baseline.to, months, simulations: 2000, levers }),
  });
  const compare = useMutation({ mutationFn: () => api.post<Compared>('/funnel/scenarios/compare', { ids: selected, simulations: 1000 }) });
  const leverErrors = whatIf.error && isApiError(whatIf.error) ? whatIf.error.byField() : {};
  const canSave = me.user.role !== 'sales';
  const set = (i: number, l: Lever) => setLevers(levers.map((x, k) => (k === i ? l : x)));
  const num = (v: string) => (v === '' ? Number.NaN : Number(v));

  return (
    <section className="page" aria-labelledby="funnel-title">
      <FunnelHeader title={t('funnel.scenarios')} baseline={baseline} />
      <form className="card" aria-labelledby="levers-title" onSubmit={(e) => { e.preventDefault(); whatIf.mutate(); }}>
        <h2 id="levers-title">{t('funnel.levers')}</h2>
        {levers.map((l, i) => {
          const err = (f: string) => { const e = leverErrors[`levers.${i}.${f}`]; return e ? fieldErrorText(t, e) : undefined; };
          return (
            <fieldset key={i} className="toolbar">
              <legend>{t(`funnel.lever.${l.kind}`)}</legend>
              {(l.kind === 'inflow' || l.kind === 'spend') && (
                <SelectField label={t('funnel.lever.source')} value={l.sourceId ?? ''} error={err('sourceId')}
                  onChange={(e) => set(i, l.kind === 'inflow' ? { ...l, sourceId: e.target.value || null } : { ...l, sourceId: e.target.value })}>
                  {l.kind === 'inflow' && <option value="">{t('funnel.lever.allSources')}</option>}
                  {(sources.data ?? []).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
                </SelectField>
              )}
              {(l.kind === 'inflow' || l.kind === 'cycleTime') && (
                <TextField label={t(`funnel.lever.${l.kind}`)} type="number" step="0.05" value={Number.isNaN(l.factor) ? '' : l.factor} error={err('factor')} onChange={(e) => set(i, { ...l, factor: num(e.target.value) })} />
              )}
              {l.kind === 'rate' && (
                <>
                  <SelectField label={t('funnel.lever.step')} value={l.stepId} error={err('stepId')} onChange={(e) => set(i, { ...l, stepId: e.target.value })}>
                    {steps.map((s) => <option key={s.stepId} value={s.stepId}>{s.name} ({Math.round((s.rate ?? 0) * 1000) / 10} %)</option>)}
                  </SelectField>
                  <TextField label={t('funnel.lever.newRate')} type="number" step="0.1" value={Number.isNaN(l.rate) ? '' : Math.round(l.rate * 1000) / 10} error={err('rate')} onChange={(e) => set(i, { ...l, rate: num(e.target.value) / 100 })} />
                </>
              )}
              {l.kind === 'averageDeal' && <TextField label={t('funnel.lever.averageDeal')} type="number" value={Number.isNaN(l.amount) ? '' : l.amount} error={err('amount')} onChange={(e) => set(i, { ...l, amount: num(e.target.value) })} />}
              {l.kind === 'spend' && <TextField label={t('funnel.lever.spend')} type="number" value={Number.isNaN(l.amountPerMonth) ? '' : l.amountPerMonth} error={err('amountPerMonth')} onChange={(e) => set(i, { ...l, amountPerMonth: num(e.target.value) })} />}
              <button type="button" className="button button--ghost" aria-label={t('funnel.lever.remove', { n: i + 1 })} onClick={() => setLevers(levers.filter((_, k) => k !== i))}>✕</button>
            </fieldset>
          );
        })}
        <div className="toolbar">
          <SelectField label={t('funnel.lever.kind')} value="" onChange={(e) => {
            if (e.target.value) setLevers([...levers, blankLever(e.target.value as Lever['kind'], steps[0]?.stepId ?? '', sources.data?.[0]?.id ?? '')]);
          }}>
            <option value="">{t('funnel.lever.add')}</option>
            {leverKinds.map((k) => <option key={k} value={k}>{t(`funnel.lever.${k}`)}</option>)}
          </SelectField>
          <TextField label={t('funnel.months')} type="number" min={1} max={12} value={months} onChange={(e) => setMonths(Math.min(12, Math.max(1, Number(e.target.value) || 1)))} />
          <button type="submit" className="button button--primary" disabled={whatIf.isPending}>{t('funnel.run')}</button>
        </div>
        <FormAlert message={whatIf.error ? errorText(t, whatIf.error) : null} />
      </form>

      {model.data?.status === 'preparing' && <ModelPreparing />}
      {whatIf.data?.status === 'preparing' && model.data?.status !== 'preparing' && <ModelPreparing />}
      {whatIf.data?.baseline && whatIf.data.scenario && (
        <>
          <ScenarioChart baseline={whatIf.data.baseline} scenario={whatIf.data.scenario} />
          <SensitivityTable rows={whatIf.data.sensitivity} />
          {canSave && model.data && (
            <form className="toolbar card" onSubmit={(e) => {
              e.preventDefault();
              api.post('/funnel/scenarios', { name, pipelineId: model.data.pipelineId, levers, months, baselineFrom: baseline.from, baselineTo: baseline.to })
                .then(async () => { setName(''); await qc.invalidateQueries({ queryKey: ['funnel', 'scenarios'] }); })
                .catch((err: unknown) => setMessage(errorText(t, err)));
            }}>
              <TextField label={t('funnel.scenarioName')} value={name} required maxLength={200} onChange={(e) => setName(e.target.value)} />
              <button type="submit" className="button">{t('funnel.save')}</button>
            </form>
          )}
        </>
      )}

      <section className="card" aria-labelledby="saved-title">
        <h2 id="saved-title">{t('funnel.saved')}</h2>
        {(scenarios.data?.data ?? []).length === 0 ? <p className="muted">{t('funnel.noScenarios')}</p> : (
          <>
            <ul className="plain-list">
              {scenarios.data!.data.map((s) => (
                <li key={s.id}>
                  <label><input type="checkbox" checked={selected.includes(s.id)} aria-label={t('funnel.select', { name: s.name })}
                    onChange={(e) => setSelected(e.target.checked ? [...selected, s.id] : selected.filter((x) => x !== s.id))} /> {s.name}</label>
                  {canSave && (
                    <button type="button" className="button button--ghost" onClick={() => {
                      api.post<{ objectives: unknown[] }>(`/funnel/scenarios/${s.id}/objectives`, { userId: owner })
                        .then((r) => setMessage(t('funnel.objectivesCreated', { n: r.objectives.length })))
                        .catch((err: unknown) => setMessage(isApiError(err) && (err.problem as { reason?: string }).reason === 'model_preparing' ? t('funnel.preparing') : errorText(t, err)));
                    }}>{t('funnel.toObjectives')}</button>
                  )}
                </li>
              ))}
            </ul>
            {canSave && (
              <SelectField label={t('funnel.objectivesFor')} value={owner} onChange={(e) => setOwner(e.target.value)}>
                {(users.data ?? []).map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
              </SelectField>
            )}
            <button type="button" className="button" disabled={selected.length === 0 || compare.isPending} onClick={() => compare.mutate()}>{t('funnel.compare')}</button>
          </>
        )}
        <p role="status">{message}</p>
        {compare.data?.status === 'preparing' && <ModelPreparing />}
        {compare.data && compare.data.scenarios.length > 0 && (
          <table className="table">
            <thead><tr><th scope="col">{t('funnel.scenarioName')}</th><th scope="col">{t('funnel.chart.baseline')}</th><th scope="col">{t('funnel.chart.scenario')}</th></tr></thead>
            <tbody>
              {compare.data.scenarios.map((s) => (
                <tr key={s.id}>
                  <th scope="row">{s.name}</th>
                  <td>{fmt.money(s.baseline.total.revenue.p50)} ({fmt.money(s.baseline.total.revenue.p10)} – {fmt.money(s.baseline.total.revenue.p90)})</td>
                  <td>{fmt.money(s.projection.total.revenue.p50)} ({fmt.money(s.projection.total.revenue.p10)} – {fmt.money(s.projection.total.revenue.p90)})</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </section>
  );
}
