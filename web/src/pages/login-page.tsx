import { useEffect, useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { api, ApiError, setCsrfToken } from '../api/client.js';
import { useSession } from '../session.js';
import { useT } from '../i18n/i18n.js';
import { FormAlert, TextField, formErrors } from '../components/ui.js';
import { LanguageSwitch } from '../components/shell.js';
import { preloadTodayPage, todayQuery } from '../lib/today-query.js';

export function LoginPage() {
  const t = useT();
  const { me, setupNeeded, refresh } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const queryClient = useQueryClient();
  const toToday = from === '/';

  // Today is where a login lands: its code downloads while the person types their password.
  useEffect(() => { if (toToday) void preloadTodayPage(); }, [toToday]);

  if (setupNeeded) return <Navigate to="/setup" replace />;
  if (me) return <Navigate to={from} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<{ csrfToken: string; userId: string }>('/auth/login', { email, password }, { quiet401: true });
      setCsrfToken(r.csrfToken);
      if (toToday) void queryClient.prefetchQuery(todayQuery(r.userId));
      await refresh();
      navigate(from, { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const { fields } = formErrors(t, error);
  const general = error instanceof ApiError
    ? error.status === 401 ? t('login.failed') : error.status === 429 ? t('login.rateLimited') : formErrors(t, error).general
    : error ? formErrors(t, error).general : null;

  return (
    <main className="auth-page" id="main">
      <div className="auth-card">
        <div className="auth-card__top">
          <span className="brand__mark" aria-hidden="true">S</span>
          <LanguageSwitch id="login-language" />
        </div>
        <h1>{t('login.title')}</h1>
        <form onSubmit={submit} noValidate>
          <FormAlert message={general} />
          <TextField label={t('login.email')} type="email" name="email" autoComplete="username" required autoFocus
            value={email} onChange={(e) => setEmail(e.target.value)} error={fields['email']} />
          <TextField label={t('login.password')} type="password" name="password" autoComplete="current-password" required
            value={password} onChange={(e) => setPassword(e.target.value)} error={fields['password']} />
          <button type="submit" className="button button--primary button--block" disabled={busy}>{t('login.submit')}</button>
        </form>
      </div>
    </main>
  );
}
