-- Plan vs actual's rollup (funnel_step_reached, 0028) rebuilt in short transactions
-- (docs/funnel.md#speed, docs/benchmarks.md "Funnel simulation and rebuild in short transactions").
--
-- The job that rebuilds a pipeline's funnel rollups (src/db/queries/funnel.ts rebuildFunnelRollups)
-- runs one transaction per table, and on PGlite one per range of creation days, so that other
-- requests get the only connection between them. The tables keyed by creation day are exact range by
-- range. funnel_step_reached is keyed by the day a step was reached, so a range of leads adds to rows
-- that other ranges share: its triggers must leave alone the leads the job has not counted yet, or a
-- write to one of them between two transactions would be counted twice (once by its trigger, once
-- when the job reaches its range). `funnel_rollup_cursor` says, while such a rebuild runs, up to which
-- local creation day the pipeline's leads are counted; the table's statement (used by its triggers
-- and by the job) skips the later ones. Without a cursor row (always, but while the job runs) nothing
-- changes.

CREATE TABLE funnel_rollup_cursor (
  workspace_id  uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  pipeline_id   uuid NOT NULL,
  built_before  date NOT NULL,   -- leads created (local day) before it are counted in funnel_step_reached; the others not yet
  PRIMARY KEY (workspace_id, pipeline_id)
);

-- 0028's statement, the leads not yet counted by a rebuild in progress left out.
CREATE OR REPLACE FUNCTION funnel_step_reached_sql(leads text, hist text, act text, sales text, fb text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT funnel_upsert_both('WITH ' || funnel_reach_sql(leads, hist, act, sales, fb) || ', ', 'funnel_step_reached',
      ARRAY['workspace_id', 'pipeline_id', 'day', 'owner_id', 'source_id', 'step'], ARRAY['leads'],
      $q$SELECT l.workspace_id, l.pipeline_id, (sr.at AT TIME ZONE l.tz)::date AS day,
                coalesce(l.owner_id, '00000000-0000-0000-0000-000000000000') AS owner_id,
                coalesce(l.source_id, '00000000-0000-0000-0000-000000000000') AS source_id,
                sr.i::integer AS step, l.sign AS leads
           FROM sr JOIN l ON l.workspace_id = sr.workspace_id AND l.id = sr.lead_id
          WHERE NOT EXISTS (SELECT 1 FROM funnel_rollup_cursor c WHERE c.workspace_id = l.workspace_id AND c.pipeline_id = l.pipeline_id
                              AND (l.created_at AT TIME ZONE l.tz)::date >= c.built_before)$q$, ARRAY['owner_id', 'source_id'])
$$;

-- A whole rebuild (0028) makes a rebuild in progress moot: its cursor goes.
CREATE OR REPLACE FUNCTION funnel_step_reached_rebuild(ws uuid, pl uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  of_ws text := format(' WHERE workspace_id = %L', ws);
  nestloop text := current_setting('enable_nestloop');
BEGIN
  -- As funnel_rollups_rebuild: the CTEs have no statistics and every join here is large.
  PERFORM set_config('enable_nestloop', 'off', true);
  DELETE FROM funnel_rollup_cursor WHERE workspace_id = ws AND pipeline_id = pl;
  DELETE FROM funnel_step_reached WHERE workspace_id = ws AND pipeline_id = pl;
  DELETE FROM funnel_step_reached_all WHERE workspace_id = ws AND pipeline_id = pl;
  EXECUTE funnel_step_reached_sql(format('SELECT *, 1 AS sign FROM lead WHERE workspace_id = %L AND pipeline_id = %L', ws, pl),
    'SELECT * FROM lead_stage_history' || of_ws, 'SELECT * FROM activity' || of_ws, 'SELECT * FROM sale' || of_ws, 'SELECT * FROM feedback' || of_ws);
  PERFORM set_config('enable_nestloop', nestloop, true);
END $$;

-- The job's first build of a pipeline inserts its state row with an empty signature (named after no
-- journey, so the rollups stay stale) and rebuilds this table itself, range by range: not here.
CREATE OR REPLACE FUNCTION funnel_step_reached_follow_state() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  -- rollup guard (0025): skip a statement that changed nothing a rollup reads.
  IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
  FOR r IN SELECT DISTINCT workspace_id, pipeline_id FROM new_rows WHERE signature <> '' LOOP
    PERFORM funnel_step_reached_rebuild(r.workspace_id, r.pipeline_id);
  END LOOP;
  RETURN NULL;
END $$;
