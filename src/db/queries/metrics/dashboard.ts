import type { Database } from '../../client.js';
import { cadenceMissesSql, interactionsSql, interactionsSummarySql } from './activity.js';
import { costPerLeadSql } from './cpl.js';
import type { MetricFilter } from './filter.js';
import { conversionAllSql, defaultPipelineId, overdueNextActionsSql, pipelineSql, stageConversionSql, weeklyNewLeadsBySourceSql, weeklyNewLeadsSql, winRateSql } from './leads.js';
import { complaintsSql, npsSql } from './post-sale.js';
import { frequencySql, portfolioSql, salesByClientTypeSql } from './sales.js';
import { useRollups } from './rollups.js';

/** Every metric by its public name (GET /api/v1/metrics/{name}); each reads only what it needs. */
export const metricQueries = {
  conversion: async (d: Database, f: MetricFilter) => {
    const all = await conversionAllSql(d, f);
    return { total: all.total[0]!, bySource: all.source, byOwner: all.owner, byPeriod: all.period };
  },
  stageConversion: async (d: Database, f: MetricFilter, pipelineId?: string | null) => {
    const id = pipelineId ?? await defaultPipelineId(d, f.workspaceId);
    return { pipelineId: id, steps: id ? await stageConversionSql(d, f, id) : [] };
  },
  costPerLead: costPerLeadSql,
  salesByClientType: salesByClientTypeSql,
  frequency: frequencySql,
  nps: npsSql,
  complaints: complaintsSql,
  portfolio: portfolioSql,
  pipeline: pipelineSql,
  winRate: winRateSql,
  interactions: interactionsSql,
  overdueNextActions: overdueNextActionsSql,
  cadenceMisses: cadenceMissesSql,
  weeklyNewLeads: weeklyNewLeadsSql,
} as const;

export type MetricName = keyof typeof metricQueries;
export const metricNames = Object.keys(metricQueries) as MetricName[];

/**
 * What the dashboard shows where it differs from the metric's own answer: the interactions card carries
 * totals and the weekly series per salesperson (its chart); the full per user × type × week table stays
 * GET /metrics/interactions and its CSV/XLSX export (docs/metrics.md#activity). The weekly card likewise
 * carries new leads per week × source (its chart); the product × place table is GET /metrics/weeklyNewLeads,
 * which the page loads when that table is opened.
 */
export const dashboardCards = { ...metricQueries, interactions: interactionsSummarySql, weeklyNewLeads: weeklyNewLeadsBySourceSql } as const;

type Results = { [K in MetricName]: Awaited<ReturnType<(typeof dashboardCards)[K]>> };

/** All cards of the dashboard at once. */
export async function loadDashboard(d: Database, filter: MetricFilter): Promise<Results> {
  // Whether the daily rollups answer is the same for every card: asked once; figures several cards share, once too.
  const f = { ...filter, rollups: await useRollups(d, filter), memo: new Map<string, Promise<unknown>>() };
  const entries = await Promise.all(metricNames.map(async (name) => [name, await (dashboardCards[name] as (d: Database, f: MetricFilter) => Promise<unknown>)(d, f)] as const));
  return Object.fromEntries(entries) as Results;
}
