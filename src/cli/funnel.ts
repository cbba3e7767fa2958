import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createDeps } from '../server.js';
import type { Database } from '../db/client.js';
import { fitFunnel, journeyOf, pipelineStages, wonAfter, type FunnelFilter } from '../db/queries/funnel.js';
import { defaultPipelineId } from '../db/queries/metrics/leads.js';
import { workspaceClock } from '../db/queries/today.js';
import { fieldError } from '../domain/errors.js';
import { defaultJourney } from '../domain/funnel/journey.js';
import { compareBacktest, type Backtest } from '../domain/funnel/backtest.js';
import { project } from '../domain/funnel/projection.js';
import { addDays, parsePeriod } from '../domain/metrics/period.js';
import { isValidTimeZone } from '../domain/today.js';
import { DEMO_WORKSPACE_NAME } from './demo.js';

export type BacktestOptions = { workspaceId: string; pipelineId?: string | undefined; until: string; months: number; baselineMonths: number; simulations: number; seed: number };

const addMonths = (day: string, n: number) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + n);
  return d.toISOString().slice(0, 10);
};

/**
 * Fits the model on the history up to the end of `until` (what was known then: later stage
 * changes, closes and sales are hidden), projects `months` ahead from there and compares with the
 * leads actually won after it (docs/funnel.md#backtest). Uses the pipeline's saved journey, else
 * the default one built from its stages.
 */
export async function runBacktest(database: Database, o: BacktestOptions): Promise<Backtest & { pipelineId: string; baseline: { from: string; to: string } }> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(o.until)) throw fieldError('until', 'invalid_format', '--until must be a day, YYYY-MM-DD.');
  const clock = await workspaceClock(database, o.workspaceId);
  const timeZone = isValidTimeZone(clock.timeZone) ? clock.timeZone : 'UTC';
  const pipelineId = o.pipelineId ?? (await defaultPipelineId(database, o.workspaceId));
  if (!pipelineId) throw fieldError('pipelineId', 'not_found', 'The workspace has no pipeline.');
  const stages = await pipelineStages(database, o.workspaceId, pipelineId);
  const saved = await journeyOf(database, o.workspaceId, pipelineId);
  const steps = saved.length ? saved : defaultJourney(stages).map((s, i) => ({ ...s, id: `default-${i}` }));
  const from = addDays(addMonths(o.until, -o.baselineMonths), 1);
  const period = parsePeriod(from, o.until, timeZone);
  const filter: FunnelFilter = { workspaceId: o.workspaceId, pipelineId, period, ownerIds: null, sourceId: null, productId: null, asOf: period.to };
  const inputs = await fitFunnel(database, filter, steps, stages);
  const projection = project(inputs, [], { months: o.months, simulations: o.simulations, seed: o.seed });
  const actual = await wonAfter(database, filter, o.months);
  return { ...compareBacktest(projection, actual), pipelineId, baseline: { from, to: o.until } };
}

async function pickWorkspace(database: Database, id: string | undefined): Promise<string> {
  if (id) return id;
  const rows = await database.query<{ id: string }>('SELECT id FROM workspace ORDER BY (name = $1) DESC, created_at LIMIT 1', [DEMO_WORKSPACE_NAME]);
  if (!rows[0]) throw new Error('No workspace yet: run `seguimiento demo` or the setup first.');
  return rows[0].id;
}

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);
const eur = (x: number) => Math.round(x).toLocaleString('es-ES');

export const commands = {
  funnel: {
    summary: 'Funnel model tools: `funnel backtest --until YYYY-MM-DD [--months 3]` checks the projection against what happened',
    async run(argv: string[]) {
      const [sub, ...rest] = argv;
      if (sub !== 'backtest') {
        console.log('Usage: seguimiento funnel backtest --until YYYY-MM-DD [--months 3] [--baseline-months 12] [--simulations 2000] [--seed 1] [--workspace-id ID] [--pipeline-id ID]');
        process.exitCode = sub ? 2 : 0;
        return;
      }
      const { values } = parseArgs({ args: rest, options: {
        until: { type: 'string' }, months: { type: 'string', default: '3' }, 'baseline-months': { type: 'string', default: '12' },
        simulations: { type: 'string', default: '2000' }, seed: { type: 'string', default: '1' }, 'workspace-id': { type: 'string' }, 'pipeline-id': { type: 'string' },
      } });
      if (!values.until) throw new Error('--until YYYY-MM-DD is required');
      const deps = await createDeps(loadConfig());
      try {
        const workspaceId = await pickWorkspace(deps.database, values['workspace-id']);
        const b = await runBacktest(deps.database, {
          workspaceId, pipelineId: values['pipeline-id'], until: values.until, months: Number(values.months), baselineMonths: Number(values['baseline-months']),
          simulations: Number(values.simulations), seed: Number(values.seed),
        });
        console.log(`Fitted on ${b.baseline.from} … ${b.baseline.to}; projected ${b.months.length} month(s) of 30.44 days after it.\n`);
        console.log('month  sales P10–P50–P90   actual  in?   revenue P10–P50–P90 (€)            actual (€)  in?');
        const one = (x: number) => Math.round(x * 10) / 10;
        for (const m of b.months) {
          console.log(`${String(m.index).padStart(5)}  ${`${one(m.sales.p10)}–${one(m.sales.p50)}–${one(m.sales.p90)}`.padEnd(18)} ${String(m.sales.actual).padStart(6)}  ${m.sales.inside ? 'yes' : 'NO '}   ${`${eur(m.revenue.p10)}–${eur(m.revenue.p50)}–${eur(m.revenue.p90)}`.padEnd(32)} ${eur(m.revenue.actual).padStart(10)}  ${m.revenue.inside ? 'yes' : 'NO'}`);
        }
        console.log(`\nP10–P90 coverage: ${pct(b.coverage)} of ${b.months.length * 2} monthly figures (80 % if calibrated)`);
        console.log(`Error of the median over the horizon: sales ${pct(b.salesError)}, revenue ${pct(b.revenueError)}; mean absolute error ${b.salesMeanAbsoluteError.toFixed(1)} sales/month`);
      } finally {
        await deps.database.close();
      }
    },
  },
};
