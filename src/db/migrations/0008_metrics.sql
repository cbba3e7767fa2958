-- Objectives (targets per user or team over a period on a metric) and the indexes the dashboard's
-- aggregates range over (docs/metrics.md, bench/dashboard.ts).

CREATE TABLE objective (
  workspace_id  uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  name          text NOT NULL,
  user_id       uuid,
  team_id       uuid,
  metric        text NOT NULL CHECK (metric IN ('sales_amount', 'sales_count', 'leads_won', 'new_leads', 'activities', 'nps')),
  period_start  date NOT NULL,
  period_end    date NOT NULL,
  target        numeric(14, 2) NOT NULL,
  key_results   jsonb NOT NULL DEFAULT '[]',
  created_by    uuid,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  version       integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id),
  CHECK ((user_id IS NULL) <> (team_id IS NULL)),
  CHECK (period_end >= period_start),
  FOREIGN KEY (workspace_id, user_id) REFERENCES app_user (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, team_id) REFERENCES team (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX objective_period_idx ON objective (workspace_id, period_end, id);

-- Interactions are counted when they happened: coalesce(occurred_at, done_at) of done activities.
CREATE INDEX activity_happened_idx ON activity (workspace_id, (coalesce(occurred_at, done_at))) WHERE done_at IS NOT NULL;
-- Cadence misses range over due dates.
CREATE INDEX activity_due_at_idx ON activity (workspace_id, due_at) WHERE due_at IS NOT NULL;
-- Win rate and cycle range over close dates of closed leads.
CREATE INDEX lead_closed_idx ON lead (workspace_id, closed_at) WHERE status IN ('won', 'lost');
-- The open pipeline (by stage, owner, close month) without touching closed leads.
CREATE INDEX lead_open_pipeline_idx ON lead (workspace_id, stage_id) INCLUDE (owner_id, amount, probability, expected_close_date) WHERE status = 'open';
