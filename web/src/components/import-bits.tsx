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

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/**
 * What one column of a previewed row is saved as: for a good row the value after the capture
 * policy (surnames split, phone in E.164, postal code, the date and the amount as read, so a
 * day/month mix-up or a decimal mark read wrongly shows before the import); for a rejected row, or
 * a column whose value the row does not keep, the cell as written in the file.
 */
export function previewCell(row: PreviewRow, mapping: readonly (ImportTarget | null)[], col: number, locale: string): string {
  const cell = row.cells[col] ?? '';
  const target = mapping[col];
  const v = row.values;
  if (!target || !v || cell.trim() === '') return cell;
  const lead = v['lead'] && typeof v['lead'] === 'object' ? v['lead'] as Record<string, unknown> : null;
  const has = (k: string) => k in v && v[k] !== null;
  switch (target) {
    case 'surnames':
      return [text(v['lastName']), text(v['secondLastName'])].filter(Boolean).join(' / ') || cell;
    case 'mobile': {
      // The mobile is the contact's phone only when the row has no landline.
      const phoneCol = mapping.indexOf('phone');
      return phoneCol >= 0 && (row.cells[phoneCol] ?? '').trim() !== '' ? cell : has('phone') ? text(v['phone']) : cell;
    }
    case 'birthDate': {
      const d = text(v['birthDate']);
      return /^\d{4}-\d{2}-\d{2}$/.test(d)
        ? new Intl.DateTimeFormat(locale, { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(`${d}T00:00:00Z`))
        : cell;
    }
    case 'amount':
      return lead && typeof lead['amount'] === 'number' ? new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(lead['amount']) : cell;
    case 'leadTitle':
      return lead ? text(lead['title']) || cell : cell;
    case 'source':
      return cell;
    default:
      return has(target) ? text(v[target]) : cell;
  }
}

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
