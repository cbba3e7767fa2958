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

-- The computed values a segment reads are per-contact aggregates over the whole workspace; these
-- covering indexes let each aggregate be an index-only scan (no heap visit per sale or lead).
CREATE INDEX sale_contact_cover_idx ON sale (workspace_id, contact_id) INCLUDE (sold_at, total) WHERE contact_id IS NOT NULL;
CREATE INDEX lead_open_contact_idx ON lead (workspace_id, contact_id) INCLUDE (stage_id, score, source_id, owner_id) WHERE status = 'open';
CREATE INDEX feedback_contact_nps_idx ON feedback (workspace_id, contact_id, answered_at DESC) INCLUDE (nps) WHERE nps IS NOT NULL;
CREATE INDEX complaint_open_contact_idx ON complaint (workspace_id, contact_id) WHERE status <> 'resolved';

-- A campaign may target a segment; its page shows how many contacts that is and how many may be contacted.
ALTER TABLE campaign ADD COLUMN segment_id uuid;
ALTER TABLE campaign ADD FOREIGN KEY (workspace_id, segment_id) REFERENCES segment (workspace_id, id) ON DELETE SET NULL (segment_id);
