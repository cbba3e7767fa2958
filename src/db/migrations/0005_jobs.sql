-- Background jobs and in-app notifications.
--
-- The queue lives in the database so it works the same on PGlite and PostgreSQL and needs no other
-- service. A scheduled run has a deterministic id (`digest:2026-11-23:<userId>`): every app instance
-- computes the same id and enqueues with ON CONFLICT DO NOTHING, so a run exists once however many
-- instances tick. Workers claim with FOR UPDATE SKIP LOCKED and a lease (locked_until): a job whose
-- worker died is claimed again once the lease has passed.
CREATE TABLE job (
  workspace_id  uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id            text NOT NULL,
  kind          text NOT NULL,
  payload       jsonb NOT NULL DEFAULT '{}',
  run_at        timestamptz NOT NULL,
  status        text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts  integer NOT NULL DEFAULT 5 CHECK (max_attempts >= 1),
  last_error    text,
  locked_until  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  PRIMARY KEY (workspace_id, id),
  CHECK (status <> 'running' OR locked_until IS NOT NULL)
);
-- The worker's claim: due queued jobs by run_at, and running jobs whose lease has passed.
CREATE INDEX job_due_idx ON job (workspace_id, run_at) WHERE status IN ('queued', 'running');
-- The admin view (failed and queued jobs, newest first) and the clean-up of finished jobs.
CREATE INDEX job_status_idx ON job (workspace_id, status, created_at DESC, id);

CREATE TABLE notification (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL,
  kind         text NOT NULL,
  title        text NOT NULL,
  body         text,
  link         text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  read_at      timestamptz,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES app_user (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX notification_user_idx ON notification (workspace_id, user_id, created_at DESC, id);
CREATE INDEX notification_unread_idx ON notification (workspace_id, user_id, created_at DESC, id) WHERE read_at IS NULL;
