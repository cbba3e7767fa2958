import { useEffect, useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, ApiError, request } from '../../api/client.js';
import type { Stage } from '../../api/types.js';
import { usePipelines, type PipelineWithStages } from '../../api/lookups.js';
import { errorText, fieldErrorText, useI18n } from '../../i18n/i18n.js';
import { useMe } from '../../session.js';
import { Dialog, ErrorState, FormAlert, Loading, SelectField, formErrors } from '../../components/ui.js';
import { temperatureLabelKey } from '../../lib/labels.js';
import { fromInput } from '../../lib/lead-fields.js';
import { moveStage } from '../../lib/stage-order.js';

const kinds = ['open', 'won', 'lost'] as const;
const temperatures = ['cold', 'warm', 'hot'] as const;

function StageRow({ pipeline, stage, index, canEdit, onError, onChanged }: {
  pipeline: PipelineWithStages; stage: Stage; index: number; canEdit: boolean; onError: (m: string | null) => void; onChanged: () => Promise<void>;
}) {
  const { t } = useI18n();
  const [name, setName] = useState(stage.name);
  const [probability, setProbability] = useState(String(stage.probability));
  const [deleting, setDeleting] = useState(false);
  const [fieldError, setFieldError] = useState<string | null>(null);
  // A save elsewhere (or a reorder) brings new values; the row keeps its identity so focus stays.
  useEffect(() => { setName(stage.name); }, [stage.name]);
  useEffect(() => { setProbability(String(stage.probability)); }, [stage.probability]);
  const base = `/pipelines/${pipeline.id}/stages/${stage.id}`;
  const patch = async (body: Record<string, unknown>) => {
    try {
      await api.patch(base, { ...body, version: stage.version });
      setFieldError(null); onError(null);
      await onChanged();
    } catch (e) {
      const fe = e instanceof ApiError ? e.fieldErrors[0] : undefined;
      setFieldError(fe ? fieldErrorText(t, fe) : errorText(t, e));
    }
  };
  const reorder = async (by: number) => {
    const ids = moveStage(pipeline.stages.map((s) => s.id), index, by);
    try {
      await request('PUT', `/pipelines/${pipeline.id}/stages/order`, { body: { stageIds: ids } });
      onError(null);
      await onChanged();
      // Keep the keyboard on the row that moved.
      requestAnimationFrame(() => document.getElementById(`stage-${stage.id}-${by < 0 ? 'up' : 'down'}`)?.focus());
    } catch (e) { onError(errorText(t, e)); }
  };
  const last = index === pipeline.stages.length - 1;
  if (!canEdit) {
    return <tr><td>{stage.name}</td><td>{t(`settings.stageKind.${stage.kind}`)}</td><td>{stage.probability}</td><td>{stage.temperature ? t(temperatureLabelKey[stage.temperature]) : '—'}</td><td /></tr>;
  }
  return (
    <tr onKeyDown={(e) => {
      // Alt+↑ / Alt+↓ moves the stage from anywhere in its row.
      if (e.altKey && e.key === 'ArrowUp' && index > 0) { e.preventDefault(); void reorder(-1); }
      if (e.altKey && e.key === 'ArrowDown' && !last) { e.preventDefault(); void reorder(1); }
    }}>
      <td>
        <label htmlFor={`stage-${stage.id}-name`} className="visually-hidden">{t('settings.stageName')}</label>
        <input id={`stage-${stage.id}-name`} value={name} onChange={(e) => setName(e.target.value)}
          onBlur={() => { if (name.trim() !== stage.name) void patch({ name: name.trim() }); }}
          onKeyDown={(e) => { if (e.key === 'Enter') (e.target as HTMLInputElement).blur(); }} aria-invalid={fieldError ? true : undefined} />
        {fieldError && <small className="field__error" role="alert">{fieldError}</small>}
      </td>
      <td>{t(`settings.stageKind.${stage.kind}`)}</td>
      <td>
        <label htmlFor={`stage-${stage.id}-prob`} className="visually-hidden">{t('settings.probabilityOf', { name: stage.name })}</label>
        <input id={`stage-${stage.id}-prob`} inputMode="numeric" value={probability} onChange={(e) => setProbability(e.target.value)}
          onBlur={() => {
            const v = fromInput('integer', probability);
            if (v !== stage.probability) void patch({ probability: v === undefined || v === null ? probability : v });
          }}
          onKeyDown={(e) => { if (e.key === 'Enter') (e.target as HTMLInputElement).blur(); }} />
      </td>
      <td>
        <label htmlFor={`stage-${stage.id}-temp`} className="visually-hidden">{t('settings.temperatureOf', { name: stage.name })}</label>
        <select id={`stage-${stage.id}-temp`} value={stage.temperature ?? ''} onChange={(e) => void patch({ temperature: e.target.value || null })}>
          <option value="">—</option>
          {temperatures.map((x) => <option key={x} value={x}>{t(temperatureLabelKey[x])}</option>)}
        </select>
      </td>
      <td className="stage-actions">
        <button type="button" id={`stage-${stage.id}-up`} className="button button--small" disabled={index === 0} onClick={() => void reorder(-1)}
          aria-label={t('settings.moveUp', { name: stage.name })} aria-keyshortcuts="Alt+ArrowUp">↑</button>
        <button type="button" id={`stage-${stage.id}-down`} className="button button--small" disabled={last} onClick={() => void reorder(1)}
          aria-label={t('settings.moveDown', { name: stage.name })} aria-keyshortcuts="Alt+ArrowDown">↓</button>
        <button type="button" className="button button--small button--ghost" onClick={() => setDeleting(true)} aria-label={t('settings.deleteStage', { name: stage.name })}>×</button>
        {deleting && <DeleteStageDialog pipeline={pipeline} stage={stage} onClose={() => setDeleting(false)} onDone={async () => { setDeleting(false); await onChanged(); }} />}
      </td>
    </tr>
  );
}

function DeleteStageDialog({ pipeline, stage, onClose, onDone }: { pipeline: PipelineWithStages; stage: Stage; onClose: () => void; onDone: () => Promise<void> }) {
  const { t } = useI18n();
  const others = pipeline.stages.filter((s) => s.id !== stage.id);
  const [moveTo, setMoveTo] = useState(others[0]?.id ?? '');
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api.del(`/pipelines/${pipeline.id}/stages/${stage.id}`, { query: { moveLeadsTo: moveTo } });
      await onDone();
    } catch (err) { setError(err); }
  };
  const { fields, general } = formErrors(t, error);
  return (
    <Dialog open title={t('settings.deleteStage', { name: stage.name })} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <FormAlert message={general} />
        <p>{t('settings.deleteStageIntro')}</p>
        <SelectField label={t('settings.moveLeadsTo')} value={moveTo} onChange={(e) => setMoveTo(e.target.value)} error={fields['moveLeadsTo']}>
          {others.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </SelectField>
        <div className="dialog__actions">
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button button--danger">{t('common.confirm')}</button>
        </div>
      </form>
    </Dialog>
  );
}

function NewStageForm({ pipeline, onDone }: { pipeline: PipelineWithStages; onDone: () => Promise<void> }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<string>('open');
  const [probability, setProbability] = useState('50');
  const [error, setError] = useState<unknown>(null);
  const { fields, general } = formErrors(t, error);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const p = fromInput('integer', probability);
    try {
      await api.post(`/pipelines/${pipeline.id}/stages`, { name: name.trim(), kind, probability: p ?? probability });
      setName(''); setError(null);
      await onDone();
    } catch (err) { setError(err); }
  };
  const id = `new-stage-${pipeline.id}`;
  return (
    <form className="ref-form" onSubmit={submit} noValidate aria-label={t('settings.newStage')}>
      <FormAlert message={general} />
      <div className="field"><label htmlFor={`${id}-name`}>{t('settings.stageName')}</label>
        <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} aria-invalid={fields['name'] ? true : undefined} />
        {fields['name'] && <small className="field__error" role="alert">{fields['name']}</small>}</div>
      <div className="field"><label htmlFor={`${id}-kind`}>{t('settings.stageKind')}</label>
        <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value)}>
          {kinds.map((k) => <option key={k} value={k}>{t(`settings.stageKind.${k}`)}</option>)}
        </select></div>
      <div className="field"><label htmlFor={`${id}-prob`}>{t('lead.probability')}</label>
        <input id={`${id}-prob`} inputMode="numeric" value={probability} onChange={(e) => setProbability(e.target.value)} aria-invalid={fields['probability'] ? true : undefined} />
        {fields['probability'] && <small className="field__error" role="alert">{fields['probability']}</small>}</div>
      <button type="submit" className="button button--primary">{t('settings.newStage')}</button>
    </form>
  );
}

/** Pipeline stages: rename, probability, temperature, reorder (buttons or Alt+↑/↓), add, delete. */
export function StagesSettings() {
  const { t } = useI18n();
  const me = useMe();
  const queryClient = useQueryClient();
  const pipelines = usePipelines();
  const [error, setError] = useState<string | null>(null);
  const canEdit = me.user.role === 'admin';
  const changed = async () => { await queryClient.invalidateQueries({ queryKey: ['lookup', 'pipelines'] }); };
  if (pipelines.isLoading) return <Loading />;
  if (pipelines.error) return <ErrorState error={pipelines.error} onRetry={() => pipelines.refetch()} />;
  return (
    <>
      {error && <p className="alert alert--error" role="alert">{error}</p>}
      {pipelines.data?.map((p) => (
        <section key={p.id} className="card" aria-labelledby={`pipeline-${p.id}`}>
          <h2 id={`pipeline-${p.id}`}>{t('settings.stagesOf', { name: p.name })}</h2>
          {canEdit ? <p className="muted small">{t('settings.reorderHint')}</p> : <p className="muted small">{t('settings.readOnly')}</p>}
          <div className="table-wrap table-wrap--contained">
            <table className="table">
              <thead><tr>
                <th scope="col">{t('settings.stageName')}</th><th scope="col">{t('settings.stageKind')}</th>
                <th scope="col">{t('lead.probability')}</th><th scope="col">{t('lead.temperature')}</th><th scope="col"><span className="visually-hidden">{t('settings.actions')}</span></th>
              </tr></thead>
              <tbody>
                {p.stages.map((s, i) => <StageRow key={s.id} pipeline={p} stage={s} index={i} canEdit={canEdit} onError={setError} onChanged={changed} />)}
              </tbody>
            </table>
          </div>
          {canEdit && <NewStageForm pipeline={p} onDone={changed} />}
        </section>
      ))}
    </>
  );
}
