-- Capture policy: the workspace's rules for how records are typed in (src/domain/capture-policy.ts).
-- One row per workspace; the rules are one JSON document validated by the domain at save time, so a
-- new kind of rule needs no migration. No row means the defaults.

CREATE TABLE capture_policy (
  workspace_id  uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  rules         jsonb NOT NULL,
  updated_by    uuid,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  version       integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id),
  FOREIGN KEY (workspace_id, updated_by) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (updated_by)
);
