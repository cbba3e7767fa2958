import { useMemo, useRef, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../api/client.js';
import type { CustomFieldDef, Lead, Stage } from '../api/types.js';
import { byId, useCustomFields, usePipelines, useProducts, useSources, useUsers } from '../api/lookups.js';
import { errorText, fieldErrorText, useI18n, type MessageKey } from '../i18n/i18n.js';
import { Dialog, Empty, ErrorState, Loading } from '../components/ui.js';
import { NextActionCell, StageBadge } from '../components/lead-bits.js';
import { LogInteractionForm } from '../components/log-interaction.js';
import { InlineField } from '../components/record-inline-field.js';
import { Timeline } from '../components/record-timeline.js';
import { ScheduleNextActionDialog } from '../components/schedule-next-action.js';
import { CancelLeadDialog, LostDialog, WonDialog } from '../components/close-dialogs.js';
import { activityLabelKey, statusLabelKey } from '../lib/labels.js';
import { leadDisplayName } from '../lib/names.js';
import { conflictRows, fromInput, isChanged, toInput, type InlineKind } from '../lib/lead-fields.js';
import { ScoreBadge } from '../components/score-badge.js';
import { LeadScorePanel } from '../components/score-panel.js';

const fieldLabelKey: Record<string, MessageKey> = {
  title: 'lead.title', stageId: 'lead.stage', score: 'lead.score', probability: 'lead.probability', amount: 'lead.amount',
  expectedCloseDate: 'lead.expectedCloseDate', sourceId: 'lead.source', ownerId: 'lead.owner', productIds: 'lead.products',
};

type Conflict = { edits: Record<string, unknown>; current: Record<string, unknown> };

/** PATCH body for a field path: `customFields.x` nests, everything else is top level. */
const patchOf = (field: string, value: unknown): Record<string, unknown> =>
  field.startsWith('customFields.') ? { customFields: { [field.slice('customFields.'.length)]: value } } : { [field]: value };

export function LeadPage() {
  const { id = '' } = useParams();
  const { t, fmt } = useI18n();
  const queryClient = useQueryClient();
  const lead = useQuery({ queryKey: ['lead', id], queryFn: () => api.get<Lead>(`/leads/${id}`) });
  const pipelines = usePipelines();
  const users = useUsers();
  const sources = useSources();
  const products = useProducts();
  const customFields = useCustomFields('lead');
  const stage = useMemo(() => pipelines.data?.flatMap((p) => p.stages).find((s) => s.id === lead.data?.stageId), [pipelines.data, lead.data?.stageId]);
  const productById = byId(products.data);
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [closing, setClosing] = useState<{ kind: 'won' | 'lost'; stage: Stage } | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [scheduling, setScheduling] = useState(false);
  const [formKey, setFormKey] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);

  const setLead = (l: Lead) => queryClient.setQueryData(['lead', id], l);
  // Picker changes shown until their own save answers (see `l` below).
  // React state, not only the query cache: a controlled checkbox must show its new state in the same
  // render as the click (the cache notifies its observers a moment later).
  const [shown, setShown] = useState<Partial<Lead>>({});
  const settleShown = (field: string, value: unknown) => setShown((cur) => {
    if (!(field in cur) || cur[field as keyof Lead] !== value) return cur;
    const { [field as keyof Lead]: _settled, ...rest } = cur;
    return rest;
  });
  const clearField = (field: string) => {
    setDrafts(({ [field]: _d, ...rest }) => rest);
    setErrors(({ [field]: _e, ...rest }) => rest);
  };

  // Edits are saved one after another, each with the version the previous save returned, so
  // quick successive edits (blur one field, pick in the next) never conflict with each other.
  const versionRef = useRef<number | null>(null);
  const queueRef = useRef<Promise<void>>(Promise.resolve());
  if (lead.data && (versionRef.current === null || lead.data.version > versionRef.current)) versionRef.current = lead.data.version;

  /** Saves one field; a 409 opens the conflict dialog, a 422 stays on the field with the typed text. */
  const save = (field: string, value: unknown, version?: number) => {
    const run = async () => {
      try {
        const updated = await api.patch<Lead>(`/leads/${id}`, { ...patchOf(field, value), version: version ?? versionRef.current ?? undefined });
        versionRef.current = updated.version;
        settleShown(field, value);
        setLead(updated);
        clearField(field);
        void queryClient.invalidateQueries({ queryKey: ['list', '/leads'] });
        void queryClient.invalidateQueries({ queryKey: ['today'] });
      } catch (e) {
        settleShown(field, value);
        if (e instanceof ApiError && e.status === 409 && e.problem.current) {
          setConflict({ edits: { [field]: value }, current: e.problem.current as Record<string, unknown> });
          return;
        }
        const fe = e instanceof ApiError ? e.fieldErrors.find((f) => f.field === field || f.field.startsWith(`${field}.`)) ?? e.fieldErrors[0] : undefined;
        // Pickers show their change at once; on refusal the stored record comes back.
        if (field === 'productIds') void queryClient.invalidateQueries({ queryKey: ['lead', id] });
        setErrors((er) => ({ ...er, [field]: fe ? fieldErrorText(t, fe) : errorText(t, e) }));
      }
    };
    queueRef.current = queueRef.current.then(run);
    return queueRef.current;
  };

  const commit = (field: string, kind: InlineKind, stored: unknown) => (text: string) => {
    if (!lead.data || !isChanged(kind, stored, text)) { clearField(field); return; }
    const value = fromInput(kind, text);
    if (value === undefined) { setErrors((er) => ({ ...er, [field]: t('fieldError.invalid_type') })); return; }
    void save(field, value);
  };

  const changeStage = async (stageId: string) => {
    const l = lead.data;
    const to = pipelines.data?.flatMap((p) => p.stages).find((s) => s.id === stageId);
    if (!l || !to || to.id === l.stageId) return;
    if (to.kind === 'won') { setClosing({ kind: 'won', stage: to }); return; }
    if (to.kind === 'lost') { setClosing({ kind: 'lost', stage: to }); return; }
    try {
      setLead(await api.post<Lead>(`/leads/${id}/move`, { stageId, version: l.version }));
      clearField('stageId');
    } catch (e) {
      setErrors((er) => ({ ...er, stageId: errorText(t, e) }));
    }
  };

  if (lead.isLoading) return <Loading />;
  if (lead.error || !lead.data) {
    return (
      <section className="page">
        {lead.error instanceof ApiError && (lead.error.status === 404 || lead.error.status === 403)
          ? <Empty>{t('lead.notFound')}</Empty> : <ErrorState error={lead.error} onRetry={() => lead.refetch()} />}
        <Link to="/leads">{t('leads.title')}</Link>
      </section>
    );
  }
  // A refetch or an earlier save's answer may arrive after a picker change: what was ticked stays shown.
  const l: Lead = { ...lead.data, ...shown };
  const name = leadDisplayName(l);
  const field = (f: keyof Lead & string, labelKey: MessageKey, kind: InlineKind, extra: { children?: ReactNode; inputMode?: 'numeric' | 'decimal' } = {}) => (
    <InlineField field={f} label={t(labelKey)} kind={kind} stored={l[f]} draft={drafts[f]} error={errors[f]}
      onDraft={(text) => setDrafts((d) => ({ ...d, [f]: text }))} onCommit={commit(f, kind, l[f])} {...extra} />
  );
  const customField = (def: CustomFieldDef) => {
    const f = `customFields.${def.key}`;
    const stored = l.customFields[def.key] ?? null;
    const kind: InlineKind = def.type === 'number' ? 'decimal' : def.type === 'date' ? 'date' : def.type === 'choice' ? 'select' : 'text';
    return (
      <InlineField key={def.id} field={f} label={def.label} kind={kind} stored={stored} draft={drafts[f]} error={errors[f]}
        onDraft={(text) => setDrafts((d) => ({ ...d, [f]: text }))} onCommit={commit(f, kind, stored)}>
        {kind === 'select' && <><option value="">—</option>{def.options.map((o) => <option key={o} value={o}>{o}</option>)}</>}
      </InlineField>
    );
  };

  const labelOf = (f: string) => {
    const key = fieldLabelKey[f];
    if (key) return t(key);
    return customFields.data?.find((d) => `customFields.${d.key}` === f)?.label ?? f;
  };
  const valueOf = (f: string, v: unknown) => {
    if (f === 'sourceId') return sources.data?.find((x) => x.id === v)?.name ?? toInput(v);
    if (f === 'ownerId') return users.data?.find((x) => x.id === v)?.name ?? toInput(v);
    if (f === 'amount' && typeof v === 'number') return fmt.money(v, l.currency);
    return toInput(v);
  };

  return (
    <section className="page" aria-labelledby="lead-title">
      <header className="page__header">
        <div>
          <p className="muted small"><Link to="/leads">{t('leads.title')}</Link> /</p>
          <h1 id="lead-title">{name}</h1>
          <p className="muted">
            <StageBadge lead={l} stage={stage} /> {t(statusLabelKey[l.status])} · {fmt.money(l.amount, l.currency)} · {fmt.percent(l.probability)}
            {l.companyId && l.companyName ? <> · <Link to={`/companies/${l.companyId}`}>{l.companyName}</Link></> : l.companyName ? ` · ${l.companyName}` : ''}
          </p>
        </div>
        <div className="toolbar">
          {l.status === 'open' && <button type="button" className="button" onClick={() => setScheduling(true)}>{t('today.schedule')}</button>}
          {l.status !== 'cancelled' && <button type="button" className="button button--ghost" onClick={() => setCancelling(true)}>{t('lead.cancel')}</button>}
        </div>
      </header>
      {notice && <p className="alert alert--success" role="status">{notice}</p>}
      {l.status === 'cancelled' && <p className="alert alert--info">{t('lead.cancelled')}{l.cancelReason ? `: ${l.cancelReason}` : ''}</p>}
      {l.status === 'lost' && l.lostReason && <p className="alert alert--info">{t('lead.lostReason')}: {l.lostReason}</p>}

      <div className="lead-layout">
        <div>
          <section className="card" aria-labelledby="lead-details">
            <h2 id="lead-details">{t('lead.details')}</h2>
            {field('title', 'lead.title', 'text')}
            <div className="inline-field">
              <span className="label">{t('lead.contact')}</span>
              <span>{l.contactId && l.contactName ? <Link to={`/contacts/${l.contactId}`}>{l.contactName}</Link> : (l.contactName ?? t('common.none'))}</span>
            </div>
            <InlineField field="stageId" label={t('lead.stage')} kind="select" stored={l.stageId} draft={drafts['stageId']} error={errors['stageId']}
              onDraft={(text) => setDrafts((d) => ({ ...d, stageId: text }))} onCommit={(v) => void changeStage(v)}>
              {pipelines.data?.find((p) => p.id === l.pipelineId)?.stages.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
            </InlineField>
            <div className="inline-field">
              <span className="label">{t('lead.score')}</span>
              <span><ScoreBadge score={l.score} explanation={l.scoreExplanation} /></span>
            </div>
            {field('probability', 'lead.probability', 'integer', { inputMode: 'numeric' })}
            {field('amount', 'lead.amount', 'decimal', { inputMode: 'decimal' })}
            {field('expectedCloseDate', 'lead.expectedCloseDate', 'date')}
            {field('sourceId', 'lead.source', 'select', { children: <><option value="">—</option>{sources.data?.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}</> })}
            {field('ownerId', 'lead.owner', 'select', { children: <><option value="">—</option>{users.data?.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}</> })}
            <div className="inline-field">
              <span className="label" id="products-label">{t('lead.products')}</span>
              <details className="picker">
                <summary aria-describedby="products-label">{l.productIds.map((p) => productById.get(p)?.name).filter(Boolean).join(', ') || t('common.none')}</summary>
                <fieldset aria-labelledby="products-label">
                  {products.data?.filter((p) => p.isActive || l.productIds.includes(p.id)).map((p) => (
                    <label key={p.id}>
                      <input type="checkbox" checked={l.productIds.includes(p.id)} onChange={(e) => {
                        const next = e.target.checked ? [...l.productIds, p.id] : l.productIds.filter((x) => x !== p.id);
                        setShown((cur) => ({ ...cur, productIds: next }));
                        setLead({ ...l, productIds: next });
                        void save('productIds', next);
                      }} /> {p.name}
                    </label>
                  ))}
                </fieldset>
              </details>
              {errors['productIds'] && <small className="field__error" role="alert">{errors['productIds']}</small>}
            </div>
            <div className="inline-field">
              <span className="label">{t('lead.nextAction')}</span>
              <span>
                <NextActionCell lead={l} />
                {l.nextActionType && <> · {t(activityLabelKey[l.nextActionType])}</>}
                {l.nextActionNote && <> · {l.nextActionNote}</>}
              </span>
            </div>
            {(customFields.data?.length ?? 0) > 0 && (
              <>
                <h3 className="subhead">{t('lead.customFields')}</h3>
                {customFields.data!.map(customField)}
              </>
            )}
          </section>
        </div>
        <div>
          <LeadScorePanel leadId={l.id} version={l.version} />
          {l.status === 'open' && (
            <section className="card" aria-labelledby="log-title">
              <h2 id="log-title">{t('log.title')}</h2>
              <LogInteractionForm key={formKey} target={{ kind: 'lead', leadId: l.id, name, type: l.nextActionType }}
                onDone={() => { setFormKey((k) => k + 1); setNotice(t('log.saved')); }} />
            </section>
          )}
          <section className="card" aria-labelledby="timeline-title">
            <h2 id="timeline-title">{t('lead.timeline')}</h2>
            <Timeline leadId={l.id} />
          </section>
        </div>
      </div>

      {conflict && (
        <Dialog open wide title={t('conflict.title')} onClose={() => setConflict(null)}>
          <p>{t('conflict.intro')}</p>
          <table className="conflict-table">
            <thead><tr><th scope="col">{t('conflict.field')}</th><th scope="col">{t('conflict.yours')}</th><th scope="col">{t('conflict.theirs')}</th></tr></thead>
            <tbody>
              {conflictRows(conflict.edits, conflict.current as Partial<Lead> & Record<string, unknown>).map((r) => (
                <tr key={r.field}><th scope="row">{labelOf(r.field)}</th><td>{valueOf(r.field, r.mine)}</td><td>{valueOf(r.field, r.theirs)}</td></tr>
              ))}
            </tbody>
          </table>
          <div className="dialog__actions">
            <button type="button" className="button" onClick={async () => {
              for (const f of Object.keys(conflict.edits)) clearField(f);
              setConflict(null);
              await lead.refetch();
            }}>{t('conflict.keepTheirs')}</button>
            <button type="button" className="button button--primary" onClick={async () => {
              const c = conflict;
              setConflict(null);
              for (const [f, v] of Object.entries(c.edits)) await save(f, v, Number(c.current['version']));
            }}>{t('conflict.keepMine')}</button>
          </div>
        </Dialog>
      )}
      {closing?.kind === 'won' && (
        <WonDialog lead={l} wonStageId={closing.stage.id} onClose={() => { setClosing(null); clearField('stageId'); }}
          onDone={() => { setClosing(null); clearField('stageId'); void lead.refetch(); }} />
      )}
      {closing?.kind === 'lost' && (
        <LostDialog lead={l} onClose={() => { setClosing(null); clearField('stageId'); }} onConfirm={async (reason) => {
          setLead(await api.post<Lead>(`/leads/${id}/move`, { stageId: closing.stage.id, lostReason: reason, version: l.version }));
          setClosing(null);
          clearField('stageId');
        }} />
      )}
      {cancelling && <CancelLeadDialog lead={l} onClose={() => setCancelling(false)} onDone={() => { setCancelling(false); void lead.refetch(); }} />}
      {scheduling && <ScheduleNextActionDialog lead={l} name={name} onClose={() => setScheduling(false)} />}
    </section>
  );
}
