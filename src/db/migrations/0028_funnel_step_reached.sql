-- Plan vs actual from rollups (docs/funnel.md#plan-vs-actual, issue 8).
--
-- The weekly review counts, per journey step and local week, the leads that reached the step that
-- week (by the instant they reached it, not their creation). Read from the raw rows it follows every
-- lead's history: as slow as the raw fit (28 s at 1M leads). `funnel_step_reached` holds those counts
-- per local day of the reach, owner, source and step index (the journey's i-th step, 0-based, as in
-- the rollups of 0020); `funnel_step_reached_all` the same without owner and source.
--
-- Kept like the rollups of 0020, from the same per-lead reach instants (funnel_reach_sql), by
-- triggers of their own on lead, lead_stage_history, activity, sale and feedback (the 0020 trigger
-- functions are left as they are). They depend on the journey like the 0020 rollups do, and are
-- rebuilt whenever those are: a trigger on funnel_rollup_state, which every rebuild of the funnel
-- rollups writes (funnel_rollups_rebuild, hence metric_rollups_rebuild, the job of
-- src/jobs/funnel.ts), rebuilds this table for the pipelines it records. So "the rollups are fresh"
-- (funnel_rollup_state's signature is the current one) holds for this table too.

CREATE TABLE funnel_step_reached (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  pipeline_id  uuid NOT NULL,
  day          date NOT NULL,           -- local day the step was reached
  owner_id     uuid NOT NULL,
  source_id    uuid NOT NULL,
  step         integer NOT NULL,
  leads        integer NOT NULL,
  PRIMARY KEY (workspace_id, pipeline_id, day, owner_id, source_id, step)
);
CREATE INDEX funnel_step_reached_owner_idx ON funnel_step_reached (workspace_id, pipeline_id, owner_id, day);

CREATE TABLE funnel_step_reached_all (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  pipeline_id  uuid NOT NULL,
  day          date NOT NULL,
  step         integer NOT NULL,
  leads        integer NOT NULL,
  PRIMARY KEY (workspace_id, pipeline_id, day, step)
);

-- One statement adding (sign 1) or removing (sign -1) the reach days of the leads `leads`.
CREATE OR REPLACE FUNCTION funnel_step_reached_sql(leads text, hist text, act text, sales text, fb text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT funnel_upsert_both('WITH ' || funnel_reach_sql(leads, hist, act, sales, fb) || ', ', 'funnel_step_reached',
      ARRAY['workspace_id', 'pipeline_id', 'day', 'owner_id', 'source_id', 'step'], ARRAY['leads'],
      $q$SELECT l.workspace_id, l.pipeline_id, (sr.at AT TIME ZONE l.tz)::date AS day,
                coalesce(l.owner_id, '00000000-0000-0000-0000-000000000000') AS owner_id,
                coalesce(l.source_id, '00000000-0000-0000-0000-000000000000') AS source_id,
                sr.i::integer AS step, l.sign AS leads
           FROM sr JOIN l ON l.workspace_id = sr.workspace_id AND l.id = sr.lead_id$q$, ARRAY['owner_id', 'source_id'])
$$;

-- Leads: their own rows changed; the other tables are as they are (funnel_lead_rollups of 0020, for this table).
CREATE OR REPLACE FUNCTION funnel_step_reached_lead() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  live text[] := ARRAY[funnel_live('lead_stage_history'), funnel_live('activity'), funnel_live('sale'), funnel_live('feedback')];
BEGIN
  -- rollup guard (0025): skip a statement that changed nothing a rollup reads.
  IF TG_LEVEL = 'STATEMENT' THEN
    IF TG_OP = 'INSERT' THEN
      IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
    ELSIF TG_OP = 'DELETE' THEN
      IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;
    ELSIF NOT EXISTS (SELECT to_jsonb(n) - rollup_unread_columns() FROM new_rows n
                      EXCEPT ALL SELECT to_jsonb(o) - rollup_unread_columns() FROM old_rows o) THEN
      RETURN NULL;
    END IF;
  END IF;
  IF TG_LEVEL = 'ROW' THEN
    EXECUTE funnel_step_reached_sql(format('SELECT (%L::lead).*, -1 AS sign', OLD), live[1], live[2], live[3], live[4]);
    RETURN OLD;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    EXECUTE funnel_step_reached_sql('SELECT o.*, -1 AS sign FROM old_rows o', live[1], live[2], live[3], live[4]);
  END IF;
  EXECUTE funnel_step_reached_sql('SELECT n.*, 1 AS sign FROM new_rows n', live[1], live[2], live[3], live[4]);
  RETURN NULL;
END $$;

-- Stage history, activities, sales, answers: the leads they concern, removed as they were before the
-- statement and added as they are after (funnel_related_rollups of 0020, for this table).
CREATE OR REPLACE FUNCTION funnel_step_reached_related() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  rels text := CASE TG_OP WHEN 'INSERT' THEN 'SELECT * FROM new_rows' WHEN 'DELETE' THEN 'SELECT * FROM old_rows'
                          ELSE 'SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows' END;
  keys text;
  leads text;
  found boolean;
  live text[] := ARRAY[funnel_live('lead_stage_history'), funnel_live('activity'), funnel_live('sale'), funnel_live('feedback')];
  before text[];
BEGIN
  -- rollup guard (0025): skip a statement that changed nothing a rollup reads.
  IF TG_LEVEL = 'STATEMENT' THEN
    IF TG_OP = 'INSERT' THEN
      IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
    ELSIF TG_OP = 'DELETE' THEN
      IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;
    ELSIF NOT EXISTS (SELECT to_jsonb(n) - rollup_unread_columns() FROM new_rows n
                      EXCEPT ALL SELECT to_jsonb(o) - rollup_unread_columns() FROM old_rows o) THEN
      RETURN NULL;
    END IF;
  END IF;
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
  EXECUTE format($q$SELECT EXISTS (SELECT 1 FROM (%s) k JOIN lead x ON x.workspace_id = k.workspace_id AND x.id = k.lead_id
                   WHERE EXISTS (SELECT 1 FROM journey_step j WHERE j.workspace_id = x.workspace_id AND j.pipeline_id = x.pipeline_id))$q$, keys) INTO found;
  IF NOT found THEN RETURN NULL; END IF;
  leads := format('SELECT x.*, %%s AS sign FROM lead x WHERE (x.workspace_id, x.id) IN (SELECT k.workspace_id, k.lead_id FROM (%s) k)', keys);
  before := live;
  before[array_position(ARRAY['lead_stage_history', 'activity', 'sale', 'feedback'], TG_TABLE_NAME::text)] := funnel_before(TG_TABLE_NAME, TG_OP);
  EXECUTE funnel_step_reached_sql(format(leads, -1), before[1], before[2], before[3], before[4]);
  EXECUTE funnel_step_reached_sql(format(leads, 1), live[1], live[2], live[3], live[4]);
  RETURN NULL;
END $$;

CREATE TRIGGER funnel_step_reached_lead_insert AFTER INSERT ON lead REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_step_reached_lead();
CREATE TRIGGER funnel_step_reached_lead_update AFTER UPDATE ON lead REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_step_reached_lead();
-- Per row BEFORE the delete: the lead's history and activities are gone by the time an AFTER trigger runs.
CREATE TRIGGER funnel_step_reached_lead_delete BEFORE DELETE ON lead
  FOR EACH ROW EXECUTE FUNCTION funnel_step_reached_lead();
ALTER TABLE lead ENABLE ALWAYS TRIGGER funnel_step_reached_lead_insert;
ALTER TABLE lead ENABLE ALWAYS TRIGGER funnel_step_reached_lead_update;
ALTER TABLE lead ENABLE ALWAYS TRIGGER funnel_step_reached_lead_delete;

CREATE TRIGGER funnel_step_reached_history_insert AFTER INSERT ON lead_stage_history REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_step_reached_related();
CREATE TRIGGER funnel_step_reached_history_update AFTER UPDATE ON lead_stage_history REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_step_reached_related();
CREATE TRIGGER funnel_step_reached_history_delete AFTER DELETE ON lead_stage_history REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_step_reached_related();
CREATE TRIGGER funnel_step_reached_activity_insert AFTER INSERT ON activity REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_step_reached_related();
CREATE TRIGGER funnel_step_reached_activity_update AFTER UPDATE ON activity REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_step_reached_related();
CREATE TRIGGER funnel_step_reached_activity_delete AFTER DELETE ON activity REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_step_reached_related();
CREATE TRIGGER funnel_step_reached_sale_insert AFTER INSERT ON sale REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_step_reached_related();
CREATE TRIGGER funnel_step_reached_sale_update AFTER UPDATE ON sale REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_step_reached_related();
CREATE TRIGGER funnel_step_reached_sale_delete AFTER DELETE ON sale REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_step_reached_related();
CREATE TRIGGER funnel_step_reached_feedback_insert AFTER INSERT ON feedback REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_step_reached_related();
CREATE TRIGGER funnel_step_reached_feedback_update AFTER UPDATE ON feedback REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_step_reached_related();
CREATE TRIGGER funnel_step_reached_feedback_delete AFTER DELETE ON feedback REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_step_reached_related();
ALTER TABLE lead_stage_history ENABLE ALWAYS TRIGGER funnel_step_reached_history_insert;
ALTER TABLE lead_stage_history ENABLE ALWAYS TRIGGER funnel_step_reached_history_update;
ALTER TABLE lead_stage_history ENABLE ALWAYS TRIGGER funnel_step_reached_history_delete;
ALTER TABLE activity ENABLE ALWAYS TRIGGER funnel_step_reached_activity_insert;
ALTER TABLE activity ENABLE ALWAYS TRIGGER funnel_step_reached_activity_update;
ALTER TABLE activity ENABLE ALWAYS TRIGGER funnel_step_reached_activity_delete;
ALTER TABLE sale ENABLE ALWAYS TRIGGER funnel_step_reached_sale_insert;
ALTER TABLE sale ENABLE ALWAYS TRIGGER funnel_step_reached_sale_update;
ALTER TABLE sale ENABLE ALWAYS TRIGGER funnel_step_reached_sale_delete;
ALTER TABLE feedback ENABLE ALWAYS TRIGGER funnel_step_reached_feedback_insert;
ALTER TABLE feedback ENABLE ALWAYS TRIGGER funnel_step_reached_feedback_update;
ALTER TABLE feedback ENABLE ALWAYS TRIGGER funnel_step_reached_feedback_delete;

-- Recomputes one pipeline's reach days from the raw rows.
CREATE OR REPLACE FUNCTION funnel_step_reached_rebuild(ws uuid, pl uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  of_ws text := format(' WHERE workspace_id = %L', ws);
  nestloop text := current_setting('enable_nestloop');
BEGIN
  -- As funnel_rollups_rebuild: the CTEs have no statistics and every join here is large.
  PERFORM set_config('enable_nestloop', 'off', true);
  DELETE FROM funnel_step_reached WHERE workspace_id = ws AND pipeline_id = pl;
  DELETE FROM funnel_step_reached_all WHERE workspace_id = ws AND pipeline_id = pl;
  EXECUTE funnel_step_reached_sql(format('SELECT *, 1 AS sign FROM lead WHERE workspace_id = %L AND pipeline_id = %L', ws, pl),
    'SELECT * FROM lead_stage_history' || of_ws, 'SELECT * FROM activity' || of_ws, 'SELECT * FROM sale' || of_ws, 'SELECT * FROM feedback' || of_ws);
  PERFORM set_config('enable_nestloop', nestloop, true);
END $$;

-- Every rebuild of the funnel rollups records the pipelines it built in funnel_rollup_state: rebuild
-- this table for them in the same transaction.
CREATE OR REPLACE FUNCTION funnel_step_reached_follow_state() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  -- rollup guard (0025): skip a statement that changed nothing a rollup reads.
  IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
  FOR r IN SELECT DISTINCT workspace_id, pipeline_id FROM new_rows LOOP
    PERFORM funnel_step_reached_rebuild(r.workspace_id, r.pipeline_id);
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER funnel_step_reached_state AFTER INSERT ON funnel_rollup_state REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION funnel_step_reached_follow_state();
ALTER TABLE funnel_rollup_state ENABLE ALWAYS TRIGGER funnel_step_reached_state;

-- Existing data: the pipelines whose rollups are built.
SELECT funnel_step_reached_rebuild(workspace_id, pipeline_id) FROM funnel_rollup_state;
