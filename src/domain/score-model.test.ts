import { describe, expect, it } from 'vitest';
import { createRng } from './funnel/random.js';
import { auc, eligibility, fitLogistic, hashUnit, isPredictive, MIN_AUC, predict, trainModel, type ModelLead } from './score-model.js';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Synthetic closed leads with a known truth: logit P(won) = −1 + 1.5·[source A] + 1.0·[replied]
 * − 0.8·[sector banca]; everything else is noise (a product that does not matter).
 */
function synthetic(n: number, seed: number): { leads: ModelLead[]; truth: Map<string, number> } {
  const rng = createRng(seed);
  const leads: ModelLead[] = [];
  const truth = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const fromA = rng.next() < 0.5;
    const replied = rng.next() < 0.4;
    const banca = rng.next() < 0.3;
    const p = sigmoid(-1 + 1.5 * (fromA ? 1 : 0) + 1.0 * (replied ? 1 : 0) - 0.8 * (banca ? 1 : 0));
    const id = `lead-${seed}-${i}`;
    truth.set(id, p);
    leads.push({
      id, won: rng.next() < p, sourceId: fromA ? 'A' : null, sector: banca ? 'Banca' : null, employees: null,
      productIds: rng.next() < 0.5 ? ['noise'] : [], amount: 0, earlyInteractions: {}, repliedEarly: replied,
    });
  }
  return { leads, truth };
}

describe('auc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one and 0.5 when every score ties', () => {
    expect(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    expect(auc([0.5, 0.5], [1, 1])).toBeNull();
  });

  it('equals the share of (won, lost) pairs ordered right, ties counting half', () => {
    const rng = createRng(7);
    const s = Array.from({ length: 60 }, () => Math.round(rng.next() * 10) / 10);
    const y = s.map(() => (rng.next() < 0.5 ? 1 : 0));
    let good = 0;
    let pairs = 0;
    for (let i = 0; i < s.length; i++) for (let j = 0; j < s.length; j++) {
      if (y[i] === 1 && y[j] === 0) { pairs++; good += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0; }
    }
    expect(auc(s, y)).toBeCloseTo(good / pairs, 12);
  });
});

describe('fitLogistic', () => {
  it('recovers the weights of a known logistic relationship', () => {
    const rng = createRng(3);
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const a = rng.normal();
      const b = rng.next() < 0.5 ? 1 : 0;
      x.push([a, b]);
      y.push(rng.next() < sigmoid(0.5 + 2 * a - 1 * b) ? 1 : 0);
    }
    const fit = fitLogistic(x, y, { l2: 0.01 });
    expect(fit.intercept).toBeCloseTo(0.5, 0);
    expect(fit.weights[0]).toBeGreaterThan(1.7);
    expect(fit.weights[0]).toBeLessThan(2.3);
    expect(fit.weights[1]).toBeGreaterThan(-1.3);
    expect(fit.weights[1]).toBeLessThan(-0.7);
  });

  it('keeps weights finite when a feature separates the classes perfectly (the L2 penalty)', () => {
    const fit = fitLogistic([[1], [1], [0], [0]], [1, 1, 0, 0], { l2: 1 });
    expect(Number.isFinite(fit.weights[0])).toBe(true);
    expect(fit.weights[0]).toBeGreaterThan(0);
  });
});

describe('trainModel', () => {
  const { leads, truth } = synthetic(3000, 11);
  const model = trainModel(leads);
  const weight = (key: string) => model.coefficients.find((c) => c.key === key)?.weight ?? NaN;

  it('finds what raises and what lowers the chance, with about the right size', () => {
    expect(weight('source:A')).toBeGreaterThan(1.1);
    expect(weight('source:A')).toBeLessThan(1.9);
    expect(weight('replied:yes')).toBeGreaterThan(0.6);
    expect(weight('replied:yes')).toBeLessThan(1.4);
    expect(weight('sector:banca')).toBeLessThan(-0.4);
    expect(Math.abs(weight('product:noise'))).toBeLessThan(0.3);
  });

  it('measures an AUC on the held-out leads close to what the true probabilities achieve', () => {
    const test = leads.filter((l) => hashUnit(l.id) < 0.25);
    const oracle = auc(test.map((l) => truth.get(l.id)!), test.map((l) => (l.won ? 1 : 0)))!;
    expect(model.nTest).toBe(test.length);
    expect(model.nTest + model.nTrain).toBe(3000);
    expect(model.auc).not.toBeNull();
    expect(Math.abs(model.auc! - oracle)).toBeLessThan(0.03);
    expect(model.auc!).toBeGreaterThan(0.65);
  });

  it('splits the same way on every run and predicts a probability', () => {
    expect(trainModel(leads).auc).toBe(model.auc);
    const p = predict(model, { sourceId: 'A', sector: null, employees: null, productIds: [], amount: 0, earlyInteractions: {}, repliedEarly: true });
    expect(p).toBeGreaterThan(0.75);
    expect(p).toBeLessThan(1);
  });
});

describe('eligibility', () => {
  it('needs 200 closed leads with at least 30 won and 30 lost', () => {
    expect(eligibility(100, 99)).toEqual({ eligible: false, reason: 'too_few_closed' });
    expect(eligibility(29, 300)).toEqual({ eligible: false, reason: 'too_few_won' });
    expect(eligibility(300, 29)).toEqual({ eligible: false, reason: 'too_few_lost' });
    expect(eligibility(30, 170)).toEqual({ eligible: true });
  });
});

describe('isPredictive', () => {
  it('uses a model only when its held-out AUC reaches the floor', () => {
    expect(MIN_AUC).toBe(0.6);
    expect(isPredictive({ auc: 0.6 })).toBe(true);
    expect(isPredictive({ auc: 0.59 })).toBe(false);
    expect(isPredictive({ auc: 0.46 })).toBe(false);
    expect(isPredictive({ auc: null })).toBe(false);
  });
});
