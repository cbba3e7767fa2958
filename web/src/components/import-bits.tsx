import { isMessageKey, fieldErrorText, type T } from '../i18n/i18n.js';
import type { FieldError } from '../api/client.js';

/** An import as GET /api/v1/imports/{id} answers it. */
export type ImportRecord = {
  id: string; fileName: string; fileSize: number; format: 'csv' | 'xlsx'; encoding: string | null; delimiter: string | null;
  headerRow: number; headers: string[]; mapping: (ImportTarget | null)[]; mappingRemembered?: boolean;
  upsertKey: 'email' | 'phone' | 'externalId'; createLeads: boolean;
  status: 'uploaded' | 'queued' | 'running' | 'failed' | 'done' | 'rolled_back';
  totalRows: number | null; processedRows: number; createdCount: number; updatedCount: number; unchangedCount: number;
  duplicateCount: number; rejectedCount: number; leadsCreated: number; lastError: string | null; createdAt: string; version: number;
};
export type PreviewRow = { rowNumber: number; cells: string[]; ok: boolean; errors: FieldError[]; values: Record<string, unknown> | null };
export type DryRun = { totalRows: number; validRows: number; rejectedRows: number; rejects: { rowNumber: number; original: string[]; reasons: FieldError[] }[] };

export const importTargets = [
  'firstName', 'lastName', 'secondLastName', 'surnames', 'jobTitle', 'email', 'phone', 'mobile',
  'address', 'postalCode', 'neighbourhood', 'city', 'region', 'country', 'birthDate',
  'companyName', 'source', 'amount', 'leadTitle', 'externalId',
] as const;
export type ImportTarget = (typeof importTargets)[number];

export const isActive = (status: ImportRecord['status']) => status === 'queued' || status === 'running';

/** The reason of a rejected value in the user's language: the import's own reasons first, then the shared field errors. */
export function reasonText(t: T, e: FieldError): string {
  const key = `imports.reason.${e.code}`;
  return isMessageKey(key) ? t(key) : fieldErrorText(t, e);
}

/** "Teléfono: El teléfono tiene letras." — the field named by the user's column header when it has one. */
export function reasonWithColumn(t: T, imp: Pick<ImportRecord, 'headers' | 'mapping'>, e: FieldError): string {
  const col = imp.mapping.findIndex((m) => m === e.field || (e.field === 'lastName' && m === 'surnames'));
  const name = col >= 0 ? imp.headers[col] : e.field === '(row)' ? null : (isMessageKey(`imports.target.${e.field}`) ? t(`imports.target.${e.field}` as never) : e.field);
  return name ? `${name}: ${reasonText(t, e)}` : reasonText(t, e);
}

export function ImportCounts({ imp, t }: { imp: ImportRecord; t: T }) {
  return (
    <p>
      {t('imports.counts', { created: imp.createdCount, updated: imp.updatedCount, unchanged: imp.unchangedCount, duplicates: imp.duplicateCount, rejected: imp.rejectedCount })}
      {imp.leadsCreated > 0 && <> · {t('imports.leadsCreated', { count: imp.leadsCreated })}</>}
    </p>
  );
}

/** The progress of a running import, as an accessible progress bar. */
export function ImportProgress({ imp, t }: { imp: ImportRecord; t: T }) {
  const total = imp.status === 'done' ? imp.processedRows : imp.totalRows;
  const text = total ? t('imports.progressText', { done: imp.processedRows, total }) : t('imports.progressUnknown', { done: imp.processedRows });
  return (
    <div className="import-progress">
      <label htmlFor={`progress-${imp.id}`}>{t('imports.progress')}</label>
      <progress id={`progress-${imp.id}`} max={total ?? undefined} value={total ? Math.min(imp.processedRows, total) : undefined} aria-valuetext={text} style={{ width: '100%' }} />
      <p className="muted small" aria-live="polite">{text}</p>
    </div>
  );
}
