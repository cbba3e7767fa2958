import { describe, expect, it } from 'vitest';
import { defaultView, deleteView, parseSavedViews, saveView, toggleSort, viewToQuery, type SavedView } from './lead-views.js';

const memory = () => {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => { m.set(k, v); } };
};

describe('lead table views', () => {
  it('turns a view into the API query, leaving empty filters out', () => {
    expect(viewToQuery(defaultView)).toEqual({
      q: undefined, stageId: undefined, ownerId: undefined, sourceId: undefined, status: 'open', withoutNextAction: undefined, sort: 'nextActionAt',
      scoreMin: undefined, amountMin: undefined, nextActionFrom: undefined, nextActionTo: undefined,
    });
    const q = viewToQuery({ ...defaultView, filters: { ...defaultView.filters, q: '  García ', withoutNextAction: true, status: '' }, sort: { column: 'amount', descending: true } });
    expect(q).toMatchObject({ q: 'García', withoutNextAction: 'true', status: undefined, sort: '-amount' });
  });

  it('sends score and amount bounds as numbers (decimal comma accepted) and next-action days as local midnights, the last day included', () => {
    const q = viewToQuery({ ...defaultView, filters: { ...defaultView.filters, scoreMin: '60', amountMin: '1500,5', nextActionFrom: '2026-11-23', nextActionTo: '2026-11-29' } }, 'Europe/Madrid');
    expect(q).toMatchObject({ scoreMin: '60', amountMin: '1500.5', nextActionFrom: '2026-11-22T23:00:00.000Z', nextActionTo: '2026-11-29T23:00:00.000Z' });
    expect(viewToQuery({ ...defaultView, filters: { ...defaultView.filters, scoreMin: 'abc' } }).scoreMin).toBeUndefined();
  });

  it('sorts a new column ascending, flips the same one, ignores columns the API cannot sort', () => {
    const s1 = toggleSort({ column: 'nextActionAt', descending: false }, 'amount');
    expect(s1).toEqual({ column: 'amount', descending: false });
    expect(toggleSort(s1, 'amount')).toEqual({ column: 'amount', descending: true });
    expect(toggleSort(s1, 'company')).toBe(s1);
  });

  it('saves, replaces by name and deletes views in storage', () => {
    const store = memory();
    const a: SavedView = { ...defaultView, name: 'Calientes' };
    let views = saveView([], a, store);
    views = saveView(views, { ...a, sort: { column: 'score', descending: true } }, store);
    expect(views).toHaveLength(1);
    expect(parseSavedViews(store.getItem('seg.leadViews'))[0]?.sort).toEqual({ column: 'score', descending: true });
    views = deleteView(views, 'Calientes', store);
    expect(parseSavedViews(store.getItem('seg.leadViews'))).toEqual([]);
  });

  it('drops malformed saved data instead of breaking the page', () => {
    expect(parseSavedViews('not json')).toEqual([]);
    expect(parseSavedViews('{"a":1}')).toEqual([]);
    const [v] = parseSavedViews(JSON.stringify([{ name: 'x', columns: ['contact', 'bogus'], sort: { column: 'bogus' } }, { nope: 1 }]));
    expect(v).toMatchObject({ name: 'x', columns: ['contact'], sort: defaultView.sort, filters: defaultView.filters });
  });
});
