-- Integrations: scopes on API tokens, outgoing webhooks and their delivery log.

-- What a token may call, e.g. {leads:read,contacts:write,webhooks} (src/domain/api-scope.ts).
-- NULL means the full rights of the token's user: every token created before scopes existed keeps
-- working exactly as it did.
ALTER TABLE api_token ADD COLUMN scopes text[];

-- A receiver of events. The secret signs each delivery (HMAC-SHA256); it is kept in clear because
-- signing needs it, is shown once at creation and never returned by the API afterwards.
CREATE TABLE webhook (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  name         text NOT NULL,
  url          text NOT NULL CHECK (url ~ '^https?://'),
  events       text[] NOT NULL CHECK (cardinality(events) > 0),
  secret       text NOT NULL,
  active       boolean NOT NULL DEFAULT true,
  created_by   uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, created_by) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (created_by)
);
-- The outbox looks up the active webhooks of a workspace on every lead, sale and feedback write.
CREATE INDEX webhook_active_idx ON webhook (workspace_id) WHERE active;

-- One event for one webhook: written in the transaction of the change (outbox), then sent by the
-- `webhook` job. event_id is shared by the deliveries of one event to several webhooks and by a
-- replay, so a receiver can drop duplicates.
CREATE TABLE webhook_delivery (
  workspace_id    uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  webhook_id      uuid NOT NULL,
  event           text NOT NULL,
  event_id        uuid NOT NULL,
  payload         jsonb NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  response_code   integer,
  last_error      text,
  next_attempt_at timestamptz,
  replay_of       uuid,
  created_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, webhook_id) REFERENCES webhook (workspace_id, id) ON DELETE CASCADE
);
-- The delivery log of one webhook, newest first, with a keyset cursor.
CREATE INDEX webhook_delivery_log_idx ON webhook_delivery (workspace_id, webhook_id, created_at DESC, id DESC);
