/**
 * The measured score: a logistic regression learnt from the workspace's own closed leads (won = 1,
 * lost = 0), with features a salesperson can read ("came from a referral", "replied in the first
 * 14 days"). Trained by Newton's method (IRLS) with an L2 penalty, which converges in a handful of
 * steps for the few dozen features we use and keeps weights finite when a feature separates the
 * classes. Its quality is the AUC on a deterministic held-out part of the leads.
 */

/** Enough history to learn from: below this a model would mostly learn noise, so none is used. */
export const MIN_CLOSED_LEADS = 200;
export const MIN_PER_CLASS = 30;
/** Interactions counted in the first days of a lead: what is known early enough to act on. */
export const EARLY_DAYS = 14;
/** Share of leads held out (by a hash of the id, so the split is the same on every run). */
export const HOLDOUT_SHARE = 0.25;
/**
 * Below this AUC on the held-out leads a model ranks won and lost leads little better than a coin
 * (0.5): its probabilities would look precise and mean nothing, so it is kept for the settings page
 * but not used.
 */
export const MIN_AUC = 0.6;
/** A category (source, sector, product) needs this many closed leads to get its own weight. */
export const MIN_LEVEL_COUNT = 10;

export type ModelLead = {
  id: string;
  won: boolean;
  sourceId: string | null;
  sector: string | null;
  employees: number | null;
  productIds: string[];
  amount: number;
  /** Done interactions of each type within EARLY_DAYS of the lead's creation. */
  earlyInteractions: Partial<Record<'call' | 'email' | 'meeting' | 'visit' | 'message' | 'task', number>>;
  repliedEarly: boolean;
};

/** One input of the model. `kind` + `value` let the UI name it ("source: Referral"). */
export type Feature = { key: string; kind: 'source' | 'sector' | 'size' | 'product' | 'interactions' | 'replied' | 'amount'; value: string };
export type Coefficient = Feature & { weight: number };
export type TrainedModel = {
  intercept: number;
  coefficients: Coefficient[];
  auc: number | null;
  n: number;
  nTrain: number;
  nTest: number;
  won: number;
  lost: number;
};
export type Eligibility = { eligible: true } | { eligible: false; reason: 'too_few_closed' | 'too_few_won' | 'too_few_lost' };
export type ModelReason = Extract<Eligibility, { eligible: false }>['reason'] | 'not_predictive';

/** Whether a trained model is good enough to be used: its held-out AUC reaches MIN_AUC. */
export const isPredictive = (m: Pick<TrainedModel, 'auc'>): boolean => m.auc !== null && m.auc >= MIN_AUC;

export function eligibility(won: number, lost: number): Eligibility {
  if (won + lost < MIN_CLOSED_LEADS) return { eligible: false, reason: 'too_few_closed' };
  if (won < MIN_PER_CLASS) return { eligible: false, reason: 'too_few_won' };
  if (lost < MIN_PER_CLASS) return { eligible: false, reason: 'too_few_lost' };
  return { eligible: true };
}

/** FNV-1a of the id, as a number in [0, 1): a split that does not change between runs or engines. */
export function hashUnit(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 0x1_0000_0000;
}

export const isHeldOut = (id: string) => hashUnit(id) < HOLDOUT_SHARE;

const sizeBucket = (e: number | null) => e === null ? null : e < 10 ? '1-9' : e < 50 ? '10-49' : e < 250 ? '50-249' : '250+';
const amountBucket = (a: number) => a <= 0 ? null : a < 1000 ? '<1k' : a < 10000 ? '1k-10k' : a < 100000 ? '10k-100k' : '100k+';
const interactionKinds = ['call', 'email', 'meeting', 'visit', 'message'] as const;

/** The candidate features of one lead, as keys with their value (1 for indicators, log(1+n) for counts). */
export function rawFeatures(l: Omit<ModelLead, 'id' | 'won'>): Map<string, { f: Feature; x: number }> {
  const out = new Map<string, { f: Feature; x: number }>();
  const put = (kind: Feature['kind'], value: string, x = 1) => out.set(`${kind}:${value}`, { f: { key: `${kind}:${value}`, kind, value }, x });
  if (l.sourceId) put('source', l.sourceId);
  if (l.sector) put('sector', l.sector.trim().toLowerCase());
  const sb = sizeBucket(l.employees);
  if (sb) put('size', sb);
  for (const p of l.productIds) put('product', p);
  for (const k of interactionKinds) {
    const n = l.earlyInteractions[k] ?? 0;
    if (n > 0) put('interactions', k, Math.log1p(n));
  }
  if (l.repliedEarly) put('replied', 'yes');
  const ab = amountBucket(l.amount);
  if (ab) put('amount', ab);
  return out;
}

/** Features seen often enough among the leads (rare categories would get wild weights). */
export function featureSpace(leads: readonly ModelLead[]): Feature[] {
  const counts = new Map<string, { f: Feature; n: number }>();
  for (const l of leads) {
    for (const [k, v] of rawFeatures(l)) {
      const c = counts.get(k);
      if (c) c.n++; else counts.set(k, { f: v.f, n: 1 });
    }
  }
  return [...counts.values()].filter((c) => c.n >= MIN_LEVEL_COUNT && c.n < leads.length).map((c) => c.f)
    .sort((a, b) => a.key.localeCompare(b.key));
}

export function vectorOf(l: Omit<ModelLead, 'id' | 'won'>, space: readonly Feature[]): number[] {
  const raw = rawFeatures(l);
  return space.map((f) => raw.get(f.key)?.x ?? 0);
}

const sigmoid = (z: number) => z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));

/** Solves A x = b (A symmetric positive definite, small) by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const piv = m[c]![c]!;
    if (Math.abs(piv) < 1e-12) continue;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / piv;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => (Math.abs(row[i]!) < 1e-12 ? 0 : row[n]! / row[i]!));
}

/**
 * Fits P(y=1|x) = σ(b + w·x) minimising the log-loss plus λ/2·|w|² (the intercept is not penalised)
 * by Newton steps: each solves (XᵀWX + λI) Δ = Xᵀ(y − p) − λw. Stops when no weight moves by
 * more than 1e-8 or after `maxIter` steps.
 */
export function fitLogistic(x: readonly number[][], y: readonly number[], opts: { l2?: number; maxIter?: number } = {}): { intercept: number; weights: number[] } {
  const l2 = opts.l2 ?? 1;
  const d = (x[0]?.length ?? 0) + 1;
  const beta = new Array<number>(d).fill(0);
  const row = (i: number) => [1, ...x[i]!];
  for (let iter = 0; iter < (opts.maxIter ?? 50); iter++) {
    const h = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    const g = new Array<number>(d).fill(0);
    for (let i = 0; i < x.length; i++) {
      const r = row(i);
      let z = 0;
      for (let j = 0; j < d; j++) z += beta[j]! * r[j]!;
      const p = sigmoid(z);
      const w = p * (1 - p);
      const e = y[i]! - p;
      for (let j = 0; j < d; j++) {
        if (r[j] === 0) continue;
        g[j]! += e * r[j]!;
        for (let k = j; k < d; k++) h[j]![k]! += w * r[j]! * r[k]!;
      }
    }
    for (let j = 0; j < d; j++) for (let k = 0; k < j; k++) h[j]![k] = h[k]![j]!;
    for (let j = 1; j < d; j++) { h[j]![j]! += l2; g[j]! -= l2 * beta[j]!; }
    h[0]![0]! += 1e-9;
    const step = solve(h, g);
    let moved = 0;
    for (let j = 0; j < d; j++) { beta[j]! += step[j]!; moved = Math.max(moved, Math.abs(step[j]!)); }
    if (moved < 1e-8) break;
  }
  return { intercept: beta[0]!, weights: beta.slice(1) };
}

/**
 * Area under the ROC curve by the rank statistic (Mann–Whitney U / (n₁·n₀)), ties given half
 * credit: the chance a random won lead scores above a random lost one. Null with one class only.
 */
export function auc(scores: readonly number[], labels: readonly number[]): number | null {
  const idx = scores.map((s, i) => ({ s, y: labels[i]! })).sort((a, b) => a.s - b.s);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j < idx.length && idx[j]!.s === idx[i]!.s) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (idx[k]!.y === 1) { pos++; rankSum += avgRank; }
    i = j;
  }
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) return null;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export function predict(model: Pick<TrainedModel, 'intercept' | 'coefficients'>, l: Omit<ModelLead, 'id' | 'won'>): number {
  const raw = rawFeatures(l);
  let z = model.intercept;
  for (const c of model.coefficients) z += c.weight * (raw.get(c.key)?.x ?? 0);
  return sigmoid(z);
}

/**
 * Trains on the leads outside the held-out part and measures the AUC on the held-out part.
 * The caller checks `eligibility` first; the model is then refitted on nothing else (the stored
 * weights are the ones whose AUC is shown, so what is shown is what is used).
 */
export function trainModel(leads: readonly ModelLead[], opts: { l2?: number } = {}): TrainedModel {
  const train = leads.filter((l) => !isHeldOut(l.id));
  const test = leads.filter((l) => isHeldOut(l.id));
  const space = featureSpace(train);
  const fit = fitLogistic(train.map((l) => vectorOf(l, space)), train.map((l) => (l.won ? 1 : 0)), opts);
  const coefficients = space.map((f, i) => ({ ...f, weight: fit.weights[i]! }))
    .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  const model = { intercept: fit.intercept, coefficients };
  const won = leads.filter((l) => l.won).length;
  return {
    ...model,
    auc: auc(test.map((l) => predict(model, l)), test.map((l) => (l.won ? 1 : 0))),
    n: leads.length, nTrain: train.length, nTest: test.length, won, lost: leads.length - won,
  };
}
