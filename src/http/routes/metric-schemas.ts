import { z } from '@hono/zod-openapi';
import type { CountByUser, InteractionRow } from '../../domain/metrics/activity.js';
import type { ConversionRow, StageStep } from '../../domain/metrics/conversion.js';
import type { Cpl, CplRow } from '../../domain/metrics/cpl.js';
import { periodUnits } from '../../domain/metrics/period.js';
import type { Pipeline, PipelineRow, Portfolio, WinRate } from '../../domain/metrics/portfolio.js';
import type { FrequencyRow, SalesByClientType } from '../../domain/metrics/sales.js';
import type { Complaints, Nps } from '../../domain/metrics/satisfaction.js';
import type { WeeklyBySourceRow, WeeklyRow } from '../../domain/metrics/weekly.js';
import type { InteractionsSummary } from '../../db/queries/metrics/activity.js';
import type { dashboardCards, metricQueries, MetricName } from '../../db/queries/metrics/dashboard.js';
import { Uuid } from '../schemas.js';

/*
 * The shapes of every metric and dashboard card (definitions in docs/metrics.md). Each schema
 * `satisfies` the type the domain or query computes, so the two cannot drift apart at compile time;
 * test/metrics.test.ts parses real answers with them, so neither can the JSON. Strict objects: a field
 * the code adds without documenting it fails that test.
 */

const count = z.number().int().nonnegative();
const amount = z.number();
/** A ratio, rate or mean whose denominator may be zero: null, shown as "—". */
const ratio = z.number().nullable();
const week = z.string().openapi({ description: 'Local ISO week, as the day of its Monday (YYYY-MM-DD)', example: '2026-11-16' });
const sourceKey = z.string().openapi({ description: 'Source id, or "none"' });
const userKey = z.string().openapi({ description: 'User id, or "none"' });

export const ConversionRowOut = z.strictObject({ key: z.string(), created: count, won: count, rate: ratio })
  .openapi('ConversionRow', { description: 'Leads created in the period and those of them won; key: "total", a source or owner id ("none"), or a period bucket' }) satisfies z.ZodType<ConversionRow>;
const ConversionOut = z.strictObject({ total: ConversionRowOut, bySource: z.array(ConversionRowOut), byOwner: z.array(ConversionRowOut), byPeriod: z.array(ConversionRowOut) })
  .openapi('Conversion');
const StageStepOut = z.strictObject({ stageId: Uuid, name: z.string(), position: z.number().int(), reached: count, rate: ratio })
  .openapi('StageStep') satisfies z.ZodType<StageStep>;
const StageConversionOut = z.strictObject({ pipelineId: Uuid.nullable(), steps: z.array(StageStepOut) }).openapi('StageConversion');
const CplRowOut = z.strictObject({ key: z.string(), cost: amount, leads: count, won: count, cpl: ratio, costPerWon: ratio })
  .openapi('CplRow') satisfies z.ZodType<CplRow>;
const CplOut = z.strictObject({ total: CplRowOut, bySource: z.array(CplRowOut), byCampaign: z.array(CplRowOut) }).openapi('CostPerLead') satisfies z.ZodType<Cpl>;
const ClientTypeSplitOut = z.strictObject({ clients: count, count, amount });
const SalesByClientTypeOut = z.strictObject({
  newClients: ClientTypeSplitOut, existingClients: ClientTypeSplitOut, unattributed: z.strictObject({ count, amount }), newAmountShare: ratio,
}).openapi('SalesByClientType') satisfies z.ZodType<SalesByClientType>;
const FrequencyRowOut = z.strictObject({ bucket: z.string(), orders: count, clients: count, amount, frequency: ratio, intensity: ratio })
  .openapi('FrequencyRow') satisfies z.ZodType<FrequencyRow>;
const NpsOut = z.strictObject({
  answers: count, promoters: count, passives: count, detractors: count, nps: ratio, satisfactionAnswers: count, averageSatisfaction: ratio,
}).openapi('Nps') satisfies z.ZodType<Nps>;
const ComplaintsOut = z.strictObject({
  total: count, open: count, resolved: count, medianHoursToResolve: ratio,
  byCategory: z.array(z.strictObject({ category: z.string(), total: count, open: count, resolved: count })),
}).openapi('Complaints') satisfies z.ZodType<Complaints>;
const PortfolioOut = z.strictObject({
  clients: count, prospects: count, buyingClients: count, salesCount: count, salesAmount: amount, revenuePerClient: ratio, averageBasket: ratio,
  topClients: z.array(z.strictObject({
    clientKey: z.string().openapi({ description: '"contact:<id>" or "company:<id>"' }), name: z.string().nullable().openapi({ description: 'The contact\'s or company\'s name' }), amount, count,
  })),
}).openapi('PortfolioValue', { description: 'Portfolio value: clients, prospects, revenue, average basket, best clients' }) satisfies z.ZodType<Portfolio>; // name is extra to the domain's row: the query adds it
const PipelineRowOut = z.strictObject({ key: z.string(), count, amount, weighted: amount }).openapi('PipelineRow') satisfies z.ZodType<PipelineRow>;
const PipelineOut = z.strictObject({ total: PipelineRowOut, byStage: z.array(PipelineRowOut), byOwner: z.array(PipelineRowOut), byCloseMonth: z.array(PipelineRowOut) })
  .openapi('PipelineValue', { description: 'Open pipeline amount and probability-weighted amount, per stage, owner and expected close month' }) satisfies z.ZodType<Pipeline>;
const WinRateOut = z.strictObject({ won: count, lost: count, winRate: ratio, averageCycleDays: ratio }).openapi('WinRate') satisfies z.ZodType<WinRate>;
const CountByUserOut = z.strictObject({ userId: userKey, count }) satisfies z.ZodType<CountByUser>;
const InteractionRowOut = z.strictObject({ userId: userKey, type: z.string(), week, count }).openapi('InteractionRow') satisfies z.ZodType<InteractionRow>;
const InteractionsSummaryOut = z.strictObject({
  total: count, byUser: z.array(CountByUserOut), byType: z.array(z.strictObject({ type: z.string(), count })),
  byWeek: z.array(z.strictObject({ week, userId: userKey, count })),
}).openapi('InteractionsSummary', { description: 'The dashboard\'s interactions card; the full user × type × week table is GET /metrics/interactions' }) satisfies z.ZodType<InteractionsSummary>;
const OverdueOut = z.strictObject({ total: count, byOwner: z.array(CountByUserOut) }).openapi('OverdueNextActions');
const CadenceMissesOut = z.strictObject({ total: count, byUser: z.array(CountByUserOut) }).openapi('CadenceMisses');
const WeeklyRowOut = z.strictObject({
  week, sourceId: sourceKey, productId: z.string().openapi({ description: 'Product id, or "none"' }),
  neighbourhood: z.string().openapi({ description: 'Text, or "none"' }), city: z.string().openapi({ description: 'Text, or "none"' }), count,
}).openapi('WeeklyRow') satisfies z.ZodType<WeeklyRow>;
const WeeklyBySourceOut = z.strictObject({ byWeek: z.array(z.strictObject({ week, sourceId: sourceKey, count }) satisfies z.ZodType<WeeklyBySourceRow>) })
  .openapi('WeeklyBySource', { description: 'The dashboard\'s weekly card; the full week × source × product × place table is GET /metrics/weeklyNewLeads' });

/** What GET /metrics/{name} answers for each metric. */
export const metricValues = {
  conversion: ConversionOut, stageConversion: StageConversionOut, costPerLead: CplOut, salesByClientType: SalesByClientTypeOut,
  frequency: z.array(FrequencyRowOut), nps: NpsOut, complaints: ComplaintsOut, portfolio: PortfolioOut, pipeline: PipelineOut, winRate: WinRateOut,
  interactions: z.array(InteractionRowOut), overdueNextActions: OverdueOut, cadenceMisses: CadenceMissesOut, weeklyNewLeads: z.array(WeeklyRowOut),
} as const satisfies { [K in MetricName]: z.ZodType<Awaited<ReturnType<(typeof metricQueries)[K]>>> };

/** What the dashboard's cards carry: the metrics' values, except the two charts' summaries. */
export const cardValues = { ...metricValues, interactions: InteractionsSummaryOut, weeklyNewLeads: WeeklyBySourceOut } as const satisfies
  { [K in MetricName]: z.ZodType<Awaited<ReturnType<(typeof dashboardCards)[K]>>> };

/**
 * A card's drill-down: API list links behind its figures (`won`: one link) or its breakdown rows
 * (`bySource`: a link per key). Which figures a card has is in docs/metrics.md.
 */
const DrillDownOut = z.record(z.string(), z.union([z.string(), z.record(z.string(), z.string())])).openapi('DrillDown');

const card = <V extends z.ZodType>(name: string, value: V) => z.strictObject({ name: z.literal(name), value, drillDown: DrillDownOut });

// z.union wants a tuple of at least two; the 14 metrics' cards are built from the map above.
export const MetricOut = z.union(Object.entries(metricValues).map(([name, value]) => card(name, value)) as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]])
  .openapi('Metric', { description: 'One metric: its name, its value (shape per name) and its drill-down links' });

export const DashboardOut = z.strictObject({
  period: z.strictObject({ from: z.string(), to: z.string(), timeZone: z.string(), unit: z.enum(periodUnits) }),
  ownerIds: z.array(Uuid).nullable().openapi({ description: 'Whose numbers these are; null: the whole workspace' }),
  segmentId: Uuid.nullable().openapi({ description: 'The segment the numbers are restricted to; null: every contact' }),
  cards: z.strictObject(Object.fromEntries(Object.entries(cardValues).map(([name, value]) => [name, card(name, value)]))),
}).openapi('Dashboard');
