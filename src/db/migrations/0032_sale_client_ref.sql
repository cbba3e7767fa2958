-- A salesperson's or a team's distinct-client sales figures without reading their sales one by one
-- (docs/metrics.md "Daily rollups", docs/benchmarks.md "Whole dashboard at 1M for every filter").
--
-- The 0026 reference rollups count a client's previous sale by anyone, so they only answer for the whole
-- workspace; an owner filter read the owners' sales and looked up each client's first sale (a team of 10 at
-- 300 000 sales: ~41 000 look-ups, 0.3–0.8 s a card). Here each owned sale is kept with what those cards
-- need, in the owner's index order, so a card is one index-only range scan with filtered sums:
--   prev_day   local day of the previous sale of its client (by anyone; order sold_at, id), NULL for the first
--   first_day  local day of its client's first-ever sale
--   shared     whether the client has bought from more than one owner (an unowned sale counts as one)
-- For a client who only ever bought from one salesperson, the previous sale is that salesperson's, so in a
-- range [a, b] of local days: distinct clients = sales with prev_day < a (or none), new clients = sales
-- without a previous sale, sales of new clients = sales with first_day >= a — exact for any set of owners.
-- Shared clients (none in the benchmark dataset; a portfolio transfer makes some) are counted distinct
-- from their rows, the only part that is not a plain sum.
--
-- sale_client_owner_total keeps each (owner, client) pair's all-time sales and amount: for a client who
-- bought from one owner only, an upper bound of what they bought in any period, so the top clients of
-- some salespeople are found among each one's largest all-time clients (exact, see
-- src/db/queries/metrics/sale-clients.ts), as sale_client_total does for the whole workspace (0026).
--
-- Kept in the same transaction by statement triggers on sale (with the 0025 guard, ENABLE ALWAYS): a
-- statement's touched clients have their rows deleted and written again from their current sales, since a
-- client's previous/first sale and shared flag move with any of its sales. Rebuilt by
-- dashboard_rollups_rebuild (redefined below with its 0026 body plus this table), which the rebuild
-- command, the generator and a time-zone change already call. Unowned sales are not stored (no owner
-- filter can ask for them) but count for their client's references and shared flag.

CREATE TABLE sale_client_ref (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  sale_id      uuid NOT NULL,
  owner_id     uuid NOT NULL,
  day          date NOT NULL,           -- local day of the sale
  contact_id   uuid NOT NULL,           -- the client, as sale_client_first: nil uuid when it is a company
  company_id   uuid NOT NULL,           -- nil uuid when the client is a contact
  prev_day     date,                    -- local day of the client's previous sale; NULL: none
  first_day    date NOT NULL,           -- local day of the client's first-ever sale
  shared       boolean NOT NULL,        -- the client bought from more than one owner
  total        numeric NOT NULL,
  PRIMARY KEY (workspace_id, sale_id)
);
CREATE INDEX sale_client_ref_owner_idx ON sale_client_ref (workspace_id, owner_id, day)
  INCLUDE (contact_id, company_id, prev_day, first_day, shared, total);
CREATE INDEX sale_client_ref_client_idx ON sale_client_ref (workspace_id, contact_id, company_id) INCLUDE (owner_id, day, total);
-- The rows of shared clients alone: a card grouped per period unit counts them distinct apart, so that the
-- plain sums of everyone else need no sort.
CREATE INDEX sale_client_ref_shared_idx ON sale_client_ref (workspace_id, owner_id, day)
  INCLUDE (contact_id, company_id, prev_day, first_day, total) WHERE shared;

CREATE TABLE sale_client_owner_total (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  contact_id   uuid NOT NULL,           -- the client, as in sale_client_ref
  company_id   uuid NOT NULL,
  owner_id     uuid NOT NULL,
  sales        integer NOT NULL,
  amount       numeric NOT NULL,
  PRIMARY KEY (workspace_id, contact_id, company_id, owner_id)
);
CREATE INDEX sale_client_owner_total_amount_idx ON sale_client_owner_total (workspace_id, owner_id, amount DESC) INCLUDE (contact_id, company_id);

-- sale_client_owner_total of the clients of `keys` (a query of workspace_id, contact_id, company_id), from
-- their rows of sale_client_ref.
CREATE OR REPLACE FUNCTION sale_client_owner_total_rows(keys text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format(
    $q$SELECT r.workspace_id, r.contact_id, r.company_id, r.owner_id, count(*), sum(r.total)
         FROM sale_client_ref r JOIN (SELECT DISTINCT * FROM (%s) k0) k
           ON r.workspace_id = k.workspace_id AND r.contact_id = k.contact_id AND r.company_id = k.company_id
        GROUP BY 1, 2, 3, 4$q$,
    keys)
$$;

-- Rows of sale_client_ref for every sale of `src` (a query giving all the sales of each client it holds).
CREATE OR REPLACE FUNCTION sale_client_ref_rows(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format(
    $q$SELECT workspace_id, sale_id, owner_id, day, contact_id, company_id, prev_day, first_day, shared, total FROM (
         SELECT x.workspace_id, x.id AS sale_id, x.owner_id, (x.sold_at AT TIME ZONE metric_zone(w.time_zone))::date AS day,
                coalesce(x.contact_id, '00000000-0000-0000-0000-000000000000') AS contact_id,
                CASE WHEN x.contact_id IS NULL THEN x.company_id ELSE '00000000-0000-0000-0000-000000000000' END AS company_id,
                (lag(x.sold_at) OVER c AT TIME ZONE metric_zone(w.time_zone))::date AS prev_day,
                (first_value(x.sold_at) OVER c AT TIME ZONE metric_zone(w.time_zone))::date AS first_day,
                min(coalesce(x.owner_id::text, '')) OVER k <> max(coalesce(x.owner_id::text, '')) OVER k AS shared,
                x.total
           FROM (%s) x JOIN workspace w ON w.id = x.workspace_id
          WHERE x.contact_id IS NOT NULL OR x.company_id IS NOT NULL
         WINDOW k AS (PARTITION BY x.workspace_id, x.contact_id, CASE WHEN x.contact_id IS NULL THEN x.company_id END),
                c AS (k ORDER BY x.sold_at, x.id)) r
        WHERE owner_id IS NOT NULL$q$,
    src)
$$;

CREATE OR REPLACE FUNCTION metric_sale_client_ref() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  keys text;
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
  EXECUTE format(
    $q$DELETE FROM sale_client_ref r USING (SELECT DISTINCT * FROM (%s) k0) k
        WHERE r.workspace_id = k.workspace_id AND r.contact_id = k.contact_id AND r.company_id = k.company_id$q$, keys);
  EXECUTE 'INSERT INTO sale_client_ref (workspace_id, sale_id, owner_id, day, contact_id, company_id, prev_day, first_day, shared, total) '
    || sale_client_ref_rows(metric_sales_of_clients('sale', keys));
  EXECUTE format(
    $q$DELETE FROM sale_client_owner_total t USING (SELECT DISTINCT * FROM (%s) k0) k
        WHERE t.workspace_id = k.workspace_id AND t.contact_id = k.contact_id AND t.company_id = k.company_id$q$, keys);
  EXECUTE 'INSERT INTO sale_client_owner_total (workspace_id, contact_id, company_id, owner_id, sales, amount) ' || sale_client_owner_total_rows(keys);
  RETURN NULL;
END $$;

CREATE TRIGGER metric_sale_client_ref_insert AFTER INSERT ON sale REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_sale_client_ref();
CREATE TRIGGER metric_sale_client_ref_update AFTER UPDATE ON sale REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_sale_client_ref();
CREATE TRIGGER metric_sale_client_ref_delete AFTER DELETE ON sale REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metric_sale_client_ref();
ALTER TABLE sale ENABLE ALWAYS TRIGGER metric_sale_client_ref_insert;
ALTER TABLE sale ENABLE ALWAYS TRIGGER metric_sale_client_ref_update;
ALTER TABLE sale ENABLE ALWAYS TRIGGER metric_sale_client_ref_delete;

CREATE OR REPLACE FUNCTION sale_client_ref_rebuild(ws uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM sale_client_ref WHERE workspace_id = ws;
  DELETE FROM sale_client_owner_total WHERE workspace_id = ws;
  EXECUTE 'INSERT INTO sale_client_ref (workspace_id, sale_id, owner_id, day, contact_id, company_id, prev_day, first_day, shared, total) '
    || sale_client_ref_rows(format('SELECT * FROM sale WHERE workspace_id = %L', ws));
  INSERT INTO sale_client_owner_total (workspace_id, contact_id, company_id, owner_id, sales, amount)
  SELECT workspace_id, contact_id, company_id, owner_id, count(*), sum(total) FROM sale_client_ref WHERE workspace_id = ws GROUP BY 1, 2, 3, 4;
END $$;

-- The 0026 body unchanged, plus this migration's table.
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
END $$;

SELECT sale_client_ref_rebuild(id) FROM workspace;
