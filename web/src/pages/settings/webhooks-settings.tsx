import { useState, type FormEvent } from 'react';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.js';
import type { components } from '../../api/openapi.js';
import { errorText, useI18n, type MessageKey } from '../../i18n/i18n.js';
import { Empty, ErrorState, FormAlert, Loading, SelectField, TextField, formErrors } from '../../components/ui.js';

type Webhook = components['schemas']['Webhook'];
type WebhookWithSecret = components['schemas']['WebhookWithSecret'];
type Delivery = components['schemas']['WebhookDelivery'];
type WebhookEvent = Webhook['events'][number];

const allEvents: WebhookEvent[] = ['lead.created', 'lead.updated', 'lead.won', 'lead.lost', 'sale.created', 'feedback.received'];
type Draft = { name: string; url: string; events: WebhookEvent[]; active: boolean };
const emptyDraft: Draft = { name: '', url: 'https://', events: ['lead.created', 'lead.won', 'sale.created'], active: true };

const hookStyle = { borderTop: '1px solid var(--border)', padding: '.75rem 0' } as const;
const eventLabel = (e: string) => `webhooks.event.${e}` as MessageKey;
const statusLabel = (s: Delivery['status']) => `webhooks.status.${s}` as MessageKey;

/** Create or edit one webhook: name, URL, events, active. */
function WebhookForm({ editing, onDone }: { editing: Webhook | null; onDone: (created: WebhookWithSecret | null) => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(editing ? { name: editing.name, url: editing.url, events: [...editing.events], active: editing.active } : emptyDraft);
  const save = useMutation({
    mutationFn: () => (editing
      ? api.patch<Webhook>(`/webhooks/${editing.id}`, { ...draft, version: editing.version }).then(() => null)
      : api.post<WebhookWithSecret>('/webhooks', draft)),
    onSuccess: async (created) => { await queryClient.invalidateQueries({ queryKey: ['webhooks'] }); onDone(created); },
  });
  const { fields, general } = formErrors(t, save.error);
  const submit = (e: FormEvent) => { e.preventDefault(); save.mutate(); };
  const toggle = (ev: WebhookEvent, on: boolean) =>
    setDraft((d) => ({ ...d, events: on ? allEvents.filter((x) => x === ev || d.events.includes(x)) : d.events.filter((x) => x !== ev) }));
  const titleId = editing ? `webhook-form-${editing.id}` : 'webhook-form-new';
  return (
    <form onSubmit={submit} noValidate aria-labelledby={titleId}>
      <h3 id={titleId}>{editing ? t('webhooks.editing', { name: editing.name }) : t('webhooks.new')}</h3>
      <FormAlert message={general} />
      <TextField label={t('webhooks.name')} value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} error={fields['name']} required />
      <TextField label={t('webhooks.url')} type="url" inputMode="url" value={draft.url} hint={t('webhooks.urlHint')}
        onChange={(e) => setDraft({ ...draft, url: e.target.value })} error={fields['url']} required />
      <fieldset>
        <legend>{t('webhooks.events')}</legend>
        {allEvents.map((ev) => (
          <label key={ev} className="checkbox-label"><input type="checkbox" checked={draft.events.includes(ev)} onChange={(e) => toggle(ev, e.target.checked)} /> {t(eventLabel(ev))} <code className="small">{ev}</code></label>
        ))}
        {fields['events'] && <p className="field__error" role="alert">{fields['events']}</p>}
      </fieldset>
      <label className="checkbox-label"><input type="checkbox" checked={draft.active} onChange={(e) => setDraft({ ...draft, active: e.target.checked })} /> {t('webhooks.active')}</label>
      <div className="toolbar">
        <button type="submit" className="button button--primary" disabled={save.isPending}>{editing ? t('webhooks.save') : t('webhooks.create')}</button>
        <button type="button" className="button button--ghost" onClick={() => onDone(null)}>{t('webhooks.cancel')}</button>
      </div>
    </form>
  );
}

/** The secret, shown once after creation or rotation. */
function SecretOnce({ secret, onClose }: { secret: string; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <div className="alert alert--warning" role="status">
      <p>{t('webhooks.secretOnce')}</p>
      <p className="token-once" aria-label={t('webhooks.secret')}>{secret}</p>
      <button type="button" className="button button--small" onClick={() => void navigator.clipboard?.writeText(secret)}>{t('webhooks.copy')}</button>{' '}
      <button type="button" className="button button--small button--ghost" onClick={onClose}>{t('webhooks.close')}</button>
    </div>
  );
}

/** The delivery log of one webhook, newest first, with replay. */
function Deliveries({ hook }: { hook: Webhook }) {
  const { t, fmt } = useI18n();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState('');
  const log = useInfiniteQuery({
    queryKey: ['webhooks', hook.id, 'deliveries', status],
    queryFn: ({ pageParam }) => api.get<{ data: Delivery[]; nextCursor: string | null }>(`/webhooks/${hook.id}/deliveries`, { status, cursor: pageParam, limit: 25 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (p) => p.nextCursor ?? undefined,
  });
  const replay = useMutation({
    mutationFn: (d: Delivery) => api.post<Delivery>(`/webhooks/${hook.id}/deliveries/${d.id}/replay`),
    onSuccess: async () => { await queryClient.invalidateQueries({ queryKey: ['webhooks', hook.id, 'deliveries'] }); },
  });
  const rows = log.data?.pages.flatMap((p) => p.data) ?? [];
  const titleId = `deliveries-${hook.id}`;
  return (
    <section aria-labelledby={titleId}>
      <h3 id={titleId}>{t('webhooks.deliveriesOf', { name: hook.name })}</h3>
      <SelectField label={t('webhooks.status')} value={status} onChange={(e) => setStatus(e.target.value)}>
        <option value="">{t('webhooks.allStatuses')}</option>
        {(['pending', 'delivered', 'failed'] as const).map((s) => <option key={s} value={s}>{t(statusLabel(s))}</option>)}
      </SelectField>
      {replay.isSuccess && <p className="alert alert--info" role="status">{t('webhooks.replayed')}</p>}
      {replay.error && <p className="alert alert--error" role="alert">{errorText(t, replay.error)}</p>}
      {log.isLoading ? <Loading /> : log.error ? <ErrorState error={log.error} onRetry={() => log.refetch()} /> : !rows.length ? <Empty>{t('webhooks.noDeliveries')}</Empty> : (
        <div className="table-wrap table-wrap--contained">
          <table className="table">
            <thead><tr>
              <th scope="col">{t('webhooks.when')}</th><th scope="col">{t('webhooks.event')}</th><th scope="col">{t('webhooks.status')}</th>
              <th scope="col">{t('webhooks.attempts')}</th><th scope="col">{t('webhooks.response')}</th>
              <th scope="col"><span className="visually-hidden">{t('webhooks.actions')}</span></th>
            </tr></thead>
            <tbody>
              {rows.map((d) => (
                <tr key={d.id}>
                  <td>{fmt.dateTime(d.createdAt)}{d.replayOf && <div className="small muted">{t('webhooks.replayOf', { id: d.replayOf.slice(0, 8) })}</div>}</td>
                  <td>{t(eventLabel(d.event))}</td>
                  <td>
                    <span className={`badge badge--${d.status === 'delivered' ? 'won' : d.status === 'failed' ? 'lost' : 'warning'}`}>{t(statusLabel(d.status))}</span>
                    {d.status === 'pending' && d.nextAttemptAt && <div className="small muted">{t('webhooks.nextAttempt', { when: fmt.dateTime(d.nextAttemptAt) })}</div>}
                  </td>
                  <td>{d.attempts}</td>
                  <td>{d.responseCode ?? ''}{d.lastError && <div className="small muted">{d.lastError}</div>}</td>
                  <td>{d.status !== 'pending' && (
                    <button type="button" className="button button--small" disabled={replay.isPending} onClick={() => replay.mutate(d)}
                      aria-label={`${t('webhooks.replay')}: ${t(eventLabel(d.event))} ${fmt.dateTime(d.createdAt)}`}>{t('webhooks.replay')}</button>
                  )}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {log.hasNextPage && <button type="button" className="button" onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>{t('webhooks.more')}</button>}
    </section>
  );
}

/** Settings › Webhooks (admins): receivers of signed events, their secret shown once, and each one's delivery log. */
export function WebhooksSettings() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const hooks = useQuery({ queryKey: ['webhooks'], queryFn: () => api.get<{ data: Webhook[] }>('/webhooks') });
  const [editing, setEditing] = useState<Webhook | 'new' | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [openLog, setOpenLog] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: (h: Webhook) => api.del(`/webhooks/${h.id}`),
    onSuccess: async () => { await queryClient.invalidateQueries({ queryKey: ['webhooks'] }); },
  });
  const rotate = useMutation({
    mutationFn: (h: Webhook) => api.post<WebhookWithSecret>(`/webhooks/${h.id}/rotate-secret`),
    onSuccess: (h) => setSecret(h.secret),
  });
  const rows = hooks.data?.data ?? [];
  return (
    <section className="card" aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">{t('webhooks.title')}</h2>
      <p className="muted small">{t('webhooks.intro')}</p>
      {secret && <SecretOnce secret={secret} onClose={() => setSecret(null)} />}
      {(remove.error ?? rotate.error) && <p className="alert alert--error" role="alert">{errorText(t, remove.error ?? rotate.error)}</p>}
      {editing ? (
        <WebhookForm key={editing === 'new' ? 'new' : editing.id} editing={editing === 'new' ? null : editing}
          onDone={(created) => { setEditing(null); if (created) setSecret(created.secret); }} />
      ) : (
        <button type="button" className="button button--primary" onClick={() => { setSecret(null); setEditing('new'); }}>{t('webhooks.new')}</button>
      )}
      {hooks.isLoading ? <Loading /> : hooks.error ? <ErrorState error={hooks.error} onRetry={() => hooks.refetch()} /> : !rows.length ? <Empty>{t('webhooks.none')}</Empty> : (
        <ul className="item-list">
          {rows.map((h) => (
            <li key={h.id} style={hookStyle}>
              <p><strong>{h.name}</strong> {h.active ? '' : <span className="badge">{t('webhooks.paused')}</span>}</p>
              <p className="small"><code>{h.url}</code></p>
              <p className="small muted">{h.events.map((e) => t(eventLabel(e))).join(' · ')}</p>
              <div className="toolbar">
                <button type="button" className="button button--small" aria-expanded={openLog === h.id} onClick={() => setOpenLog(openLog === h.id ? null : h.id)}>{t('webhooks.deliveries')}</button>
                <button type="button" className="button button--small button--ghost" onClick={() => { setSecret(null); setEditing(h); }} aria-label={t('webhooks.editing', { name: h.name })}>{t('webhooks.edit')}</button>
                <button type="button" className="button button--small button--ghost" disabled={rotate.isPending}
                  onClick={() => { if (window.confirm(t('webhooks.rotateConfirm'))) rotate.mutate(h); }}>{t('webhooks.rotate')}</button>
                <button type="button" className="button button--small button--ghost" disabled={remove.isPending}
                  onClick={() => { if (window.confirm(t('webhooks.deleteConfirm', { name: h.name }))) remove.mutate(h); }}>{t('webhooks.delete')}</button>
              </div>
              {openLog === h.id && <Deliveries hook={h} />}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
