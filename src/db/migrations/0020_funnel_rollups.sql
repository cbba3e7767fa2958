-- Rollups of the funnel model (docs/funnel.md#speed, docs/benchmarks.md "Funnel model").
--
-- Fitting the model read every cohort lead's step instants (stage history, activities, sales,
-- answers): 27 s at 1M leads. These tables hold what the fit needs per local creation day (or close
-- day) and per owner and source, for each pipeline's journey as it stands:
--
--   funnel_lead_daily   the cohort by the set of record steps each lead reached (`mask`, bit i = the
--                       journey's i-th step, 0-based in journey order), the step it is at (`at_step`,
--                       its furthest stage, as the projection groups it), its outcome and its age
--                       bucket at close: entrants, step-to-step rates, value per step, the open
--                       pipeline by step × age, the cohort by step × age at close, the inflow.
--   funnel_step_days    how long leads took from step i−1 to step i, in day buckets (`lo`: 1-day
--                       buckets up to 90 days, then 7-day ones up to 370, then 30-day) with the
--                       exact days summed: the median is the mean of the bucket holding it.
--   funnel_won_cycle    won leads by local close day: creation → close in the same buckets (the
--                       projection's cycle) and the amounts' sums (the deal-size spread).
--   …_all               each of the three without owner and source, for the unfiltered fit.
--
-- Kept like the rollups of 0014 (statement-level triggers over transition tables, ENABLE ALWAYS,
-- the same transaction as the write) on lead, lead_stage_history, activity, sale (a client's second
-- sale is the repeat step) and feedback (promoter). The journey itself is not followed by triggers:
-- creating the default journey inserts its steps one by one and a manager's edit may move several,
-- so each rebuild would be wasted. Instead `funnel_rollup_state` records the journey (and stage
-- positions) the rollups of a pipeline were built for; a fit that finds another one rebuilds that
-- pipeline first (funnel_rollups_rebuild), and metric_rollups_rebuild rebuilds them all.
-- The fit reads the raw rows instead when the rollups cannot answer: a product or segment filter,
-- a backtest's past cut-off, a zone other than the workspace's.

-- Also defined by 0018 (same body): the zone the rollups bucket by, UTC for a zone the server does not know.
CREATE OR REPLACE FUNCTION metric_zone(tz text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  PERFORM now() AT TIME ZONE tz;
  RETURN tz;
EXCEPTION WHEN others THEN
  RETURN 'UTC';
END $$;

CREATE TABLE funnel_lead_daily (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  pipeline_id  uuid NOT NULL,
  day          date NOT NULL,           -- local creation day
  owner_id     uuid NOT NULL,
  source_id    uuid NOT NULL,
  mask         integer NOT NULL,        -- record steps reached
  at_step      integer NOT NULL,       -- the journey index of the stage step it is at
  outcome      integer NOT NULL,       -- 0 open, 1 won, 2 lost, 3 closed without a close date
  close_age    integer NOT NULL,       -- age bucket (0–29, 30–89, 90–179, 180+ local days) at close; -1 not closed
  leads        integer NOT NULL,
  amount       numeric NOT NULL,        -- Σ amount
  weighted     numeric NOT NULL,        -- Σ amount × probability ÷ 100
  PRIMARY KEY (workspace_id, pipeline_id, day, owner_id, source_id, mask, at_step, outcome, close_age)
);

CREATE TABLE funnel_step_days (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  pipeline_id  uuid NOT NULL,
  day          date NOT NULL,           -- local creation day
  owner_id     uuid NOT NULL,
  source_id    uuid NOT NULL,
  step         integer NOT NULL,       -- from step − 1 to step
  lo           integer NOT NULL,        -- bucket's first day
  leads        integer NOT NULL,
  days         float8 NOT NULL,         -- Σ exact days
  PRIMARY KEY (workspace_id, pipeline_id, step, day, owner_id, source_id, lo)
);

CREATE TABLE funnel_won_cycle (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  pipeline_id  uuid NOT NULL,
  day          date NOT NULL,           -- local close day
  owner_id     uuid NOT NULL,
  source_id    uuid NOT NULL,
  lo           integer NOT NULL,
  leads        integer NOT NULL,
  days         float8 NOT NULL,
  priced       integer NOT NULL,        -- won leads with an amount above 0
  amount       float8 NOT NULL,         -- their Σ amount
  amount_sq    float8 NOT NULL,         -- Σ amount²
  PRIMARY KEY (workspace_id, pipeline_id, day, owner_id, source_id, lo)
);

-- The same three without owner (and but for the first, source), for the fit of the whole team
-- (an admin's, the default): a few dozen rows a day where the tables above hold one per owner × source.
CREATE TABLE funnel_lead_daily_all (  -- keeps the source: the projection's inflow is per source
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  pipeline_id  uuid NOT NULL,
  day          date NOT NULL,
  source_id    uuid NOT NULL,
  mask         integer NOT NULL,
  at_step      integer NOT NULL,
  outcome      integer NOT NULL,
  close_age    integer NOT NULL,
  leads        integer NOT NULL,
  amount       numeric NOT NULL,
  weighted     numeric NOT NULL,
  PRIMARY KEY (workspace_id, pipeline_id, day, source_id, mask, at_step, outcome, close_age)
);

CREATE TABLE funnel_step_days_all (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  pipeline_id  uuid NOT NULL,
  day          date NOT NULL,
  step         integer NOT NULL,
  lo           integer NOT NULL,
  leads        integer NOT NULL,
  days         float8 NOT NULL,
  PRIMARY KEY (workspace_id, pipeline_id, step, day, lo)
);

CREATE TABLE funnel_won_cycle_all (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  pipeline_id  uuid NOT NULL,
  day          date NOT NULL,
  lo           integer NOT NULL,
  leads        integer NOT NULL,
  days         float8 NOT NULL,
  priced       integer NOT NULL,
  amount       float8 NOT NULL,
  amount_sq    float8 NOT NULL,
  PRIMARY KEY (workspace_id, pipeline_id, day, lo)
);

-- A salesperson's or a team's fit reads its owners' rows only.
CREATE INDEX funnel_lead_daily_owner_idx ON funnel_lead_daily (workspace_id, pipeline_id, owner_id, day);
CREATE INDEX funnel_step_days_owner_idx ON funnel_step_days (workspace_id, pipeline_id, owner_id, step, day);

CREATE TABLE funnel_rollup_state (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  pipeline_id  uuid NOT NULL,
  signature    text NOT NULL,
  rebuilt_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, pipeline_id)
);

-- The bucket of a number of days: the first day of its 1-, 7- or 30-day bucket.
CREATE OR REPLACE FUNCTION funnel_days_bucket(d float8) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN d < 90 THEN floor(d)::int WHEN d < 370 THEN 90 + 7 * floor((d - 90) / 7)::int ELSE 370 + 30 * floor((d - 370) / 30)::int END
$$;

CREATE OR REPLACE FUNCTION funnel_age_bucket(d integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT (CASE WHEN d >= 180 THEN 3 WHEN d >= 90 THEN 2 WHEN d >= 30 THEN 1 ELSE 0 END)::integer
$$;

-- What the rollups of a pipeline depend on besides the rows: its journey and its stages' order.
CREATE OR REPLACE FUNCTION funnel_signature(ws uuid, pl uuid) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT string_agg(j.id::text || ':' || j.kind || ':' || coalesce(j.stage_id::text, '') || ':' || coalesce(j.activity_type, ''), ',' ORDER BY j.position, j.id)
                     FROM journey_step j WHERE j.workspace_id = ws AND j.pipeline_id = pl), '') || '|' ||
         coalesce((SELECT string_agg(s.id::text || ':' || s.position || ':' || s.kind, ',' ORDER BY s.position, s.id)
                     FROM stage s WHERE s.workspace_id = ws AND s.pipeline_id = pl), '') || '|' ||
         coalesce((SELECT metric_zone(time_zone) FROM workspace WHERE id = ws), '')
$$;

-- The stage step a furthest position maps to (src/db/queries/funnel.ts stepOfPosition): the stage
-- step with the highest stage position at or below it, else the lowest one, else the first record step.
CREATE OR REPLACE FUNCTION funnel_at_step_sql() RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT $q$coalesce(
      (SELECT js.i FROM js WHERE js.workspace_id = st.workspace_id AND js.pipeline_id = st.pipeline_id AND js.kind = 'stage' AND js.stage_pos <= st.position ORDER BY js.stage_pos DESC, js.i LIMIT 1),
      (SELECT js.i FROM js WHERE js.workspace_id = st.workspace_id AND js.pipeline_id = st.pipeline_id AND js.kind = 'stage' ORDER BY js.stage_pos, js.i DESC LIMIT 1),
      (SELECT min(js.i) FROM js WHERE js.workspace_id = st.workspace_id AND js.pipeline_id = st.pipeline_id AND js.kind <> 'manual'), 0)$q$
$$;

-- Per lead of `leads` (a query of lead rows plus `sign`), the instant it reached each record step of
-- its pipeline's journey, given the stage history, activities, sales and answers as the queries
-- `hist`, `act`, `sales`, `fb` (the live tables, or the state before a statement in a trigger).
-- Definitions: docs/funnel.md#journey (the same as src/db/queries/funnel.ts reads raw).
-- Leaves CTEs `l` (the leads, with tz, pos and furthest), `js` (journey steps with index i) and
-- `sr` (workspace_id, lead_id, i, at) for the statements below to build on.
CREATE OR REPLACE FUNCTION funnel_reach_sql(leads text, hist text, act text, sales text, fb text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format($q$
    l0 AS MATERIALIZED (
      SELECT x.*, metric_zone(w.time_zone) AS tz, st.position AS pos
        FROM (%1$s) x JOIN workspace w ON w.id = x.workspace_id
        JOIN stage st ON st.workspace_id = x.workspace_id AND st.id = x.stage_id
       WHERE x.status <> 'cancelled'
         AND EXISTS (SELECT 1 FROM journey_step j WHERE j.workspace_id = x.workspace_id AND j.pipeline_id = x.pipeline_id)),
    js AS MATERIALIZED (
      SELECT j.workspace_id, j.pipeline_id, (row_number() OVER (PARTITION BY j.workspace_id, j.pipeline_id ORDER BY j.position, j.id) - 1)::int AS i,
             j.kind, j.activity_type, st.position AS stage_pos
        FROM journey_step j LEFT JOIN stage st ON st.workspace_id = j.workspace_id AND st.id = j.stage_id
       WHERE (j.workspace_id, j.pipeline_id) IN (SELECT DISTINCT workspace_id, pipeline_id FROM l0)),
    h AS MATERIALIZED (
      SELECT h.workspace_id, h.lead_id, s.position, min(h.changed_at) AS at
        FROM (%2$s) h JOIN stage s ON s.workspace_id = h.workspace_id AND s.id = h.to_stage_id AND s.kind <> 'lost'
       WHERE (h.workspace_id, h.lead_id) IN (SELECT workspace_id, id FROM l0)
       GROUP BY 1, 2, 3),
    l AS MATERIALIZED (
      SELECT l0.*, hm.furthest AS hist_furthest, coalesce(hm.furthest, l0.pos) AS furthest
        FROM l0 LEFT JOIN (SELECT workspace_id, lead_id, max(position) AS furthest FROM h GROUP BY 1, 2) hm
          ON hm.workspace_id = l0.workspace_id AND hm.lead_id = l0.id),
    a AS MATERIALIZED (
      SELECT a.workspace_id, a.lead_id, a.type, min(coalesce(a.occurred_at, a.done_at)) AS at
        FROM (%3$s) a
       WHERE a.lead_id IS NOT NULL AND a.done_at IS NOT NULL AND (a.workspace_id, a.lead_id) IN (SELECT workspace_id, id FROM l0)
       GROUP BY 1, 2, 3),
    rep AS MATERIALIZED (
      SELECT workspace_id, client, min(sold_at) FILTER (WHERE n = 2) AS second_at
        FROM (SELECT s.workspace_id, coalesce(s.contact_id, s.company_id) AS client, s.sold_at,
                     row_number() OVER (PARTITION BY s.workspace_id, coalesce(s.contact_id, s.company_id) ORDER BY s.sold_at, s.id) AS n
                FROM (SELECT s.* FROM (%4$s) s
                        JOIN (SELECT DISTINCT workspace_id, contact_id FROM l0 WHERE status = 'won' AND contact_id IS NOT NULL) c
                          ON c.workspace_id = s.workspace_id AND c.contact_id = s.contact_id
                      UNION ALL
                      SELECT s.* FROM (%4$s) s
                        JOIN (SELECT DISTINCT workspace_id, company_id FROM l0 WHERE status = 'won' AND contact_id IS NULL AND company_id IS NOT NULL) c
                          ON c.workspace_id = s.workspace_id AND c.company_id = s.company_id AND s.contact_id IS NULL) s) x
       WHERE n <= 2 GROUP BY 1, 2),
    prom AS MATERIALIZED (
      SELECT f.workspace_id, f.contact_id, min(f.answered_at) AS answered_at FROM (%5$s) f
       WHERE f.nps >= 9 AND f.contact_id IS NOT NULL AND (f.workspace_id, f.contact_id) IN (SELECT workspace_id, contact_id FROM l0 WHERE status = 'won')
       GROUP BY 1, 2),
    pmap AS MATERIALIZED (
      SELECT DISTINCT ON (st.workspace_id, st.pipeline_id, st.position) st.workspace_id, st.pipeline_id, st.position, ($q$ || funnel_at_step_sql() || $q$)::integer AS at_step
        FROM stage st WHERE (st.workspace_id, st.pipeline_id) IN (SELECT DISTINCT workspace_id, pipeline_id FROM l0)
       ORDER BY st.workspace_id, st.pipeline_id, st.position),
    sr AS MATERIALIZED (
      SELECT h.workspace_id, h.lead_id, js.i, min(h.at) AS at
        FROM h JOIN l ON l.workspace_id = h.workspace_id AND l.id = h.lead_id
        JOIN js ON js.workspace_id = l.workspace_id AND js.pipeline_id = l.pipeline_id AND js.kind = 'stage' AND h.position >= js.stage_pos
       GROUP BY 1, 2, 3
      UNION ALL
      SELECT l.workspace_id, l.id, js.i, l.created_at
        FROM l JOIN js ON js.workspace_id = l.workspace_id AND js.pipeline_id = l.pipeline_id AND js.kind = 'stage' AND l.pos >= js.stage_pos
       WHERE l.hist_furthest IS NULL
      UNION ALL
      SELECT l.workspace_id, l.id, js.i, a.at
        FROM l JOIN a ON a.workspace_id = l.workspace_id AND a.lead_id = l.id
        JOIN js ON js.workspace_id = l.workspace_id AND js.pipeline_id = l.pipeline_id AND js.kind = 'activity' AND js.activity_type = a.type
      UNION ALL
      SELECT l.workspace_id, l.id, js.i, l.closed_at
        FROM l JOIN js ON js.workspace_id = l.workspace_id AND js.pipeline_id = l.pipeline_id AND js.kind = 'sale'
       WHERE l.status = 'won' AND l.closed_at IS NOT NULL
      UNION ALL
      SELECT l.workspace_id, l.id, js.i, greatest(r.second_at, l.closed_at)
        FROM l JOIN rep r ON r.workspace_id = l.workspace_id AND r.client = coalesce(l.contact_id, l.company_id)
        JOIN js ON js.workspace_id = l.workspace_id AND js.pipeline_id = l.pipeline_id AND js.kind = 'repeat_sale'
       WHERE l.status = 'won' AND l.closed_at IS NOT NULL AND r.second_at IS NOT NULL
      UNION ALL
      SELECT l.workspace_id, l.id, js.i, greatest(p.answered_at, l.closed_at)
        FROM l JOIN prom p ON p.workspace_id = l.workspace_id AND p.contact_id = l.contact_id
        JOIN js ON js.workspace_id = l.workspace_id AND js.pipeline_id = l.pipeline_id AND js.kind = 'promoter'
       WHERE l.status = 'won' AND l.closed_at IS NOT NULL)$q$, leads, hist, act, sales, fb)
$$;

-- One statement upserting the rows of `rows_sql` (which may use the CTEs opened by `prefix`, a
-- `WITH …,` text) into `target` and, without the keys `dropped`, into `target`_all.
CREATE OR REPLACE FUNCTION funnel_upsert_both(prefix text, target text, keys text[], measures text[], rows_sql text, dropped text[]) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT prefix || ' funnel_rows AS MATERIALIZED (' || rows_sql || '), funnel_fine AS (' ||
         metric_rollup_upsert(target, keys, measures, 'SELECT * FROM funnel_rows') || ') ' ||
         metric_rollup_upsert(target || '_all', ARRAY(SELECT k FROM unnest(keys) WITH ORDINALITY AS x(k, n) WHERE k <> ALL (dropped) ORDER BY n), measures, 'SELECT * FROM funnel_rows')
$$;

CREATE OR REPLACE FUNCTION funnel_lead_daily_sql(leads text, hist text, act text, sales text, fb text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT funnel_upsert_both('WITH ' || funnel_reach_sql(leads, hist, act, sales, fb) || ', ' || $q$
    pm AS MATERIALIZED (SELECT sr.workspace_id, sr.lead_id, bit_or(1 << sr.i) AS mask FROM sr GROUP BY 1, 2),
    $q$, 'funnel_lead_daily',
      ARRAY['workspace_id', 'pipeline_id', 'day', 'owner_id', 'source_id', 'mask', 'at_step', 'outcome', 'close_age'], ARRAY['leads', 'amount', 'weighted'],
      $q$SELECT l.workspace_id, l.pipeline_id, (l.created_at AT TIME ZONE l.tz)::date AS day,
                coalesce(l.owner_id, '00000000-0000-0000-0000-000000000000') AS owner_id,
                coalesce(l.source_id, '00000000-0000-0000-0000-000000000000') AS source_id,
                coalesce(pm.mask, 0) AS mask, coalesce(pmap.at_step, 0::integer) AS at_step,
                (CASE WHEN l.status = 'won' AND l.closed_at IS NOT NULL THEN 1 WHEN l.status = 'lost' AND l.closed_at IS NOT NULL THEN 2
                      WHEN l.status = 'open' THEN 0 ELSE 3 END)::integer AS outcome,
                CASE WHEN l.status IN ('won', 'lost') AND l.closed_at IS NOT NULL
                     THEN funnel_age_bucket((l.closed_at AT TIME ZONE l.tz)::date - (l.created_at AT TIME ZONE l.tz)::date) ELSE -1 END AS close_age,
                l.sign AS leads, l.sign * coalesce(l.amount, 0) AS amount, l.sign * coalesce(l.amount * l.probability / 100.0, 0) AS weighted
           FROM l LEFT JOIN pm ON pm.workspace_id = l.workspace_id AND pm.lead_id = l.id
           LEFT JOIN pmap ON pmap.workspace_id = l.workspace_id AND pmap.pipeline_id = l.pipeline_id AND pmap.position = l.furthest
          WHERE EXISTS (SELECT 1 FROM js WHERE js.workspace_id = l.workspace_id AND js.pipeline_id = l.pipeline_id)$q$, ARRAY['owner_id'])
$$;

CREATE OR REPLACE FUNCTION funnel_step_days_sql(leads text, hist text, act text, sales text, fb text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT funnel_upsert_both('WITH ' || funnel_reach_sql(leads, hist, act, sales, fb) || ', ', 'funnel_step_days',
      ARRAY['workspace_id', 'pipeline_id', 'step', 'day', 'owner_id', 'source_id', 'lo'], ARRAY['leads', 'days'],
      $q$SELECT l.workspace_id, l.pipeline_id, b.i::integer AS step, (l.created_at AT TIME ZONE l.tz)::date AS day,
                coalesce(l.owner_id, '00000000-0000-0000-0000-000000000000') AS owner_id,
                coalesce(l.source_id, '00000000-0000-0000-0000-000000000000') AS source_id,
                funnel_days_bucket(extract(epoch FROM b.at - a.at)::float8 / 86400) AS lo,
                l.sign AS leads, l.sign * (extract(epoch FROM b.at - a.at)::float8 / 86400) AS days
           FROM sr b JOIN sr a ON a.workspace_id = b.workspace_id AND a.lead_id = b.lead_id AND a.i = b.i - 1
           JOIN l ON l.workspace_id = b.workspace_id AND l.id = b.lead_id
          WHERE b.at >= a.at$q$, ARRAY['owner_id', 'source_id'])
$$;

CREATE OR REPLACE FUNCTION funnel_won_cycle_sql(leads text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT funnel_upsert_both('WITH ', 'funnel_won_cycle', ARRAY['workspace_id', 'pipeline_id', 'day', 'owner_id', 'source_id', 'lo'], ARRAY['leads', 'days', 'priced', 'amount', 'amount_sq'], format(
    $q$SELECT l.workspace_id, l.pipeline_id, (l.closed_at AT TIME ZONE metric_zone(w.time_zone))::date AS day,
              coalesce(l.owner_id, '00000000-0000-0000-0000-000000000000') AS owner_id,
              coalesce(l.source_id, '00000000-0000-0000-0000-000000000000') AS source_id,
              funnel_days_bucket(extract(epoch FROM l.closed_at - l.created_at)::float8 / 86400) AS lo,
              l.sign AS leads, l.sign * (extract(epoch FROM l.closed_at - l.created_at)::float8 / 86400) AS days,
              CASE WHEN l.amount > 0 THEN l.sign ELSE 0 END AS priced,
              CASE WHEN l.amount > 0 THEN l.sign * l.amount::float8 ELSE 0 END AS amount,
              CASE WHEN l.amount > 0 THEN l.sign * (l.amount::float8 ^ 2) ELSE 0 END AS amount_sq
         FROM (%s) l JOIN workspace w ON w.id = l.workspace_id
        WHERE l.status = 'won' AND l.closed_at IS NOT NULL$q$, leads), ARRAY['owner_id', 'source_id'])
$$;

-- Adds (sign 1) or removes (sign -1) the contribution of the leads `leads` with the other tables as given.
-- The triggers EXECUTE the two statements themselves: transition tables are not visible in a called function.
CREATE OR REPLACE FUNCTION funnel_apply(leads text, hist text, act text, sales text, fb text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE funnel_lead_daily_sql(leads, hist, act, sales, fb);
  EXECUTE funnel_step_days_sql(leads, hist, act, sales, fb);
END $$;

CREATE OR REPLACE FUNCTION funnel_live(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT format('SELECT * FROM %I', t) $$;

-- A table as it was before the statement: without its new rows, with its old ones.
CREATE OR REPLACE FUNCTION funnel_before(t text, op text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE op
    WHEN 'INSERT' THEN format('SELECT x.* FROM %I x WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.workspace_id = x.workspace_id AND n.id = x.id)', t)
    WHEN 'DELETE' THEN format('SELECT * FROM %I UNION ALL SELECT * FROM old_rows', t)
    ELSE format('SELECT x.* FROM %I x WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.workspace_id = x.workspace_id AND n.id = x.id) UNION ALL SELECT * FROM old_rows', t) END
$$;

-- Leads: their own rows changed; the other tables are as they are.
CREATE OR REPLACE FUNCTION funnel_lead_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE src text;
BEGIN
  IF TG_LEVEL = 'ROW' THEN
    src := format('SELECT (%L::lead).*, -1 AS sign', OLD);
    EXECUTE funnel_lead_daily_sql(src, funnel_live('lead_stage_history'), funnel_live('activity'), funnel_live('sale'), funnel_live('feedback'));
    EXECUTE funnel_step_days_sql(src, funnel_live('lead_stage_history'), funnel_live('activity'), funnel_live('sale'), funnel_live('feedback'));
    EXECUTE funnel_won_cycle_sql(src);
    RETURN OLD;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    EXECUTE funnel_lead_daily_sql('SELECT o.*, -1 AS sign FROM old_rows o', funnel_live('lead_stage_history'), funnel_live('activity'), funnel_live('sale'), funnel_live('feedback'));
    EXECUTE funnel_step_days_sql('SELECT o.*, -1 AS sign FROM old_rows o', funnel_live('lead_stage_history'), funnel_live('activity'), funnel_live('sale'), funnel_live('feedback'));
    EXECUTE funnel_won_cycle_sql('SELECT o.*, -1 AS sign FROM old_rows o');
  END IF;
  EXECUTE funnel_lead_daily_sql('SELECT n.*, 1 AS sign FROM new_rows n', funnel_live('lead_stage_history'), funnel_live('activity'), funnel_live('sale'), funnel_live('feedback'));
  EXECUTE funnel_step_days_sql('SELECT n.*, 1 AS sign FROM new_rows n', funnel_live('lead_stage_history'), funnel_live('activity'), funnel_live('sale'), funnel_live('feedback'));
  EXECUTE funnel_won_cycle_sql('SELECT n.*, 1 AS sign FROM new_rows n');
  RETURN NULL;
END $$;

-- Stage history, activities, sales, answers: the leads they concern, removed as they were before
-- the statement (the changed table as before it) and added as they are after.
CREATE OR REPLACE FUNCTION funnel_related_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  rels text := CASE TG_OP WHEN 'INSERT' THEN 'SELECT * FROM new_rows' WHEN 'DELETE' THEN 'SELECT * FROM old_rows'
                          ELSE 'SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows' END;
  keys text;
  leads text;
  found boolean;
  live text[] := ARRAY[funnel_live('lead_stage_history'), funnel_live('activity'), funnel_live('sale'), funnel_live('feedback')];
  before text[];
BEGIN
  IF TG_TABLE_NAME IN ('lead_stage_history', 'activity') THEN
    keys := format('SELECT r.workspace_id, r.lead_id FROM (%s) r WHERE r.lead_id IS NOT NULL', rels);
  ELSIF TG_TABLE_NAME = 'sale' THEN
    keys := format($q$SELECT x.workspace_id, x.id AS lead_id FROM lead x JOIN (%s) r ON r.workspace_id = x.workspace_id
                      AND (r.contact_id = x.contact_id OR (x.contact_id IS NULL AND r.contact_id IS NULL AND r.company_id = x.company_id))
                    WHERE x.status = 'won'$q$, rels);
  ELSE
    keys := format($q$SELECT x.workspace_id, x.id AS lead_id FROM lead x JOIN (%s) r ON r.workspace_id = x.workspace_id
                      AND r.contact_id = x.contact_id WHERE x.status = 'won' AND r.nps >= 9$q$, rels);
  END IF;
  -- Most writes concern no lead of a pipeline with a journey (yet): nothing to do, cheaply.
  EXECUTE format($q$SELECT EXISTS (SELECT 1 FROM (%s) k JOIN lead x ON x.workspace_id = k.workspace_id AND x.id = k.lead_id
                   WHERE EXISTS (SELECT 1 FROM journey_step j WHERE j.workspace_id = x.workspace_id AND j.pipeline_id = x.pipeline_id))$q$, keys) INTO found;
  IF NOT found THEN RETURN NULL; END IF;
  leads := format('SELECT x.*, %%s AS sign FROM lead x WHERE (x.workspace_id, x.id) IN (SELECT k.workspace_id, k.lead_id FROM (%s) k)', keys);
  before := live;
  before[array_position(ARRAY['lead_stage_history', 'activity', 'sale', 'feedback'], TG_TABLE_NAME::text)] := funnel_before(TG_TABLE_NAME, TG_OP);
  EXECUTE funnel_lead_daily_sql(format(leads, -1), before[1], before[2], before[3], before[4]);
  EXECUTE funnel_step_days_sql(format(leads, -1), before[1], before[2], before[3], before[4]);
  EXECUTE funnel_lead_daily_sql(format(leads, 1), live[1], live[2], live[3], live[4]);
  EXECUTE funnel_step_days_sql(format(leads, 1), live[1], live[2], live[3], live[4]);
  RETURN NULL;
END $$;

CREATE TRIGGER funnel_lead_rollups_insert AFTER INSERT ON lead REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_lead_rollups();
CREATE TRIGGER funnel_lead_rollups_update AFTER UPDATE ON lead REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_lead_rollups();
-- Per row BEFORE the delete: the lead's history and activities are gone by the time an AFTER trigger runs.
CREATE TRIGGER funnel_lead_rollups_delete BEFORE DELETE ON lead
  FOR EACH ROW EXECUTE FUNCTION funnel_lead_rollups();
ALTER TABLE lead ENABLE ALWAYS TRIGGER funnel_lead_rollups_insert;
ALTER TABLE lead ENABLE ALWAYS TRIGGER funnel_lead_rollups_update;
ALTER TABLE lead ENABLE ALWAYS TRIGGER funnel_lead_rollups_delete;

CREATE TRIGGER funnel_history_rollups_insert AFTER INSERT ON lead_stage_history REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_related_rollups();
CREATE TRIGGER funnel_history_rollups_update AFTER UPDATE ON lead_stage_history REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_related_rollups();
CREATE TRIGGER funnel_history_rollups_delete AFTER DELETE ON lead_stage_history REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_related_rollups();
CREATE TRIGGER funnel_activity_rollups_insert AFTER INSERT ON activity REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_related_rollups();
CREATE TRIGGER funnel_activity_rollups_update AFTER UPDATE ON activity REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_related_rollups();
CREATE TRIGGER funnel_activity_rollups_delete AFTER DELETE ON activity REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_related_rollups();
CREATE TRIGGER funnel_sale_rollups_insert AFTER INSERT ON sale REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_related_rollups();
CREATE TRIGGER funnel_sale_rollups_update AFTER UPDATE ON sale REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_related_rollups();
CREATE TRIGGER funnel_sale_rollups_delete AFTER DELETE ON sale REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_related_rollups();
CREATE TRIGGER funnel_feedback_rollups_insert AFTER INSERT ON feedback REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_related_rollups();
CREATE TRIGGER funnel_feedback_rollups_update AFTER UPDATE ON feedback REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_related_rollups();
CREATE TRIGGER funnel_feedback_rollups_delete AFTER DELETE ON feedback REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_related_rollups();
ALTER TABLE lead_stage_history ENABLE ALWAYS TRIGGER funnel_history_rollups_insert;
ALTER TABLE lead_stage_history ENABLE ALWAYS TRIGGER funnel_history_rollups_update;
ALTER TABLE lead_stage_history ENABLE ALWAYS TRIGGER funnel_history_rollups_delete;
ALTER TABLE activity ENABLE ALWAYS TRIGGER funnel_activity_rollups_insert;
ALTER TABLE activity ENABLE ALWAYS TRIGGER funnel_activity_rollups_update;
ALTER TABLE activity ENABLE ALWAYS TRIGGER funnel_activity_rollups_delete;
ALTER TABLE sale ENABLE ALWAYS TRIGGER funnel_sale_rollups_insert;
ALTER TABLE sale ENABLE ALWAYS TRIGGER funnel_sale_rollups_update;
ALTER TABLE sale ENABLE ALWAYS TRIGGER funnel_sale_rollups_delete;
ALTER TABLE feedback ENABLE ALWAYS TRIGGER funnel_feedback_rollups_insert;
ALTER TABLE feedback ENABLE ALWAYS TRIGGER funnel_feedback_rollups_update;
ALTER TABLE feedback ENABLE ALWAYS TRIGGER funnel_feedback_rollups_delete;

-- Recomputes the funnel rollups of a workspace (one pipeline, or all) from the raw rows and records
-- the journey they were built for.
CREATE OR REPLACE FUNCTION funnel_rollups_rebuild(ws uuid, pl uuid DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  of_ws text := format(' WHERE workspace_id = %L', ws);
  leads text := format('SELECT *, 1 AS sign FROM lead WHERE workspace_id = %L', ws) || CASE WHEN pl IS NULL THEN '' ELSE format(' AND pipeline_id = %L', pl) END;
  nestloop text := current_setting('enable_nestloop');
BEGIN
  -- The CTEs have no statistics: over a whole workspace the planner may nest loops over CTE scans
  -- (hours at 100 000 leads). Every join here is large, so hash joins only, for these statements.
  PERFORM set_config('enable_nestloop', 'off', true);
  DELETE FROM funnel_lead_daily WHERE workspace_id = ws AND (pl IS NULL OR pipeline_id = pl);
  DELETE FROM funnel_step_days WHERE workspace_id = ws AND (pl IS NULL OR pipeline_id = pl);
  DELETE FROM funnel_won_cycle WHERE workspace_id = ws AND (pl IS NULL OR pipeline_id = pl);
  DELETE FROM funnel_lead_daily_all WHERE workspace_id = ws AND (pl IS NULL OR pipeline_id = pl);
  DELETE FROM funnel_step_days_all WHERE workspace_id = ws AND (pl IS NULL OR pipeline_id = pl);
  DELETE FROM funnel_won_cycle_all WHERE workspace_id = ws AND (pl IS NULL OR pipeline_id = pl);
  PERFORM funnel_apply(leads, 'SELECT * FROM lead_stage_history' || of_ws, 'SELECT * FROM activity' || of_ws, 'SELECT * FROM sale' || of_ws, 'SELECT * FROM feedback' || of_ws);
  EXECUTE funnel_won_cycle_sql(leads);
  DELETE FROM funnel_rollup_state WHERE workspace_id = ws AND (pl IS NULL OR pipeline_id = pl);
  INSERT INTO funnel_rollup_state (workspace_id, pipeline_id, signature)
  SELECT ws, p.id, funnel_signature(ws, p.id) FROM pipeline p WHERE p.workspace_id = ws AND (pl IS NULL OR p.id = pl);
  PERFORM set_config('enable_nestloop', nestloop, true);
END $$;

-- metric_rollups_rebuild (0014, 0018) rebuilds these too: wrapped rather than rewritten, so that its
-- other rollups stay as their migrations define them. It runs on a zone change and on stage changes.
ALTER FUNCTION metric_rollups_rebuild(uuid, boolean) RENAME TO metric_rollups_rebuild_without_funnel;
CREATE FUNCTION metric_rollups_rebuild(ws uuid, only_funnel boolean DEFAULT false) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM metric_rollups_rebuild_without_funnel(ws, only_funnel);
  PERFORM funnel_rollups_rebuild(ws);
END $$;

-- Existing data.
SELECT funnel_rollups_rebuild(id) FROM workspace;
