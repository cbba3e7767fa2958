import { describe, expect, it } from 'vitest';
import { checkPipelineStages, defaultPipeline, defaultSources } from './pipeline.js';

const stage = (name: string, kind: 'open' | 'won' | 'lost') => ({ name, kind, probability: kind === 'won' ? 100 : kind === 'lost' ? 0 : 50 });

describe('defaultPipeline', () => {
  it('has the temperatures as open stages, then won and lost, in Spanish by default', () => {
    const p = defaultPipeline('es');
    expect(p.name).toBe('Ventas');
    expect(p.stages.map((s) => [s.name, s.kind, s.temperature])).toEqual([
      ['Frío', 'open', 'cold'], ['Templado', 'open', 'warm'], ['Caliente', 'open', 'hot'], ['Ganado', 'won', null], ['Perdido', 'lost', null],
    ]);
  });

  it('raises the probability as the lead warms up, 100 when won and 0 when lost', () => {
    const probabilities = defaultPipeline('en').stages.map((s) => s.probability);
    expect(probabilities).toEqual([10, 30, 60, 100, 0]);
  });

  it('names the stages in English for an English workspace', () => {
    expect(defaultPipeline('en').stages.map((s) => s.name)).toEqual(['Cold', 'Warm', 'Hot', 'Won', 'Lost']);
  });

  it('satisfies its own rules in both languages', () => {
    expect(checkPipelineStages(defaultPipeline('es').stages)).toEqual([]);
    expect(checkPipelineStages(defaultPipeline('en').stages)).toEqual([]);
  });
});

describe('defaultSources', () => {
  it('offers one source of each usual kind, with distinct names', () => {
    for (const locale of ['es', 'en'] as const) {
      const sources = defaultSources(locale);
      expect(new Set(sources.map((s) => s.kind)).size).toBe(sources.length);
      expect(new Set(sources.map((s) => s.name)).size).toBe(sources.length);
      expect(sources.map((s) => s.kind)).toEqual(expect.arrayContaining(['phone', 'emailing', 'social', 'website', 'fair', 'referral', 'walk_in']));
    }
    expect(defaultSources('es')[0]!.name).toBe('Prospección telefónica');
  });
});

describe('checkPipelineStages', () => {
  it('accepts one open, one won and one lost stage', () => {
    expect(checkPipelineStages([stage('A', 'open'), stage('B', 'won'), stage('C', 'lost')])).toEqual([]);
  });

  it('accepts several open and several lost stages', () => {
    expect(checkPipelineStages([stage('A', 'open'), stage('B', 'open'), stage('W', 'won'), stage('L1', 'lost'), stage('L2', 'lost')])).toEqual([]);
  });

  it('requires an open stage, so leads can be worked', () => {
    expect(checkPipelineStages([stage('W', 'won'), stage('L', 'lost')])).toEqual(['at_least_one_open_stage']);
  });

  it('requires exactly one won stage: neither none nor two', () => {
    expect(checkPipelineStages([stage('A', 'open'), stage('L', 'lost')])).toEqual(['exactly_one_won_stage']);
    expect(checkPipelineStages([stage('A', 'open'), stage('W1', 'won'), stage('W2', 'won'), stage('L', 'lost')])).toEqual(['exactly_one_won_stage']);
  });

  it('requires a lost stage', () => {
    expect(checkPipelineStages([stage('A', 'open'), stage('W', 'won')])).toEqual(['at_least_one_lost_stage']);
  });

  it('refuses two stages whose names differ only in case or surrounding spaces', () => {
    expect(checkPipelineStages([stage('Frío', 'open'), stage(' FRÍO ', 'open'), stage('W', 'won'), stage('L', 'lost')])).toEqual(['duplicate_stage_name']);
  });

  it('reports every problem at once, in a stable order', () => {
    expect(checkPipelineStages([])).toEqual(['at_least_one_open_stage', 'exactly_one_won_stage', 'at_least_one_lost_stage']);
  });
});
