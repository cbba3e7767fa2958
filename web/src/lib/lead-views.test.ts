import { describe, expect, it } from 'vitest';
import { defaultView, legacyViews, parseViewDefinition, toggleSort, viewFromSearch, viewToQuery, viewToSearch, type LeadView } from './lead-views.js';

const withFilters = (f: Partial<LeadView['filters']>, rest: Partial<LeadView> = {}): LeadView => ({ ...defaultView, ...rest, filters: { ...defaultView.filters, ...f } });

describe('lead table views', () => {
  it('turns a view into the API query, leaving empty filters out', () => {
    const q = viewToQuery(defaultView);
    expect(Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined))).toEqual({ status: 'open', sort: 'nextActionAt' });
    expect(viewToQuery(withFilters({ q: '  García ', withoutNextAction: true, status: '' }, { sort: { column: 'amount', descending: true } })))
      .toMatchObject({ q: 'García', withoutNextAction: 'true', status: undefined, sort: '-amount' });
  });

  it('sends numeric bounds as numbers (decimal comma accepted) and day ranges as local midnights, the last day included', () => {
    const q = viewToQuery(withFilters({
      scoreMin: '60', amountMin: '1500,5', probabilityMin: '40', nextActionFrom: '2026-11-23', nextActionTo: '2026-11-29',
      lastActivityFrom: '2026-11-01', lastActivityTo: '2026-11-01', withoutActivity: true,
    }), 'Europe/Madrid');
    expect(q).toMatchObject({
      scoreMin: '60', amountMin: '1500.5', probabilityMin: '40', nextActionFrom: '2026-11-22T23:00:00.000Z', nextActionTo: '2026-11-29T23:00:00.000Z',
      lastActivityFrom: '2026-10-31T23:00:00.000Z', lastActivityTo: '2026-11-01T23:00:00.000Z', withoutActivity: 'true',
    });
    expect(viewToQuery(withFilters({ scoreMin: 'abc' })).scoreMin).toBeUndefined();
  });

  it('sorts by the names the board shows with the API sort names', () => {
    expect(viewToQuery({ ...defaultView, sort: { column: 'contact', descending: false } }).sort).toBe('contactName');
    expect(viewToQuery({ ...defaultView, sort: { column: 'stage', descending: true } }).sort).toBe('-stage');
    expect(viewToQuery({ ...defaultView, sort: { column: 'owner', descending: false } }).sort).toBe('ownerName');
  });

  it('sorts a new column ascending and flips the same one', () => {
    const s1 = toggleSort({ column: 'nextActionAt', descending: false }, 'company');
    expect(s1).toEqual({ column: 'company', descending: false });
    expect(toggleSort(s1, 'company')).toEqual({ column: 'company', descending: true });
  });

  it('round-trips a view through the URL, keeping links short and ignoring junk', () => {
    const v = withFilters({ stageId: 's1', createdFrom: '2026-11-01', createdTo: '2026-11-30', withoutActivity: true, status: 'won' },
      { sort: { column: 'company', descending: true }, columns: ['contact', 'amount'] });
    const search = viewToSearch(v);
    expect(viewFromSearch(new URLSearchParams(search.toString()))).toEqual(v);
    expect(viewToSearch(defaultView).toString()).toBe('');
    const junk = viewFromSearch(new URLSearchParams('sort=-bogus&createdFrom=yesterday&columns=bogus&withoutNextAction=yes'));
    expect(junk).toEqual(defaultView);
  });

  it('reads stored definitions defensively, and moves old browser-kept views by name', () => {
    expect(parseViewDefinition('nope')).toEqual(defaultView);
    const v = parseViewDefinition({ columns: ['contact', 'bogus'], sort: { column: 'bogus' }, filters: { scoreMin: 50, stageId: 's1' } });
    expect(v).toMatchObject({ columns: ['contact'], sort: defaultView.sort });
    expect(v.filters.scoreMin).toBe(''); // a number where text belongs is dropped, not trusted
    expect(v.filters.stageId).toBe('s1');
    expect(legacyViews('not json')).toEqual([]);
    expect(legacyViews(JSON.stringify([{ name: 'Calientes', sort: { column: 'score', descending: true } }, { nope: 1 }])))
      .toEqual([{ ...defaultView, sort: { column: 'score', descending: true }, name: 'Calientes' }]);
  });
});
