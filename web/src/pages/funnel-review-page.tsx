import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.js';
import type { Page } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { ErrorState, Loading, SelectField } from '../components/ui.js';
import { FunnelHeader, ModelPreparing, pollWhilePreparing } from '../components/funnel-parts.js';
import type { Plan, Scenario } from '../lib/funnel-data.js';

/** /funnel/review: the weekly meeting — per week and step, what was expected and what happened. */
export function FunnelReviewPage() {
  const { t, fmt } = useI18n();
  const [scenarioId, setScenarioId] = useState('');
  const scenarios = useQuery({ queryKey: ['funnel', 'scenarios'], queryFn: () => api.get<Page<Scenario>>('/funnel/scenarios', { limit: '100' }) });
  const plan = useQuery({ queryKey: ['funnel', 'plan', scenarioId], refetchInterval: pollWhilePreparing, queryFn: () => api.get<Plan>('/funnel/plan', { weeks: 6, scenarioId: scenarioId || undefined }) });
  return (
    <section className="page" aria-labelledby="funnel-title">
      <FunnelHeader title={t('funnel.review')}>
        <SelectField label={t('funnel.review.scenario')} value={scenarioId} onChange={(e) => setScenarioId(e.target.value)}>
          <option value="">{t('funnel.review.baseline')}</option>
          {(scenarios.data?.data ?? []).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </SelectField>
      </FunnelHeader>
      <p className="muted small">{t('funnel.review.hint')}</p>
      {plan.isLoading ? <Loading /> : plan.error ? <ErrorState error={plan.error} onRetry={() => void plan.refetch()} /> : plan.data?.status === 'preparing' ? <ModelPreparing /> : plan.data && (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('funnel.col.step')}</th>
                {plan.data.weeks.map((w) => <th scope="col" key={w.week}>{t('funnel.review.week', { day: fmt.shortDate(`${w.week}T12:00:00Z`) })}</th>)}
              </tr>
            </thead>
            <tbody>
              {plan.data.steps.map((s) => (
                <tr key={s.stepId}>
                  <th scope="row">{s.name}</th>
                  {plan.data.weeks.map((w) => {
                    const c = w.steps.find((x) => x.stepId === s.stepId)!;
                    return (
                      <td key={w.week} className={c.flag ? `flag flag--${c.flag}` : undefined}>
                        <strong>{fmt.number(c.actual)}</strong>
                        <div className="muted small">{t('funnel.review.expected', { expected: fmt.number(c.expected), p10: c.p10, p90: c.p90 })}</div>
                        {c.flag && <div className="small warning">{t(`funnel.review.${c.flag}`)}</div>}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
