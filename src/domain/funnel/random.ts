/**
 * Seeded sampling for the funnel's Monte Carlo. Reproducibility is the point: the same seed gives
 * the same P10 / P50 / P90, so a projection shown in a meeting can be recomputed and checked.
 * mulberry32 is small and fast and its quality is ample for a few million draws; the samplers are
 * the textbook ones (Marsaglia–Tsang gamma, Box–Muller normal), with normal approximations where
 * the exact draw would cost a loop per trial (binomial n ≥ 50, Poisson λ ≥ 30, gamma shape ≥ 30).
 */
export type Rng = {
  next: () => number;
  normal: () => number;
  gamma: (shape: number) => number;
  beta: (a: number, b: number) => number;
  binomial: (n: number, p: number) => number;
  poisson: (lambda: number) => number;
};

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  // Never 0, so log() stays finite.
  const open = () => { let u = next(); while (u === 0) u = next(); return u; };
  // Box–Muller gives two independent normals per pair of uniforms; keep the second for the next call.
  let spare = NaN;
  const normal = () => {
    if (!Number.isNaN(spare)) { const z = spare; spare = NaN; return z; }
    const r = Math.sqrt(-2 * Math.log(open()));
    const theta = 2 * Math.PI * next();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };

  const gamma = (shape: number): number => {
    if (shape < 1) return gamma(shape + 1) * Math.pow(open(), 1 / shape);
    // Large shapes (rates measured on many leads, sums of many deals): the Wilson–Hilferty cube of a
    // normal is within a fraction of a percent of the exact draw and costs one normal, not a loop.
    if (shape >= 30) { const w = 1 - 1 / (9 * shape) + normal() / (3 * Math.sqrt(shape)); return w > 0 ? shape * w * w * w : 0; }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number, v: number;
      do { x = normal(); v = 1 + c * x; } while (v <= 0);
      v = v * v * v;
      const u = open();
      if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  };
  const beta = (x: number, y: number) => { const g = gamma(x); return g / (g + gamma(y)); };

  const binomial = (n: number, p: number): number => {
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    if (n < 50) { let k = 0; for (let i = 0; i < n; i++) if (next() < p) k++; return k; }
    const mean = n * p;
    const k = Math.round(mean + Math.sqrt(mean * (1 - p)) * normal());
    return Math.min(n, Math.max(0, k));
  };
  const poisson = (lambda: number): number => {
    if (lambda <= 0) return 0;
    if (lambda < 30) {
      const l = Math.exp(-lambda);
      let k = 0, prod = next();
      while (prod > l) { k++; prod *= next(); }
      return k;
    }
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal()));
  };
  return { next, normal, gamma, beta, binomial, poisson };
}

/** The q-quantile (0…1) of sorted values, by linear interpolation (like SQL percentile_cont). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** P10 / P50 / P90 and mean of a sample; `null`s throughout for an empty one. */
export type Range = { p10: number; p50: number; p90: number; mean: number };

export function rangeOf(values: Float64Array): Range {
  const s = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of s) sum += v;
  return { p10: quantileSorted(s, 0.1), p50: quantileSorted(s, 0.5), p90: quantileSorted(s, 0.9), mean: sum / s.length };
}

/**
 * Poisson quantile: the smallest k with P(X ≤ k) ≥ q. Used for the weekly plan's P10–P90 of a count
 * whose expected value is `lambda`.
 */
export function poissonQuantile(lambda: number, q: number): number {
  if (!(lambda > 0)) return 0;
  if (lambda > 500) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normalQuantile(q)));
  let k = 0;
  let p = Math.exp(-lambda);
  let cdf = p;
  while (cdf < q) { k++; p *= lambda / k; cdf += p; }
  return k;
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lowP = 0.02425;
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p < lowP) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lowP) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}
