import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../../api/client.js';
import { useI18n } from '../../i18n/i18n.js';
import { useMe } from '../../session.js';
import { ErrorState, FormAlert, Loading, SelectField, TextField, formErrors } from '../../components/ui.js';
import type { WorkspaceRecord } from '../../lib/records.js';

type Form = { name: string; currency: string; timeZone: string; locale: string; defaultCountry: string; cadenceDays: string; minDays: string; maxDays: string; dueTime: string; retentionDays: string };

const toForm = (w: WorkspaceRecord): Form => ({
  name: w.name, currency: w.currency, timeZone: w.timeZone, locale: w.locale, defaultCountry: w.defaultCountry,
  cadenceDays: String(w.settings.cadenceDays), minDays: String(w.settings.followUpWindow.minDays), maxDays: String(w.settings.followUpWindow.maxDays),
  dueTime: w.settings.followUpWindow.dueTime, retentionDays: String(w.settings.retentionDays),
});

/** A number field's value, or the text itself so the API names the field that is wrong. */
const num = (s: string) => (s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : s);

/** Workspace settings (admin): currency, time zone, locale, cadence, follow-up window, retention. */
export function WorkspaceSettings() {
  const { t } = useI18n();
  const me = useMe();
  const queryClient = useQueryClient();
  const canEdit = me.user.role === 'admin';
  const ws = useQuery({ queryKey: ['workspace'], queryFn: () => api.get<WorkspaceRecord>('/workspace') });
  const [form, setForm] = useState<Form | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => { if (ws.data && !form) setForm(toForm(ws.data)); }, [ws.data, form]);
  const save = useMutation({
    mutationFn: (f: Form) => api.patch<WorkspaceRecord>('/workspace', {
      name: f.name, currency: f.currency.trim().toUpperCase(), timeZone: f.timeZone.trim(), locale: f.locale, defaultCountry: f.defaultCountry.trim().toUpperCase(),
      settings: { cadenceDays: num(f.cadenceDays), followUpWindow: { minDays: num(f.minDays), maxDays: num(f.maxDays), dueTime: f.dueTime }, retentionDays: num(f.retentionDays) },
      version: ws.data?.version,
    }),
    onSuccess: async (w) => {
      queryClient.setQueryData(['workspace'], w); setForm(toForm(w)); setSaved(true);
      await queryClient.invalidateQueries({ queryKey: ['me'] });
    },
  });
  if (ws.isLoading || (!form && !ws.error)) return <Loading />;
  if (ws.error || !form) return <ErrorState error={ws.error} onRetry={() => ws.refetch()} />;
  const { fields, general } = formErrors(t, save.error);
  const f = (k: string) => fields[k] ?? fields[`settings.${k}`] ?? fields[`settings.followUpWindow.${k}`];
  const set = (k: keyof Form) => (e: { target: { value: string } }) => { setSaved(false); setForm((x) => x && { ...x, [k]: e.target.value }); };
  const submit = (e: FormEvent) => { e.preventDefault(); save.mutate(form); };
  const stale = save.error instanceof ApiError && save.error.status === 409;
  return (
    <section className="card" aria-labelledby="ws-title">
      <h2 id="ws-title">{t('settings.workspace')}</h2>
      {!canEdit && <p className="muted small">{t('settings.readOnly')}</p>}
      <form onSubmit={submit} noValidate>
        <FormAlert message={stale ? t('error.version_conflict') : general} />
        <fieldset disabled={!canEdit} className="plain-fieldset">
          <TextField label={t('setup.workspaceName')} value={form.name} onChange={set('name')} error={f('name')} />
          <TextField label={t('settings.currency')} value={form.currency} onChange={set('currency')} error={f('currency')} maxLength={3} />
          <TextField label={t('settings.timeZone')} value={form.timeZone} onChange={set('timeZone')} error={f('timeZone')} />
          <SelectField label={t('settings.locale')} value={form.locale} onChange={set('locale')} error={f('locale')}>
            <option value="es">{t('lang.es')}</option><option value="en">{t('lang.en')}</option>
          </SelectField>
          <TextField label={t('setup.country')} value={form.defaultCountry} onChange={set('defaultCountry')} error={f('defaultCountry')} maxLength={2} />
          <TextField label={t('settings.cadenceDays')} inputMode="numeric" value={form.cadenceDays} onChange={set('cadenceDays')} error={f('cadenceDays')} hint={t('settings.cadenceDaysHint')} />
          <TextField label={t('settings.followUpMinDays')} inputMode="numeric" value={form.minDays} onChange={set('minDays')} error={f('minDays')} />
          <TextField label={t('settings.followUpMaxDays')} inputMode="numeric" value={form.maxDays} onChange={set('maxDays')} error={f('maxDays')} />
          <TextField label={t('settings.followUpDueTime')} type="time" value={form.dueTime} onChange={set('dueTime')} error={f('dueTime')} />
          <TextField label={t('settings.retentionDays')} inputMode="numeric" value={form.retentionDays} onChange={set('retentionDays')} error={f('retentionDays')} hint={t('settings.retentionDaysHint')} />
        </fieldset>
        {canEdit && (
          <div className="dialog__actions">
            {stale && <button type="button" className="button" onClick={async () => { const r = await ws.refetch(); if (r.data) setForm(toForm(r.data)); save.reset(); }}>{t('conflict.keepTheirs')}</button>}
            <button type="submit" className="button button--primary" disabled={save.isPending}>{save.isPending ? t('common.saving') : t('common.save')}</button>
          </div>
        )}
        {saved && <p className="alert alert--success" role="status">{t('common.saved')}</p>}
      </form>
    </section>
  );
}
