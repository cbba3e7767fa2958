-- Daily rollups of the dashboard's additive numbers (docs/metrics.md, docs/benchmarks.md).
--
-- Each table holds sums per local day of the workspace's time zone and per the dimensions the
-- dashboard filters or breaks down by. A missing dimension (no owner, no source, no campaign, no
-- funnel stage) is the nil uuid, so that every key column is NOT NULL and part of the primary key.
--
-- They are kept by statement-level triggers (transition tables: one aggregated upsert per statement,
-- so a bulk load of 50 000 rows costs one grouped insert, not 50 000) in the same transaction as the
-- write, on every write path — API, import, jobs, bulk load (ENABLE ALWAYS: they fire under
-- session_replication_role = replica too). A change of the workspace's time zone or of its funnel
-- stages rebuilds that workspace's rollups; `seguimiento metrics rebuild` does it on demand.
-- Non-additive numbers (medians, distinct clients, snapshots against "now") stay over raw rows.

CREATE TABLE lead_daily (              -- leads by local creation day (the conversion and CPL cohort)
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  day          date NOT NULL,
  owner_id     uuid NOT NULL,
  source_id    uuid NOT NULL,
  campaign_id  uuid NOT NULL,
  leads        integer NOT NULL,       -- not cancelled
  won          integer NOT NULL,       -- status won now
  PRIMARY KEY (workspace_id, day, owner_id, source_id, campaign_id)
);

CREATE TABLE lead_funnel_daily (       -- the cohort by the furthest open/won stage each lead has been in
  workspace_id      uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  pipeline_id       uuid NOT NULL,
  day               date NOT NULL,
  owner_id          uuid NOT NULL,
  source_id         uuid NOT NULL,
  furthest_stage_id uuid NOT NULL,
  leads             integer NOT NULL,
  PRIMARY KEY (workspace_id, pipeline_id, day, owner_id, source_id, furthest_stage_id)
);

CREATE TABLE lead_closed_daily (       -- leads won or lost by local close day (win rate, sales cycle)
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  day          date NOT NULL,
  owner_id     uuid NOT NULL,
  source_id    uuid NOT NULL,
  won          integer NOT NULL,
  lost         integer NOT NULL,
  won_days     numeric NOT NULL,       -- Σ days from creation to close of the won ones
  PRIMARY KEY (workspace_id, day, owner_id, source_id)
);

CREATE TABLE lead_open_summary (       -- the open pipeline now (no day: a snapshot)
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  stage_id     uuid NOT NULL,
  owner_id     uuid NOT NULL,
  source_id    uuid NOT NULL,
  close_month  text NOT NULL,          -- YYYY-MM of expected_close_date, or 'none'
  leads        integer NOT NULL,
  amount       numeric NOT NULL,
  weighted     numeric NOT NULL,       -- Σ amount × probability ÷ 100, exact
  PRIMARY KEY (workspace_id, stage_id, owner_id, source_id, close_month)
);

CREATE TABLE activity_daily (          -- done activities by the local day they happened
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  day          date NOT NULL,
  user_id      uuid NOT NULL,
  type         text NOT NULL,
  done         integer NOT NULL,
  PRIMARY KEY (workspace_id, day, user_id, type)
);

CREATE TABLE sale_daily (              -- sales by local sale day
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  day          date NOT NULL,
  owner_id     uuid NOT NULL,
  sales        integer NOT NULL,
  amount       numeric NOT NULL,
  PRIMARY KEY (workspace_id, day, owner_id)
);

CREATE TABLE feedback_daily (          -- the distribution of answers by local answer day
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  day          date NOT NULL,
  user_id      uuid NOT NULL,
  nps          smallint NOT NULL,      -- 0–10, or -1: no NPS score
  satisfaction smallint NOT NULL,      -- 1–5, or 0: no satisfaction answer
  answers      integer NOT NULL,
  PRIMARY KEY (workspace_id, day, user_id, nps, satisfaction)
);

-- The SQL that turns base rows into rollup rows, written once and used by the triggers (over their
-- transition tables) and by the rebuild (over the whole table). `src` is a query giving the base
-- table's columns plus `sign` (+1 added, -1 removed).

CREATE OR REPLACE FUNCTION metric_rollup_upsert(target text, keys text[], measures text[], rows_sql text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT format('INSERT INTO %I AS t (%s, %s) SELECT %s, %s FROM (%s) c GROUP BY %s HAVING %s ON CONFLICT (%s) DO UPDATE SET %s',
    target, array_to_string(keys, ', '), array_to_string(measures, ', '), array_to_string(keys, ', '),
    (SELECT string_agg(format('sum(%I)', m), ', ') FROM unnest(measures) m),
    rows_sql, array_to_string(keys, ', '),
    (SELECT string_agg(format('sum(%I) <> 0', m), ' OR ') FROM unnest(measures) m),
    array_to_string(keys, ', '),
    (SELECT string_agg(format('%I = t.%I + excluded.%I', m, m, m), ', ') FROM unnest(measures) m))
$$;

CREATE OR REPLACE FUNCTION metric_lead_daily_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT metric_rollup_upsert('lead_daily', ARRAY['workspace_id', 'day', 'owner_id', 'source_id', 'campaign_id'], ARRAY['leads', 'won'], format(
    $q$SELECT l.workspace_id, (l.created_at AT TIME ZONE w.time_zone)::date AS day,
              coalesce(l.owner_id, '00000000-0000-0000-0000-000000000000') AS owner_id,
              coalesce(l.source_id, '00000000-0000-0000-0000-000000000000') AS source_id,
              coalesce(l.campaign_id, '00000000-0000-0000-0000-000000000000') AS campaign_id,
              l.sign AS leads, CASE WHEN l.status = 'won' THEN l.sign ELSE 0 END AS won
         FROM (%s) l JOIN workspace w ON w.id = l.workspace_id
        WHERE l.status <> 'cancelled'$q$, src))
$$;

-- The furthest funnel step of a lead: the open or won stage of its pipeline with the highest position
-- among its current stage and the stages of its history (`hist`: workspace_id, lead_id, to_stage_id).
CREATE OR REPLACE FUNCTION metric_lead_funnel_rows(src text, hist text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format(
    $q$SELECT l.workspace_id, l.pipeline_id, (l.created_at AT TIME ZONE w.time_zone)::date AS day,
              coalesce(l.owner_id, '00000000-0000-0000-0000-000000000000') AS owner_id,
              coalesce(l.source_id, '00000000-0000-0000-0000-000000000000') AS source_id,
              coalesce((SELECT s.id FROM stage s
                         WHERE s.workspace_id = l.workspace_id
                           AND s.id IN (SELECT l.stage_id UNION ALL SELECT h.to_stage_id FROM (%s) h WHERE h.workspace_id = l.workspace_id AND h.lead_id = l.id)
                           AND s.pipeline_id = l.pipeline_id AND s.kind <> 'lost'
                         ORDER BY s.position DESC LIMIT 1), '00000000-0000-0000-0000-000000000000') AS furthest_stage_id,
              l.sign AS leads
         FROM (%s) l JOIN workspace w ON w.id = l.workspace_id
        WHERE l.status <> 'cancelled'$q$, hist, src)
$$;

CREATE OR REPLACE FUNCTION metric_lead_funnel_sql(rows_sql text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT metric_rollup_upsert('lead_funnel_daily', ARRAY['workspace_id', 'pipeline_id', 'day', 'owner_id', 'source_id', 'furthest_stage_id'], ARRAY['leads'], rows_sql)
$$;

CREATE OR REPLACE FUNCTION metric_lead_closed_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT metric_rollup_upsert('lead_closed_daily', ARRAY['workspace_id', 'day', 'owner_id', 'source_id'], ARRAY['won', 'lost', 'won_days'], format(
    $q$SELECT l.workspace_id, (l.closed_at AT TIME ZONE w.time_zone)::date AS day,
              coalesce(l.owner_id, '00000000-0000-0000-0000-000000000000') AS owner_id,
              coalesce(l.source_id, '00000000-0000-0000-0000-000000000000') AS source_id,
              CASE WHEN l.status = 'won' THEN l.sign ELSE 0 END AS won, CASE WHEN l.status = 'lost' THEN l.sign ELSE 0 END AS lost,
              CASE WHEN l.status = 'won' THEN l.sign * (extract(epoch FROM l.closed_at - l.created_at) / 86400) ELSE 0 END AS won_days
         FROM (%s) l JOIN workspace w ON w.id = l.workspace_id
        WHERE l.status IN ('won', 'lost') AND l.closed_at IS NOT NULL$q$, src))
$$;

CREATE OR REPLACE FUNCTION metric_lead_open_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT metric_rollup_upsert('lead_open_summary', ARRAY['workspace_id', 'stage_id', 'owner_id', 'source_id', 'close_month'], ARRAY['leads', 'amount', 'weighted'], format(
    $q$SELECT l.workspace_id, l.stage_id,
              coalesce(l.owner_id, '00000000-0000-0000-0000-000000000000') AS owner_id,
              coalesce(l.source_id, '00000000-0000-0000-0000-000000000000') AS source_id,
              coalesce(to_char(l.expected_close_date, 'YYYY-MM'), 'none') AS close_month,
              l.sign AS leads, l.sign * l.amount AS amount, l.sign * (l.amount * l.probability / 100.0) AS weighted
         FROM (%s) l JOIN workspace w ON w.id = l.workspace_id
        WHERE l.status = 'open'$q$, src))
$$;

CREATE OR REPLACE FUNCTION metric_activity_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT metric_rollup_upsert('activity_daily', ARRAY['workspace_id', 'day', 'user_id', 'type'], ARRAY['done'], format(
    $q$SELECT a.workspace_id, (coalesce(a.occurred_at, a.done_at) AT TIME ZONE w.time_zone)::date AS day,
              coalesce(a.user_id, '00000000-0000-0000-0000-000000000000') AS user_id, a.type, a.sign AS done
         FROM (%s) a JOIN workspace w ON w.id = a.workspace_id
        WHERE a.done_at IS NOT NULL$q$, src))
$$;

CREATE OR REPLACE FUNCTION metric_sale_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT metric_rollup_upsert('sale_daily', ARRAY['workspace_id', 'day', 'owner_id'], ARRAY['sales', 'amount'], format(
    $q$SELECT s.workspace_id, (s.sold_at AT TIME ZONE w.time_zone)::date AS day,
              coalesce(s.owner_id, '00000000-0000-0000-0000-000000000000') AS owner_id, s.sign AS sales, s.sign * s.total AS amount
         FROM (%s) s JOIN workspace w ON w.id = s.workspace_id$q$, src))
$$;

CREATE OR REPLACE FUNCTION metric_feedback_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT metric_rollup_upsert('feedback_daily', ARRAY['workspace_id', 'day', 'user_id', 'nps', 'satisfaction'], ARRAY['answers'], format(
    $q$SELECT f.workspace_id, (f.answered_at AT TIME ZONE w.time_zone)::date AS day,
              coalesce(f.user_id, '00000000-0000-0000-0000-000000000000') AS user_id,
              coalesce(f.nps, -1)::smallint AS nps, coalesce(f.satisfaction, 0)::smallint AS satisfaction, f.sign AS answers
         FROM (%s) f JOIN workspace w ON w.id = f.workspace_id$q$, src))
$$;

-- The rows a statement changed, with their sign, from its transition tables.
CREATE OR REPLACE FUNCTION metric_changed_rows(op text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE op WHEN 'INSERT' THEN 'SELECT n.*, 1 AS sign FROM new_rows n'
                 WHEN 'DELETE' THEN 'SELECT o.*, -1 AS sign FROM old_rows o'
                 ELSE 'SELECT n.*, 1 AS sign FROM new_rows n UNION ALL SELECT o.*, -1 AS sign FROM old_rows o' END
$$;

-- Leads: inserts and updates per statement; deletes per row BEFORE the delete, because the stage
-- history (which decides the furthest funnel step) is gone by the time an AFTER trigger runs.
CREATE OR REPLACE FUNCTION metric_lead_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE src text;
BEGIN
  IF TG_LEVEL = 'ROW' THEN
    src := format('SELECT (%L::lead).*, -1 AS sign', OLD);
  ELSE
    src := metric_changed_rows(TG_OP);
  END IF;
  EXECUTE metric_lead_daily_sql(src);
  EXECUTE metric_lead_funnel_sql(metric_lead_funnel_rows(src, 'SELECT workspace_id, lead_id, to_stage_id FROM lead_stage_history'));
  EXECUTE metric_lead_closed_sql(src);
  EXECUTE metric_lead_open_sql(src);
  RETURN CASE WHEN TG_LEVEL = 'ROW' THEN OLD END;
END $$;

CREATE TRIGGER metric_lead_rollups_insert AFTER INSERT ON lead REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_lead_rollups();
CREATE TRIGGER metric_lead_rollups_update AFTER UPDATE ON lead REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_lead_rollups();
CREATE TRIGGER metric_lead_rollups_delete BEFORE DELETE ON lead
  FOR EACH ROW EXECUTE FUNCTION metric_lead_rollups();

-- Stage history: the furthest step of the leads concerned, before (history without the new rows,
-- with the old ones) and after the statement. A lead being deleted is no longer there: nothing to do.
CREATE OR REPLACE FUNCTION metric_stage_history_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  new_rel text := CASE WHEN TG_OP = 'DELETE' THEN '(SELECT * FROM lead_stage_history WHERE false)' ELSE 'new_rows' END;
  old_rel text := CASE WHEN TG_OP = 'INSERT' THEN '(SELECT * FROM lead_stage_history WHERE false)' ELSE 'old_rows' END;
  leads text;
  before_hist text;
BEGIN
  leads := format('SELECT l.*, %%s AS sign FROM lead l WHERE (l.workspace_id, l.id) IN (SELECT a.workspace_id, a.lead_id FROM %s a UNION SELECT b.workspace_id, b.lead_id FROM %s b)', new_rel, old_rel);
  before_hist := format('SELECT x.workspace_id, x.lead_id, x.to_stage_id FROM lead_stage_history x WHERE NOT EXISTS (SELECT 1 FROM %s n WHERE n.workspace_id = x.workspace_id AND n.id = x.id) UNION ALL SELECT o.workspace_id, o.lead_id, o.to_stage_id FROM %s o', new_rel, old_rel);
  EXECUTE metric_lead_funnel_sql(
    metric_lead_funnel_rows(format(leads, -1), before_hist) || ' UNION ALL ' ||
    metric_lead_funnel_rows(format(leads, 1), 'SELECT workspace_id, lead_id, to_stage_id FROM lead_stage_history'));
  RETURN NULL;
END $$;

CREATE TRIGGER metric_stage_history_rollups_insert AFTER INSERT ON lead_stage_history REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_stage_history_rollups();
CREATE TRIGGER metric_stage_history_rollups_update AFTER UPDATE ON lead_stage_history REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_stage_history_rollups();
CREATE TRIGGER metric_stage_history_rollups_delete AFTER DELETE ON lead_stage_history REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_stage_history_rollups();

CREATE OR REPLACE FUNCTION metric_simple_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE src text := metric_changed_rows(TG_OP);
BEGIN
  IF TG_TABLE_NAME = 'activity' THEN EXECUTE metric_activity_sql(src);
  ELSIF TG_TABLE_NAME = 'sale' THEN EXECUTE metric_sale_sql(src);
  ELSE EXECUTE metric_feedback_sql(src);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER metric_activity_rollups_insert AFTER INSERT ON activity REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_simple_rollups();
CREATE TRIGGER metric_activity_rollups_update AFTER UPDATE ON activity REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_simple_rollups();
CREATE TRIGGER metric_activity_rollups_delete AFTER DELETE ON activity REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_simple_rollups();
CREATE TRIGGER metric_sale_rollups_insert AFTER INSERT ON sale REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_simple_rollups();
CREATE TRIGGER metric_sale_rollups_update AFTER UPDATE ON sale REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_simple_rollups();
CREATE TRIGGER metric_sale_rollups_delete AFTER DELETE ON sale REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_simple_rollups();
CREATE TRIGGER metric_feedback_rollups_insert AFTER INSERT ON feedback REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_simple_rollups();
CREATE TRIGGER metric_feedback_rollups_update AFTER UPDATE ON feedback REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_simple_rollups();
CREATE TRIGGER metric_feedback_rollups_delete AFTER DELETE ON feedback REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_simple_rollups();

-- Bulk loads run with session_replication_role = replica (no FK triggers); the rollups must still follow.
ALTER TABLE lead ENABLE ALWAYS TRIGGER metric_lead_rollups_insert;
ALTER TABLE lead ENABLE ALWAYS TRIGGER metric_lead_rollups_update;
ALTER TABLE lead ENABLE ALWAYS TRIGGER metric_lead_rollups_delete;
ALTER TABLE lead_stage_history ENABLE ALWAYS TRIGGER metric_stage_history_rollups_insert;
ALTER TABLE lead_stage_history ENABLE ALWAYS TRIGGER metric_stage_history_rollups_update;
ALTER TABLE lead_stage_history ENABLE ALWAYS TRIGGER metric_stage_history_rollups_delete;
ALTER TABLE activity ENABLE ALWAYS TRIGGER metric_activity_rollups_insert;
ALTER TABLE activity ENABLE ALWAYS TRIGGER metric_activity_rollups_update;
ALTER TABLE activity ENABLE ALWAYS TRIGGER metric_activity_rollups_delete;
ALTER TABLE sale ENABLE ALWAYS TRIGGER metric_sale_rollups_insert;
ALTER TABLE sale ENABLE ALWAYS TRIGGER metric_sale_rollups_update;
ALTER TABLE sale ENABLE ALWAYS TRIGGER metric_sale_rollups_delete;
ALTER TABLE feedback ENABLE ALWAYS TRIGGER metric_feedback_rollups_insert;
ALTER TABLE feedback ENABLE ALWAYS TRIGGER metric_feedback_rollups_update;
ALTER TABLE feedback ENABLE ALWAYS TRIGGER metric_feedback_rollups_delete;

-- Recomputes one workspace's rollups from its raw rows (all of them, or only the funnel).
CREATE OR REPLACE FUNCTION metric_rollups_rebuild(ws uuid, only_funnel boolean DEFAULT false) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  of_ws text := format(' WHERE workspace_id = %L', ws);
BEGIN
  DELETE FROM lead_funnel_daily WHERE workspace_id = ws;
  EXECUTE metric_lead_funnel_sql(metric_lead_funnel_rows('SELECT *, 1 AS sign FROM lead' || of_ws,
    'SELECT workspace_id, lead_id, to_stage_id FROM lead_stage_history'));
  IF only_funnel THEN RETURN; END IF;
  DELETE FROM lead_daily WHERE workspace_id = ws;
  DELETE FROM lead_closed_daily WHERE workspace_id = ws;
  DELETE FROM lead_open_summary WHERE workspace_id = ws;
  DELETE FROM activity_daily WHERE workspace_id = ws;
  DELETE FROM sale_daily WHERE workspace_id = ws;
  DELETE FROM feedback_daily WHERE workspace_id = ws;
  EXECUTE metric_lead_daily_sql('SELECT *, 1 AS sign FROM lead' || of_ws);
  EXECUTE metric_lead_closed_sql('SELECT *, 1 AS sign FROM lead' || of_ws);
  EXECUTE metric_lead_open_sql('SELECT *, 1 AS sign FROM lead' || of_ws);
  EXECUTE metric_activity_sql('SELECT *, 1 AS sign FROM activity' || of_ws);
  EXECUTE metric_sale_sql('SELECT *, 1 AS sign FROM sale' || of_ws);
  EXECUTE metric_feedback_sql('SELECT *, 1 AS sign FROM feedback' || of_ws);
END $$;

-- Local days move with the time zone; the furthest step moves when stages are reordered or re-kinded.
CREATE OR REPLACE FUNCTION metric_workspace_zone_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM metric_rollups_rebuild(NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER metric_workspace_zone_changed AFTER UPDATE OF time_zone ON workspace
  FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone) EXECUTE FUNCTION metric_workspace_zone_changed();

CREATE OR REPLACE FUNCTION metric_stages_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ws uuid;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    FOR ws IN SELECT DISTINCT n.workspace_id FROM new_rows n JOIN old_rows o ON o.workspace_id = n.workspace_id AND o.id = n.id
               WHERE (o.position, o.kind, o.pipeline_id) IS DISTINCT FROM (n.position, n.kind, n.pipeline_id) LOOP
      PERFORM metric_rollups_rebuild(ws, true);
    END LOOP;
  ELSE
    FOR ws IN SELECT DISTINCT o.workspace_id FROM old_rows o JOIN workspace w ON w.id = o.workspace_id LOOP
      PERFORM metric_rollups_rebuild(ws, true);
    END LOOP;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER metric_stages_updated AFTER UPDATE ON stage REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_stages_changed();
CREATE TRIGGER metric_stages_deleted AFTER DELETE ON stage REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_stages_changed();

-- Existing data.
SELECT metric_rollups_rebuild(id) FROM workspace;

-- Raw reads that stay raw: sales in a period with their client and owner from the index alone
-- (distinct buying clients, new vs existing, frequency, top clients are not additive).
CREATE INDEX sale_period_cover_idx ON sale (workspace_id, sold_at) INCLUDE (owner_id, contact_id, company_id, total);
-- Overdue next actions are a snapshot against now over the open leads only.
CREATE INDEX lead_open_next_action_idx ON lead (workspace_id, next_action_at) INCLUDE (owner_id, source_id) WHERE status = 'open';
