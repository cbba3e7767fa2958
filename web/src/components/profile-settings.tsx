import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../api/client.js';
import { useI18n } from '../i18n/i18n.js';
import { ErrorState, FormAlert, Loading, TextField, formErrors } from './ui.js';
import type { WorkspaceRecord } from '../lib/records.js';

type Form = { manager: boolean; sales: boolean; formerAfterMonths: string; potentialProbability: string };
const toForm = (w: WorkspaceRecord): Form => ({
  manager: w.settings.profile.sensitiveRoles.includes('manager'),
  sales: w.settings.profile.sensitiveRoles.includes('sales'),
  formerAfterMonths: String(w.settings.profile.formerAfterMonths),
  potentialProbability: String(w.settings.profile.potentialProbability),
});
/** A number field's value, or the text itself so the API names the field that is wrong. */
const num = (s: string) => (s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : s);

/** Settings › Client profile (admins): who sees sensitive fields, and the lifecycle thresholds. */
export function ClientProfileSettings() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const ws = useQuery({ queryKey: ['workspace'], queryFn: () => api.get<WorkspaceRecord>('/workspace') });
  const [form, setForm] = useState<Form | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => { if (ws.data && !form) setForm(toForm(ws.data)); }, [ws.data, form]);
  const save = useMutation({
    mutationFn: (f: Form) => api.patch<WorkspaceRecord>('/workspace', {
      settings: { profile: {
        sensitiveRoles: ['admin', ...(f.manager ? ['manager'] : []), ...(f.sales ? ['sales'] : [])],
        formerAfterMonths: num(f.formerAfterMonths), potentialProbability: num(f.potentialProbability),
      } },
      version: ws.data?.version,
    }),
    onSuccess: (w) => { queryClient.setQueryData(['workspace'], w); setForm(toForm(w)); setSaved(true); },
  });
  if (ws.isLoading || (!form && !ws.error)) return <Loading />;
  if (ws.error || !form) return <ErrorState error={ws.error} onRetry={() => ws.refetch()} />;
  const { fields, general } = formErrors(t, save.error);
  const f = (k: string) => fields[`settings.profile.${k}`] ?? fields[k];
  const setText = (k: 'formerAfterMonths' | 'potentialProbability') => (e: { target: { value: string } }) => { setSaved(false); setForm((x) => x && { ...x, [k]: e.target.value }); };
  const setRole = (k: 'manager' | 'sales') => (e: { target: { checked: boolean } }) => { setSaved(false); setForm((x) => x && { ...x, [k]: e.target.checked }); };
  const submit = (e: FormEvent) => { e.preventDefault(); save.mutate(form); };
  const stale = save.error instanceof ApiError && save.error.status === 409;
  return (
    <section className="card" aria-labelledby="client-profile-title">
      <h2 id="client-profile-title">{t('profile.settings.title')}</h2>
      <p className="muted">{t('profile.settings.intro')}</p>
      <form onSubmit={submit} noValidate>
        <FormAlert message={stale ? t('error.version_conflict') : general} />
        <fieldset className="plain-fieldset">
          <legend>{t('profile.settings.sensitiveRoles')}</legend>
          <p className="muted small">{t('profile.settings.adminAlways')}</p>
          <label className="checkbox-label"><input type="checkbox" name="sensitive-manager" checked={form.manager} onChange={setRole('manager')} /> {t('profile.settings.role.manager')}</label>
          <label className="checkbox-label"><input type="checkbox" name="sensitive-sales" checked={form.sales} onChange={setRole('sales')} /> {t('profile.settings.role.sales')}</label>
          {f('sensitiveRoles') && <small className="field__error" role="alert">{f('sensitiveRoles')}</small>}
        </fieldset>
        <TextField label={t('profile.settings.formerAfterMonths')} inputMode="numeric" value={form.formerAfterMonths} onChange={setText('formerAfterMonths')} error={f('formerAfterMonths')} />
        <TextField label={t('profile.settings.potentialProbability')} inputMode="numeric" value={form.potentialProbability} onChange={setText('potentialProbability')} error={f('potentialProbability')} />
        <div className="dialog__actions">
          {stale && <button type="button" className="button" onClick={async () => { const r = await ws.refetch(); if (r.data) setForm(toForm(r.data)); save.reset(); }}>{t('conflict.keepTheirs')}</button>}
          <button type="submit" className="button button--primary" disabled={save.isPending}>{save.isPending ? t('common.saving') : t('common.save')}</button>
        </div>
        {saved && <p className="alert alert--success" role="status">{t('common.saved')}</p>}
      </form>
    </section>
  );
}
