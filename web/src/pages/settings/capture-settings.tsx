import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, request } from '../../api/client.js';
import { useSources } from '../../api/lookups.js';
import { useI18n, type MessageKey } from '../../i18n/i18n.js';
import { useMe } from '../../session.js';
import { ErrorState, FormAlert, Loading, SelectField, TextField, formErrors } from '../../components/ui.js';
import type { CapturePolicy } from '../../components/capture-check.js';

type Entity = 'contact' | 'company' | 'lead';
type Casing = 'upper' | 'title' | 'none';
type Policy = Omit<CapturePolicy, 'version' | 'updatedAt'>;

// The fields a policy may name; the server validates the same lists (src/domain/capture-policy.ts).
const fields: Record<Entity, { all: string[]; text: string[] }> = {
  contact: {
    all: ['firstName', 'lastName', 'secondLastName', 'jobTitle', 'email', 'phone', 'address', 'postalCode', 'neighbourhood', 'city', 'region', 'country', 'companyId'],
    text: ['firstName', 'lastName', 'secondLastName', 'jobTitle', 'address', 'neighbourhood', 'city', 'region'],
  },
  company: {
    all: ['name', 'sector', 'website', 'email', 'phone', 'address', 'postalCode', 'neighbourhood', 'city', 'region', 'country', 'employees', 'annualRevenue'],
    text: ['name', 'sector', 'address', 'neighbourhood', 'city', 'region'],
  },
  lead: {
    all: ['title', 'contactId', 'companyId', 'sourceId', 'campaignId', 'productIds', 'amount', 'expectedCloseDate', 'nextActionAt'],
    text: ['title'],
  },
};
const entities: Entity[] = ['contact', 'company', 'lead'];
const fieldLabel = (f: string) => `capture.field.${f}` as MessageKey;

/** Admin settings: the workspace's capture policy (read-only for others). */
export function CaptureSettings() {
  const { t } = useI18n();
  const me = useMe();
  const canEdit = me.user.role === 'admin';
  const queryClient = useQueryClient();
  const sources = useSources();
  const q = useQuery({ queryKey: ['capture-policy'], queryFn: () => api.get<CapturePolicy>('/capture/policy') });
  const [policy, setPolicy] = useState<Policy | null>(null);
  const [sourceId, setSourceId] = useState('');
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (q.data && !policy) { const { version: _v, updatedAt: _u, ...p } = q.data; setPolicy(p); }
  }, [q.data, policy]);
  const save = useMutation({
    mutationFn: (p: Policy) => request<CapturePolicy>('PUT', '/capture/policy', { body: { ...p, version: q.data?.version } }),
    onSuccess: (r) => { queryClient.setQueryData(['capture-policy'], r); const { version: _v, updatedAt: _u, ...p } = r; setPolicy(p); setSaved(true); },
  });
  if (q.isLoading || (q.data && !policy)) return <Loading />;
  if (q.error || !policy) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;

  const errs = formErrors(t, save.error);
  const change = (p: Policy) => { setPolicy(p); setSaved(false); };
  const toggle = (list: readonly string[] | undefined, f: string, on: boolean) => (on ? [...(list ?? []), f] : (list ?? []).filter((x) => x !== f));
  const setRequired = (e: Entity, f: string, on: boolean) => change({ ...policy, required: { ...policy.required, [e]: toggle(policy.required[e], f, on) } });
  const setSourceRequired = (e: Entity, f: string, on: boolean) => {
    const current = policy.requiredBySource[sourceId] ?? {};
    change({ ...policy, requiredBySource: { ...policy.requiredBySource, [sourceId]: { ...current, [e]: toggle(current[e], f, on) } } });
  };
  const setCasing = (key: string, c: Casing) => {
    const casing = { ...policy.casing };
    if (c === 'none') delete casing[key]; else casing[key] = c;
    change({ ...policy, casing });
  };
  const submit = (e: FormEvent) => { e.preventDefault(); save.mutate(policy); };
  const errorAt = (prefix: string) => Object.entries(errs.fields).filter(([k]) => k.startsWith(prefix)).map(([, v]) => v)[0];

  return (
    <form className="card" onSubmit={submit} aria-labelledby="capture-policy-title" noValidate>
      <h2 id="capture-policy-title">{t('capture.policy.title')}</h2>
      <p>{t('capture.policy.intro')}</p>
      {!canEdit && <p className="alert alert--info">{t('capture.policy.readOnly')}</p>}
      <FormAlert message={errs.general} />
      <fieldset disabled={!canEdit || save.isPending} style={{ border: 0, padding: 0, margin: 0 }}>
        <h3>{t('capture.policy.required')}</h3>
        {entities.map((e) => (
          <fieldset key={e} className="capture-fieldset">
            <legend>{t(`capture.entity.${e}`)}</legend>
            <div className="form-row">
              {fields[e].all.map((f) => (
                <label key={f} className="checkbox-label">
                  <input type="checkbox" name={`required.${e}.${f}`} checked={policy.required[e].includes(f)} onChange={(ev) => setRequired(e, f, ev.target.checked)} />{' '}
                  {t(fieldLabel(f))}
                </label>
              ))}
            </div>
            {errorAt(`required.${e}`) && <small className="field__error" role="alert">{errorAt(`required.${e}`)}</small>}
          </fieldset>
        ))}

        <h3>{t('capture.policy.requiredBySource')}</h3>
        <SelectField label={t('capture.policy.source')} name="requiredSource" value={sourceId} onChange={(e) => setSourceId(e.target.value)}>
          <option value="">{t('capture.policy.noSource')}</option>
          {sources.data?.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </SelectField>
        {sourceId && entities.map((e) => (
          <fieldset key={e} className="capture-fieldset">
            <legend>{t(`capture.entity.${e}`)}</legend>
            <div className="form-row">
              {fields[e].all.map((f) => (
                <label key={f} className="checkbox-label">
                  <input type="checkbox" name={`source.${e}.${f}`} checked={(policy.requiredBySource[sourceId]?.[e] ?? []).includes(f)} onChange={(ev) => setSourceRequired(e, f, ev.target.checked)} />{' '}
                  {t(fieldLabel(f))}
                </label>
              ))}
            </div>
          </fieldset>
        ))}
        {errorAt('requiredBySource') && <small className="field__error" role="alert">{errorAt('requiredBySource')}</small>}

        <h3>{t('capture.policy.casing')}</h3>
        {entities.map((e) => (
          <fieldset key={e} className="capture-fieldset">
            <legend>{t(`capture.entity.${e}`)}</legend>
            <div className="form-row">
              {fields[e].text.map((f) => (
                <SelectField key={f} label={t(fieldLabel(f))} name={`casing.${e}.${f}`} value={policy.casing[`${e}.${f}`] ?? 'none'}
                  onChange={(ev) => setCasing(`${e}.${f}`, ev.target.value as Casing)} error={errs.fields[`casing.${e}.${f}`]}>
                  <option value="none">{t('capture.policy.casing.none')}</option>
                  <option value="upper">{t('capture.policy.casing.upper')}</option>
                  <option value="title">{t('capture.policy.casing.title')}</option>
                </SelectField>
              ))}
            </div>
          </fieldset>
        ))}

        <label className="checkbox-label">
          <input type="checkbox" name="validatePostalCode" checked={policy.validatePostalCode} onChange={(e) => change({ ...policy, validatePostalCode: e.target.checked })} />{' '}
          {t('capture.policy.validatePostalCode')}
        </label>
        <label className="checkbox-label">
          <input type="checkbox" name="splitSurnames" checked={policy.splitSurnames} onChange={(e) => change({ ...policy, splitSurnames: e.target.checked })} />{' '}
          {t('capture.policy.splitSurnames')}
        </label>
        <TextField label={t('capture.policy.defaultCountry')} name="defaultCountry" maxLength={2} autoComplete="off" value={policy.defaultCountry}
          onChange={(e) => change({ ...policy, defaultCountry: e.target.value.toUpperCase() })} error={errs.fields['defaultCountry']} />
        <p className="field__hint">{t('capture.policy.fixed')}</p>
        {canEdit && <button type="submit" className="button button--primary">{t('capture.policy.save')}</button>}
        {saved && <p className="alert alert--success" role="status">{t('capture.policy.saved')}</p>}
      </fieldset>
    </form>
  );
}
