// Pure state of the batch-entry grid: rows, the draft kept in localStorage, and keyboard moves.

export const batchColumns = ['firstName', 'lastName', 'company', 'phone', 'email', 'postalCode', 'productId', 'note'] as const;
export type BatchColumn = (typeof batchColumns)[number];

export type BatchRow = Record<BatchColumn, string> & {
  key: string;
  /** Set when the user applied the surname split suggestion. */
  secondLastName: string;
  /** "Usar este": the existing contact to update instead of creating; 'new' after "Crear de todos modos". */
  decision: string | null;
  saved: { contactId: string; leadId: string } | null;
};

export type Batch = {
  sourceId: string; campaignId: string; nextActionType: string; nextActionDate: string; nextActionTime: string;
  rows: BatchRow[];
};

let counter = 0;
export const emptyRow = (): BatchRow => ({
  key: `${Date.now().toString(36)}-${(counter++).toString(36)}`,
  firstName: '', lastName: '', secondLastName: '', company: '', phone: '', email: '', postalCode: '', productId: '', note: '',
  decision: null, saved: null,
});

export const hasContent = (r: BatchRow) => batchColumns.some((c) => r[c].trim() !== '');

/** A row worth sending: a name and a way to reach the person. */
export const isComplete = (r: BatchRow) => r.firstName.trim() !== '' && (r.phone.trim() !== '' || r.email.trim() !== '');

/** Always one empty row at the end to type into. */
export function withTrailingRow(rows: BatchRow[]): BatchRow[] {
  const last = rows[rows.length - 1];
  return !last || hasContent(last) || last.saved ? [...rows, emptyRow()] : rows;
}

const tomorrow = () => {
  const d = new Date(Date.now() + 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

export const newBatch = (): Batch => ({ sourceId: '', campaignId: '', nextActionType: 'call', nextActionDate: tomorrow(), nextActionTime: '10:00', rows: [emptyRow()] });

export const draftKey = (userId: string) => `seguimiento.batch-entry.${userId}`;

/** The draft saved in this browser, or a new batch; a damaged draft is not worth an error. */
export function loadDraft(storage: Pick<Storage, 'getItem'>, userId: string): Batch {
  try {
    const raw = storage.getItem(draftKey(userId));
    if (!raw) return newBatch();
    const b = JSON.parse(raw) as Batch;
    if (!Array.isArray(b.rows)) return newBatch();
    return { ...newBatch(), ...b, rows: withTrailingRow(b.rows.map((r) => ({ ...emptyRow(), ...r }))) };
  } catch {
    return newBatch();
  }
}

/** Where a key press moves the focus in the grid, or null to let the input handle it. */
export function moveFor(key: string, at: { row: number; col: number }, caret: { atStart: boolean; atEnd: boolean }, rows: number): { row: number; col: number } | null {
  const cols = batchColumns.length;
  switch (key) {
    case 'ArrowUp': return at.row > 0 ? { row: at.row - 1, col: at.col } : null;
    case 'ArrowDown': return at.row < rows - 1 ? { row: at.row + 1, col: at.col } : null;
    case 'ArrowLeft': return caret.atStart && at.col > 0 ? { row: at.row, col: at.col - 1 } : null;
    case 'ArrowRight': return caret.atEnd && at.col < cols - 1 ? { row: at.row, col: at.col + 1 } : null;
    case 'Enter': return { row: at.row + 1, col: 0 };
    default: return null;
  }
}

/** The ISO instant of a local date and time (the browser's zone is the user's). */
export function nextActionAt(date: string, time: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}$/.test(time)) return null;
  const d = new Date(`${date}T${time}:00`);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
