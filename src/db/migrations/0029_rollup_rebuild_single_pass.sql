-- A cheaper rollup rebuild (bulk loads, the rebuild command, a time-zone or stage change), writing the
-- same rows as before (docs/benchmarks.md "Bulk load at 50k rows/s"). At 1M leads the rebuild read the
-- 5M activities twice and the leads with their contacts and companies twice, and looked up each lead's
-- stage history with its own sub-select:
--
-- 1. activity_weekly and lead_place_weekly are sums of activity_daily and lead_place_daily: a local week
--    is made of local days, and the weekly place rollup is the daily one without its owner. The rebuild
--    reads the daily rollup it has just written instead of the raw rows again. The triggers keep both
--    from the changed rows as before.
-- 2. The furthest funnel step of every lead (lead_funnel_daily) in one set-based pass: the highest
--    position among the lead's current stage and its history's stages (open or won, of its pipeline),
--    then the stage at that position. When two such stages share a position the lowest id is taken
--    where the per-lead sub-select took either; readers compare positions only, so every figure is
--    the same.
-- 3. funnel_rollups_rebuild plans with nested loops off, which adds a huge constant to every plan's
--    cost: each of its statements crossed jit_above_cost and compiled with inlining and optimisation
--    (~17 s a statement on the benchmark machine, even for a pipeline without a journey).

CREATE OR REPLACE FUNCTION metric_rollups_rebuild_without_funnel(ws uuid, only_funnel boolean DEFAULT false) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  of_ws text := format(' WHERE workspace_id = %L', ws);
BEGIN
  DELETE FROM lead_funnel_daily WHERE workspace_id = ws;
  WITH hist AS (           -- per lead and pipeline: the furthest open or won stage of its history
    SELECT h.lead_id, s.pipeline_id, max(s.position) AS position
      FROM lead_stage_history h JOIN stage s ON s.workspace_id = h.workspace_id AND s.id = h.to_stage_id AND s.kind <> 'lost'
     WHERE h.workspace_id = ws
     GROUP BY 1, 2),
  at_position AS (         -- the stage at a position of a pipeline
    SELECT DISTINCT ON (s.pipeline_id, s.position) s.pipeline_id, s.position, s.id
      FROM stage s WHERE s.workspace_id = ws AND s.kind <> 'lost'
     ORDER BY s.pipeline_id, s.position, s.id)
  INSERT INTO lead_funnel_daily AS t (workspace_id, pipeline_id, day, owner_id, source_id, furthest_stage_id, leads)
  SELECT l.workspace_id, l.pipeline_id, (l.created_at AT TIME ZONE metric_zone(w.time_zone))::date,
         coalesce(l.owner_id, '00000000-0000-0000-0000-000000000000'),
         coalesce(l.source_id, '00000000-0000-0000-0000-000000000000'),
         coalesce(p.id, '00000000-0000-0000-0000-000000000000'), count(*)
    FROM lead l JOIN workspace w ON w.id = l.workspace_id
    LEFT JOIN stage cur ON cur.workspace_id = l.workspace_id AND cur.id = l.stage_id AND cur.pipeline_id = l.pipeline_id AND cur.kind <> 'lost'
    LEFT JOIN hist ON hist.lead_id = l.id AND hist.pipeline_id = l.pipeline_id
    LEFT JOIN at_position p ON p.pipeline_id = l.pipeline_id AND p.position = greatest(cur.position, hist.position)
   WHERE l.workspace_id = ws AND l.status <> 'cancelled'
   GROUP BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (workspace_id, pipeline_id, day, owner_id, source_id, furthest_stage_id) DO UPDATE SET leads = t.leads + excluded.leads;
  IF only_funnel THEN RETURN; END IF;
  DELETE FROM lead_daily WHERE workspace_id = ws;
  DELETE FROM lead_closed_daily WHERE workspace_id = ws;
  DELETE FROM lead_open_summary WHERE workspace_id = ws;
  DELETE FROM lead_place_daily WHERE workspace_id = ws;
  DELETE FROM lead_place_weekly WHERE workspace_id = ws;
  DELETE FROM activity_daily WHERE workspace_id = ws;
  DELETE FROM activity_weekly WHERE workspace_id = ws;
  DELETE FROM sale_daily WHERE workspace_id = ws;
  DELETE FROM sale_client_first WHERE workspace_id = ws;
  DELETE FROM feedback_daily WHERE workspace_id = ws;
  DELETE FROM contact_lifecycle_summary WHERE workspace_id = ws;
  EXECUTE metric_lead_daily_sql('SELECT *, 1 AS sign FROM lead' || of_ws);
  EXECUTE metric_lead_closed_sql('SELECT *, 1 AS sign FROM lead' || of_ws);
  EXECUTE metric_lead_open_sql('SELECT *, 1 AS sign FROM lead' || of_ws);
  EXECUTE metric_lead_place_sql('SELECT *, 1 AS sign FROM lead' || of_ws, 'SELECT * FROM contact' || of_ws, 'SELECT * FROM company' || of_ws, false);
  INSERT INTO lead_place_weekly AS t (workspace_id, week, source_id, product_id, neighbourhood, city, leads)
  SELECT workspace_id, date_trunc('week', day::timestamp)::date, source_id, product_id, neighbourhood, city, sum(leads)
    FROM lead_place_daily WHERE workspace_id = ws
   GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(leads) <> 0
  ON CONFLICT (workspace_id, week, source_id, product_id, neighbourhood, city) DO UPDATE SET leads = t.leads + excluded.leads;
  EXECUTE metric_activity_sql('SELECT *, 1 AS sign FROM activity' || of_ws);
  INSERT INTO activity_weekly AS t (workspace_id, week, user_id, type, done)
  SELECT workspace_id, date_trunc('week', day::timestamp)::date, user_id, type, sum(done)
    FROM activity_daily WHERE workspace_id = ws
   GROUP BY 1, 2, 3, 4 HAVING sum(done) <> 0
  ON CONFLICT (workspace_id, week, user_id, type) DO UPDATE SET done = t.done + excluded.done;
  EXECUTE metric_sale_sql('SELECT *, 1 AS sign FROM sale' || of_ws);
  INSERT INTO sale_client_first (workspace_id, contact_id, company_id, first_sold_at)
  SELECT s.workspace_id, coalesce(s.contact_id, '00000000-0000-0000-0000-000000000000'),
         CASE WHEN s.contact_id IS NULL THEN s.company_id ELSE '00000000-0000-0000-0000-000000000000' END, min(s.sold_at)
    FROM sale s WHERE s.workspace_id = ws AND (s.contact_id IS NOT NULL OR s.company_id IS NOT NULL)
   GROUP BY 1, 2, 3;
  EXECUTE metric_feedback_sql('SELECT *, 1 AS sign FROM feedback' || of_ws);
  EXECUTE metric_contact_lifecycle_sql('SELECT *, 1 AS sign FROM contact' || of_ws);
END $$;

ALTER FUNCTION funnel_rollups_rebuild(uuid, uuid) SET jit = off;
