-- Per-user iCalendar feed (GET /ical/<token>.ics). Calendar apps cannot log in, so the feed URL
-- carries a secret token. The token is derived from the app secret and this row's random id
-- (HMAC), so it can be shown again without being stored; only its sha256 is kept, to find the row
-- from the URL. Resetting the feed replaces the row, which kills the old URL.
CREATE TABLE calendar_feed (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL,
  token_hash   text NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, user_id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES app_user (workspace_id, id) ON DELETE CASCADE
);
