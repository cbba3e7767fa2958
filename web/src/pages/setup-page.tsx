import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate } from 'react-router';
import { api, setCsrfToken } from '../api/client.js';
import { useSession } from '../session.js';
import { useT, type Language } from '../i18n/i18n.js';
import { FormAlert, SelectField, TextField, formErrors } from '../components/ui.js';
import { LanguageSwitch } from '../components/shell.js';

const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'Europe/Madrid';

export function SetupPage() {
  const t = useT();
  const { me, setupNeeded, refresh, language } = useSession();
  const navigate = useNavigate();
  const [form, setForm] = useState({
    workspaceName: '', name: '', email: '', password: '', currency: 'EUR', timeZone: browserTimeZone(), defaultCountry: 'ES',
  });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  if (!setupNeeded) return <Navigate to={me ? '/' : '/login'} replace />;

  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<{ csrfToken: string }>('/setup', { ...form, locale: language as Language });
      setCsrfToken(r.csrfToken);
      await refresh();
      navigate('/', { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const { fields, general } = formErrors(t, error);

  return (
    <main className="auth-page" id="main">
      <div className="auth-card auth-card--wide">
        <div className="auth-card__top">
          <span className="brand__mark" aria-hidden="true">S</span>
          <LanguageSwitch id="setup-language" />
        </div>
        <h1>{t('setup.title')}</h1>
        <p className="muted">{t('setup.intro')}</p>
        <form onSubmit={submit} noValidate>
          <FormAlert message={general} />
          <TextField label={t('setup.workspaceName')} name="workspaceName" required autoFocus value={form.workspaceName} onChange={set('workspaceName')} error={fields['workspaceName']} />
          <TextField label={t('setup.name')} name="name" autoComplete="name" required value={form.name} onChange={set('name')} error={fields['name']} />
          <TextField label={t('setup.email')} name="email" type="email" autoComplete="username" required value={form.email} onChange={set('email')} error={fields['email']} />
          <TextField label={t('setup.password')} name="password" type="password" autoComplete="new-password" required minLength={10}
            hint={t('setup.passwordHint')} value={form.password} onChange={set('password')} error={fields['password']} />
          <div className="form-row">
            <SelectField label={t('setup.currency')} name="currency" value={form.currency} onChange={set('currency')} error={fields['currency']}>
              {['EUR', 'USD', 'MXN', 'COP', 'ARS', 'CLP', 'PEN', 'GBP'].map((c) => <option key={c} value={c}>{c}</option>)}
            </SelectField>
            <TextField label={t('setup.country')} name="defaultCountry" maxLength={2} value={form.defaultCountry}
              onChange={(e) => setForm((f) => ({ ...f, defaultCountry: e.target.value.toUpperCase() }))} error={fields['defaultCountry']} />
          </div>
          <TextField label={t('setup.timeZone')} name="timeZone" value={form.timeZone} onChange={set('timeZone')} error={fields['timeZone']} />
          <button type="submit" className="button button--primary button--block" disabled={busy}>{t('setup.submit')}</button>
        </form>
      </div>
    </main>
  );
}
