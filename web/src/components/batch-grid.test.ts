import { describe, expect, it } from 'vitest';
import { emptyRow, isComplete, loadDraft, moveFor, nextActionAt, withTrailingRow } from './batch-grid.js';

describe('batch grid', () => {
  it('keeps exactly one empty row at the end to type into', () => {
    const typed = { ...emptyRow(), firstName: 'Ana' };
    expect(withTrailingRow([typed])).toHaveLength(2);
    const once = withTrailingRow([typed]);
    expect(withTrailingRow(once)).toBe(once);
  });

  it('takes a row as complete with a name and a phone or an email', () => {
    expect(isComplete({ ...emptyRow(), firstName: 'Ana' })).toBe(false);
    expect(isComplete({ ...emptyRow(), firstName: 'Ana', email: 'ana@x.es' })).toBe(true);
    expect(isComplete({ ...emptyRow(), phone: '600111222' })).toBe(false);
  });

  it('moves with the arrows, leaving left and right to the text until the caret reaches an edge', () => {
    const mid = { atStart: false, atEnd: false };
    const edges = { atStart: true, atEnd: true };
    expect(moveFor('ArrowDown', { row: 0, col: 2 }, mid, 3)).toEqual({ row: 1, col: 2 });
    expect(moveFor('ArrowDown', { row: 2, col: 2 }, mid, 3)).toBeNull();
    expect(moveFor('ArrowUp', { row: 0, col: 2 }, mid, 3)).toBeNull();
    expect(moveFor('ArrowLeft', { row: 1, col: 2 }, mid, 3)).toBeNull();
    expect(moveFor('ArrowLeft', { row: 1, col: 2 }, edges, 3)).toEqual({ row: 1, col: 1 });
    expect(moveFor('ArrowRight', { row: 1, col: 7 }, edges, 3)).toBeNull();
    expect(moveFor('Enter', { row: 1, col: 5 }, mid, 3)).toEqual({ row: 2, col: 0 });
    expect(moveFor('a', { row: 1, col: 5 }, mid, 3)).toBeNull();
  });

  it('restores a draft from storage and survives a damaged one', () => {
    const stored = JSON.stringify({ sourceId: 's1', rows: [{ ...emptyRow(), firstName: 'Ana' }] });
    const b = loadDraft({ getItem: () => stored }, 'u1');
    expect(b.sourceId).toBe('s1');
    expect(b.rows.map((r) => r.firstName)).toEqual(['Ana', '']);
    expect(loadDraft({ getItem: () => '{not json' }, 'u1').rows).toHaveLength(1);
  });

  it('turns the preset date and time into an instant, refusing a half-typed one', () => {
    expect(nextActionAt('2026-11-24', '10:00')).toBe(new Date('2026-11-24T10:00:00').toISOString());
    expect(nextActionAt('2026-11-24', '')).toBeNull();
  });
});
