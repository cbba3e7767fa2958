import { useEffect, useRef, useState } from 'react';
import { api } from '../api/client.js';
import type { components } from '../api/openapi.js';
import { fieldErrorText, useI18n } from '../i18n/i18n.js';

export type CaptureCheck = components['schemas']['CaptureCheck'];
export type DuplicateCandidate = components['schemas']['CaptureDuplicate'];
export type CaptureSuggestion = components['schemas']['CaptureSuggestion'];
export type CaptureEntryInput = components['schemas']['CaptureEntryInput'];
export type CaptureEntry = components['schemas']['CaptureEntry'];
export type CapturePolicy = components['schemas']['CapturePolicy'];

export type CheckRequest = { entity: 'contact' | 'company' | 'lead'; values: Record<string, unknown>; sourceId?: string | null };

/**
 * The policy result and likely duplicates of values being typed, asked for at most once per
 * `delay` ms of quiet; an answer for values that have changed since is dropped.
 */
export function useCaptureCheck(request: CheckRequest | null, delay = 400): { result: CaptureCheck | null; pending: boolean } {
  const [result, setResult] = useState<CaptureCheck | null>(null);
  const [pending, setPending] = useState(false);
  const key = request ? JSON.stringify(request) : '';
  const latest = useRef(key);
  useEffect(() => {
    latest.current = key;
    if (!key) { setResult(null); setPending(false); return; }
    setPending(true);
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api.post<CaptureCheck>('/capture/check', JSON.parse(key), { signal: controller.signal })
        .then((r) => { if (latest.current === key) { setResult(r); setPending(false); } })
        .catch(() => { if (latest.current === key) setPending(false); });
    }, delay);
    return () => { clearTimeout(timer); controller.abort(); };
  }, [key, delay]);
  return { result, pending };
}

/** A one-line description of an existing record, to recognise it. */
export function describeDuplicate(d: DuplicateCandidate): string {
  const r = d.record as Record<string, string | null | undefined>;
  const name = r['name'] ?? [r['firstName'], r['lastName'], r['secondLastName']].filter(Boolean).join(' ');
  return [name, r['companyName'], r['email'], r['phone'], r['city']].filter(Boolean).join(' · ');
}

/**
 * "This may already exist": each candidate with Abrir (opens it in a new tab, so nothing typed is
 * lost), Usar este (update that record instead of creating) and one Crear de todos modos.
 */
export function DuplicateWarning(props: {
  duplicates: readonly DuplicateCandidate[]; entity?: 'contact' | 'company';
  onUse: (id: string) => void; onCreateAnyway: () => void; busy?: boolean;
}) {
  const { t } = useI18n();
  const { duplicates, entity = 'contact' } = props;
  if (!duplicates.length) return null;
  return (
    <div className="alert alert--info capture-duplicates" role="status">
      <strong>{t('capture.duplicates.title')}</strong>
      <ul style={{ margin: '.4rem 0', paddingLeft: '1.1rem' }}>
        {duplicates.map((d) => (
          <li key={d.id} style={{ marginBottom: '.3rem' }}>
            <span>{describeDuplicate(d)}</span>{' '}
            <small>({t('capture.duplicates.score', { score: d.score })})</small>{' '}
            <a className="button button--small" href={`/${entity === 'contact' ? 'contacts' : 'companies'}/${d.id}`} target="_blank" rel="noreferrer">{t('capture.duplicates.open')}</a>{' '}
            <button type="button" className="button button--small" disabled={props.busy} onClick={() => props.onUse(d.id)}>{t('capture.duplicates.use')}</button>
          </li>
        ))}
      </ul>
      <button type="button" className="button button--small" disabled={props.busy} onClick={props.onCreateAnyway}>{t('capture.duplicates.createAnyway')}</button>
    </div>
  );
}

/** The surname split the policy suggests, applied with one click. */
export function SplitSuggestion({ suggestion, onApply }: { suggestion: CaptureSuggestion | undefined; onApply: (values: Record<string, string>) => void }) {
  const { t } = useI18n();
  if (!suggestion) return null;
  const v = suggestion.values;
  return (
    <p className="field__hint capture-suggestion">
      {t('capture.split.text', { first: v['lastName'] ?? '', second: v['secondLastName'] ?? '' })}{' '}
      <button type="button" className="button button--small" onClick={() => onApply(v)}>{t('capture.split.apply')}</button>
    </p>
  );
}

/** The first policy error per field of a check, as translated text. */
export function checkErrorsByField(t: ReturnType<typeof useI18n>['t'], check: CaptureCheck | null, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of check?.errors ?? []) out[`${prefix}${e.field}`] ??= fieldErrorText(t, e);
  return out;
}

/**
 * What a create form shows under its fields while the user types: the surname split to apply and
 * the likely duplicates with Abrir / Usar este / Crear de todos modos. Errors stay with the form's
 * own fields (the API answers them per field on save).
 */
export function CaptureAssist(props: {
  entity: 'contact' | 'company'; values: Record<string, unknown>; sourceId?: string | null;
  onSplit?: (values: Record<string, string>) => void; onUse: (id: string) => void; onCreateAnyway: () => void; busy?: boolean;
}) {
  const typed = Object.values(props.values).some((v) => typeof v === 'string' && v.trim() !== '');
  const { result } = useCaptureCheck(typed ? { entity: props.entity, values: props.values, sourceId: props.sourceId ?? null } : null);
  const suggestion = result?.suggestions.find((s) => s.field === 'lastName');
  return (
    <>
      {props.onSplit && <SplitSuggestion suggestion={suggestion} onApply={props.onSplit} />}
      <DuplicateWarning entity={props.entity} duplicates={result?.duplicates ?? []} busy={props.busy ?? false} onUse={props.onUse} onCreateAnyway={props.onCreateAnyway} />
    </>
  );
}
