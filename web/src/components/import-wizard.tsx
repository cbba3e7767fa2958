import { useEffect, useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, isApiError } from '../api/client.js';
import { useI18n, type MessageKey } from '../i18n/i18n.js';
import { FormAlert, Loading, SelectField, formErrors } from './ui.js';
import {
  ImportCounts, ImportProgress, importTargets, isActive, previewCell, reasonText, reasonWithColumn,
  type DryRun, type ImportRecord, type ImportTarget, type PreviewRow,
} from './import-bits.js';

const targetKey = (t: ImportTarget) => `imports.target.${t}` as MessageKey;

function UploadStep({ onUploaded }: { onUploaded: (imp: ImportRecord) => void }) {
  const { t } = useI18n();
  const id = useId();
  const upload = useMutation({
    mutationFn: (file: File) => api.post<ImportRecord>('/imports', file, { query: { fileName: file.name } }),
    onSuccess: onUploaded,
  });
  const fileError = isApiError(upload.error) ? upload.error.fieldErrors.find((e) => e.field === 'file') : undefined;
  const error = fileError ? reasonText(t, fileError) : formErrors(t, upload.error).general;
  return (
    <div className="card">
      <h2>{t('imports.step.upload')}</h2>
      <p className="muted">{t('imports.intro')}</p>
      <div className="field">
        <label htmlFor={id}>{t('imports.file')}</label>
        <input id={id} type="file" accept=".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          disabled={upload.isPending} aria-describedby={error ? `${id}-error` : undefined}
          onChange={(e) => { const f = e.target.files?.[0]; if (f) upload.mutate(f); }} />
        {error && <p id={`${id}-error`} className="field__error" role="alert">{error}</p>}
      </div>
      {upload.isPending && <p aria-live="polite">{t('imports.uploading')}</p>}
    </div>
  );
}

function MappingStep({ imp, onSaved }: { imp: ImportRecord; onSaved: (imp: ImportRecord) => void }) {
  const { t, fmt } = useI18n();
  const [mapping, setMapping] = useState<(ImportTarget | null)[]>(imp.mapping);
  const [upsertKey, setUpsertKey] = useState(imp.upsertKey);
  const [createLeads, setCreateLeads] = useState(imp.createLeads);
  const sample = useQuery({ queryKey: ['import-preview', imp.id, 'raw'], queryFn: () => api.get<{ data: PreviewRow[] }>(`/imports/${imp.id}/preview`, { limit: 3 }) });
  const save = useMutation({
    mutationFn: () => api.patch<ImportRecord>(`/imports/${imp.id}`, { mapping, upsertKey, createLeads, version: imp.version }),
    onSuccess: onSaved,
  });
  const { general } = formErrors(t, save.error);
  const fields: Record<string, string> = {};
  if (isApiError(save.error)) for (const e of save.error.fieldErrors) fields[e.field] ??= reasonText(t, e);
  const mappingError = isApiError(save.error)
    ? save.error.fieldErrors.filter((e) => e.field === 'mapping').map((e) => reasonWithColumn(t, imp, e)).join(' ')
    : null;
  const submit = (e: FormEvent) => { e.preventDefault(); save.mutate(); };
  const detected = imp.format === 'xlsx'
    ? t('imports.detectedXlsx', { row: imp.headerRow })
    : t('imports.detected', { format: 'CSV', encoding: imp.encoding ?? '', delimiter: imp.delimiter === '\t' ? 'tab' : imp.delimiter ?? '', row: imp.headerRow });
  return (
    <form className="card" onSubmit={submit} noValidate>
      <h2>{t('imports.step.mapping')}</h2>
      <p>{imp.fileName} — {detected}{imp.totalRows ? `, ${t('imports.estimate', { rows: fmt.number(imp.totalRows) })}` : ''}</p>
      {imp.mappingRemembered && <p className="alert alert--info">{t('imports.remembered')}</p>}
      <FormAlert message={mappingError || general} />
      <div className="table-wrap">
        <table className="table">
          <thead><tr><th scope="col">{t('imports.column')}</th><th scope="col">{t('imports.example')}</th><th scope="col">{t('imports.field')}</th></tr></thead>
          <tbody>
            {imp.headers.map((h, i) => (
              <tr key={i}>
                <th scope="row">{h || `#${i + 1}`}</th>
                <td className="muted">{sample.data?.data.map((r) => r.cells[i]).filter(Boolean).slice(0, 2).join(' · ')}</td>
                <td>
                  <label className="visually-hidden" htmlFor={`map-${i}`}>{t('imports.field')}: {h}</label>
                  <select id={`map-${i}`} value={mapping[i] ?? ''} aria-invalid={fields[`mapping.${i}`] ? true : undefined}
                    onChange={(e) => setMapping((m) => m.map((x, j) => (j === i ? (e.target.value || null) as ImportTarget | null : x)))}>
                    <option value="">{t('imports.ignore')}</option>
                    {importTargets.map((target) => <option key={target} value={target}>{t(targetKey(target))}</option>)}
                  </select>
                  {fields[`mapping.${i}`] && <p className="field__error">{fields[`mapping.${i}`]}</p>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <SelectField label={t('imports.key')} hint={t('imports.keyHint')} value={upsertKey} onChange={(e) => setUpsertKey(e.target.value as ImportRecord['upsertKey'])}>
        <option value="email">{t('imports.key.email')}</option>
        <option value="phone">{t('imports.key.phone')}</option>
        <option value="externalId">{t('imports.key.externalId')}</option>
      </SelectField>
      <label className="checkbox-label"><input type="checkbox" checked={createLeads} onChange={(e) => setCreateLeads(e.target.checked)} /> {t('imports.createLeads')}</label>
      <div className="dialog__actions">
        <button type="submit" className="button button--primary" disabled={save.isPending}>{t('imports.saveMapping')}</button>
      </div>
    </form>
  );
}

function PreviewStep({ imp, onBack, onStarted }: { imp: ImportRecord; onBack: () => void; onStarted: (imp: ImportRecord) => void }) {
  const { t, fmt } = useI18n();
  const preview = useQuery({ queryKey: ['import-preview', imp.id, imp.version], queryFn: () => api.get<{ data: PreviewRow[] }>(`/imports/${imp.id}/preview`, { limit: 20 }) });
  const dry = useMutation({ mutationFn: () => api.post<DryRun>(`/imports/${imp.id}/dry-run`) });
  const queryClient = useQueryClient();
  const run = useMutation({
    mutationFn: () => api.post<ImportRecord>(`/imports/${imp.id}/run`),
    onSuccess: (started) => { queryClient.setQueryData(['import', started.id], started); onStarted(started); },
  });
  const shown = imp.mapping.map((m, i) => (m ? i : -1)).filter((i) => i >= 0);
  const { general } = formErrors(t, run.error ?? dry.error);
  return (
    <div className="card">
      <h2>{t('imports.step.preview')}</h2>
      <p className="muted">{t('imports.previewIntro')}</p>
      {preview.isLoading && <Loading />}
      {preview.data && (
        <div className="table-wrap">
          <table className="table">
            <thead><tr>
              <th scope="col">{t('imports.row')}</th><th scope="col">{t('imports.result')}</th>
              {shown.map((i) => <th scope="col" key={i}>{t(targetKey(imp.mapping[i]!))}</th>)}
            </tr></thead>
            <tbody>
              {preview.data.data.map((r) => (
                <tr key={r.rowNumber}>
                  <td>{r.rowNumber}</td>
                  <td>
                    {r.ok ? <span className="badge badge--won">{t('imports.ok')}</span> : (
                      <><span className="badge badge--lost">{t('imports.rejected')}</span>
                        <ul className="small">{r.errors.map((e, k) => <li key={k}>{reasonWithColumn(t, imp, e)}</li>)}</ul></>
                    )}
                  </td>
                  {shown.map((i) => <td key={i}>{previewCell(r, imp.mapping, i, fmt.locale)}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <FormAlert message={general} />
      {dry.data && (
        <div className="alert alert--info" role="status">
          <p>{t('imports.dryRunResult', { total: dry.data.totalRows, valid: dry.data.validRows, rejected: dry.data.rejectedRows })}</p>
          {dry.data.rejects.length > 0 && (
            <ul className="small">{dry.data.rejects.slice(0, 10).map((r) => <li key={r.rowNumber}>{t('imports.row')} {r.rowNumber}: {r.reasons.map((e) => reasonWithColumn(t, imp, e)).join(' · ')}</li>)}</ul>
          )}
        </div>
      )}
      <div className="dialog__actions">
        <button type="button" className="button" onClick={onBack}>{t('imports.back')}</button>
        <button type="button" className="button" onClick={() => dry.mutate()} disabled={dry.isPending}>{t('imports.dryRun')}</button>
        <button type="button" className="button button--primary" onClick={() => run.mutate()} disabled={run.isPending}>{t('imports.run')}</button>
      </div>
    </div>
  );
}

/** Follows a queued or running import until it stops. */
export function useImport(id: string) {
  return useQuery({
    queryKey: ['import', id],
    queryFn: () => api.get<ImportRecord>(`/imports/${id}`),
    refetchOnMount: 'always',
    refetchInterval: (q) => (!q.state.data || isActive(q.state.data.status) ? 1000 : false),
  });
}

function RunStep({ initial, onAnother }: { initial: ImportRecord; onAnother: () => void }) {
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const imp = useImport(initial.id);
  const current = imp.data ?? initial;
  useEffect(() => {
    if (!isActive(current.status)) void queryClient.invalidateQueries({ queryKey: ['imports'] });
  }, [current.status, queryClient]);
  const resume = useMutation({ mutationFn: () => api.post<ImportRecord>(`/imports/${current.id}/run`), onSuccess: () => imp.refetch() });
  return (
    <div className="card">
      <h2>{t('imports.step.run')}</h2>
      <ImportProgress imp={current} t={t} />
      <p><strong>{t(`imports.status.${current.status}` as MessageKey)}</strong></p>
      {current.status === 'failed' && (
        <div className="alert alert--warning">
          <p>{t('imports.failed', { error: current.lastError ?? '' })}</p>
          <button type="button" className="button" onClick={() => resume.mutate()} disabled={resume.isPending}>{t('imports.resume')}</button>
        </div>
      )}
      {(current.status === 'done' || current.status === 'failed') && <ImportCounts imp={current} t={t} />}
      <div className="dialog__actions">
        {current.rejectedCount > 0 && <a className="button" href={`/api/v1/imports/${current.id}/rejects.csv?lang=${language}`} download>{t('imports.downloadRejects')}</a>}
        {!isActive(current.status) && <button type="button" className="button button--primary" onClick={onAnother}>{t('imports.another')}</button>}
      </div>
    </div>
  );
}

type Step = { name: 'upload' } | { name: 'mapping'; imp: ImportRecord } | { name: 'preview'; imp: ImportRecord } | { name: 'run'; imp: ImportRecord };

/** Upload → columns → preview (with dry run) → import with progress. `start` reopens an unfinished import. */
export function ImportWizard({ start, onChange }: { start?: ImportRecord | null; onChange?: (id: string | null) => void }) {
  const { t } = useI18n();
  const initial = (): Step => {
    if (!start) return { name: 'upload' };
    if (start.status === 'uploaded') return { name: 'mapping', imp: start };
    return { name: 'run', imp: start };
  };
  const [step, setStep] = useState<Step>(initial);
  const go = (s: Step) => { setStep(s); onChange?.(s.name === 'upload' ? null : s.imp.id); };
  const steps: Step['name'][] = ['upload', 'mapping', 'preview', 'run'];
  return (
    <section aria-labelledby="import-wizard-title">
      <h2 id="import-wizard-title" className="visually-hidden">{t('imports.title')}</h2>
      <ol className="segmented" aria-label={t('imports.title')}>
        {steps.map((s) => <li key={s} aria-current={s === step.name ? 'step' : undefined} className={s === step.name ? 'navlink--active' : 'muted'}>{t(`imports.step.${s === 'upload' ? 'upload' : s === 'mapping' ? 'mapping' : s === 'preview' ? 'preview' : 'run'}`)}</li>)}
      </ol>
      {step.name === 'upload' && <UploadStep onUploaded={(imp) => go({ name: 'mapping', imp })} />}
      {step.name === 'mapping' && <MappingStep imp={step.imp} onSaved={(imp) => go({ name: 'preview', imp })} />}
      {step.name === 'preview' && <PreviewStep imp={step.imp} onBack={() => go({ name: 'mapping', imp: step.imp })} onStarted={(imp) => go({ name: 'run', imp })} />}
      {step.name === 'run' && <RunStep initial={step.imp} onAnother={() => go({ name: 'upload' })} />}
    </section>
  );
}
