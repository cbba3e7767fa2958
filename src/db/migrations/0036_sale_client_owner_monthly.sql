-- A team's distinct-client sale figures from a few hundred rollup rows instead of its ~41 000 sales
-- (docs/metrics.md "Daily rollups", docs/benchmarks.md "A team's dashboard from per-owner monthly sums").
--
-- 0032's sale_client_ref keeps each owned sale with its client's previous and first sale days; an owner
-- filter summed its rows of the period. For a client who bought from one owner only (NOT shared), those
-- sums are additive over sales, so they can be kept per owner and month of the sale, split by the month
-- of the reference day, as 0026 does for the whole workspace:
--   ref 'previous'  ref_month = month of the previous sale of the client (-infinity: none)
--   ref 'first'     ref_month = month of the client's first sale
-- For a range of local days [a, e): its whole months read these rows (clients = previous before a's
-- month, new clients = no previous, sales of new clients = first from a's month on); its ragged ends
-- read sale_client_ref; when a is not a month's first day, the references inside a's month before a
-- are counted from sale_client_ref through the two partial indexes below (a few hundred rows). Shared
-- clients are not here: they are still counted distinct from their own rows (0032's shared index).
--
-- Kept by statement triggers on sale_client_ref (whose own trigger on sale rewrites a touched client's
-- rows: the deltas of those deletes and inserts are exactly what changes here), ENABLE ALWAYS, same
-- transaction as the write. Rebuilt by dashboard_rollups_rebuild (redefined from 0032's body).

CREATE TABLE sale_client_owner_monthly (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  owner_id     uuid NOT NULL,
  month        date NOT NULL,           -- first local day of the month of the sale
  ref          text NOT NULL CHECK (ref IN ('previous', 'first')),
  ref_month    date NOT NULL,           -- first day of the month of the reference day; -infinity: no previous sale
  sales        integer NOT NULL,
  amount       numeric NOT NULL,
  PRIMARY KEY (workspace_id, owner_id, month, ref, ref_month)
);

-- The non-shared sales of an owner by their reference day: the rows of whole months whose reference is in
-- the period's first month before its first day.
CREATE INDEX sale_client_ref_owner_prev_idx ON sale_client_ref (workspace_id, owner_id, prev_day) INCLUDE (day) WHERE NOT shared;
CREATE INDEX sale_client_ref_owner_first_idx ON sale_client_ref (workspace_id, owner_id, first_day) INCLUDE (day, total) WHERE NOT shared;

-- Upserts the monthly sums of `src` (rows of sale_client_ref with a `sign`). Rows of a workspace being
-- deleted are skipped (its rollups go with it; an upsert would break the FK).
CREATE OR REPLACE FUNCTION sale_client_owner_monthly_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT metric_rollup_upsert('sale_client_owner_monthly', ARRAY['workspace_id', 'owner_id', 'month', 'ref', 'ref_month'], ARRAY['sales', 'amount'], format(
    $q$SELECT r.workspace_id, r.owner_id, date_trunc('month', r.day::timestamp)::date AS month, x.ref, x.ref_month,
              r.sign AS sales, r.sign * r.total AS amount
         FROM (%s) r CROSS JOIN LATERAL (VALUES
                ('previous', coalesce(date_trunc('month', r.prev_day::timestamp)::date, '-infinity'::date)),
                ('first', date_trunc('month', r.first_day::timestamp)::date)) x (ref, ref_month)
        WHERE NOT r.shared AND EXISTS (SELECT 1 FROM workspace w WHERE w.id = r.workspace_id)$q$, src))
$$;

CREATE OR REPLACE FUNCTION metric_sale_client_owner_monthly() RETURNS trigger LANGUAGE plpgsql AS $$
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
  EXECUTE sale_client_owner_monthly_sql(metric_changed_rows(TG_OP));
  RETURN NULL;
END $$;

CREATE TRIGGER metric_sale_client_owner_monthly_insert AFTER INSERT ON sale_client_ref REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_sale_client_owner_monthly();
CREATE TRIGGER metric_sale_client_owner_monthly_update AFTER UPDATE ON sale_client_ref REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_sale_client_owner_monthly();
CREATE TRIGGER metric_sale_client_owner_monthly_delete AFTER DELETE ON sale_client_ref REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_sale_client_owner_monthly();
ALTER TABLE sale_client_ref ENABLE ALWAYS TRIGGER metric_sale_client_owner_monthly_insert;
ALTER TABLE sale_client_ref ENABLE ALWAYS TRIGGER metric_sale_client_owner_monthly_update;
ALTER TABLE sale_client_ref ENABLE ALWAYS TRIGGER metric_sale_client_owner_monthly_delete;

CREATE OR REPLACE FUNCTION sale_client_owner_monthly_rebuild(ws uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM sale_client_owner_monthly WHERE workspace_id = ws;
  EXECUTE sale_client_owner_monthly_sql(format('SELECT *, 1 AS sign FROM sale_client_ref WHERE workspace_id = %L', ws));
END $$;

-- 0032's body unchanged, plus this migration's table (after sale_client_ref, which it is summed from).
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
  PERFORM sale_client_ref_rebuild(ws);
  PERFORM sale_client_owner_monthly_rebuild(ws);
END $$;

SELECT sale_client_owner_monthly_rebuild(id) FROM workspace;
