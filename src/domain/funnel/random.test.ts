import { describe, expect, it } from 'vitest';
import { createRng, normalQuantile, poissonQuantile, quantileSorted } from './random.js';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
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
});
