-- The customer journey as a model (docs/funnel.md): each pipeline's ordered journey steps and what
-- each counts, hand-entered counts for the steps that are not records (shop visitors, web sessions,
-- ad impressions), and saved what-if scenarios.

CREATE TABLE journey_step (
  workspace_id  uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  pipeline_id   uuid NOT NULL,
  name          text NOT NULL,
  position      integer NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('stage', 'activity', 'sale', 'repeat_sale', 'promoter', 'manual')),
  stage_id      uuid,
  activity_type text CHECK (activity_type IN ('call', 'email', 'meeting', 'visit', 'message', 'task')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  version       integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, pipeline_id) REFERENCES pipeline (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, stage_id) REFERENCES stage (workspace_id, id) ON DELETE CASCADE,
  CHECK ((kind = 'stage') = (stage_id IS NOT NULL)),
  CHECK ((kind = 'activity') = (activity_type IS NOT NULL))
);
CREATE INDEX journey_step_pipeline_idx ON journey_step (workspace_id, pipeline_id, position);

-- A count covers period_start..period_end (local days, inclusive); the model spreads it evenly over
-- those days, like campaign costs, so weekly and monthly counts mix.
CREATE TABLE step_count (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  step_id      uuid NOT NULL,
  period_start date NOT NULL,
  period_end   date NOT NULL,
  count        integer NOT NULL CHECK (count >= 0),
  note         text,
  created_by   uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, step_id) REFERENCES journey_step (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, created_by) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (created_by),
  CHECK (period_end >= period_start)
);
CREATE INDEX step_count_step_idx ON step_count (workspace_id, step_id, period_start);

CREATE TABLE scenario (
  workspace_id  uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  name          text NOT NULL,
  pipeline_id   uuid NOT NULL,
  levers        jsonb NOT NULL DEFAULT '[]',
  filters       jsonb NOT NULL DEFAULT '{}',
  baseline_from date NOT NULL,
  baseline_to   date NOT NULL,
  months        integer NOT NULL DEFAULT 6 CHECK (months BETWEEN 1 AND 12),
  created_by    uuid,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  version       integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, pipeline_id) REFERENCES pipeline (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, created_by) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (created_by),
  CHECK (baseline_to >= baseline_from)
);
CREATE INDEX scenario_created_idx ON scenario (workspace_id, created_at, id);

-- Activity steps of the journey: the first done activity of a type on each lead.
CREATE INDEX activity_lead_done_type_idx ON activity (workspace_id, lead_id, type) INCLUDE (occurred_at, done_at)
  WHERE done_at IS NOT NULL AND lead_id IS NOT NULL;
