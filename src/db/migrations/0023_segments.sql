-- Segments: saved sets of contacts defined by a tree of conditions (src/domain/segment.ts), compiled
-- to SQL at read time (src/db/queries/segments.ts), so a count is always live.
-- Built-in segments are rows too (builtin names which one), so every use takes a segment id; their
-- conditions live in the code, except VIP whose conditions the admin sets (stored in definition).

CREATE TABLE segment (
  workspace_id  uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  description   text CHECK (length(description) <= 1000),
  -- The condition tree as validated by the domain at save time.
  definition    jsonb NOT NULL,
  owner_id      uuid,
  shared        boolean NOT NULL DEFAULT false,
  builtin       text CHECK (builtin IN ('best_clients', 'vip', 'at_risk', 'hot_prospects', 'warm_prospects', 'cold_prospects', 'detractors')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  version       integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (owner_id)
);
CREATE UNIQUE INDEX segment_builtin_idx ON segment (workspace_id, builtin) WHERE builtin IS NOT NULL;
CREATE INDEX segment_name_idx ON segment (workspace_id, lower(name), id);

-- The other computed values a segment reads are per-contact aggregates over the whole workspace;
-- these covering indexes let each aggregate be an index-only scan (no heap visit per lead or answer).
CREATE INDEX lead_open_contact_idx ON lead (workspace_id, contact_id) INCLUDE (stage_id, score, source_id, owner_id) WHERE status = 'open';
CREATE INDEX feedback_contact_nps_idx ON feedback (workspace_id, contact_id, answered_at DESC) INCLUDE (nps) WHERE nps IS NOT NULL;
CREATE INDEX complaint_open_contact_idx ON complaint (workspace_id, contact_id) WHERE status <> 'resolved';

-- A campaign may target a segment; its page shows how many contacts that is and how many may be contacted.
ALTER TABLE campaign ADD COLUMN segment_id uuid;
ALTER TABLE campaign ADD FOREIGN KEY (workspace_id, segment_id) REFERENCES segment (workspace_id, id) ON DELETE SET NULL (segment_id);

-- Per-contact purchase figures the segment conditions read (recency, frequency, monetary, basket,
-- interval between purchases). Aggregating every sale of the workspace on each count is too slow at
-- 100k contacts, so they are kept here: recomputed for the touched contacts by statement triggers
-- on sale (same transaction), and for every contact nightly (job segment_stats_refresh), which moves
-- the 12-month window; `computed_at` says as of when the 12-month figures hold.
CREATE TABLE contact_sale_stats (
  workspace_id  uuid NOT NULL,
  contact_id    uuid NOT NULL,
  purchases     integer NOT NULL,
  revenue       numeric(16, 2) NOT NULL,
  first_sold_at timestamptz NOT NULL,
  last_sold_at  timestamptz NOT NULL,
  purchases_12m integer NOT NULL,
  revenue_12m   numeric(16, 2) NOT NULL,
  computed_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, contact_id),
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact (workspace_id, id) ON DELETE CASCADE
);

-- Recomputes the figures of some contacts (all of the workspace when ids is NULL) from their sales.
CREATE OR REPLACE FUNCTION contact_sale_stats_refresh(ws uuid, ids uuid[]) RETURNS void LANGUAGE sql AS $$
  DELETE FROM contact_sale_stats WHERE workspace_id = ws AND (ids IS NULL OR contact_id = ANY (ids));
  INSERT INTO contact_sale_stats (workspace_id, contact_id, purchases, revenue, first_sold_at, last_sold_at, purchases_12m, revenue_12m, computed_at)
  SELECT s.workspace_id, s.contact_id, count(*), sum(s.total), min(s.sold_at), max(s.sold_at),
         count(*) FILTER (WHERE s.sold_at >= now() - interval '12 months'),
         coalesce(sum(s.total) FILTER (WHERE s.sold_at >= now() - interval '12 months'), 0), now()
    FROM sale s
   WHERE s.workspace_id = ws AND s.contact_id IS NOT NULL AND (ids IS NULL OR s.contact_id = ANY (ids))
   GROUP BY s.workspace_id, s.contact_id;
$$;

CREATE OR REPLACE FUNCTION sale_stats_after_write() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  IF TG_OP = 'INSERT' THEN
    FOR r IN SELECT workspace_id, array_agg(DISTINCT contact_id) AS ids FROM new_rows WHERE contact_id IS NOT NULL GROUP BY workspace_id LOOP
      PERFORM contact_sale_stats_refresh(r.workspace_id, r.ids);
    END LOOP;
  ELSIF TG_OP = 'DELETE' THEN
    FOR r IN SELECT workspace_id, array_agg(DISTINCT contact_id) AS ids FROM old_rows WHERE contact_id IS NOT NULL GROUP BY workspace_id LOOP
      PERFORM contact_sale_stats_refresh(r.workspace_id, r.ids);
    END LOOP;
  ELSE
    FOR r IN SELECT workspace_id, array_agg(DISTINCT contact_id) AS ids
               FROM (SELECT workspace_id, contact_id FROM new_rows UNION SELECT workspace_id, contact_id FROM old_rows) x
              WHERE contact_id IS NOT NULL GROUP BY workspace_id LOOP
      PERFORM contact_sale_stats_refresh(r.workspace_id, r.ids);
    END LOOP;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER sale_stats_insert AFTER INSERT ON sale REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sale_stats_after_write();
CREATE TRIGGER sale_stats_delete AFTER DELETE ON sale REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sale_stats_after_write();
CREATE TRIGGER sale_stats_update AFTER UPDATE ON sale REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sale_stats_after_write();

-- Sales already recorded.
INSERT INTO contact_sale_stats (workspace_id, contact_id, purchases, revenue, first_sold_at, last_sold_at, purchases_12m, revenue_12m)
SELECT s.workspace_id, s.contact_id, count(*), sum(s.total), min(s.sold_at), max(s.sold_at),
       count(*) FILTER (WHERE s.sold_at >= now() - interval '12 months'),
       coalesce(sum(s.total) FILTER (WHERE s.sold_at >= now() - interval '12 months'), 0)
  FROM sale s WHERE s.contact_id IS NOT NULL
 GROUP BY s.workspace_id, s.contact_id;
