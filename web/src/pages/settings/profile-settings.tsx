import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.js';
import { errorText, useI18n } from '../../i18n/i18n.js';
import { useMe } from '../../session.js';
import { LanguageSwitch } from '../../components/shell.js';
import { Empty, ErrorState, FormAlert, Loading, TextField, formErrors } from '../../components/ui.js';
import type { ApiTokenRecord, CalendarFeed, CreatedApiToken } from '../../lib/records.js';
import { ApiScopesField, scopeSummary } from '../../components/api-scopes-field.js';

function CalendarFeedCard() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const feed = useQuery({ queryKey: ['calendar-feed'], queryFn: () => api.get<CalendarFeed>('/calendar/feed') });
  const [copied, setCopied] = useState(false);
  const reset = useMutation({
    mutationFn: () => api.post<CalendarFeed>('/calendar/feed/reset'),
    onSuccess: (f) => { queryClient.setQueryData(['calendar-feed'], f); setCopied(false); },
  });
  return (
    <section className="card" aria-labelledby="feed-title">
      <h2 id="feed-title">{t('settings.calendarFeed')}</h2>
      <p className="muted small">{t('settings.calendarFeedHint')}</p>
      {feed.isLoading ? <Loading /> : feed.error ? <ErrorState error={feed.error} onRetry={() => feed.refetch()} /> : feed.data && (
        <>
          <TextField label={t('settings.calendarFeedUrl')} value={feed.data.url} readOnly onFocus={(e) => e.target.select()} />
          <div className="toolbar">
            <button type="button" className="button" onClick={async () => {
              try { await navigator.clipboard.writeText(feed.data!.url); setCopied(true); } catch { setCopied(false); }
            }}>{t('settings.copy')}</button>
            <a className="button button--ghost" href={feed.data.webcalUrl}>{t('settings.subscribe')}</a>
            <button type="button" className="button button--ghost" onClick={() => reset.mutate()} disabled={reset.isPending}>{t('settings.resetFeed')}</button>
          </div>
          {copied && <p className="alert alert--success" role="status">{t('settings.copied')}</p>}
          {reset.isSuccess && <p className="alert alert--info" role="status">{t('settings.feedReset')}</p>}
          {reset.error && <p className="alert alert--error" role="alert">{errorText(t, reset.error)}</p>}
        </>
      )}
    </section>
  );
}

/** API tokens: the secret is shown once, right after creation; afterwards only its prefix. */
export function ApiTokensCard({ scope = 'mine' }: { scope?: 'mine' | 'all' }) {
  const { t, fmt } = useI18n();
  const queryClient = useQueryClient();
  const key = ['api-tokens', scope];
  const tokens = useQuery({ queryKey: key, queryFn: () => api.get<{ data: ApiTokenRecord[] }>('/api-tokens', { scope }) });
  const [name, setName] = useState('');
  const [expiresAt, setExpiresAt] = useState('');
  const [scopes, setScopes] = useState<string[] | null>(null);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const create = useMutation({
    mutationFn: () => api.post<CreatedApiToken>('/api-tokens', { name: name.trim(), expiresAt: expiresAt ? new Date(`${expiresAt}T23:59:59`).toISOString() : null, scopes }),
    onSuccess: async (tok) => { setCreated(tok); setName(''); setExpiresAt(''); setScopes(null); await queryClient.invalidateQueries({ queryKey: ['api-tokens'] }); },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.del(`/api-tokens/${id}`),
    onSuccess: async () => { await queryClient.invalidateQueries({ queryKey: ['api-tokens'] }); },
  });
  const { fields, general } = formErrors(t, create.error);
  const submit = (e: FormEvent) => { e.preventDefault(); create.mutate(); };
  const rows = tokens.data?.data ?? [];
  return (
    <section className="card" aria-labelledby="tokens-title">
      <h2 id="tokens-title">{t('settings.apiTokens')}</h2>
      <form className="ref-form" onSubmit={submit} noValidate aria-label={t('settings.newToken')}>
        <FormAlert message={general} />
        <TextField label={t('settings.tokenName')} value={name} onChange={(e) => setName(e.target.value)} error={fields['name']} />
        <TextField label={t('settings.tokenExpires')} type="date" value={expiresAt} onChange={(e) => setExpiresAt(e.target.value)} error={fields['expiresAt']} />
        <ApiScopesField value={scopes} onChange={setScopes} error={fields['scopes'] ?? (scopes?.length === 0 ? t('scopes.pickOne') : undefined)} />
        <button type="submit" className="button button--primary" disabled={create.isPending}>{t('settings.newToken')}</button>
      </form>
      {created && (
        <div className="alert alert--warning" role="status">
          <p>{t('settings.tokenShownOnce')}</p>
          <p className="token-once" aria-label={t('settings.tokenValue')}>{created.token}</p>
          <button type="button" className="button button--small" onClick={() => void navigator.clipboard?.writeText(created.token)}>{t('settings.copy')}</button>{' '}
          <button type="button" className="button button--small button--ghost" onClick={() => setCreated(null)}>{t('common.close')}</button>
        </div>
      )}
      {revoke.error && <p className="alert alert--error" role="alert">{errorText(t, revoke.error)}</p>}
      {tokens.isLoading ? <Loading /> : tokens.error ? <ErrorState error={tokens.error} /> : !rows.length ? <Empty>{t('settings.noTokens')}</Empty> : (
        <div className="table-wrap table-wrap--contained">
          <table className="table">
            <thead><tr><th scope="col">{t('settings.tokenName')}</th><th scope="col">{t('settings.tokenPrefix')}</th><th scope="col">{t('settings.tokenLastUsed')}</th><th scope="col">{t('settings.tokenExpires')}</th><th scope="col">{t('scopes.column')}</th><th scope="col"><span className="visually-hidden">{t('settings.actions')}</span></th></tr></thead>
            <tbody>
              {rows.map((tok) => (
                <tr key={tok.id} className={tok.revokedAt ? 'row--cancelled' : undefined}>
                  <td>{tok.name}</td><td><code>{tok.prefix}…</code></td><td>{fmt.dateTime(tok.lastUsedAt)}</td><td>{fmt.date(tok.expiresAt)}</td><td className="small">{scopeSummary(t, tok.scopes)}</td>
                  <td>{tok.revokedAt ? t('settings.revoked') : (
                    <button type="button" className="button button--small button--ghost" onClick={() => revoke.mutate(tok.id)} aria-label={t('settings.revokeToken', { name: tok.name })}>{t('settings.revoke')}</button>
                  )}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function ProfileSettings() {
  const { t } = useI18n();
  const me = useMe();
  return (
    <>
      <section className="card" aria-labelledby="profile-title">
        <h2 id="profile-title">{t('settings.profile')}</h2>
        <dl className="dl">
          <dt>{t('setup.name')}</dt><dd>{me.user.name}</dd>
          <dt>{t('login.email')}</dt><dd>{me.user.email}</dd>
          <dt>{t('settings.role')}</dt><dd>{t(`role.${me.user.role}`)}</dd>
          <dt>{t('settings.language')}</dt><dd><LanguageSwitch id="settings-language" /></dd>
        </dl>
      </section>
      <CalendarFeedCard />
      <ApiTokensCard />
    </>
  );
}
