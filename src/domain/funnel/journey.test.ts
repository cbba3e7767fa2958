import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { assertBinding, assertJourney, defaultJourney } from './journey.js';

const stages = [
  { id: 'won', name: 'Ganado', position: 4, kind: 'won' as const },
  { id: 'cold', name: 'Frío', position: 1, kind: 'open' as const },
  { id: 'lost', name: 'Perdido', position: 5, kind: 'lost' as const },
  { id: 'warm', name: 'Templado', position: 2, kind: 'open' as const },
  { id: 'hot', name: 'Caliente', position: 3, kind: 'open' as const },
];
const codeOf = (f: () => unknown) => { try { f(); } catch (e) { return (e as AppError).fields.map((x) => `${x.field}:${x.code}`); } return null; };

describe('journey', () => {
  it('starts from the open stages in order, then the sale, repeat purchase and promoter', () => {
    const j = defaultJourney(stages);
    expect(j.map((s) => [s.name, s.kind, s.stageId ?? null, s.position])).toEqual([
      ['Frío', 'stage', 'cold', 1], ['Templado', 'stage', 'warm', 2], ['Caliente', 'stage', 'hot', 3],
      ['Ganado', 'sale', null, 4], ['Recompra', 'repeat_sale', null, 5], ['Promotor (NPS 9–10)', 'promoter', null, 6],
    ]);
  });

  it('refuses a stage step without a stage or on a won or foreign stage, and an activity step counting notes', () => {
    const open = new Set(['cold', 'warm', 'hot']);
    expect(codeOf(() => assertBinding({ kind: 'stage' }, open))).toEqual(['stageId:required']);
    expect(codeOf(() => assertBinding({ kind: 'stage', stageId: 'won' }, open))).toEqual(['stageId:not_open_stage']);
    expect(codeOf(() => assertBinding({ kind: 'activity', activityType: 'note' }, open))).toEqual(['activityType:invalid_type']);
    expect(assertBinding({ kind: 'activity', activityType: 'meeting', stageId: 'cold' }, open)).toEqual({ kind: 'activity', activityType: 'meeting', stageId: null });
    expect(assertBinding({ kind: 'manual', stageId: 'cold' }, open)).toEqual({ kind: 'manual', stageId: null, activityType: null });
  });

  it('refuses counting the same stage or the sale twice but allows several manual steps', () => {
    expect(codeOf(() => assertJourney([{ kind: 'stage', stageId: 'a' }, { kind: 'stage', stageId: 'a' }]))).toEqual(['kind:duplicate_step']);
    expect(codeOf(() => assertJourney([{ kind: 'sale' }, { kind: 'sale' }]))).toEqual(['kind:duplicate_step']);
    expect(codeOf(() => assertJourney([{ kind: 'manual' }, { kind: 'manual' }, { kind: 'sale' }]))).toBeNull();
  });
});
