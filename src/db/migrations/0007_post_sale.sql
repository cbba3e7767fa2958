-- After the sale: the follow-up call planned between day 2 and day 7, the client's satisfaction and
-- NPS answers, and complaints with their timeline.

CREATE TABLE feedback (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  sale_id      uuid,
  contact_id   uuid,
  user_id      uuid,                          -- who recorded it; null when the client answered on the public page
  nps          integer CHECK (nps BETWEEN 0 AND 10),
  satisfaction integer CHECK (satisfaction BETWEEN 1 AND 5),
  comment      text,
  channel      text NOT NULL CHECK (channel IN ('phone', 'email', 'whatsapp', 'visit', 'web')),
  answered_at  timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, sale_id) REFERENCES sale (workspace_id, id) ON DELETE SET NULL (sale_id),
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact (workspace_id, id) ON DELETE SET NULL (contact_id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (user_id),
  CHECK (nps IS NOT NULL OR satisfaction IS NOT NULL OR comment IS NOT NULL)
);
CREATE INDEX feedback_answered_idx ON feedback (workspace_id, answered_at, id);
CREATE INDEX feedback_sale_idx ON feedback (workspace_id, sale_id);
CREATE INDEX feedback_contact_idx ON feedback (workspace_id, contact_id, answered_at);

CREATE TABLE follow_up (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  sale_id      uuid NOT NULL,
  contact_id   uuid,
  user_id      uuid,                          -- the seller who calls back
  due_at       timestamptz NOT NULL,
  status       text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'done', 'cancelled')),
  done_at      timestamptz,
  outcome      text,
  feedback_id  uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, sale_id) REFERENCES sale (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact (workspace_id, id) ON DELETE SET NULL (contact_id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (user_id),
  FOREIGN KEY (workspace_id, feedback_id) REFERENCES feedback (workspace_id, id) ON DELETE SET NULL (feedback_id),
  CHECK ((status = 'done') = (done_at IS NOT NULL))
);
-- One post-sale follow-up per sale: recording the sale twice in a retry cannot plan two calls.
CREATE UNIQUE INDEX follow_up_sale_key ON follow_up (workspace_id, sale_id);
CREATE INDEX follow_up_due_idx ON follow_up (workspace_id, due_at, id);
-- Today's "follow-ups due": one seller's planned follow-ups by due time.
CREATE INDEX follow_up_user_planned_idx ON follow_up (workspace_id, user_id, due_at, id) WHERE status = 'planned';
CREATE INDEX follow_up_contact_idx ON follow_up (workspace_id, contact_id);

CREATE TABLE complaint (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  contact_id   uuid,
  sale_id      uuid,
  category     text NOT NULL CHECK (category IN ('quality_defect', 'durability', 'portability', 'after_sales_service', 'functionality', 'other')),
  description  text NOT NULL,
  status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'resolved')),
  resolution   text CHECK (resolution IN ('replacement', 'repair', 'home_maintenance', 'substitute_product', 'cost_assumed', 'other')),
  resolved_at  timestamptz,
  owner_id     uuid,
  due_at       timestamptz,
  created_by   uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact (workspace_id, id) ON DELETE SET NULL (contact_id),
  FOREIGN KEY (workspace_id, sale_id) REFERENCES sale (workspace_id, id) ON DELETE SET NULL (sale_id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (owner_id),
  FOREIGN KEY (workspace_id, created_by) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (created_by),
  -- The domain keeps these together; the database refuses a half-resolved row whatever writes it.
  CHECK ((status = 'resolved') = (resolved_at IS NOT NULL)),
  CHECK ((status = 'resolved') = (resolution IS NOT NULL))
);
CREATE INDEX complaint_created_idx ON complaint (workspace_id, created_at, id);
CREATE INDEX complaint_due_idx ON complaint (workspace_id, (coalesce(due_at, 'infinity'::timestamptz)), id);
CREATE INDEX complaint_open_due_idx ON complaint (workspace_id, due_at) WHERE status <> 'resolved';
CREATE INDEX complaint_contact_idx ON complaint (workspace_id, contact_id);
CREATE INDEX complaint_sale_idx ON complaint (workspace_id, sale_id);
CREATE INDEX complaint_owner_idx ON complaint (workspace_id, owner_id);

-- A complaint's timeline: each status change (written by the application with the change) and notes.
CREATE TABLE complaint_event (
  workspace_id uuid NOT NULL,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  complaint_id uuid NOT NULL,
  user_id      uuid,
  kind         text NOT NULL CHECK (kind IN ('status', 'note')),
  from_status  text,
  to_status    text,
  resolution   text,
  body         text,
  at           timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, complaint_id) REFERENCES complaint (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, user_id) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (user_id),
  CHECK (kind <> 'status' OR to_status IS NOT NULL),
  CHECK (kind <> 'note' OR body IS NOT NULL)
);
CREATE INDEX complaint_event_complaint_idx ON complaint_event (workspace_id, complaint_id, at, id);

-- A satisfaction link sent to the client: answered once on a public page, without logging in. Only
-- the sha256 of the link's secret is stored, so a database leak does not let anyone answer.
CREATE TABLE satisfaction_request (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  sale_id      uuid,
  contact_id   uuid,
  token_hash   text NOT NULL UNIQUE,
  email        text,
  created_by   uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  emailed_at   timestamptz,
  answered_at  timestamptz,
  feedback_id  uuid,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, sale_id) REFERENCES sale (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, created_by) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (created_by),
  FOREIGN KEY (workspace_id, feedback_id) REFERENCES feedback (workspace_id, id) ON DELETE SET NULL (feedback_id),
  CHECK (sale_id IS NOT NULL OR contact_id IS NOT NULL)
);
CREATE INDEX satisfaction_request_sale_idx ON satisfaction_request (workspace_id, sale_id);
