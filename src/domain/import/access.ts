import type { Actor } from '../access.js';
import { AppError, forbidden, type FieldError } from '../errors.js';
import { sensitiveContactFields } from '../profile.js';
import { compactHeader, targetOfHeader } from './mapping.js';

/** An import is its uploader's work: they and admins see it; others do not (403). */
export function canSeeImport(actor: Pick<Actor, 'role' | 'userId'>, createdBy: string | null): void {
  if (actor.role !== 'admin' && createdBy !== actor.userId) throw forbidden('This import belongs to someone else.');
}

/** An import can be undone once it has stopped (done, or failed part way), by whoever may see it. */
export function canUndoImport(actor: Pick<Actor, 'role' | 'userId'>, createdBy: string | null, status: string): void {
  canSeeImport(actor, createdBy);
  if (status !== 'done' && status !== 'failed') throw new AppError('conflict', `An import that is ${status} cannot be rolled back.`);
}

// Headers of the sensitive profile fields that are not import targets (marital status, occupation),
// compacted as compactHeader does: a spreadsheet carries them whether or not the import writes them.
const sensitiveHeaders = new Set([
  'estadocivil', 'maritalstatus', 'ocupacion', 'profesion', 'oficio', 'occupation', 'profession',
]);

/**
 * The columns of a file a role that may not see sensitive fields must not see either
 * (docs/profile.md): those mapped to a sensitive field, those whose header names one (birth date,
 * marital status, occupation, in Spanish or English), and those named like a contact custom field
 * flagged sensitive (its key or its label). Answers column indexes.
 */
export function sensitiveColumns(
  headers: readonly string[], mapping: readonly (string | null)[], sensitiveCustom: readonly { key: string; label: string }[],
): Set<number> {
  const custom = new Set(sensitiveCustom.flatMap((f) => [compactHeader(f.key), compactHeader(f.label)]));
  const isSensitiveTarget = (t: string | null) => t !== null && (sensitiveContactFields as readonly string[]).includes(t);
  const hidden = new Set<number>();
  headers.forEach((h, i) => {
    const c = compactHeader(h);
    if (isSensitiveTarget(mapping[i] ?? null) || isSensitiveTarget(targetOfHeader(h)) || sensitiveHeaders.has(c) || custom.has(c)) hidden.add(i);
  });
  return hidden;
}

/**
 * A file row as such a role may see it: the hidden columns' cells emptied (positions kept, so the
 * cells still line up with the headers) and the problems found in sensitive fields stated without
 * the value (a date error quotes the date it could not read).
 */
export function redactRow<R extends { cells: readonly string[]; errors: readonly FieldError[] }>(
  row: R, hidden: ReadonlySet<number>, hiddenFields: readonly string[],
): R {
  if (!hidden.size && !hiddenFields.length) return row;
  return {
    ...row,
    cells: row.cells.map((c, i) => (hidden.has(i) ? '' : c)),
    errors: row.errors.map((e) => (hiddenFields.includes(e.field) ? { ...e, message: `The value of ${e.field} is not valid (hidden: your role may not see it).` } : e)),
  };
}
