-- The score (docs/score.md): rules an admin edits, an explained 0–100 score stored on every lead and
-- contact, and the measured model learnt from the workspace's closed leads.
-- The score and its explanation are computed (src/domain/score.ts) and written by the storage layer
-- in the transaction of the change that affects them, and nightly for decay; the API never accepts them.

ALTER TABLE lead ADD COLUMN score_explanation jsonb NOT NULL DEFAULT '{"lines": [], "warnings": []}';
ALTER TABLE lead ADD CONSTRAINT lead_score_range CHECK (score BETWEEN 0 AND 100);

ALTER TABLE contact
  ADD COLUMN score             integer NOT NULL DEFAULT 0 CHECK (score BETWEEN 0 AND 100),
  ADD COLUMN score_explanation jsonb NOT NULL DEFAULT '{"lines": [], "warnings": []}';
-- Contacts list by score, like lead_score_idx for leads.
CREATE INDEX contact_score_idx ON contact (workspace_id, score, id);

-- One row per rule, in the order the admin sees them. The condition is the domain's ScoreCondition
-- (validated before it is stored); ids named in it (products, sources, custom field keys) are not
-- foreign keys on purpose: deleting a product must not be blocked by a rule, the rule becomes
-- inactive and says so.
CREATE TABLE score_rule (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  position     integer NOT NULL,
  label        text NOT NULL CHECK (length(label) BETWEEN 1 AND 80),
  weight       integer NOT NULL CHECK (weight BETWEEN -100 AND 100),
  condition    jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX score_rule_position_idx ON score_rule (workspace_id, position);

-- The latest measured model of a workspace (one row: training replaces it). status 'insufficient'
-- records that there was not enough history, and why, so the settings page can say so.
CREATE TABLE score_model (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  status       text NOT NULL CHECK (status IN ('trained', 'insufficient')),
  reason       text,
  trained_at   timestamptz NOT NULL,
  n            integer NOT NULL,
  n_train      integer NOT NULL DEFAULT 0,
  n_test       integer NOT NULL DEFAULT 0,
  won          integer NOT NULL,
  lost         integer NOT NULL,
  auc          double precision,
  intercept    double precision NOT NULL DEFAULT 0,
  coefficients jsonb NOT NULL DEFAULT '[]',
  early_days   integer NOT NULL,
  PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX score_model_workspace_idx ON score_model (workspace_id);
