import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, request } from '../../api/client.js';
import type { components } from '../../api/openapi.js';
import { useCustomFields, useProducts, useSources } from '../../api/lookups.js';
import { useI18n, type MessageKey } from '../../i18n/i18n.js';
import { useMe } from '../../session.js';
import { activityLabelKey } from '../../lib/labels.js';
import { ErrorState, FormAlert, Loading, SelectField, TextField, formErrors } from '../../components/ui.js';

// The condition types and their fields mirror src/domain/score.ts, which validates them on save.
const types = ['sector', 'size', 'postalCode', 'product', 'source', 'customField', 'interactions', 'replied', 'visits', 'purchases', 'noContact'] as const;
type ConditionType = (typeof types)[number];
const interactionTypes = ['call', 'email', 'meeting', 'visit', 'message', 'task'] as const;
type Kind = 'fit' | 'behaviour' | 'decay';
type Warning = 'field_deleted' | 'product_deleted' | 'source_deleted';
type StoredRule = { id: string; label: string; weight: number; condition: Record<string, unknown> & { type: ConditionType }; kind: Kind; warning: Warning | null };
type Rules = { rules: StoredRule[] };
type Coefficient = components['schemas']['ScoreCoefficient'];
type Model = components['schemas']['ScoreModel'];

/** A rule as edited: numbers and lists kept as the text typed, turned into the API shape on save. */
type Draft = { id?: string; label: string; weight: string; type: ConditionType; text: Record<string, string>; activityTypes: string[]; warning: Warning | null };

const list = (s: string | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);
// An empty box is "not given"; anything else goes to the server as typed, so "abc" is reported there, by field.
const num = (s: string | undefined): unknown => (s === undefined || s.trim() === '' ? undefined : Number.isFinite(Number(s)) ? Number(s) : s);

function toDraft(r: StoredRule): Draft {
  const c = r.condition;
  const text: Record<string, string> = {};
  for (const k of ['days', 'min', 'max', 'key', 'entity']) if (c[k] !== undefined && c[k] !== null) text[k] = String(c[k]);
  for (const k of ['values', 'prefixes']) if (Array.isArray(c[k])) text[k] = (c[k] as string[]).join(', ');
  if (Array.isArray(c['productIds'])) text['productId'] = String((c['productIds'] as string[])[0] ?? '');
  if (Array.isArray(c['sourceIds'])) text['sourceId'] = String((c['sourceIds'] as string[])[0] ?? '');
  if (c.type === 'customField') text['field'] = `${String(c['entity'])}:${String(c['key'])}`;
  return { id: r.id, label: r.label, weight: String(r.weight), type: c.type, text, activityTypes: (c['activityTypes'] as string[] | undefined) ?? [], warning: r.warning };
}

function toApi(d: Draft): Record<string, unknown> {
  const x = d.text;
  const c: Record<string, unknown> = { type: d.type };
  if (d.type === 'sector') c['values'] = list(x['values']);
  if (d.type === 'postalCode') c['prefixes'] = list(x['prefixes']);
  if (d.type === 'product') c['productIds'] = x['productId'] ? [x['productId']] : [];
  if (d.type === 'source') c['sourceIds'] = x['sourceId'] ? [x['sourceId']] : [];
  if (d.type === 'size' || d.type === 'customField') { c['min'] = num(x['min']) ?? null; c['max'] = num(x['max']) ?? null; }
  if (d.type === 'customField') {
    const [entity, key] = (x['field'] ?? ':').split(':');
    c['entity'] = entity; c['key'] = key;
    if (list(x['values']).length) { c['values'] = list(x['values']); delete c['min']; delete c['max']; }
    else if (c['min'] === null && c['max'] === null) { delete c['min']; delete c['max']; }
  }
  if (d.type === 'interactions') c['activityTypes'] = d.activityTypes;
  if (['interactions', 'replied', 'visits', 'purchases', 'noContact'].includes(d.type)) c['days'] = num(x['days']);
  if (['interactions', 'visits', 'purchases'].includes(d.type)) c['min'] = num(x['min']) ?? 1;
  const weight = num(d.weight);
  return { ...(d.id ? { id: d.id } : {}), label: d.label, weight: weight === undefined ? null : weight, condition: c };
}

const blank = (): Draft => ({ label: '', weight: '10', type: 'sector', text: {}, activityTypes: ['call'], warning: null });

/** Admin settings: the score rules (read-only for others) and the measured model. */
export function ScoreSettings() {
  return (
    <>
      <RulesCard />
      <ModelCard />
    </>
  );
}

function RulesCard() {
  const { t } = useI18n();
  const me = useMe();
  const canEdit = me.user.role === 'admin';
  const queryClient = useQueryClient();
  const products = useProducts();
  const sources = useSources();
  const fieldsByEntity = { lead: useCustomFields('lead'), contact: useCustomFields('contact'), company: useCustomFields('company') };
  const q = useQuery({ queryKey: ['score-rules'], queryFn: () => api.get<Rules>('/score/rules') });
  const [drafts, setDrafts] = useState<Draft[] | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => { if (q.data && !drafts) setDrafts(q.data.rules.map(toDraft)); }, [q.data, drafts]);
  const save = useMutation({
    mutationFn: (d: Draft[]) => request<Rules>('PUT', '/score/rules', { body: { rules: d.map(toApi) } }),
    onSuccess: (r) => {
      queryClient.setQueryData(['score-rules'], r);
      setDrafts(r.rules.map(toDraft));
      setSaved(true);
      void queryClient.invalidateQueries({ queryKey: ['score'] });
    },
  });
  if (q.isLoading || (q.data && !drafts)) return <Loading />;
  if (q.error || !drafts) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;

  const errs = formErrors(t, save.error);
  const errAt = (i: number, f: string) => errs.fields[`rules.${i}.${f}`];
  const condErr = (i: number, ...fs: string[]) => fs.map((f) => errAt(i, `condition.${f}`)).find(Boolean);
  const update = (i: number, patch: Partial<Draft>) => { setSaved(false); setDrafts(drafts.map((d, j) => (j === i ? { ...d, ...patch } : d))); };
  const setText = (i: number, k: string, v: string) => update(i, { text: { ...drafts[i]!.text, [k]: v } });
  const submit = (e: FormEvent) => { e.preventDefault(); save.mutate(drafts); };
  const allFields = (['lead', 'contact', 'company'] as const).flatMap((entity) => (fieldsByEntity[entity].data ?? []).map((f) => ({ entity, f })));

  return (
    <form className="card" onSubmit={submit} aria-labelledby="score-rules-title" noValidate>
      <h2 id="score-rules-title">{t('score.settings.title')}</h2>
      <p>{t('score.settings.intro')}</p>
      {!canEdit && <p className="alert alert--info">{t('score.settings.readOnly')}</p>}
      {saved && <p className="alert alert--success" role="status">{t('score.settings.saved')}</p>}
      <FormAlert message={errs.general} />
      <fieldset disabled={!canEdit || save.isPending} style={{ border: 0, padding: 0, margin: 0 }}>
        <h3>{t('score.settings.rules')}</h3>
        {drafts.length === 0 && <p className="muted">{t('score.noRules')}</p>}
        <ol className="score-rules" style={{ listStyle: 'none', padding: 0, display: 'grid', gap: '.75rem' }}>
          {drafts.map((d, i) => {
            const x = d.text;
            return (
              <li key={d.id ?? `new-${i}`} className="card" style={{ margin: 0 }} aria-label={t('score.settings.rulePosition', { n: i + 1 })} data-testid="score-rule">
                {d.warning && <p className="alert alert--warning small"><strong>{t('score.settings.inactive')}</strong> — {t(`score.warning.${d.warning}`, { label: d.label })}</p>}
                <div className="form-row">
                  <TextField label={t('score.settings.label')} value={d.label} maxLength={80} error={errAt(i, 'label')} onChange={(e) => update(i, { label: e.target.value })} />
                  <TextField label={t('score.settings.weight')} value={d.weight} inputMode="numeric" error={errAt(i, 'weight')} onChange={(e) => update(i, { weight: e.target.value })} />
                  <SelectField label={t('score.settings.type')} value={d.type} error={errAt(i, 'condition.type')}
                    onChange={(e) => update(i, { type: e.target.value as ConditionType })}>
                    {types.map((ty) => <option key={ty} value={ty}>{t(`score.type.${ty}` as MessageKey)}</option>)}
                  </SelectField>
                </div>
                <div className="form-row">
                  {d.type === 'sector' && <TextField label={t('score.settings.values')} value={x['values'] ?? ''} error={condErr(i, 'values')} onChange={(e) => setText(i, 'values', e.target.value)} />}
                  {d.type === 'postalCode' && <TextField label={t('score.settings.prefixes')} value={x['prefixes'] ?? ''} error={condErr(i, 'prefixes')} onChange={(e) => setText(i, 'prefixes', e.target.value)} />}
                  {d.type === 'product' && (
                    <SelectField label={t('score.settings.product')} value={x['productId'] ?? ''} error={condErr(i, 'productIds')} onChange={(e) => setText(i, 'productId', e.target.value)}>
                      <option value="">—</option>
                      {products.data?.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
                    </SelectField>
                  )}
                  {d.type === 'source' && (
                    <SelectField label={t('score.settings.source')} value={x['sourceId'] ?? ''} error={condErr(i, 'sourceIds')} onChange={(e) => setText(i, 'sourceId', e.target.value)}>
                      <option value="">—</option>
                      {sources.data?.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
                    </SelectField>
                  )}
                  {d.type === 'customField' && (
                    <>
                      <SelectField label={t('score.settings.field')} value={x['field'] ?? ''} error={condErr(i, 'key', 'entity')} onChange={(e) => setText(i, 'field', e.target.value)}>
                        <option value="">—</option>
                        {x['field'] && !allFields.some(({ entity, f }) => `${entity}:${f.key}` === x['field']) && <option value={x['field']}>{x['field']}</option>}
                        {allFields.map(({ entity, f }) => <option key={`${entity}:${f.key}`} value={`${entity}:${f.key}`}>{`${t(`capture.entity.${entity}` as MessageKey)} · ${f.label}`}</option>)}
                      </SelectField>
                      <TextField label={t('score.settings.values')} value={x['values'] ?? ''} error={condErr(i, 'values')} onChange={(e) => setText(i, 'values', e.target.value)} />
                    </>
                  )}
                  {(d.type === 'size' || d.type === 'customField') && (
                    <>
                      <TextField label={t('score.settings.min')} value={x['min'] ?? ''} inputMode="numeric" error={condErr(i, 'min')} onChange={(e) => setText(i, 'min', e.target.value)} />
                      <TextField label={t('score.settings.max')} value={x['max'] ?? ''} inputMode="numeric" error={condErr(i, 'max')} onChange={(e) => setText(i, 'max', e.target.value)} />
                    </>
                  )}
                  {['interactions', 'visits', 'purchases'].includes(d.type) && (
                    <TextField label={t('score.settings.min')} value={x['min'] ?? '1'} inputMode="numeric" error={condErr(i, 'min')} onChange={(e) => setText(i, 'min', e.target.value)} />
                  )}
                  {['interactions', 'replied', 'visits', 'purchases', 'noContact'].includes(d.type) && (
                    <TextField label={t('score.settings.days')} value={x['days'] ?? ''} inputMode="numeric" error={condErr(i, 'days')} onChange={(e) => setText(i, 'days', e.target.value)} />
                  )}
                </div>
                {d.type === 'interactions' && (
                  <fieldset className="capture-fieldset">
                    <legend>{t('score.settings.activityTypes')}</legend>
                    {interactionTypes.map((ty) => (
                      <label key={ty} style={{ marginRight: '.75rem' }}>
                        <input type="checkbox" checked={d.activityTypes.includes(ty)}
                          onChange={(e) => update(i, { activityTypes: e.target.checked ? [...d.activityTypes, ty] : d.activityTypes.filter((a) => a !== ty) })} /> {t(activityLabelKey[ty])}
                      </label>
                    ))}
                    {condErr(i, 'activityTypes') && <small className="field__error" role="alert">{condErr(i, 'activityTypes')}</small>}
                  </fieldset>
                )}
                {canEdit && <button type="button" className="button button--ghost button--small" onClick={() => { setSaved(false); setDrafts(drafts.filter((_, j) => j !== i)); }}>{t('score.settings.remove')}</button>}
              </li>
            );
          })}
        </ol>
        {canEdit && (
          <div className="toolbar">
            <button type="button" className="button" onClick={() => { setSaved(false); setDrafts([...drafts, blank()]); }}>{t('score.settings.add')}</button>
            <button type="submit" className="button button--primary">{t('score.settings.save')}</button>
          </div>
        )}
      </fieldset>
    </form>
  );
}

function ModelCard() {
  const { t, fmt } = useI18n();
  const me = useMe();
  const q = useQuery({ queryKey: ['score-model'], queryFn: () => api.get<Model>('/score/model') });
  const [queued, setQueued] = useState(false);
  const train = useMutation({
    mutationFn: () => api.post<{ jobId: string }>('/score/model/train'),
    // Training runs as a job: look again a little later instead of holding the request open.
    onSuccess: () => { setQueued(true); setTimeout(() => void q.refetch(), 3000); },
  });
  if (q.isLoading) return <Loading />;
  if (q.error || !q.data) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const m = q.data;
  const featureText = (c: Coefficient) => t(`score.feature.${c.kind}` as MessageKey, { value: c.kind === 'interactions' ? t(activityLabelKey[c.value as (typeof interactionTypes)[number]] ?? 'common.none') : c.label });
  const raises = m.coefficients.filter((c) => c.weight > 0.05).sort((a, b) => b.weight - a.weight);
  const lowers = m.coefficients.filter((c) => c.weight < -0.05).sort((a, b) => a.weight - b.weight);
  // Odds ratio: "× 2.1" reads better for people than a log-odds coefficient.
  const effect = (c: Coefficient) => `× ${fmt.number(Math.round(Math.exp(c.weight) * 100) / 100)}`;
  return (
    <section className="card" aria-labelledby="score-model-title" data-testid="score-model">
      <h2 id="score-model-title">{t('score.model.title')}</h2>
      <p className="muted">{t('score.model.intro', { minClosed: m.rule.minClosed, minPerClass: m.rule.minPerClass, holdout: Math.round(m.rule.holdoutShare * 100) })}</p>
      {m.status === 'none' && <p>{t('score.model.none')}</p>}
      {m.status === 'insufficient' && <p className="alert alert--info">{t(`score.model.insufficient.${m.reason ?? 'too_few_closed'}` as MessageKey, {
        n: m.n, won: m.won, lost: m.lost, auc: m.auc === null ? '—' : fmt.number(Math.round(m.auc * 1000) / 1000), minAuc: fmt.number(m.rule.minAuc),
      })}</p>}
      {(m.status === 'trained' || m.reason === 'not_predictive') && (
        <>
          <p data-testid="score-model-summary">{t('score.model.summary', {
            auc: m.auc === null ? '—' : fmt.number(Math.round(m.auc * 1000) / 1000), nTest: m.nTest, n: m.n, won: m.won, lost: m.lost, at: fmt.date(m.trainedAt),
          })}</p>
          <div className="form-row">
            <div>
              <h3>{t('score.model.raises')}</h3>
              <ul>{raises.map((c) => <li key={c.key}>{featureText(c)} <span className="muted">{effect(c)}</span></li>)}</ul>
            </div>
            <div>
              <h3>{t('score.model.lowers')}</h3>
              <ul>{lowers.map((c) => <li key={c.key}>{featureText(c)} <span className="muted">{effect(c)}</span></li>)}</ul>
            </div>
          </div>
        </>
      )}
      {queued && <p className="alert alert--success" role="status">{t('score.model.queued')}</p>}
      {me.user.role === 'admin' && (
        <button type="button" className="button" disabled={train.isPending} onClick={() => train.mutate()}>{t('score.model.train')}</button>
      )}
    </section>
  );
}
