import { groupBy, inPeriod, keyOf, ratio, round2, type MetricPeriod } from './period.js';
import type { LeadFact } from './conversion.js';
import type { SaleFact } from './sales.js';

export type ContactFact = { lifecycle: 'prospect' | 'potential' | 'client' | 'former'; status: 'active' | 'cancelled' };
export type TopClient = { clientKey: string; amount: number; count: number };
export type Portfolio = {
  /** Active contacts whose lifecycle is client / prospect, today (not tied to the period). */
  clients: number;
  prospects: number;
  buyingClients: number;
  salesCount: number;
  salesAmount: number;
  revenuePerClient: number | null;
  averageBasket: number | null;
  topClients: TopClient[];
};

export const TOP_CLIENTS = 10;

export function portfolioFromTotals(t: { clients: number; prospects: number; buyingClients: number; salesCount: number; salesAmount: number; attributedAmount: number }, topClients: TopClient[]): Portfolio {
  const amount = round2(t.salesAmount);
  return {
    clients: t.clients, prospects: t.prospects, buyingClients: t.buyingClients, salesCount: t.salesCount, salesAmount: amount,
    revenuePerClient: ratio(round2(t.attributedAmount), t.buyingClients), averageBasket: ratio(amount, t.salesCount), topClients,
  };
}

/**
 * Portfolio value: client and prospect counts, the period's revenue per buying client (sales with a
 * client ÷ distinct clients), the average basket (all sales ÷ their count) and the best clients by
 * revenue in the period (ties by key in code-point order, like SQL's C collation, so the list is stable).
 */
export function portfolio(contacts: readonly ContactFact[], sales: readonly SaleFact[], period: MetricPeriod): Portfolio {
  const active = contacts.filter((c) => c.status === 'active');
  const inside = sales.filter((s) => inPeriod(s.soldAt, period));
  const attributed = inside.filter((s) => s.clientKey !== null);
  const top = [...groupBy(attributed, (s) => s.clientKey!)]
    .map(([clientKey, ss]) => ({ clientKey, amount: round2(ss.reduce((a, s) => a + s.total, 0)), count: ss.length }))
    .sort((a, b) => b.amount - a.amount || (a.clientKey < b.clientKey ? -1 : a.clientKey > b.clientKey ? 1 : 0))
    .slice(0, TOP_CLIENTS);
  return portfolioFromTotals({
    clients: active.filter((c) => c.lifecycle === 'client').length,
    // A potential client (docs/profile.md) has not bought yet: still a prospect here.
    prospects: active.filter((c) => c.lifecycle === 'prospect' || c.lifecycle === 'potential').length,
    buyingClients: new Set(attributed.map((s) => s.clientKey)).size,
    salesCount: inside.length,
    salesAmount: inside.reduce((a, s) => a + s.total, 0),
    attributedAmount: attributed.reduce((a, s) => a + s.total, 0),
  }, top);
}

export type PipelineRow = { key: string; count: number; amount: number; weighted: number };
export type Pipeline = { total: PipelineRow; byStage: PipelineRow[]; byOwner: PipelineRow[]; byCloseMonth: PipelineRow[] };

const pipelineRow = (key: string, ls: readonly LeadFact[]): PipelineRow => ({
  key, count: ls.length,
  amount: round2(ls.reduce((a, l) => a + l.amount, 0)),
  weighted: round2(ls.reduce((a, l) => a + (l.amount * l.probability) / 100, 0)),
});

/**
 * The open pipeline as it stands now: amount and probability-weighted amount (amount × probability
 * ÷ 100) per stage, owner and expected close month (`YYYY-MM`, "none" when not set).
 */
export function pipeline(leads: readonly LeadFact[]): Pipeline {
  const open = leads.filter((l) => l.status === 'open');
  const rows = (key: (l: LeadFact) => string) => [...groupBy(open, key)].map(([k, ls]) => pipelineRow(k, ls)).sort((a, b) => a.key.localeCompare(b.key));
  return {
    total: pipelineRow('all', open),
    byStage: rows((l) => l.stageId),
    byOwner: rows((l) => keyOf(l.ownerId)),
    byCloseMonth: rows((l) => l.expectedCloseDate?.slice(0, 7) ?? 'none'),
  };
}

export type WinRate = { won: number; lost: number; winRate: number | null; averageCycleDays: number | null };

export const winRateFromCounts = (won: number, lost: number, cycleDaysSum: number): WinRate => {
  const avg = ratio(cycleDaysSum, won);
  return { won, lost, winRate: ratio(won, won + lost), averageCycleDays: avg === null ? null : Math.round(avg * 100) / 100 };
};

/**
 * Of the leads closed in the period, the share won (won ÷ (won + lost)); and the mean number of
 * days from creation to close of those won.
 */
export function winRate(leads: readonly LeadFact[], period: MetricPeriod): WinRate {
  const closed = leads.filter((l) => (l.status === 'won' || l.status === 'lost') && inPeriod(l.closedAt, period));
  const won = closed.filter((l) => l.status === 'won');
  const days = won.reduce((a, l) => a + (l.closedAt!.getTime() - l.createdAt.getTime()) / 86_400_000, 0);
  return winRateFromCounts(won.length, closed.length - won.length, days);
}
