import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../api/client.js';
import type { components } from '../api/openapi.js';
import { useUsers } from '../api/lookups.js';
import { errorText, fieldErrorText, useI18n, type MessageKey, type T } from '../i18n/i18n.js';
import { useCursorList } from '../lib/use-list.js';
import { Dialog, Empty, ErrorState, FormAlert, Loading } from '../components/ui.js';
import { LoadMore } from '../components/record-list-bits.js';

type S = components['schemas'];
type Entity = 'contact' | 'company';
type Pair = S['DuplicatePair'];
type Summary = S['DuplicateSummary'];
type Merge = S['DuplicateMerge'];
type Candidate = S['DuplicateCandidate'];
type Scan = S['DuplicateScan'];
type AnyRecord = Record<string, unknown> & { id: string; version: number };

/** The fields compared side by side, in form order; the API merges the rest by its default rule. */
const compared: Record<Entity, string[]> = {
  contact: ['firstName', 'lastName', 'secondLastName', 'jobTitle', 'email', 'phone', 'address', 'postalCode', 'neighbourhood', 'city',
    'region', 'country', 'birthDate', 'companyId', 'lifecycle', 'contactPreference', 'ownerId'],
  company: ['name', 'sector', 'employees', 'annualRevenue', 'website', 'email', 'phone', 'address', 'postalCode', 'neighbourhood',
    'city', 'region', 'country', 'ownerId'],
};

const pathOf = (entity: Entity) => (entity === 'contact' ? '/contacts' : '/companies');
const isEmpty = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/** "Lucía Benítez" or "Talleres Ortega" from a summary or a full record. */
export function recordName(r: Partial<Summary> | Record<string, unknown> | null | undefined): string {
  if (!r) return '';
  const o = r as Record<string, unknown>;
  if (typeof o['name'] === 'string') return o['name'];
  return [o['firstName'], o['lastName'], o['secondLastName']].filter((x) => typeof x === 'string' && x).join(' ');
}

/** The first field error of a problem in the user's language, else its general text. */
function problemText(t: T, e: unknown): string {
  if (e instanceof ApiError && e.fieldErrors[0]) return fieldErrorText(t, e.fieldErrors[0]);
  return errorText(t, e);
}

function Reasons({ reasons }: { reasons: Pair['reasons'] }) {
  const { t } = useI18n();
  return <>{reasons.map((r) => <span key={r} className="badge">{t(`duplicates.reason.${r}` as MessageKey)}</span>)}</>;
}

function SummaryLine({ entity, s }: { entity: Entity; s: Summary }) {
  const details = [s.email, s.phone, entity === 'contact' ? s.companyName : s.website, s.city].filter(Boolean).join(' · ');
  return (
    <>
    <span className="item__title">
      <Link to={`${pathOf(entity)}/${s.id}`}>{recordName(s) || '—'}</Link>
      </span>
      {details && <span className="item__meta">{details}</span>}
    </>
  );
}

/**
 * Side-by-side comparison of two records: which one stays, and per differing field whose value. The
 * defaults follow the API's rule (the kept record's value unless empty), so merging without touching
 * anything gives what the API would do by itself.
 */
export function MergeDialog({ entity, aId, bId, onClose, onMerged }: {
  entity: Entity; aId: string; bId: string; onClose: () => void; onMerged: (m: Merge) => void;
}) {
  const { t, fmt } = useI18n();
  const queryClient = useQueryClient();
  const users = useUsers();
  const records = useQuery({
    queryKey: ['duplicates', 'compare', entity, aId, bId],
    queryFn: async () => Promise.all([aId, bId].map((id) => api.get<AnyRecord>(`${pathOf(entity)}/${id}`))),
  });
  const [keepId, setKeepId] = useState(aId);
  const [picked, setPicked] = useState<Record<string, string>>({});
  const merge = useMutation({
    mutationFn: (body: { entity: Entity; keepId: string; mergeId: string; fieldChoices: Record<string, 'keep' | 'merge'> }) =>
      api.post<Merge>('/duplicates/merge', body),
    onSuccess: (m) => {
      for (const key of [['list', '/duplicates'], ['list', '/duplicates/merges'], ['list', pathOf(entity)], ['duplicates'], [entity]]) {
        void queryClient.invalidateQueries({ queryKey: key });
      }
      onMerged(m);
    },
  });

  const [a, b] = records.data ?? [];
  const keep = a && b ? (keepId === a.id ? a : b) : undefined;
  const other = a && b ? (keepId === a.id ? b : a) : undefined;
  const differing = useMemo(() => (a && b ? compared[entity].filter((f) => !isEmpty(a[f]) && !isEmpty(b[f]) && JSON.stringify(a[f]) !== JSON.stringify(b[f])) : []), [a, b, entity]);
  const title = t('duplicates.compareTitle');

  const show = (f: string, r: AnyRecord) => {
    const v = r[f];
    if (isEmpty(v)) return t('duplicates.empty.value');
    if (f === 'ownerId') return users.data?.find((u) => u.id === v)?.name ?? String(v);
    if (f === 'companyId') return (r['companyName'] as string | null) ?? String(v);
    if (f === 'birthDate') return fmt.date(String(v));
    return String(v);
  };
  const choiceOf = (f: string) => picked[f] ?? keepId;
  const submit = () => {
    if (!keep || !other) return;
    const fieldChoices: Record<string, 'keep' | 'merge'> = {};
    for (const f of differing) fieldChoices[f] = choiceOf(f) === keep.id ? 'keep' : 'merge';
    merge.mutate({ entity, keepId: keep.id, mergeId: other.id, fieldChoices });
  };

  return (
    <Dialog open title={title} onClose={onClose} wide>
      {records.isLoading ? <Loading /> : records.error || !a || !b ? <ErrorState error={records.error} onRetry={() => records.refetch()} /> : (
        <form onSubmit={(e) => { e.preventDefault(); submit(); }}>
          <fieldset className="plain-fieldset">
            <legend>{t('duplicates.keepWhich')}</legend>
            {[a, b].map((r) => (
              <label key={r.id} className="checkbox-label">
                <input type="radio" name="keep" value={r.id} checked={keepId === r.id} onChange={() => { setKeepId(r.id); setPicked({}); }} />
                {' '}{t('duplicates.keepThis', { name: recordName(r) })}
              </label>
            ))}
          </fieldset>
          <p className="muted small">{t('duplicates.fieldsIntro')}</p>
          {differing.length > 0 && (
            <div className="table-wrap table-wrap--contained">
              <table className="conflict-table">
                <thead><tr>
                  <th scope="col">{t('duplicates.field')}</th>
                  <th scope="col">{recordName(a)}</th>
                  <th scope="col">{recordName(b)}</th>
                </tr></thead>
                <tbody>
                  {differing.map((f) => {
                    const label = t(`duplicates.field.${f}` as MessageKey);
                    return (
                      <tr key={f}>
                        <th scope="row">{label}</th>
                        {[a, b].map((r) => (
                          <td key={r.id}>
                            <label className="checkbox-label">
                              <input type="radio" name={`field-${f}`} value={r.id} checked={choiceOf(f) === r.id}
                                onChange={() => setPicked((p) => ({ ...p, [f]: r.id }))}
                                aria-label={t('duplicates.valueFrom', { value: show(f, r), field: label })} />
                              {' '}{show(f, r)}
                            </label>
                          </td>
                        ))}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          <p className="muted small">{t('duplicates.sameValues')}</p>
          <FormAlert message={merge.error ? problemText(t, merge.error) : null} />
          <div className="dialog__actions">
            <button type="button" className="button button--ghost" onClick={onClose}>{t('common.cancel')}</button>
            <button type="submit" className="button button--primary" disabled={merge.isPending}>
              {merge.isPending ? t('duplicates.merging') : t('duplicates.merge')}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

function PairsList({ entity, onMerged }: { entity: Entity; onMerged: (m: Merge) => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const list = useCursorList<Pair>('/duplicates', { entity }, 50);
  const [comparing, setComparing] = useState<Pair | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const dismiss = useMutation({
    mutationFn: (id: string) => api.post<void>(`/duplicates/${id}/dismiss`),
    onSuccess: () => { setNotice(t('duplicates.dismissed')); void queryClient.invalidateQueries({ queryKey: ['list', '/duplicates'] }); },
  });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section className="card" aria-labelledby="duplicate-pairs">
      <h2 id="duplicate-pairs">{t('duplicates.pairs')}</h2>
      {notice && <p className="alert alert--success" role="status">{notice}</p>}
      <FormAlert message={dismiss.error ? problemText(t, dismiss.error) : null} />
      {list.isLoading ? <Loading /> : list.error ? <ErrorState error={list.error} onRetry={() => list.refetch()} /> : !rows.length ? <Empty>{t('duplicates.empty')}</Empty> : (
        <ul className="item-list">
          {rows.map((p) => {
            const names = { a: recordName(p.a), b: recordName(p.b) };
            return (
              <li key={p.id} className="item" style={{ flexWrap: 'wrap' }}>
                <div className="item__time" aria-label={`${t('duplicates.scoreLabel')}: ${t('duplicates.score', { score: p.score })}`}>
                  <strong>{t('duplicates.score', { score: p.score })}</strong>
                </div>
                <div className="item__main">
                  <SummaryLine entity={entity} s={p.a} />
                  <SummaryLine entity={entity} s={p.b} />
                  <div className="item__meta"><span className="visually-hidden">{t('duplicates.reasons')}: </span><Reasons reasons={p.reasons} /></div>
                </div>
                <div className="toolbar">
                  <button type="button" className="button button--small button--primary" onClick={() => setComparing(p)}
                    aria-label={t('duplicates.compareFor', names)}>{t('duplicates.compare')}</button>
                  <button type="button" className="button button--small button--ghost" disabled={dismiss.isPending}
                    onClick={() => { setNotice(null); dismiss.mutate(p.id); }} aria-label={t('duplicates.dismissFor', names)}>{t('duplicates.dismiss')}</button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      <LoadMore hasNextPage={list.hasNextPage} isFetching={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {comparing && (
        <MergeDialog entity={entity} aId={comparing.a.id} bId={comparing.b.id} onClose={() => setComparing(null)}
          onMerged={(m) => { setComparing(null); onMerged(m); }} />
      )}
    </section>
  );
}

function MergesList({ entity, onUndone }: { entity: Entity; onUndone: () => void }) {
  const { t, fmt } = useI18n();
  const queryClient = useQueryClient();
  const list = useCursorList<Merge>('/duplicates/merges', { entity }, 20);
  const [notice, setNotice] = useState<string | null>(null);
  const undo = useMutation({
    mutationFn: (id: string) => api.post<Merge>(`/duplicates/merges/${id}/undo`),
    onSuccess: () => {
      setNotice(t('duplicates.undoDone'));
      onUndone();
      for (const key of [['list', '/duplicates/merges'], ['list', '/duplicates'], ['list', pathOf(entity)], [entity]]) void queryClient.invalidateQueries({ queryKey: key });
    },
  });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section className="card" aria-labelledby="duplicate-merges">
      <h2 id="duplicate-merges">{t('duplicates.merges')}</h2>
      {notice && <p className="alert alert--success" role="status">{notice}</p>}
      <FormAlert message={undo.error ? problemText(t, undo.error) : null} />
      {list.isLoading ? <Loading /> : list.error ? <ErrorState error={list.error} onRetry={() => list.refetch()} /> : !rows.length ? <Empty>{t('duplicates.mergesEmpty')}</Empty> : (
        <div className="table-wrap">
          <table className="table">
            <thead><tr>
              <th scope="col">{t('duplicates.kept')}</th><th scope="col">{t('duplicates.mergedRecord')}</th>
              <th scope="col">{t('duplicates.mergedAt')}</th><th scope="col">{t('duplicates.mergedBy')}</th>
              <th scope="col"><span className="visually-hidden">{t('duplicates.undo')}</span></th>
            </tr></thead>
            <tbody>
              {rows.map((m) => {
                const mergedName = recordName(m.merged as Record<string, unknown>) || t('duplicates.purged');
                return (
                  <tr key={m.id}>
                    <td>{m.keep ? <Link to={`${pathOf(entity)}/${m.keepId}`}>{recordName(m.keep)}</Link> : t('duplicates.purged')}</td>
                    <td>{mergedName}</td>
                    <td>{fmt.dateTime(m.mergedAt)}</td>
                    <td>{m.mergedByName ?? '—'}</td>
                    <td>
                      {m.canUndo ? (
                        <>
                          <button type="button" className="button button--small" disabled={undo.isPending}
                            onClick={() => { setNotice(null); undo.mutate(m.id); }} aria-label={t('duplicates.undoFor', { name: mergedName })}>{t('duplicates.undo')}</button>
                          {' '}<span className="muted small">{t('duplicates.undoUntil', { date: fmt.date(m.undoDeadline) })}</span>
                        </>
                      ) : <span className="muted small">{m.undoneAt ? t('duplicates.undone') : t('duplicates.expired')}</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore hasNextPage={list.hasNextPage} isFetching={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </section>
  );
}

const isScanning = (s: Scan | undefined) => s?.status === 'queued' || s?.status === 'running';
const pairsText = (t: T, count: number) => t(count === 1 ? 'duplicates.pairsFound.one' : 'duplicates.pairsFound', { count });

/** The workspace's latest scan, asked again every 2 s while it is queued or running. */
function useDuplicateScan() {
  return useQuery({
    queryKey: ['duplicates', 'scan'],
    queryFn: () => api.get<Scan>('/duplicates/scan'),
    refetchInterval: (q) => (isScanning(q.state.data) ? 2000 : false),
  });
}

/** Where the latest scan is: running since, failed and why, or when it finished and what it found. */
function ScanState({ scan, entity }: { scan: Scan | undefined; entity: Entity }) {
  const { t, fmt } = useI18n();
  if (!scan) return null;
  if (isScanning(scan)) {
    return <p className="muted" role="status">{t('duplicates.scanRunning', { time: fmt.time(scan.startedAt ?? scan.requestedAt) })}</p>;
  }
  if (scan.status === 'failed') {
    return <p className="alert alert--warning" role="alert">{t('duplicates.scanFailed', { error: scan.error ?? '' })}</p>;
  }
  if (scan.status === 'done') {
    const count = scan.pairs?.[entity];
    return (
      <p className="muted">
        {t('duplicates.lastScan', { date: fmt.dateTime(scan.finishedAt) })}
        {count !== undefined && <> · {pairsText(t, count)}</>}
      </p>
    );
  }
  return <p className="muted">{t('duplicates.neverScanned')}</p>;
}

/** Review of likely duplicates (managers and admins): pairs by score, compare and merge, dismiss; recent merges with undo. */
export function DuplicatesPage() {
  const { t, fmt } = useI18n();
  const queryClient = useQueryClient();
  const [entity, setEntity] = useState<Entity>('contact');
  const [notice, setNotice] = useState<string | null>(null);
  const scanState = useDuplicateScan();
  const scan = scanState.data;
  const scanning = isScanning(scan);
  const start = useMutation({
    mutationFn: () => api.post<Scan>('/duplicates/scan', { entity }),
    // The answer is the scan's state: polling starts from it (or follows the scan someone else started).
    onSuccess: (s) => queryClient.setQueryData(['duplicates', 'scan'], s),
  });
  // When a scan this page saw queued or running ends, the lists show what it found.
  const watched = useRef<string | null>(null);
  useEffect(() => {
    if (!scan?.id) return;
    if (isScanning(scan)) { watched.current = scan.id; return; }
    if (watched.current !== scan.id) return;
    watched.current = null;
    if (scan.status !== 'done') return;
    void queryClient.invalidateQueries({ queryKey: ['list', '/duplicates'] });
    const found = scan.pairs?.[entity] ?? Object.values(scan.pairs ?? {}).reduce((a, b) => a + (b ?? 0), 0);
    setNotice(t(found === 1 ? 'duplicates.scanned.one' : 'duplicates.scanned', { count: found }));
  }, [scan, entity, queryClient, t]);
  return (
    <section className="page" aria-labelledby="duplicates-title">
      <header className="page__header">
        <div>
          <h1 id="duplicates-title">{t('duplicates.title')}</h1>
          <p className="muted">{t('duplicates.intro')}</p>
          <ScanState scan={scan} entity={entity} />
        </div>
        <div className="toolbar">
          <button type="button" className="button" onClick={() => { setNotice(null); start.mutate(); }} disabled={start.isPending || scanning}>
            {start.isPending || scanning ? t('duplicates.scanning') : t('duplicates.scan')}
          </button>
        </div>
      </header>
      <div className="segmented" role="group" aria-label={t('duplicates.entity')}>
        {(['contact', 'company'] as const).map((e) => (
          <button key={e} type="button" className={`button button--small${entity === e ? ' button--primary' : ''}`} aria-pressed={entity === e}
            onClick={() => { setEntity(e); setNotice(null); }}>{t(`duplicates.entity.${e}`)}</button>
        ))}
      </div>
      {notice && <p className="alert alert--success" role="status">{notice}</p>}
      <FormAlert message={start.error ? problemText(t, start.error) : scanState.error ? problemText(t, scanState.error) : null} />
      <PairsList key={`pairs-${entity}`} entity={entity}
        onMerged={(m) => setNotice(t('duplicates.merged', { date: fmt.date(m.undoDeadline) }))} />
      {/* The merge's notice would still say "merged" above the undone merge. */}
      <MergesList key={`merges-${entity}`} entity={entity} onUndone={() => setNotice(null)} />
    </section>
  );
}

/**
 * "Merge with…" on a contact or company page: the record's likely duplicates, each opening the same
 * comparison as the review page. After a merge the page shows the kept record.
 */
export function MergeWithButton({ entity, id, name }: { entity: Entity; id: string; name: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [other, setOther] = useState<string | null>(null);
  const candidates = useQuery({
    queryKey: ['duplicates', 'candidates', entity, id], enabled: open,
    queryFn: async () => (await api.get<{ data: Candidate[] }>('/duplicates/candidates', { entity, id })).data,
  });
  return (
    <>
      <button type="button" className="button button--ghost" onClick={() => setOpen(true)}>{t('duplicates.mergeWith')}</button>
      <Dialog open={open && !other} title={t('duplicates.mergeWithTitle')} onClose={() => setOpen(false)}>
        {candidates.isLoading ? <Loading /> : candidates.error ? <ErrorState error={candidates.error} onRetry={() => candidates.refetch()} />
          : !candidates.data?.length ? <Empty>{t('duplicates.candidatesEmpty')}</Empty> : (
            <ul className="item-list">
              {candidates.data.map((c) => (
                <li key={c.id} className="item" style={{ flexWrap: 'wrap' }}>
                  <div className="item__time"><strong>{t('duplicates.score', { score: c.score })}</strong></div>
                  <div className="item__main">
                    <SummaryLine entity={entity} s={c.record} />
                    <div className="item__meta"><Reasons reasons={c.reasons} /></div>
                  </div>
                  <button type="button" className="button button--small button--primary" onClick={() => setOther(c.id)}
                    aria-label={t('duplicates.compareFor', { a: name, b: recordName(c.record) })}>{t('duplicates.compare')}</button>
                </li>
              ))}
            </ul>
          )}
      </Dialog>
      {other && (
        <MergeDialog entity={entity} aId={id} bId={other} onClose={() => setOther(null)}
          onMerged={(m) => { setOther(null); setOpen(false); navigate(`${pathOf(entity)}/${m.keepId}`); }} />
      )}
    </>
  );
}
