import { describe, expect, it } from 'vitest';
import { createRng, normalQuantile, poissonQuantile, quantileSorted, rangeOf } from './random.js';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]) => { const m = mean(xs); return mean(xs.map((x) => (x - m) ** 2)); };
const draw = (n: number, f: () => number) => Array.from({ length: n }, f);

describe('seeded sampling', () => {
  it('repeats the same sequence for the same seed and a different one for another seed', () => {
    const a = createRng(42), b = createRng(42), c = createRng(43);
    const xs = draw(5, a.next), ys = draw(5, b.next), zs = draw(5, c.next);
    expect(xs).toEqual(ys);
    expect(xs).not.toEqual(zs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('draws gamma and beta variates with the right means, small shapes included', () => {
    const r = createRng(7);
    expect(mean(draw(20_000, () => r.gamma(3)))).toBeCloseTo(3, 1);
    expect(mean(draw(20_000, () => r.gamma(0.5)))).toBeCloseTo(0.5, 1);
    expect(mean(draw(20_000, () => r.beta(2, 6)))).toBeCloseTo(0.25, 2);
    // Above the approximation threshold: mean and variance both equal the shape.
    const big = draw(20_000, () => r.gamma(200));
    expect(mean(big) / 200).toBeCloseTo(1, 2);
    expect(mean(big.map((x) => (x - 200) ** 2)) / 200).toBeCloseTo(1, 1);
  });

  it('draws binomial and Poisson counts with the right means, below and above the approximation threshold', () => {
    const r = createRng(9);
    expect(mean(draw(20_000, () => r.binomial(10, 0.3)))).toBeCloseTo(3, 1);
    expect(mean(draw(20_000, () => r.binomial(1000, 0.3)))).toBeCloseTo(300, 0);
    expect(mean(draw(20_000, () => r.poisson(4)))).toBeCloseTo(4, 1);
    expect(mean(draw(20_000, () => r.poisson(200)))).toBeCloseTo(200, 0);
    expect(r.binomial(0, 0.5)).toBe(0);
    expect(r.poisson(0)).toBe(0);
  });

  it('gives quantiles like percentile_cont and the Poisson and normal quantiles of known values', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(poissonQuantile(10, 0.1)).toBe(6);
    expect(poissonQuantile(10, 0.9)).toBe(14);
    expect(poissonQuantile(0, 0.9)).toBe(0);
  });

  it('draws normals with the standard normal\'s spread and tails (the ziggurat\'s layers and its tail)', () => {
    const r = createRng(5);
    const xs = draw(100_000, r.normal);
    expect(mean(xs)).toBeCloseTo(0, 1);
    expect(variance(xs)).toBeCloseTo(1, 1);
    // P(|z| > 1.2816) = 20 %, P(|z| > 3.4426, the base layer's tail) = 0.058 %.
    expect(xs.filter((x) => Math.abs(x) > 1.2816).length / xs.length).toBeCloseTo(0.2, 2);
    const tail = xs.filter((x) => Math.abs(x) > 3.4426).length;
    expect(tail).toBeGreaterThan(20);
    expect(tail).toBeLessThan(100);
  });

  it('draws exact small-mean counts by inversion, with the binomial\'s and the Poisson\'s variance', () => {
    const r = createRng(13);
    // Many trials, small mean: inverted, not approximated by a normal.
    const few = draw(40_000, () => r.binomial(1000, 0.004));
    expect(mean(few)).toBeCloseTo(4, 1);
    expect(variance(few)).toBeCloseTo(4 * 0.996, 0);
    expect(few.filter((k) => k === 0).length / few.length).toBeCloseTo(0.996 ** 1000, 2);
    // p above ½ by symmetry.
    const most = draw(40_000, () => r.binomial(40, 0.8));
    expect(mean(most)).toBeCloseTo(32, 1);
    expect(variance(most)).toBeCloseTo(6.4, 0);
    const pois = draw(40_000, () => r.poisson(6));
    expect(variance(pois)).toBeCloseTo(6, 0);
    expect(pois.filter((k) => k === 0).length / pois.length).toBeCloseTo(Math.exp(-6), 2);
  });

  it('gives a sample\'s range by selection exactly as sorting it would, leaving the sample as it was', () => {
    const r = createRng(21);
    for (const n of [1, 2, 3, 10, 101, 5000]) {
      // Many ties, as counts of sales have.
      const values = Float64Array.from(draw(n, () => Math.floor(r.next() * 20)));
      const before = Float64Array.from(values);
      const sorted = Float64Array.from(values).sort();
      const range = rangeOf(values, new Float64Array(8));
      expect(range).toEqual({ p10: quantileSorted(sorted, 0.1), p50: quantileSorted(sorted, 0.5), p90: quantileSorted(sorted, 0.9), mean: expect.closeTo(mean([...values]), 9) });
      expect(values).toEqual(before);
      expect(rangeOf(values, new Float64Array(n + 5))).toEqual(range);
    }
  });
});
