import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { useI18n } from '../i18n/i18n.js';
import { useMe } from '../session.js';
import { ErrorState, Loading, SelectField } from '../components/ui.js';
import { FunnelHeader, JourneyEditor, ModelPreparing, ModelTable, pollWhilePreparing, useBaseline } from '../components/funnel-parts.js';
import type { FunnelModel, ModelStatus, Projection } from '../lib/funnel-data.js';
import { shareText } from '../lib/funnel-data.js';

/** /funnel: the journey map and the model measured on it, with the open pipeline valued both ways. */
export function FunnelPage() {
  const { t, fmt } = useI18n();
  const me = useMe();
  const baseline = useBaseline(me.workspace.timeZone);
  // Segments are saved sets of contacts (docs/segments.md); the model then counts their leads only.
  const [segmentId, setSegmentId] = useState('');
  const segments = useQuery({ queryKey: ['segments', 'options'], queryFn: () => api.get<{ data: { id: string; name: string }[] }>('/segments'), retry: false });
  const query = { from: baseline.from, to: baseline.to, ...(segmentId ? { segmentId } : {}) };
  const model = useQuery({
    queryKey: ['funnel', 'model', query], refetchInterval: pollWhilePreparing,
    queryFn: () => api.get<ModelStatus & { model: FunnelModel | null }>('/funnel/model', query),
  });
  const projection = useQuery({
    queryKey: ['funnel', 'projection', query], refetchInterval: pollWhilePreparing,
    queryFn: () => api.get<ModelStatus & { projection: Projection | null; model: FunnelModel | null }>('/funnel/projection', { ...query, months: 6, simulations: 1000 }),
  });
  const canEdit = me.user.role !== 'sales';
  const steps = model.data?.model?.steps ?? [];
  return (
    <section className="page" aria-labelledby="funnel-title">
      <FunnelHeader title={t('funnel.title')} baseline={baseline}>
        <div className="toolbar">
          <SelectField label={t('funnel.segment')} hint={t('funnel.segment.hint')} value={segmentId} onChange={(e) => setSegmentId(e.target.value)}>
            <option value="">{t('funnel.segment.all')}</option>
            {(segments.data?.data ?? []).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </SelectField>
        </div>
      </FunnelHeader>
      <JourneyEditor pipelineId={undefined} canEdit={canEdit} />
      <section aria-labelledby="model-title" className="card">
        <h2 id="model-title">{t('funnel.model')}</h2>
        {model.isLoading ? <Loading /> : model.error ? <ErrorState error={model.error} onRetry={() => void model.refetch()} />
          : model.data?.model ? <ModelTable model={model.data.model} /> : model.data && <ModelPreparing />}
      </section>
      {projection.data?.projection && projection.data.projection.pipeline.length > 0 && (
        <section aria-labelledby="pipeline-title" className="card">
          <h2 id="pipeline-title">{t('funnel.pipeline')}</h2>
          <div className="table-scroll">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('funnel.col.step')}</th><th scope="col">{t('funnel.pipeline.age')}</th><th scope="col">{t('funnel.col.entrants')}</th>
                  <th scope="col">{t('funnel.pipeline.weighted')}</th><th scope="col">{t('funnel.pipeline.measured')}</th>
                </tr>
              </thead>
              <tbody>
                {projection.data.projection.pipeline.map((c) => (
                  <tr key={`${c.step}-${c.ageBucket}`}>
                    <th scope="row">{steps[c.step]?.name ?? '—'}</th>
                    <td>{t(`funnel.age.${c.ageBucket}` as 'funnel.age.0')}</td>
                    <td>{fmt.number(c.leads)}</td>
                    <td>{fmt.money(c.weighted)}</td>
                    <td>{c.measuredValue === null ? '—' : `${fmt.money(c.measuredValue)} (${shareText(c.measuredProbability, fmt.locale)})`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </section>
  );
}
