import type { Lead } from '../api/types.js';

/**
 * Inline editing of a lead: each field turns the stored value into the text of its input and back
 * into the value the API takes. Pure, so the page and the tests agree on what "changed" means.
 */
export type InlineKind = 'text' | 'integer' | 'decimal' | 'date' | 'select';

export function toInput(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value);
}

/** The API value of an input; `undefined` means the text is not valid for that kind (kept, not sent). */
export function fromInput(kind: InlineKind, text: string): unknown {
  const s = text.trim();
  switch (kind) {
    case 'text': return s === '' ? null : s;
    case 'select': return s === '' ? null : s;
    case 'date': return s === '' ? null : /^\d{4}-\d{2}-\d{2}$/.test(s) ? s : undefined;
    case 'integer': {
      if (s === '') return null;
      const n = Number(s);
      return Number.isInteger(n) ? n : undefined;
    }
    case 'decimal': {
      if (s === '') return null;
      // Accepts the Spanish comma as well as the point.
      const n = Number(s.replace(/\s/g, '').replace(',', '.'));
      return Number.isFinite(n) ? n : undefined;
    }
  }
}

/** Whether an input's text means something else than the stored value. */
export function isChanged(kind: InlineKind, stored: unknown, text: string): boolean {
  const v = fromInput(kind, text);
  if (v === undefined) return true;
  const s = stored === undefined ? null : stored;
  if (typeof s === 'number' && typeof v === 'number') return Math.abs(s - v) > 1e-9;
  return (s === null ? null : String(s)) !== (v === null ? null : String(v));
}

/** For the 409 dialog: the fields where my unsaved edits and the server's current record differ. */
export function conflictRows(mine: Record<string, unknown>, current: Partial<Lead> & Record<string, unknown>) {
  return Object.entries(mine).map(([field, value]) => {
    const theirs = field.startsWith('customFields.')
      ? (current.customFields as Record<string, unknown> | undefined)?.[field.slice('customFields.'.length)]
      : current[field];
    return { field, mine: value, theirs: theirs ?? null };
  });
}
