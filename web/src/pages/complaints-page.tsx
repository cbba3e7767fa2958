import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../api/client.js';
import { useUsers } from '../api/lookups.js';
import { useI18n } from '../i18n/i18n.js';
import { useCursorList } from '../lib/use-list.js';
import { Empty, ErrorState, FormAlert, Loading, SelectField, TextAreaField, TextField, formErrors } from '../components/ui.js';
import { LoadMore } from '../components/record-list-bits.js';
import { complaintCategoryKey, complaintResolutionKey, complaintStatusKey } from '../components/record-related.js';
import { complaintCategories, complaintResolutions, complaintStatuses, type ComplaintEventRecord, type ComplaintRecord } from '../lib/records.js';
import { toZonedInputs, zonedToIso } from '../lib/format.js';

export function ComplaintsPage() {
  const { t, fmt } = useI18n();
  const users = useUsers();
  const [status, setStatus] = useState('');
  const [category, setCategory] = useState('');
  const [ownerId, setOwnerId] = useState('');
  const [overdue, setOverdue] = useState(false);
  const list = useCursorList<ComplaintRecord>('/complaints', { status, category, ownerId, overdue: overdue ? 'true' : undefined, sort: '-createdAt' }, 50);
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section className="page" aria-labelledby="complaints-title">
      <header className="page__header"><h1 id="complaints-title">{t('complaints.title')}</h1></header>
      <div className="filters" role="group" aria-label={t('leads.filters')}>
        <SelectField label={t('lead.status')} value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">{t('common.all')}</option>{complaintStatuses.map((s) => <option key={s} value={s}>{t(complaintStatusKey(s))}</option>)}
        </SelectField>
        <SelectField label={t('complaints.category')} value={category} onChange={(e) => setCategory(e.target.value)}>
          <option value="">{t('common.all')}</option>{complaintCategories.map((c) => <option key={c} value={c}>{t(complaintCategoryKey(c))}</option>)}
        </SelectField>
        <SelectField label={t('record.owner')} value={ownerId} onChange={(e) => setOwnerId(e.target.value)}>
          <option value="">{t('leads.allOwners')}</option>{users.data?.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
        </SelectField>
        <label className="checkbox-label"><input type="checkbox" checked={overdue} onChange={(e) => setOverdue(e.target.checked)} /> {t('complaints.onlyOverdue')}</label>
      </div>
      {list.isLoading ? <Loading /> : list.error ? <ErrorState error={list.error} onRetry={() => list.refetch()} /> : !rows.length ? <Empty>{t('complaints.empty')}</Empty> : (
        <div className="table-wrap">
          <table className="table">
            <thead><tr>
              <th scope="col">{t('record.createdAt')}</th><th scope="col">{t('complaints.category')}</th><th scope="col">{t('lead.contact')}</th>
              <th scope="col">{t('lead.status')}</th><th scope="col">{t('complaints.resolution')}</th><th scope="col">{t('record.owner')}</th><th scope="col">{t('complaints.dueAt')}</th>
            </tr></thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id}>
                  <td><Link to={`/complaints/${c.id}`}>{fmt.date(c.createdAt)}</Link></td>
                  <td><Link to={`/complaints/${c.id}`}>{t(complaintCategoryKey(c.category))}</Link></td>
                  <td>{c.contactId ? <Link to={`/contacts/${c.contactId}`}>{c.contactName}</Link> : '—'}</td>
                  <td><span className="badge">{t(complaintStatusKey(c.status))}</span></td>
                  <td>{c.resolution ? t(complaintResolutionKey(c.resolution)) : '—'}</td>
                  <td>{c.ownerName}</td>
                  <td className={c.overdue ? 'overdue' : undefined}>{fmt.date(c.dueAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore hasNextPage={list.hasNextPage} isFetching={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </section>
  );
}

/** One complaint: status and resolution changes (each with an optional note) and its event timeline. */
export function ComplaintPage() {
  const { id = '' } = useParams();
  const { t, fmt } = useI18n();
  const queryClient = useQueryClient();
  const users = useUsers();
  const complaint = useQuery({ queryKey: ['complaint', id], queryFn: () => api.get<ComplaintRecord>(`/complaints/${id}`) });
  const events = useQuery({ queryKey: ['complaint-events', id], queryFn: () => api.get<{ data: ComplaintEventRecord[] }>(`/complaints/${id}/events`) });
  const [draft, setDraft] = useState<{ status: string; resolution: string; ownerId: string; dueAt: string; note: string } | null>(null);
  const [note, setNote] = useState('');
  const c = complaint.data;
  // The due date as the workspace's calendar shows it (the list's date), not the UTC one.
  const storedDue = c?.dueAt ? toZonedInputs(c.dueAt, fmt.timeZone).date : '';
  const form = draft ?? (c ? { status: c.status, resolution: c.resolution ?? '', ownerId: c.ownerId ?? '', dueAt: storedDue, note: '' } : null);
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ['complaint-events', id] });
    await queryClient.invalidateQueries({ queryKey: ['list', '/complaints'] });
    await queryClient.invalidateQueries({ queryKey: ['related'] });
  };
  const save = useMutation({
    mutationFn: () => api.patch<ComplaintRecord>(`/complaints/${id}`, {
      status: form!.status, resolution: form!.resolution || null, ownerId: form!.ownerId || null,
      // Only a changed date is sent, so saving a status keeps the stored instant; a date picked here
      // is due until the end of that day, not overdue from its noon.
      ...(form!.dueAt !== storedDue ? { dueAt: form!.dueAt ? zonedToIso(form!.dueAt, '23:59', fmt.timeZone) : null } : {}),
      note: form!.note.trim() || null, version: c!.version,
    }),
    onSuccess: async (u) => { queryClient.setQueryData(['complaint', id], u); setDraft(null); await refresh(); },
  });
  const addNote = useMutation({
    mutationFn: () => api.post(`/complaints/${id}/events`, { body: note }),
    onSuccess: async () => { setNote(''); await refresh(); },
  });
  if (complaint.isLoading) return <Loading />;
  if (complaint.error || !c || !form) {
    return (
      <section className="page">
        {complaint.error instanceof ApiError && complaint.error.status === 404 ? <Empty>{t('complaints.notFound')}</Empty> : <ErrorState error={complaint.error} onRetry={() => complaint.refetch()} />}
        <Link to="/complaints">{t('complaints.title')}</Link>
      </section>
    );
  }
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setDraft({ ...form, [k]: e.target.value });
  const { fields, general } = formErrors(t, save.error);
  const stale = save.error instanceof ApiError && save.error.status === 409;
  const noteErrors = formErrors(t, addNote.error);
  const submit = (e: FormEvent) => { e.preventDefault(); save.mutate(); };
  return (
    <section className="page" aria-labelledby="complaint-title">
      <header className="page__header">
        <div>
          <p className="muted small"><Link to="/complaints">{t('complaints.title')}</Link> /</p>
          <h1 id="complaint-title">{t(complaintCategoryKey(c.category))}</h1>
          <p className="muted">
            <span className="badge">{t(complaintStatusKey(c.status))}</span> · {fmt.date(c.createdAt)}
            {c.contactId ? <> · <Link to={`/contacts/${c.contactId}`}>{c.contactName}</Link></> : null}
            {c.overdue ? <> · <span className="overdue">{t('complaints.overdue')}</span></> : null}
          </p>
        </div>
      </header>
      <div className="lead-layout">
        <div>
          <section className="card" aria-labelledby="complaint-details">
            <h2 id="complaint-details">{t('lead.details')}</h2>
            <p>{c.description}</p>
            <form onSubmit={submit} noValidate>
              <FormAlert message={stale ? t('error.version_conflict') : general} />
              <SelectField label={t('lead.status')} value={form.status} onChange={set('status')} error={fields['status']}>
                {complaintStatuses.map((s) => <option key={s} value={s}>{t(complaintStatusKey(s))}</option>)}
              </SelectField>
              <SelectField label={t('complaints.resolution')} value={form.resolution} onChange={set('resolution')} error={fields['resolution']}>
                <option value="">—</option>{complaintResolutions.map((r) => <option key={r} value={r}>{t(complaintResolutionKey(r))}</option>)}
              </SelectField>
              <SelectField label={t('record.owner')} value={form.ownerId} onChange={set('ownerId')} error={fields['ownerId']}>
                <option value="">—</option>{users.data?.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
              </SelectField>
              <TextField label={t('complaints.dueAt')} type="date" value={form.dueAt} onChange={set('dueAt')} error={fields['dueAt']} />
              <TextAreaField label={t('complaints.changeNote')} value={form.note} onChange={set('note')} error={fields['note']} rows={2} />
              <div className="dialog__actions">
                {stale && <button type="button" className="button" onClick={async () => { setDraft(null); save.reset(); await complaint.refetch(); }}>{t('conflict.keepTheirs')}</button>}
                <button type="submit" className="button button--primary" disabled={save.isPending}>{t('common.save')}</button>
              </div>
            </form>
          </section>
        </div>
        <div>
          <section className="card" aria-labelledby="complaint-events">
            <h2 id="complaint-events">{t('lead.timeline')}</h2>
            <form className="comment-form" onSubmit={(e) => { e.preventDefault(); if (note.trim()) addNote.mutate(); }}>
              <div className="field">
                <label htmlFor="complaint-note" className="visually-hidden">{t('complaints.addNote')}</label>
                <input id="complaint-note" value={note} placeholder={t('complaints.addNote')} onChange={(e) => setNote(e.target.value)} aria-invalid={addNote.error ? true : undefined} />
                {addNote.error && <small className="field__error" role="alert">{noteErrors.fields['body'] ?? noteErrors.general}</small>}
              </div>
              <button type="submit" className="button button--small" disabled={addNote.isPending || !note.trim()}>{t('activity.send')}</button>
            </form>
            {events.isLoading ? <Loading /> : events.error ? <ErrorState error={events.error} /> : !events.data?.data.length ? <Empty>{t('activity.noActivities')}</Empty> : (
              <ol className="timeline">
                {[...events.data.data].sort((a, b) => b.at.localeCompare(a.at)).map((ev) => (
                  <li key={ev.id}>
                    <div className="timeline__head">
                      <strong>{ev.kind === 'status' && ev.toStatus ? `${ev.fromStatus ? `${t(complaintStatusKey(ev.fromStatus))} → ` : ''}${t(complaintStatusKey(ev.toStatus))}` : t('complaints.note')}</strong>
                      <span className="muted small">{fmt.dateTime(ev.at)}{ev.userName ? ` · ${t('activity.by', { name: ev.userName })}` : ''}</span>
                      {ev.resolution && <span className="badge">{t(complaintResolutionKey(ev.resolution))}</span>}
                    </div>
                    {ev.body && <p className="timeline__body">{ev.body}</p>}
                  </li>
                ))}
              </ol>
            )}
          </section>
        </div>
      </div>
    </section>
  );
}
