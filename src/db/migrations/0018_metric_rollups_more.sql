-- More rollups so that every dashboard card reads small tables (docs/metrics.md, docs/benchmarks.md),
-- time-zone-proof rollup triggers, and the weekly summary opt-out.
--
-- 1. `metric_zone`: the zone the rollups bucket by. A stored zone PostgreSQL does not know (the app
--    refuses them at save time, but older rows, direct SQL or a zone ICU knows and the server's tzdata
--    does not) is read as UTC, so that no write ever fails in a rollup trigger because of it. The
--    dashboard then reads the rollups only when the period's zone equals metric_zone(stored zone).
-- 2. New rollups, kept like those of 0014 (statement triggers over transition tables, ENABLE ALWAYS,
--    rebuilt by metric_rollups_rebuild):
--    lead_place_daily / lead_place_weekly  weekly new leads by source × product × neighbourhood × city
--                                          (daily with owner for filtered reads and period edges;
--                                          weekly without owner for the whole workspace);
--    activity_weekly                       interactions per user × type × local week;
--    contact_lifecycle_summary             active clients / prospects per owner (a snapshot);
--    sale_client_first                     each client's first sale (new vs existing clients).

CREATE OR REPLACE FUNCTION metric_zone(tz text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  PERFORM now() AT TIME ZONE tz;
  RETURN tz;
EXCEPTION WHEN others THEN
  RETURN 'UTC';
END $$;

-- The 0014 row builders again, bucketing by metric_zone(w.time_zone) instead of the raw stored zone.
CREATE OR REPLACE FUNCTION metric_lead_daily_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT metric_rollup_upsert('lead_daily', ARRAY['workspace_id', 'day', 'owner_id', 'source_id', 'campaign_id'], ARRAY['leads', 'won'], format(
    $q$SELECT l.workspace_id, (l.created_at AT TIME ZONE metric_zone(w.time_zone))::date AS day,
              coalesce(l.owner_id, '00000000-0000-0000-0000-000000000000') AS owner_id,
              coalesce(l.source_id, '00000000-0000-0000-0000-000000000000') AS source_id,
              coalesce(l.campaign_id, '00000000-0000-0000-0000-000000000000') AS campaign_id,
              l.sign AS leads, CASE WHEN l.status = 'won' THEN l.sign ELSE 0 END AS won
         FROM (%s) l JOIN workspace w ON w.id = l.workspace_id
        WHERE l.status <> 'cancelled'$q$, src))
$$;

CREATE OR REPLACE FUNCTION metric_lead_funnel_rows(src text, hist text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format(
    $q$SELECT l.workspace_id, l.pipeline_id, (l.created_at AT TIME ZONE metric_zone(w.time_zone))::date AS day,
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

CREATE OR REPLACE FUNCTION metric_lead_closed_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT metric_rollup_upsert('lead_closed_daily', ARRAY['workspace_id', 'day', 'owner_id', 'source_id'], ARRAY['won', 'lost', 'won_days'], format(
    $q$SELECT l.workspace_id, (l.closed_at AT TIME ZONE metric_zone(w.time_zone))::date AS day,
              coalesce(l.owner_id, '00000000-0000-0000-0000-000000000000') AS owner_id,
              coalesce(l.source_id, '00000000-0000-0000-0000-000000000000') AS source_id,
              CASE WHEN l.status = 'won' THEN l.sign ELSE 0 END AS won, CASE WHEN l.status = 'lost' THEN l.sign ELSE 0 END AS lost,
              CASE WHEN l.status = 'won' THEN l.sign * (extract(epoch FROM l.closed_at - l.created_at) / 86400) ELSE 0 END AS won_days
         FROM (%s) l JOIN workspace w ON w.id = l.workspace_id
        WHERE l.status IN ('won', 'lost') AND l.closed_at IS NOT NULL$q$, src))
$$;

CREATE OR REPLACE FUNCTION metric_activity_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT metric_rollup_upsert('activity_daily', ARRAY['workspace_id', 'day', 'user_id', 'type'], ARRAY['done'], format(
    $q$SELECT a.workspace_id, (coalesce(a.occurred_at, a.done_at) AT TIME ZONE metric_zone(w.time_zone))::date AS day,
              coalesce(a.user_id, '00000000-0000-0000-0000-000000000000') AS user_id, a.type, a.sign AS done
         FROM (%s) a JOIN workspace w ON w.id = a.workspace_id
        WHERE a.done_at IS NOT NULL$q$, src))
$$;

CREATE OR REPLACE FUNCTION metric_sale_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT metric_rollup_upsert('sale_daily', ARRAY['workspace_id', 'day', 'owner_id'], ARRAY['sales', 'amount'], format(
    $q$SELECT s.workspace_id, (s.sold_at AT TIME ZONE metric_zone(w.time_zone))::date AS day,
              coalesce(s.owner_id, '00000000-0000-0000-0000-000000000000') AS owner_id, s.sign AS sales, s.sign * s.total AS amount
         FROM (%s) s JOIN workspace w ON w.id = s.workspace_id$q$, src))
$$;

CREATE OR REPLACE FUNCTION metric_feedback_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT metric_rollup_upsert('feedback_daily', ARRAY['workspace_id', 'day', 'user_id', 'nps', 'satisfaction'], ARRAY['answers'], format(
    $q$SELECT f.workspace_id, (f.answered_at AT TIME ZONE metric_zone(w.time_zone))::date AS day,
              coalesce(f.user_id, '00000000-0000-0000-0000-000000000000') AS user_id,
              coalesce(f.nps, -1)::smallint AS nps, coalesce(f.satisfaction, 0)::smallint AS satisfaction, f.sign AS answers
         FROM (%s) f JOIN workspace w ON w.id = f.workspace_id$q$, src))
$$;

-- Weekly statistics: new leads (not cancelled) by local creation day/week, source, product of interest
-- (nil uuid: none; a lead with two products counts under each), and the neighbourhood and city of its
-- contact, else of its company ('none'). Place columns hold the text the metric shows.
CREATE TABLE lead_place_daily (
  workspace_id  uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  owner_id      uuid NOT NULL,
  day           date NOT NULL,
  source_id     uuid NOT NULL,
  product_id    uuid NOT NULL,
  neighbourhood text NOT NULL,
  city          text NOT NULL,
  leads         integer NOT NULL,
  -- Owner first: a salesperson's or a team's numbers read only their rows.
  PRIMARY KEY (workspace_id, owner_id, day, source_id, product_id, neighbourhood, city)
);
-- The whole workspace's edge days (a period starting or ending mid-week).
CREATE INDEX lead_place_daily_day_idx ON lead_place_daily (workspace_id, day);

CREATE TABLE lead_place_weekly (       -- the same without owner, per local ISO week (its Monday)
  workspace_id  uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  week          date NOT NULL,
  source_id     uuid NOT NULL,
  product_id    uuid NOT NULL,
  neighbourhood text NOT NULL,
  city          text NOT NULL,
  leads         integer NOT NULL,
  PRIMARY KEY (workspace_id, week, source_id, product_id, neighbourhood, city)
);

CREATE TABLE activity_weekly (         -- done activities by local ISO week (its Monday), as activity_daily
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  week         date NOT NULL,
  user_id      uuid NOT NULL,
  type         text NOT NULL,
  done         integer NOT NULL,
  PRIMARY KEY (workspace_id, week, user_id, type)
);

CREATE TABLE contact_lifecycle_summary ( -- active contacts now, per owner and lifecycle
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  owner_id     uuid NOT NULL,
  lifecycle    text NOT NULL,
  contacts     integer NOT NULL,
  PRIMARY KEY (workspace_id, owner_id, lifecycle)
);

CREATE TABLE sale_client_first (       -- the first-ever sale of each client (a contact, else a company)
  workspace_id  uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  contact_id    uuid NOT NULL,         -- nil uuid when the client is a company
  company_id    uuid NOT NULL,         -- nil uuid when the client is a contact
  first_sold_at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, contact_id, company_id)
);
CREATE INDEX sale_client_first_at_idx ON sale_client_first (workspace_id, first_sold_at);

-- Rows of both place rollups for the leads of `src`, their places read from `contacts` and `companies`
-- (the live tables, or a statement's old rows when a place changes).
CREATE OR REPLACE FUNCTION metric_lead_place_rows(src text, contacts text, companies text, weekly boolean) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format(
    $q$SELECT l.workspace_id, %s
              coalesce(l.source_id, '00000000-0000-0000-0000-000000000000') AS source_id,
              coalesce(p.product_id, '00000000-0000-0000-0000-000000000000') AS product_id,
              coalesce(ct.neighbourhood, co.neighbourhood, 'none') AS neighbourhood, coalesce(ct.city, co.city, 'none') AS city,
              l.sign AS leads
         FROM (%s) l JOIN workspace w ON w.id = l.workspace_id
        CROSS JOIN LATERAL unnest(CASE WHEN cardinality(l.product_ids) = 0 THEN ARRAY[NULL]::uuid[] ELSE l.product_ids END) AS p(product_id)
         LEFT JOIN (%s) ct ON ct.workspace_id = l.workspace_id AND ct.id = l.contact_id
         LEFT JOIN (%s) co ON co.workspace_id = l.workspace_id AND co.id = l.company_id
        WHERE l.status <> 'cancelled'$q$,
    CASE WHEN weekly THEN $k$date_trunc('week', l.created_at AT TIME ZONE metric_zone(w.time_zone))::date AS week,$k$
         ELSE $k$coalesce(l.owner_id, '00000000-0000-0000-0000-000000000000') AS owner_id, (l.created_at AT TIME ZONE metric_zone(w.time_zone))::date AS day,$k$ END,
    src, contacts, companies)
$$;

-- The upsert of one place rollup. Trigger functions EXECUTE it themselves: a statement's transition
-- tables (old_rows, new_rows) are visible only to the trigger function's own statements.
CREATE OR REPLACE FUNCTION metric_lead_place_sql(src text, contacts text, companies text, weekly boolean) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN weekly
    THEN metric_rollup_upsert('lead_place_weekly', ARRAY['workspace_id', 'week', 'source_id', 'product_id', 'neighbourhood', 'city'], ARRAY['leads'],
           metric_lead_place_rows(src, contacts, companies, true))
    ELSE metric_rollup_upsert('lead_place_daily', ARRAY['workspace_id', 'owner_id', 'day', 'source_id', 'product_id', 'neighbourhood', 'city'], ARRAY['leads'],
           metric_lead_place_rows(src, contacts, companies, false)) END
$$;

CREATE OR REPLACE FUNCTION metric_activity_weekly_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT metric_rollup_upsert('activity_weekly', ARRAY['workspace_id', 'week', 'user_id', 'type'], ARRAY['done'], format(
    $q$SELECT a.workspace_id, date_trunc('week', coalesce(a.occurred_at, a.done_at) AT TIME ZONE metric_zone(w.time_zone))::date AS week,
              coalesce(a.user_id, '00000000-0000-0000-0000-000000000000') AS user_id, a.type, a.sign AS done
         FROM (%s) a JOIN workspace w ON w.id = a.workspace_id
        WHERE a.done_at IS NOT NULL$q$, src))
$$;

CREATE OR REPLACE FUNCTION metric_contact_lifecycle_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT metric_rollup_upsert('contact_lifecycle_summary', ARRAY['workspace_id', 'owner_id', 'lifecycle'], ARRAY['contacts'], format(
    $q$SELECT c.workspace_id, coalesce(c.owner_id, '00000000-0000-0000-0000-000000000000') AS owner_id, c.lifecycle, c.sign AS contacts
         FROM (%s) c WHERE c.status = 'active'$q$, src))
$$;

-- Recomputes the first sale of the clients of `keys` (workspace_id, contact_id, company_id in the
-- table's form) from the sale table, after their rows are deleted: what an update or a delete leaves is
-- not known from the changed rows alone.
CREATE OR REPLACE FUNCTION metric_sale_client_first_sql(keys text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format(
    $q$INSERT INTO sale_client_first (workspace_id, contact_id, company_id, first_sold_at)
       SELECT k.workspace_id, k.contact_id, k.company_id, m.first_sold_at
         FROM (SELECT DISTINCT * FROM (%s) k0) k CROSS JOIN LATERAL (
           SELECT min(t) AS first_sold_at FROM (
             SELECT s.sold_at AS t FROM sale s
              WHERE s.workspace_id = k.workspace_id AND k.contact_id <> '00000000-0000-0000-0000-000000000000' AND s.contact_id = k.contact_id
             UNION ALL
             SELECT s.sold_at FROM sale s
              WHERE s.workspace_id = k.workspace_id AND k.contact_id = '00000000-0000-0000-0000-000000000000' AND s.contact_id IS NULL AND s.company_id = k.company_id) x) m
        WHERE m.first_sold_at IS NOT NULL$q$, keys)
$$;

-- The client key of sale rows, in sale_client_first's form (no client: left out).
CREATE OR REPLACE FUNCTION metric_sale_client_keys(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format(
    $q$SELECT s.workspace_id, coalesce(s.contact_id, '00000000-0000-0000-0000-000000000000') AS contact_id,
              CASE WHEN s.contact_id IS NULL THEN s.company_id ELSE '00000000-0000-0000-0000-000000000000' END AS company_id
         FROM (%s) s WHERE s.contact_id IS NOT NULL OR s.company_id IS NOT NULL$q$, src)
$$;

-- Leads: the 0014 rollups plus the place rollups.
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
  EXECUTE metric_lead_place_sql(src, 'SELECT * FROM contact', 'SELECT * FROM company', false);
  EXECUTE metric_lead_place_sql(src, 'SELECT * FROM contact', 'SELECT * FROM company', true);
  RETURN CASE WHEN TG_LEVEL = 'ROW' THEN OLD END;
END $$;

CREATE OR REPLACE FUNCTION metric_simple_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE src text := metric_changed_rows(TG_OP);
BEGIN
  IF TG_TABLE_NAME = 'activity' THEN
    EXECUTE metric_activity_sql(src);
    EXECUTE metric_activity_weekly_sql(src);
  ELSIF TG_TABLE_NAME = 'sale' THEN
    EXECUTE metric_sale_sql(src);
    IF TG_OP = 'INSERT' THEN
      -- New sales can only move a client's first sale earlier.
      EXECUTE $q$INSERT INTO sale_client_first AS f (workspace_id, contact_id, company_id, first_sold_at)
                 SELECT s.workspace_id, coalesce(s.contact_id, '00000000-0000-0000-0000-000000000000'),
                        CASE WHEN s.contact_id IS NULL THEN s.company_id ELSE '00000000-0000-0000-0000-000000000000' END, min(s.sold_at)
                   FROM new_rows s WHERE s.contact_id IS NOT NULL OR s.company_id IS NOT NULL
                  GROUP BY 1, 2, 3
                 ON CONFLICT (workspace_id, contact_id, company_id) DO UPDATE SET first_sold_at = least(f.first_sold_at, excluded.first_sold_at)$q$;
    ELSE
      EXECUTE format('DELETE FROM sale_client_first f USING (%s) k WHERE f.workspace_id = k.workspace_id AND f.contact_id = k.contact_id AND f.company_id = k.company_id',
                     metric_sale_client_keys(src));
      EXECUTE metric_sale_client_first_sql(metric_sale_client_keys(src));
    END IF;
  ELSE
    EXECUTE metric_feedback_sql(src);
  END IF;
  RETURN NULL;
END $$;

-- Contacts: the lifecycle snapshot; a changed neighbourhood or city moves their leads' place counts.
CREATE OR REPLACE FUNCTION metric_contact_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  moved text := 'SELECT o.workspace_id, o.id FROM old_rows o JOIN new_rows n ON n.workspace_id = o.workspace_id AND n.id = o.id
                  WHERE (o.neighbourhood, o.city) IS DISTINCT FROM (n.neighbourhood, n.city)';
  any_moved boolean;
BEGIN
  EXECUTE metric_contact_lifecycle_sql(metric_changed_rows(TG_OP));
  IF TG_OP = 'UPDATE' THEN
    EXECUTE format('SELECT EXISTS (%s)', moved) INTO STRICT any_moved;
    IF any_moved THEN
      moved := format('SELECT l.*, %%s AS sign FROM lead l WHERE (l.workspace_id, l.contact_id) IN (%s)', moved);
      EXECUTE metric_lead_place_sql(format(moved, -1), 'SELECT * FROM old_rows', 'SELECT * FROM company', false);
      EXECUTE metric_lead_place_sql(format(moved, -1), 'SELECT * FROM old_rows', 'SELECT * FROM company', true);
      EXECUTE metric_lead_place_sql(format(moved, 1), 'SELECT * FROM contact', 'SELECT * FROM company', false);
      EXECUTE metric_lead_place_sql(format(moved, 1), 'SELECT * FROM contact', 'SELECT * FROM company', true);
    END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION metric_company_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  moved text;
  any_moved boolean;
BEGIN
  moved := 'SELECT o.workspace_id, o.id FROM old_rows o JOIN new_rows n ON n.workspace_id = o.workspace_id AND n.id = o.id
             WHERE (o.neighbourhood, o.city) IS DISTINCT FROM (n.neighbourhood, n.city)';
  EXECUTE format('SELECT EXISTS (%s)', moved) INTO STRICT any_moved;
  IF any_moved THEN
    moved := format('SELECT l.*, %%s AS sign FROM lead l WHERE (l.workspace_id, l.company_id) IN (%s)', moved);
    EXECUTE metric_lead_place_sql(format(moved, -1), 'SELECT * FROM contact', 'SELECT * FROM old_rows', false);
    EXECUTE metric_lead_place_sql(format(moved, -1), 'SELECT * FROM contact', 'SELECT * FROM old_rows', true);
    EXECUTE metric_lead_place_sql(format(moved, 1), 'SELECT * FROM contact', 'SELECT * FROM company', false);
    EXECUTE metric_lead_place_sql(format(moved, 1), 'SELECT * FROM contact', 'SELECT * FROM company', true);
  END IF;
  RETURN NULL;
END $$;

-- A deleted contact or company: its leads are about to lose it (ON DELETE SET NULL), and by the time
-- that update's trigger runs the row is gone, so its place can no longer be read. Move the leads to
-- the place they will have now, while it can; the later update then nets to zero.
CREATE OR REPLACE FUNCTION metric_place_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  leads text;
BEGIN
  IF TG_TABLE_NAME = 'contact' THEN
    leads := format('SELECT l.*, %%s AS sign FROM lead l WHERE l.workspace_id = %L AND l.contact_id = %L', OLD.workspace_id, OLD.id);
    EXECUTE metric_lead_place_sql(format(leads, -1), 'SELECT * FROM contact', 'SELECT * FROM company', false);
    EXECUTE metric_lead_place_sql(format(leads, -1), 'SELECT * FROM contact', 'SELECT * FROM company', true);
    EXECUTE metric_lead_place_sql(format(leads, 1), format('SELECT * FROM contact WHERE id <> %L', OLD.id), 'SELECT * FROM company', false);
    EXECUTE metric_lead_place_sql(format(leads, 1), format('SELECT * FROM contact WHERE id <> %L', OLD.id), 'SELECT * FROM company', true);
  ELSE
    leads := format('SELECT l.*, %%s AS sign FROM lead l WHERE l.workspace_id = %L AND l.company_id = %L', OLD.workspace_id, OLD.id);
    EXECUTE metric_lead_place_sql(format(leads, -1), 'SELECT * FROM contact', 'SELECT * FROM company', false);
    EXECUTE metric_lead_place_sql(format(leads, -1), 'SELECT * FROM contact', 'SELECT * FROM company', true);
    EXECUTE metric_lead_place_sql(format(leads, 1), 'SELECT * FROM contact', format('SELECT * FROM company WHERE id <> %L', OLD.id), false);
    EXECUTE metric_lead_place_sql(format(leads, 1), 'SELECT * FROM contact', format('SELECT * FROM company WHERE id <> %L', OLD.id), true);
  END IF;
  RETURN OLD;
END $$;

CREATE TRIGGER metric_contact_rollups_insert AFTER INSERT ON contact REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_contact_rollups();
CREATE TRIGGER metric_contact_rollups_update AFTER UPDATE ON contact REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_contact_rollups();
CREATE TRIGGER metric_contact_rollups_delete AFTER DELETE ON contact REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_contact_rollups();
CREATE TRIGGER metric_contact_place_deleted BEFORE DELETE ON contact
  FOR EACH ROW EXECUTE FUNCTION metric_place_deleted();
CREATE TRIGGER metric_company_rollups_update AFTER UPDATE ON company REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_company_rollups();
CREATE TRIGGER metric_company_place_deleted BEFORE DELETE ON company
  FOR EACH ROW EXECUTE FUNCTION metric_place_deleted();

ALTER TABLE contact ENABLE ALWAYS TRIGGER metric_contact_rollups_insert;
ALTER TABLE contact ENABLE ALWAYS TRIGGER metric_contact_rollups_update;
ALTER TABLE contact ENABLE ALWAYS TRIGGER metric_contact_rollups_delete;
ALTER TABLE contact ENABLE ALWAYS TRIGGER metric_contact_place_deleted;
ALTER TABLE company ENABLE ALWAYS TRIGGER metric_company_rollups_update;
ALTER TABLE company ENABLE ALWAYS TRIGGER metric_company_place_deleted;

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
  EXECUTE metric_lead_place_sql('SELECT *, 1 AS sign FROM lead' || of_ws, 'SELECT * FROM contact' || of_ws, 'SELECT * FROM company' || of_ws, true);
  EXECUTE metric_activity_sql('SELECT *, 1 AS sign FROM activity' || of_ws);
  EXECUTE metric_activity_weekly_sql('SELECT *, 1 AS sign FROM activity' || of_ws);
  EXECUTE metric_sale_sql('SELECT *, 1 AS sign FROM sale' || of_ws);
  INSERT INTO sale_client_first (workspace_id, contact_id, company_id, first_sold_at)
  SELECT s.workspace_id, coalesce(s.contact_id, '00000000-0000-0000-0000-000000000000'),
         CASE WHEN s.contact_id IS NULL THEN s.company_id ELSE '00000000-0000-0000-0000-000000000000' END, min(s.sold_at)
    FROM sale s WHERE s.workspace_id = ws AND (s.contact_id IS NOT NULL OR s.company_id IS NOT NULL)
   GROUP BY 1, 2, 3;
  EXECUTE metric_feedback_sql('SELECT *, 1 AS sign FROM feedback' || of_ws);
  EXECUTE metric_contact_lifecycle_sql('SELECT *, 1 AS sign FROM contact' || of_ws);
END $$;

-- Existing data, bucketed by metric_zone from now on.
SELECT metric_rollups_rebuild(id) FROM workspace;

-- The weekly summary email: managers and admins who asked not to get it (from their settings or the
-- email's one-click unsubscribe link). A row per user and kind of email; no row: they get it.
CREATE TABLE mail_opt_out (
  workspace_id uuid NOT NULL,
  user_id      uuid NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('weekly_summary')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, user_id, kind),
  FOREIGN KEY (workspace_id, user_id) REFERENCES app_user (workspace_id, id) ON DELETE CASCADE
);

-- An objective may count only the records of one segment's contacts (docs/metrics.md#objectives).
-- No foreign key: the segment table comes with a later migration; progress answers 404 segmentId
-- for a segment that no longer exists.
ALTER TABLE objective ADD COLUMN segment_id uuid;
