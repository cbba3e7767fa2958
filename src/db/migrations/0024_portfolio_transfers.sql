-- Portfolio reassignments (docs/portfolios.md): one row per batch moved from one salesperson to
-- another, with what moved. It is the batch's record, the answer replayed to a retried request with
-- the same Idempotency-Key, and the history shown on the portfolios page.
CREATE TABLE portfolio_transfer (
  workspace_id     uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id               uuid NOT NULL DEFAULT gen_random_uuid(),
  from_user_id     uuid NOT NULL,
  to_user_id       uuid NOT NULL,
  -- The segment that narrowed the selection (null: the whole portfolio). No foreign key: the
  -- record of a move outlives the segment it used.
  segment_id       uuid,
  idempotency_key  text,
  counts           jsonb NOT NULL DEFAULT '{}',
  created_by       uuid,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, from_user_id) REFERENCES app_user (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, to_user_id) REFERENCES app_user (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, created_by) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (created_by)
);
CREATE UNIQUE INDEX portfolio_transfer_key_idx ON portfolio_transfer (workspace_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX portfolio_transfer_created_idx ON portfolio_transfer (workspace_id, created_at DESC, id);

-- The portfolio figures and the reassignment select companies by owner (contacts and leads have
-- their owner indexes already).
CREATE INDEX company_owner_idx ON company (workspace_id, owner_id);
