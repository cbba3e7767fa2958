-- Exact rollups for the dashboard's distinct-client sales figures (docs/metrics.md "Daily rollups",
-- docs/benchmarks.md): portfolio's buying clients and top clients, new vs existing clients, frequency.
--
-- Distinct clients are not additive over days, but they are over *sales* once each sale knows the day of
-- the previous sale of its client (`p`) and of the client's first sale (`f`), in local days:
--   clients buying in [a, b] = sales in [a, b] with p < a (a client's first sale in the range has its
--                              previous one before a; the first-ever sale has none: -infinity)
--   sales of new clients     = sales in [a, b] with f >= a
-- Both are counts over (sale day, reference day) pairs. Kept two ways so that a period reads few rows:
--   sale_client_ref_daily  (day, month of the reference day): every p < a / f >= a with the reference in
--                          another month than a's is decided by the month alone;
--   sale_client_ref_pair   (reference day, day), only pairs with the reference before the day: the few
--                          references in a's own month before a (at most a month of them) are read here.
-- sale_client_total keeps each client's all-time sales and amount: an upper bound of what they bought in
-- any period, so the top clients of a period are found among the largest all-time clients (exact, see
-- src/db/queries/metrics/sales.ts).
--
-- Kept like the other rollups: statement triggers over transition tables (with the 0025 guard), ENABLE
-- ALWAYS, in the same transaction as the write. p and f of a client's other sales move when one of its
-- sales is added, moved or removed, so the trigger subtracts the rows of the touched clients as they
-- were before the statement and adds them as they are after (the stage-history pattern of 0014).
-- Sales always have a client (CHECK sale_check: contact or company), so every sale is in these tables.
--
-- Also, for the other slow cards of the whole-workspace dashboard:
--   lead_monthly, lead_funnel_monthly  lead_daily / lead_funnel_daily summed per month, kept by triggers on
--                                      those daily tables (a period reads its whole months here and only
--                                      its ragged ends per day: conversion, cost per lead, stage conversion);
--   lead_next_action_daily             open leads per UTC day of their next action, owner and source: the
--                                      overdue count is the days before today plus today's leads before now;
--   sale_owner_period_idx              the sales of some salespeople in a period, index-only (a salesperson's
--                                      or a team's distinct clients are still counted from their sales).

CREATE TABLE sale_client_ref_daily (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  ref          text NOT NULL CHECK (ref IN ('previous', 'first')),
  day          date NOT NULL,          -- local day of the sale
  ref_month    date NOT NULL,          -- first day of the month of the reference day; -infinity: no previous sale
  sales        integer NOT NULL,
  amount       numeric NOT NULL,
  PRIMARY KEY (workspace_id, ref, day, ref_month)
);

CREATE TABLE sale_client_ref_pair (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  ref          text NOT NULL CHECK (ref IN ('previous', 'first')),
  ref_day      date NOT NULL,          -- local day of the previous / first sale of the client, before `day`
  day          date NOT NULL,
  sales        integer NOT NULL,
  amount       numeric NOT NULL,
  PRIMARY KEY (workspace_id, ref, ref_day, day)
);

CREATE TABLE sale_client_total (         -- all-time sales per client (a contact, else a company), as sale_client_first
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  contact_id   uuid NOT NULL,          -- nil uuid when the client is a company
  company_id   uuid NOT NULL,          -- nil uuid when the client is a contact
  sales        integer NOT NULL,
  amount       numeric NOT NULL,
  PRIMARY KEY (workspace_id, contact_id, company_id)
);
CREATE INDEX sale_client_total_amount_idx ON sale_client_total (workspace_id, amount DESC) INCLUDE (contact_id, company_id);

-- Per sale of `src` (a query giving every sale of each client it holds, in one state of the table):
-- its local day, the local days of its client's previous and first sale, its total, and `sign`.
CREATE OR REPLACE FUNCTION metric_sale_ref_rows(src text, sign integer) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format(
    $q$SELECT x.workspace_id, %s AS sign, x.total, (x.sold_at AT TIME ZONE metric_zone(w.time_zone))::date AS day,
              (lag(x.sold_at) OVER c AT TIME ZONE metric_zone(w.time_zone))::date AS prev_day,
              (first_value(x.sold_at) OVER c AT TIME ZONE metric_zone(w.time_zone))::date AS first_day
         FROM (%s) x JOIN workspace w ON w.id = x.workspace_id
        WHERE x.contact_id IS NOT NULL OR x.company_id IS NOT NULL
       WINDOW c AS (PARTITION BY x.workspace_id, x.contact_id, CASE WHEN x.contact_id IS NULL THEN x.company_id END ORDER BY x.sold_at, x.id)$q$,
    sign, src)
$$;

-- One statement upserting both reference rollups from rows of metric_sale_ref_rows.
CREATE OR REPLACE FUNCTION metric_sale_ref_sql(rows_sql text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format(
    $q$WITH r AS MATERIALIZED (%s),
     d AS (
       INSERT INTO sale_client_ref_daily AS t (workspace_id, ref, day, ref_month, sales, amount)
       SELECT workspace_id, ref, day, ref_month, sum(sign), sum(sign * total)
         FROM (SELECT workspace_id, 'previous' AS ref, day, coalesce(date_trunc('month', prev_day)::date, '-infinity'::date) AS ref_month, sign, total FROM r
               UNION ALL
               SELECT workspace_id, 'first', day, date_trunc('month', first_day)::date, sign, total FROM r) x
        GROUP BY 1, 2, 3, 4 HAVING sum(sign) <> 0 OR sum(sign * total) <> 0
       ON CONFLICT (workspace_id, ref, day, ref_month) DO UPDATE SET sales = t.sales + excluded.sales, amount = t.amount + excluded.amount)
     INSERT INTO sale_client_ref_pair AS t (workspace_id, ref, ref_day, day, sales, amount)
     SELECT workspace_id, ref, ref_day, day, sum(sign), sum(sign * total)
       FROM (SELECT workspace_id, 'previous' AS ref, prev_day AS ref_day, day, sign, total FROM r WHERE prev_day < day
             UNION ALL
             SELECT workspace_id, 'first', first_day, day, sign, total FROM r WHERE first_day < day) x
      GROUP BY 1, 2, 3, 4 HAVING sum(sign) <> 0 OR sum(sign * total) <> 0
     ON CONFLICT (workspace_id, ref, ref_day, day) DO UPDATE SET sales = t.sales + excluded.sales, amount = t.amount + excluded.amount$q$,
    rows_sql)
$$;

-- Every sale of the clients of `keys` (workspace_id, contact_id, company_id in sale_client_first's form)
-- in the relation `sales` (sale, or a transition table), joined directly so that the sale indexes by
-- contact and by company serve it (a join over a UNION of sale and old_rows read the whole table).
CREATE OR REPLACE FUNCTION metric_sales_of_clients(sales text, keys text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format(
    $q$SELECT s.* FROM %1$s s JOIN (SELECT DISTINCT * FROM (%2$s) k0) k
         ON s.workspace_id = k.workspace_id AND k.contact_id <> '00000000-0000-0000-0000-000000000000' AND s.contact_id = k.contact_id
       UNION ALL
       SELECT s.* FROM %1$s s JOIN (SELECT DISTINCT * FROM (%2$s) k0) k
         ON s.workspace_id = k.workspace_id AND k.contact_id = '00000000-0000-0000-0000-000000000000' AND s.contact_id IS NULL AND s.company_id = k.company_id$q$,
    sales, keys)
$$;

CREATE OR REPLACE FUNCTION metric_sale_client_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  keys text;
  before_sales text;
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
  keys := metric_sale_client_keys(CASE TG_OP WHEN 'INSERT' THEN 'SELECT * FROM new_rows' WHEN 'DELETE' THEN 'SELECT * FROM old_rows'
                                              ELSE 'SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows' END);
  -- Their sales as they were before the statement: the live ones without its new rows, plus its old ones.
  before_sales := CASE WHEN TG_OP = 'DELETE' THEN metric_sales_of_clients('sale', keys)
    ELSE format('SELECT * FROM (%s) b WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.workspace_id = b.workspace_id AND n.id = b.id)',
                metric_sales_of_clients('sale', keys)) END
    || CASE WHEN TG_OP = 'INSERT' THEN '' ELSE ' UNION ALL ' || metric_sales_of_clients('old_rows', keys) END;
  EXECUTE metric_sale_ref_sql(
    metric_sale_ref_rows(before_sales, -1) || ' UNION ALL ' ||
    metric_sale_ref_rows(metric_sales_of_clients('sale', keys), 1));
  EXECUTE metric_rollup_upsert('sale_client_total', ARRAY['workspace_id', 'contact_id', 'company_id'], ARRAY['sales', 'amount'], format(
    $q$SELECT s.workspace_id, coalesce(s.contact_id, '00000000-0000-0000-0000-000000000000') AS contact_id,
              CASE WHEN s.contact_id IS NULL THEN s.company_id ELSE '00000000-0000-0000-0000-000000000000' END AS company_id,
              s.sign AS sales, s.sign * s.total AS amount
         FROM (%s) s WHERE (s.contact_id IS NOT NULL OR s.company_id IS NOT NULL)
          AND EXISTS (SELECT 1 FROM workspace w WHERE w.id = s.workspace_id)$q$, metric_changed_rows(TG_OP)));
  RETURN NULL;
END $$;

CREATE TRIGGER metric_sale_client_rollups_insert AFTER INSERT ON sale REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_sale_client_rollups();
CREATE TRIGGER metric_sale_client_rollups_update AFTER UPDATE ON sale REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_sale_client_rollups();
CREATE TRIGGER metric_sale_client_rollups_delete AFTER DELETE ON sale REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_sale_client_rollups();
ALTER TABLE sale ENABLE ALWAYS TRIGGER metric_sale_client_rollups_insert;
ALTER TABLE sale ENABLE ALWAYS TRIGGER metric_sale_client_rollups_update;
ALTER TABLE sale ENABLE ALWAYS TRIGGER metric_sale_client_rollups_delete;


-- Lead rollups per month, summed from the daily ones by triggers on them (any writer of the daily tables,
-- the rebuild included, keeps these too).
CREATE TABLE lead_monthly (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  month        date NOT NULL,          -- first local day of the month
  owner_id     uuid NOT NULL,
  source_id    uuid NOT NULL,
  campaign_id  uuid NOT NULL,
  leads        integer NOT NULL,
  won          integer NOT NULL,
  PRIMARY KEY (workspace_id, month, owner_id, source_id, campaign_id)
);

CREATE TABLE lead_funnel_monthly (
  workspace_id      uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  pipeline_id       uuid NOT NULL,
  month             date NOT NULL,
  owner_id          uuid NOT NULL,
  source_id         uuid NOT NULL,
  furthest_stage_id uuid NOT NULL,
  leads             integer NOT NULL,
  PRIMARY KEY (workspace_id, pipeline_id, month, owner_id, source_id, furthest_stage_id)
);

-- Rows of a workspace being deleted are skipped (its rollups go with it; an upsert would break the FK).
CREATE OR REPLACE FUNCTION metric_monthly_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE src text := metric_changed_rows(TG_OP);
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
  IF TG_TABLE_NAME = 'lead_daily' THEN
    EXECUTE metric_rollup_upsert('lead_monthly', ARRAY['workspace_id', 'month', 'owner_id', 'source_id', 'campaign_id'], ARRAY['leads', 'won'], format(
      $q$SELECT workspace_id, date_trunc('month', day::timestamp)::date AS month, owner_id, source_id, campaign_id, sign * leads AS leads, sign * won AS won
         FROM (%s) d WHERE EXISTS (SELECT 1 FROM workspace w WHERE w.id = d.workspace_id)$q$, src));
  ELSE
    EXECUTE metric_rollup_upsert('lead_funnel_monthly', ARRAY['workspace_id', 'pipeline_id', 'month', 'owner_id', 'source_id', 'furthest_stage_id'], ARRAY['leads'], format(
      $q$SELECT workspace_id, pipeline_id, date_trunc('month', day::timestamp)::date AS month, owner_id, source_id, furthest_stage_id, sign * leads AS leads
         FROM (%s) d WHERE EXISTS (SELECT 1 FROM workspace w WHERE w.id = d.workspace_id)$q$, src));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER metric_monthly_rollups_insert AFTER INSERT ON lead_daily REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_monthly_rollups();
CREATE TRIGGER metric_monthly_rollups_update AFTER UPDATE ON lead_daily REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_monthly_rollups();
CREATE TRIGGER metric_monthly_rollups_delete AFTER DELETE ON lead_daily REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_monthly_rollups();
CREATE TRIGGER metric_monthly_rollups_insert AFTER INSERT ON lead_funnel_daily REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_monthly_rollups();
CREATE TRIGGER metric_monthly_rollups_update AFTER UPDATE ON lead_funnel_daily REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_monthly_rollups();
CREATE TRIGGER metric_monthly_rollups_delete AFTER DELETE ON lead_funnel_daily REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_monthly_rollups();
ALTER TABLE lead_daily ENABLE ALWAYS TRIGGER metric_monthly_rollups_insert;
ALTER TABLE lead_daily ENABLE ALWAYS TRIGGER metric_monthly_rollups_update;
ALTER TABLE lead_daily ENABLE ALWAYS TRIGGER metric_monthly_rollups_delete;
ALTER TABLE lead_funnel_daily ENABLE ALWAYS TRIGGER metric_monthly_rollups_insert;
ALTER TABLE lead_funnel_daily ENABLE ALWAYS TRIGGER metric_monthly_rollups_update;
ALTER TABLE lead_funnel_daily ENABLE ALWAYS TRIGGER metric_monthly_rollups_delete;

-- Open leads per UTC day of their next action (a snapshot: "overdue" is against now, not a period).
CREATE TABLE lead_next_action_daily (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  day          date NOT NULL,          -- UTC day of next_action_at
  owner_id     uuid NOT NULL,
  source_id    uuid NOT NULL,
  leads        integer NOT NULL,
  PRIMARY KEY (workspace_id, day, owner_id, source_id)
);

CREATE OR REPLACE FUNCTION metric_lead_next_action_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT metric_rollup_upsert('lead_next_action_daily', ARRAY['workspace_id', 'day', 'owner_id', 'source_id'], ARRAY['leads'], format(
    $q$SELECT l.workspace_id, (l.next_action_at AT TIME ZONE 'UTC')::date AS day,
              coalesce(l.owner_id, '00000000-0000-0000-0000-000000000000') AS owner_id,
              coalesce(l.source_id, '00000000-0000-0000-0000-000000000000') AS source_id, l.sign AS leads
         FROM (%s) l WHERE l.status = 'open' AND l.next_action_at IS NOT NULL
          AND EXISTS (SELECT 1 FROM workspace w WHERE w.id = l.workspace_id)$q$, src))
$$;

-- next_action_at is one of rollup_unread_columns() (the other lead rollups skip a statement changing only
-- it); this rollup reads it, so its guard compares the columns it reads instead.
CREATE OR REPLACE FUNCTION metric_lead_next_action_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- rollup guard (0025), narrowed to the columns this rollup reads.
  IF TG_LEVEL = 'STATEMENT' THEN
    IF TG_OP = 'INSERT' THEN
      IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
    ELSIF TG_OP = 'DELETE' THEN
      IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;
    ELSIF NOT EXISTS (SELECT n.workspace_id, n.id, n.status, n.next_action_at, n.owner_id, n.source_id FROM new_rows n
                      EXCEPT ALL SELECT o.workspace_id, o.id, o.status, o.next_action_at, o.owner_id, o.source_id FROM old_rows o) THEN
      RETURN NULL;
    END IF;
  END IF;
  EXECUTE metric_lead_next_action_sql(metric_changed_rows(TG_OP));
  RETURN NULL;
END $$;

CREATE TRIGGER metric_lead_next_action_insert AFTER INSERT ON lead REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_lead_next_action_rollups();
CREATE TRIGGER metric_lead_next_action_update AFTER UPDATE ON lead REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_lead_next_action_rollups();
CREATE TRIGGER metric_lead_next_action_delete AFTER DELETE ON lead REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_lead_next_action_rollups();
ALTER TABLE lead ENABLE ALWAYS TRIGGER metric_lead_next_action_insert;
ALTER TABLE lead ENABLE ALWAYS TRIGGER metric_lead_next_action_update;
ALTER TABLE lead ENABLE ALWAYS TRIGGER metric_lead_next_action_delete;

CREATE INDEX sale_owner_period_idx ON sale (workspace_id, owner_id, sold_at) INCLUDE (contact_id, company_id, total);

-- Recomputes one workspace's rollups of this migration (rebuild command, bulk loads, time-zone change).
-- Kept apart from metric_rollups_rebuild so that no migration has to redefine that one.
CREATE OR REPLACE FUNCTION dashboard_rollups_rebuild(ws uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM lead_monthly WHERE workspace_id = ws;
  DELETE FROM lead_funnel_monthly WHERE workspace_id = ws;
  DELETE FROM lead_next_action_daily WHERE workspace_id = ws;
  INSERT INTO lead_monthly (workspace_id, month, owner_id, source_id, campaign_id, leads, won)
  SELECT workspace_id, date_trunc('month', day::timestamp)::date, owner_id, source_id, campaign_id, sum(leads), sum(won)
    FROM lead_daily WHERE workspace_id = ws GROUP BY 1, 2, 3, 4, 5 HAVING sum(leads) <> 0 OR sum(won) <> 0;
  INSERT INTO lead_funnel_monthly (workspace_id, pipeline_id, month, owner_id, source_id, furthest_stage_id, leads)
  SELECT workspace_id, pipeline_id, date_trunc('month', day::timestamp)::date, owner_id, source_id, furthest_stage_id, sum(leads)
    FROM lead_funnel_daily WHERE workspace_id = ws GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(leads) <> 0;
  EXECUTE metric_lead_next_action_sql(format('SELECT *, 1 AS sign FROM lead WHERE workspace_id = %L', ws));
  DELETE FROM sale_client_ref_daily WHERE workspace_id = ws;
  DELETE FROM sale_client_ref_pair WHERE workspace_id = ws;
  DELETE FROM sale_client_total WHERE workspace_id = ws;
  EXECUTE metric_sale_ref_sql(metric_sale_ref_rows(format('SELECT * FROM sale WHERE workspace_id = %L', ws), 1));
  INSERT INTO sale_client_total (workspace_id, contact_id, company_id, sales, amount)
  SELECT s.workspace_id, coalesce(s.contact_id, '00000000-0000-0000-0000-000000000000'),
         CASE WHEN s.contact_id IS NULL THEN s.company_id ELSE '00000000-0000-0000-0000-000000000000' END, count(*), sum(s.total)
    FROM sale s WHERE s.workspace_id = ws AND (s.contact_id IS NOT NULL OR s.company_id IS NOT NULL)
   GROUP BY 1, 2, 3;
END $$;

-- Local days move with the time zone (its own trigger, beside metric_workspace_zone_changed of 0014).
-- The name the generator calls (src/db/queries/bulk.ts, after its load with the triggers off).
CREATE OR REPLACE FUNCTION sale_client_rollups_rebuild(ws uuid) RETURNS void LANGUAGE sql AS $$ SELECT dashboard_rollups_rebuild(ws) $$;

CREATE OR REPLACE FUNCTION dashboard_rollups_zone_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM dashboard_rollups_rebuild(NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER dashboard_rollups_zone_changed AFTER UPDATE OF time_zone ON workspace
  FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone) EXECUTE FUNCTION dashboard_rollups_zone_changed();

SELECT dashboard_rollups_rebuild(id) FROM workspace;
