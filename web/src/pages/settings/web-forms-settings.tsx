import { useState, type FormEvent } from 'react';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../api/client.js';
import type { components } from '../../api/openapi.js';
import type { Page } from '../../api/types.js';
import { useProducts, useSources, useUsers } from '../../api/lookups.js';
import { useI18n, type MessageKey, type T } from '../../i18n/i18n.js';
import { Empty, ErrorState, FormAlert, Loading, SelectField, TextAreaField, TextField, formErrors } from '../../components/ui.js';

type WebForm = components['schemas']['WebForm'];
type WebFormInput = components['schemas']['WebFormInput'];
type Submission = components['schemas']['FormSubmission'];
type FieldKey = WebForm['fields'][number]['key'];
type Campaign = { id: string; name: string };

/** Every field a form may ask, in the order a new form offers them. */
const allKeys: FieldKey[] = ['firstName', 'lastName', 'secondLastName', 'email', 'phone', 'jobTitle', 'postalCode', 'city', 'message'];
const askedByDefault = new Set<FieldKey>(['firstName', 'lastName', 'email', 'phone', 'message']);
const requiredByDefault = new Set<FieldKey>(['firstName', 'email']);

type FieldRow = { key: FieldKey; label: string; required: boolean; asked: boolean };
type Draft = Omit<WebFormInput, 'fields' | 'assigneeIds'> & { rows: FieldRow[]; assigneeIds: string[] };

const fieldName = (t: T, key: FieldKey) => t(`webForms.field.${key}` as MessageKey);

function draftOf(t: T, form: WebForm | null): Draft {
  if (!form) {
    return {
      name: '', intro: null, assignment: 'fixed', ownerId: null, assigneeIds: [], sourceId: null, campaignId: null, productId: null,
      locale: null, thankYouMessage: null, redirectUrl: null, isActive: true,
      rows: allKeys.map((key) => ({ key, label: fieldName(t, key), required: requiredByDefault.has(key), asked: askedByDefault.has(key) })),
    };
  }
  const asked = form.fields.map((f) => ({ ...f, asked: true }));
  const rest = allKeys.filter((k) => !form.fields.some((f) => f.key === k)).map((key) => ({ key, label: fieldName(t, key), required: false, asked: false }));
  return {
    name: form.name, intro: form.intro, assignment: form.assignment, ownerId: form.ownerId, assigneeIds: [...form.assigneeIds],
    sourceId: form.sourceId, campaignId: form.campaignId, productId: form.productId, locale: form.locale,
    thankYouMessage: form.thankYouMessage, redirectUrl: form.redirectUrl, isActive: form.isActive, rows: [...asked, ...rest],
  };
}

const hostedUrl = (publicId: string) => `${window.location.origin}/f/${publicId}`;
const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
/**
 * The embed: an iframe, which works alone; the optional one-line script after it hands the host
 * page's utm_… parameters and address to the form (an iframe cannot read its parent's URL).
 */
const snippetOf = (form: WebForm) =>
  `<iframe src="${attr(hostedUrl(form.publicId))}" title="${attr(form.name)}" style="width:100%;max-width:40rem;height:46rem;border:0" loading="lazy"></iframe>\n`
  + '<script>(function(f){var u=new URL(f.src);new URLSearchParams(location.search).forEach(function(v,k){if(/^utm_/.test(k))u.searchParams.set(k,v)});'
  + "u.searchParams.set('referrer',location.href);f.src=u.href})(document.currentScript.previousElementSibling)</script>";

function CopyButton({ text, label }: { text: string; label: string }) {
  const { t } = useI18n();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <>
      <button type="button" className="button button--small" onClick={async () => {
        try { await navigator.clipboard.writeText(text); setState('copied'); } catch { setState('failed'); }
      }}>{label}</button>
      <span role="status" className="small muted">{state === 'copied' ? ` ${t('webForms.copied')}` : state === 'failed' ? ` ${t('webForms.copyFailed')}` : ''}</span>
    </>
  );
}

function EmbedCard({ form }: { form: WebForm }) {
  const { t } = useI18n();
  const url = hostedUrl(form.publicId);
  const snippet = snippetOf(form);
  return (
    <section className="card" aria-labelledby="webform-embed-title">
      <h3 id="webform-embed-title">{t('webForms.embed')}</h3>
      <TextField label={t('webForms.link')} value={url} readOnly onFocus={(e) => e.target.select()} />
      <div className="toolbar">
        <CopyButton text={url} label={t('webForms.copyLink')} />
        <a className="button button--small button--ghost" href={url} target="_blank" rel="noopener noreferrer" aria-label={t('webForms.previewOf', { name: form.name })}>{t('webForms.preview')}</a>
      </div>
      <TextAreaField label={t('webForms.snippet')} hint={t('webForms.snippetHint')} value={snippet} readOnly rows={5} onFocus={(e) => e.target.select()} />
      <div className="toolbar"><CopyButton text={snippet} label={t('webForms.copy')} /></div>
    </section>
  );
}

function SubmissionsLog({ form }: { form: WebForm }) {
  const { t, fmt } = useI18n();
  const log = useInfiniteQuery({
    queryKey: ['web-form-submissions', form.id],
    queryFn: ({ pageParam }) => api.get<Page<Submission>>(`/web-forms/${form.id}/submissions`, { limit: '25', ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: '' as string,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = log.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section className="card" aria-labelledby="webform-log-title">
      <h3 id="webform-log-title">{t('webForms.submissions')}</h3>
      {log.isLoading ? <Loading /> : log.error ? <ErrorState error={log.error} onRetry={() => log.refetch()} /> : !rows.length ? <Empty>{t('webForms.noSubmissions')}</Empty> : (
        <div className="table-wrap table-wrap--contained">
          <table className="table">
            <thead><tr>
              <th scope="col">{t('webForms.colDate')}</th><th scope="col">{t('webForms.colWho')}</th>
              <th scope="col">{t('webForms.colUtm')}</th><th scope="col">{t('webForms.colResult')}</th>
            </tr></thead>
            <tbody>
              {rows.map((s) => {
                const v = s.fieldValues;
                const who = [v['firstName'], v['lastName']].filter(Boolean).join(' ');
                const utm = [s.utmSource, s.utmMedium, s.utmCampaign].filter(Boolean).join(' / ');
                return (
                  <tr key={s.id}>
                    <td>{fmt.dateTime(s.createdAt)}</td>
                    <td>{who}{v['email'] || v['phone'] ? <><br /><span className="small muted">{v['email'] ?? v['phone']}</span></> : null}</td>
                    <td>{utm || '—'}</td>
                    <td>{s.isSpam ? <span className="badge badge--warning">{t('webForms.spam')}</span>
                      : s.leadId ? <Link to={`/leads/${s.leadId}`}>{t('webForms.openLead')}</Link> : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {log.hasNextPage && <button type="button" className="button load-more" onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>{t('webForms.more')}</button>}
    </section>
  );
}

function FormEditor({ form, onDone }: { form: WebForm | null; onDone: (saved: WebForm | null) => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const users = useUsers();
  const sources = useSources();
  const products = useProducts();
  const campaigns = useQuery({ queryKey: ['settings', '/campaigns', {}], queryFn: () => api.get<Page<Campaign>>('/campaigns', { limit: '500' }) });
  const [draft, setDraft] = useState<Draft>(() => draftOf(t, form));
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const setRow = (i: number, patch: Partial<FieldRow>) => setDraft((d) => ({ ...d, rows: d.rows.map((r, j) => (j === i ? { ...r, ...patch } : r)) }));
  const move = (i: number, by: -1 | 1) => setDraft((d) => {
    const rows = [...d.rows];
    const j = i + by;
    if (j < 0 || j >= rows.length) return d;
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    return { ...d, rows };
  });
  const save = useMutation({
    mutationFn: () => {
      const { rows, ...rest } = draft;
      const body: WebFormInput = {
        ...rest,
        name: rest.name.trim(),
        fields: rows.filter((r) => r.asked).map(({ key, label, required }) => ({ key, label, required })),
        ownerId: rest.assignment === 'fixed' ? rest.ownerId : null,
        assigneeIds: rest.assignment === 'round_robin' ? rest.assigneeIds : [],
        intro: rest.intro?.trim() || null, thankYouMessage: rest.thankYouMessage?.trim() || null, redirectUrl: rest.redirectUrl?.trim() || null,
      };
      return form ? api.patch<WebForm>(`/web-forms/${form.id}`, { ...body, version: form.version }) : api.post<WebForm>('/web-forms', body);
    },
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: ['web-forms'] });
      onDone(saved);
    },
  });
  const { fields: errs, general } = formErrors(t, save.error);
  // A field's problems come as fields.<position in the sent list>.label; map them back to rows.
  const askedIndex = (i: number) => draft.rows.slice(0, i).filter((r) => r.asked).length;
  const activeUsers = (users.data ?? []).filter((u) => u.isActive);
  const submit = (e: FormEvent) => { e.preventDefault(); save.mutate(); };
  const title = form ? t('webForms.editing', { name: form.name }) : t('webForms.creating');

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="webform-editor-title">
      <h3 id="webform-editor-title">{title}</h3>
      <FormAlert message={general} />
      <TextField label={t('webForms.name')} value={draft.name} onChange={(e) => set('name', e.target.value)} required error={errs['name']} />
      <TextAreaField label={t('webForms.introText')} value={draft.intro ?? ''} onChange={(e) => set('intro', e.target.value)} rows={2} error={errs['intro']} />

      <fieldset className="plain-fieldset">
        <legend>{t('webForms.fields')}</legend>
        <p className="field__hint">{t('webForms.fieldsHint')}</p>
        {errs['fields'] && <p className="field__error" role="alert">{errs['fields']}</p>}
        <div className="table-wrap">
          <table className="table">
            <tbody>
              {draft.rows.map((r, i) => {
                const name = fieldName(t, r.key);
                const labelErr = r.asked ? errs[`fields.${askedIndex(i)}.label`] : undefined;
                return (
                  <tr key={r.key}>
                    <td>
                      <label className="checkbox-label">
                        <input type="checkbox" checked={r.asked} onChange={(e) => setRow(i, { asked: e.target.checked })} />
                        <span className="visually-hidden">{t('webForms.ask', { field: name })}</span>
                        <span aria-hidden="true">{name}</span>
                      </label>
                    </td>
                    <td>
                      <label htmlFor={`wf-label-${r.key}`} className="visually-hidden">{t('webForms.label', { field: name })}</label>
                      <input id={`wf-label-${r.key}`} value={r.label} disabled={!r.asked} maxLength={200}
                        onChange={(e) => setRow(i, { label: e.target.value })} aria-invalid={labelErr ? true : undefined} />
                      {labelErr && <small className="field__error" role="alert">{labelErr}</small>}
                    </td>
                    <td>
                      <label className="checkbox-label">
                        <input type="checkbox" checked={r.required} disabled={!r.asked} onChange={(e) => setRow(i, { required: e.target.checked })} />
                        <span className="visually-hidden">{t('webForms.requiredOf', { field: name })}</span>
                        <span aria-hidden="true">{t('webForms.required')}</span>
                      </label>
                    </td>
                    <td className="stage-actions">
                      <button type="button" className="button button--small button--ghost" onClick={() => move(i, -1)} disabled={i === 0} aria-label={t('webForms.moveUp', { field: name })}>↑</button>
                      <button type="button" className="button button--small button--ghost" onClick={() => move(i, 1)} disabled={i === draft.rows.length - 1} aria-label={t('webForms.moveDown', { field: name })}>↓</button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </fieldset>

      <div className="form-row">
        <SelectField label={t('webForms.source')} value={draft.sourceId ?? ''} onChange={(e) => set('sourceId', e.target.value || null)} error={errs['sourceId']}>
          <option value="">{t('webForms.none')}</option>
          {(sources.data ?? []).filter((s) => s.isActive || s.id === draft.sourceId).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </SelectField>
        <SelectField label={t('webForms.campaign')} value={draft.campaignId ?? ''} onChange={(e) => set('campaignId', e.target.value || null)} error={errs['campaignId']}>
          <option value="">{t('webForms.none')}</option>
          {(campaigns.data?.data ?? []).map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </SelectField>
        <SelectField label={t('webForms.product')} value={draft.productId ?? ''} onChange={(e) => set('productId', e.target.value || null)} error={errs['productId']}>
          <option value="">{t('webForms.none')}</option>
          {(products.data ?? []).filter((p) => p.isActive || p.id === draft.productId).map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
        </SelectField>
      </div>

      <fieldset className="plain-fieldset">
        <legend>{t('webForms.rule')}</legend>
        {(['fixed', 'round_robin'] as const).map((rule) => (
          <label key={rule} className="checkbox-label">
            <input type="radio" name="webform-rule" value={rule} checked={draft.assignment === rule} onChange={() => set('assignment', rule)} />
            {t(`webForms.rule.${rule}`)}
          </label>
        ))}
        {draft.assignment === 'fixed' ? (
          <SelectField label={t('webForms.owner')} value={draft.ownerId ?? ''} onChange={(e) => set('ownerId', e.target.value || null)} error={errs['ownerId']}>
            <option value="">{t('webForms.none')}</option>
            {activeUsers.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
          </SelectField>
        ) : (
          <fieldset className="plain-fieldset" aria-describedby={errs['assigneeIds'] ? 'wf-assignees-error' : undefined}>
            <legend>{t('webForms.assignees')}</legend>
            {activeUsers.map((u) => (
              <label key={u.id} className="checkbox-label">
                <input type="checkbox" checked={draft.assigneeIds.includes(u.id)}
                  onChange={(e) => set('assigneeIds', e.target.checked ? [...draft.assigneeIds, u.id] : draft.assigneeIds.filter((x) => x !== u.id))} />
                {u.name}
              </label>
            ))}
            {errs['assigneeIds'] && <small id="wf-assignees-error" className="field__error" role="alert">{errs['assigneeIds']}</small>}
          </fieldset>
        )}
      </fieldset>

      <SelectField label={t('webForms.language')} value={draft.locale ?? ''} onChange={(e) => set('locale', (e.target.value || null) as Draft['locale'])}>
        <option value="">{t('webForms.language.auto')}</option>
        <option value="es">{t('webForms.language.es')}</option>
        <option value="en">{t('webForms.language.en')}</option>
      </SelectField>
      <TextAreaField label={t('webForms.thankYou')} value={draft.thankYouMessage ?? ''} onChange={(e) => set('thankYouMessage', e.target.value)} rows={2} error={errs['thankYouMessage']} />
      <TextField label={t('webForms.redirectUrl')} hint={t('webForms.redirectHint')} type="url" inputMode="url" value={draft.redirectUrl ?? ''}
        onChange={(e) => set('redirectUrl', e.target.value)} error={errs['redirectUrl']} />
      <label className="checkbox-label">
        <input type="checkbox" checked={draft.isActive ?? true} onChange={(e) => set('isActive', e.target.checked)} />
        {t('webForms.active')}
      </label>
      <div className="toolbar">
        <button type="submit" className="button button--primary" disabled={save.isPending}>{t('webForms.save')}</button>
        <button type="button" className="button button--ghost" onClick={() => onDone(null)}>{t('webForms.close')}</button>
      </div>
    </form>
  );
}

/** Settings › Formularios web (admins and managers): the forms, their editor, embed code and submissions. */
export function WebFormsSettings() {
  const { t } = useI18n();
  const forms = useQuery({ queryKey: ['web-forms'], queryFn: () => api.get<Page<WebForm>>('/web-forms', { limit: '500' }) });
  const users = useUsers();
  const [selected, setSelected] = useState<string | 'new' | null>(null);
  const [editing, setEditing] = useState(false);
  const [savedNote, setSavedNote] = useState(false);
  const rows = forms.data?.data ?? [];
  const current = selected && selected !== 'new' ? rows.find((f) => f.id === selected) ?? null : null;
  const ownerName = (id: string | null) => users.data?.find((u) => u.id === id)?.name ?? '—';

  return (
    <>
      <section className="card" aria-labelledby="webforms-title">
        <h2 id="webforms-title">{t('webForms.title')}</h2>
        <p className="muted small">{t('webForms.intro')}</p>
        <div className="toolbar">
          <button type="button" className="button button--primary" onClick={() => { setSelected('new'); setEditing(true); setSavedNote(false); }}>{t('webForms.new')}</button>
        </div>
        {savedNote && <p className="alert alert--success" role="status">{t('webForms.saved')}</p>}
        {forms.isLoading ? <Loading /> : forms.error ? <ErrorState error={forms.error} onRetry={() => forms.refetch()} /> : !rows.length ? <Empty>{t('common.empty')}</Empty> : (
          <div className="table-wrap table-wrap--contained">
            <table className="table">
              <thead><tr>
                <th scope="col">{t('webForms.colName')}</th><th scope="col">{t('webForms.colStatus')}</th>
                <th scope="col">{t('webForms.colRule')}</th><th scope="col">{t('webForms.colActions')}</th>
              </tr></thead>
              <tbody>
                {rows.map((f) => (
                  <tr key={f.id} aria-current={f.id === selected ? 'true' : undefined}>
                    <td>{f.name}</td>
                    <td><span className={`badge${f.isActive ? ' badge--won' : ''}`}>{t(f.isActive ? 'webForms.status.active' : 'webForms.status.inactive')}</span></td>
                    <td>{f.assignment === 'fixed' ? ownerName(f.ownerId) : `${t('webForms.rule.round_robin')} (${f.assigneeIds.map(ownerName).join(', ')})`}</td>
                    <td className="stage-actions">
                      <button type="button" className="button button--small" onClick={() => { setSelected(f.id); setEditing(true); setSavedNote(false); }}
                        aria-label={`${t('webForms.edit')}: ${f.name}`}>{t('webForms.edit')}</button>
                      <button type="button" className="button button--small button--ghost" onClick={() => { setSelected(f.id); setEditing(false); setSavedNote(false); }}
                        aria-label={`${t('webForms.embed')}: ${f.name}`}>{t('webForms.embed')}</button>
                      <a className="button button--small button--ghost" href={hostedUrl(f.publicId)} target="_blank" rel="noopener noreferrer"
                        aria-label={t('webForms.previewOf', { name: f.name })}>{t('webForms.preview')}</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {editing && (selected === 'new' || current) && (
        <FormEditor key={current ? `${current.id}-${current.version}` : 'new'} form={current}
          onDone={(saved) => { setEditing(false); if (saved) { setSelected(saved.id); setSavedNote(true); } }} />
      )}
      {current && <EmbedCard form={current} />}
      {current && <SubmissionsLog form={current} />}
    </>
  );
}
