/**
 * Seeded sampling for the funnel's Monte Carlo. Reproducibility is the point: the same seed gives
 * the same P10 / P50 / P90, so a projection shown in a meeting can be recomputed and checked.
 * mulberry32 is small and fast and its quality is ample for a few million draws; the samplers are
 * the textbook ones (Marsaglia–Tsang gamma and ziggurat normal, inversion for binomial and
 * Poisson counts of small mean), with normal approximations where the exact draw would cost a loop
 * per unit of the mean (binomial and Poisson means ≥ 15 and ≥ 30, gamma shape ≥ 30).
 * A projection makes a few hundred draws per run, 10 000 runs: each sampler costs one or two
 * uniforms and at most one logarithm in its usual case (docs/benchmarks.md, the funnel's speed).
 */
export type Rng = {
  next: () => number;
  normal: () => number;
  gamma: (shape: number) => number;
  beta: (a: number, b: number) => number;
  binomial: (n: number, p: number) => number;
  poisson: (lambda: number) => number;
};

// Ziggurat tables for the standard normal (Marsaglia & Tsang 2000, 128 layers): in 98 % of draws a
// normal costs one 32-bit integer, a comparison and a multiplication.
const ZIG_R = 3.442619855899;
const zigK = new Uint32Array(128);
const zigW = new Float64Array(128);
const zigF = new Float64Array(128);
{
  const m1 = 2147483648, vn = 9.91256303526217e-3;
  let dn = ZIG_R, tn = dn;
  const q = vn / Math.exp(-0.5 * dn * dn);
  zigK[0] = Math.floor((dn / q) * m1); zigK[1] = 0;
  zigW[0] = q / m1; zigW[127] = dn / m1;
  zigF[0] = 1; zigF[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    zigK[i + 1] = Math.floor((dn / tn) * m1);
    tn = dn;
    zigF[i] = Math.exp(-0.5 * dn * dn);
    zigW[i] = dn / m1;
  }
}

export function createRng(seed: number): Rng {
  // State in a typed array: a closure variable above 2^30 would be a heap number, one allocation per draw.
  const state = new Uint32Array([seed >>> 0]);
  const int32 = () => {
    const a = (state[0] = (state[0]! + 0x6d2b79f5) >>> 0);
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) | 0;
  };
  const next = () => (int32() >>> 0) / 4294967296;
  // Never 0, so log() stays finite.
  const open = () => { let u = next(); while (u === 0) u = next(); return u; };
  const normal = (): number => {
    let hz = int32();
    let iz = hz & 127;
    if (Math.abs(hz) < zigK[iz]!) return hz * zigW[iz]!;
    for (;;) {
      // The base layer's tail beyond R, by Marsaglia's exponential method.
      if (iz === 0) {
        let x: number, y: number;
        do { x = -Math.log(open()) / ZIG_R; y = -Math.log(open()); } while (y + y < x * x);
        return hz > 0 ? ZIG_R + x : -ZIG_R - x;
      }
      const x = hz * zigW[iz]!;
      if (zigF[iz]! + next() * (zigF[iz - 1]! - zigF[iz]!) < Math.exp(-0.5 * x * x)) return x;
      hz = int32();
      iz = hz & 127;
      if (Math.abs(hz) < zigK[iz]!) return hz * zigW[iz]!;
    }
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

  // Inversion: one uniform walked down the probabilities from k = 0, about mean + 1 steps.
  const binomial = (n: number, p: number): number => {
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    if (p > 0.5) return n - binomial(n, 1 - p);
    const mean = n * p;
    if (n < 50 || mean < 15) {
      const odds = p / (1 - p);
      let pk = Math.exp(n * Math.log1p(-p));
      let u = next(), k = 0;
      while (u > pk && k < n) { u -= pk; pk *= (odds * (n - k)) / (k + 1); k++; }
      return k;
    }
    const k = Math.round(mean + Math.sqrt(mean * (1 - p)) * normal());
    return Math.min(n, Math.max(0, k));
  };
  const poisson = (lambda: number): number => {
    if (lambda <= 0) return 0;
    if (lambda < 30) {
      let pk = Math.exp(-lambda);
      let u = next(), k = 0;
      // The guard stops a walk that rounding left short of u (the tail beyond 200 is below 1e-100).
      while (u > pk && k < 200) { u -= pk; k++; pk *= lambda / k; }
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

/**
 * The range of a sample without sorting it: three selections (quickselect) in `scratch` (reused
 * between calls; a new array when absent or short), the same values as sorting and
 * quantileSorted. `values` is left as it is.
 */
export function rangeOf(values: Float64Array, scratch?: Float64Array): Range {
  const n = values.length;
  const s = scratch && scratch.length >= n ? scratch.subarray(0, n) : new Float64Array(n);
  s.set(values);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  return { p10: selectQuantile(s, 0.1), p50: selectQuantile(s, 0.5), p90: selectQuantile(s, 0.9), mean: sum / n };
}

/** The q-quantile like quantileSorted, partially reordering `a` (Hoare's selection, as in Wirth). */
function selectQuantile(a: Float64Array, q: number): number {
  const n = a.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const k = Math.floor(pos);
  let l = 0, r = n - 1;
  while (l < r) {
    const x = a[k]!;
    let i = l, j = r;
    do {
      while (a[i]! < x) i++;
      while (x < a[j]!) j--;
      if (i <= j) { const t = a[i]!; a[i] = a[j]!; a[j] = t; i++; j--; }
    } while (i <= j);
    if (j < k) l = i;
    if (k < i) r = j;
  }
  const lo = a[k]!;
  if (pos === k || k + 1 >= n) return lo;
  // Everything after k is at least a[k]: the next order statistic is their minimum.
  let hi = Infinity;
  for (let i = k + 1; i < n; i++) if (a[i]! < hi) hi = a[i]!;
  return lo + (hi - lo) * (pos - k);
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
