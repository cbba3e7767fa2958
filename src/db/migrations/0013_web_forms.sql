-- Web-form lead capture: forms an admin publishes (hosted page and iframe embed), the log of every
-- submission, and the per-address rate limit of the public endpoint.

-- public_id is the only thing in the public URL (/f/<public_id>): 128 random bits, unique across the
-- installation because the URL names no workspace. Field choices live in `fields` as an ordered
-- list of { key, label, required } (src/domain/web-form.ts validates it). The round-robin cursor is
-- advanced with one UPDATE … RETURNING inside the submission's transaction, so two instances taking
-- submissions at once never give the same turn twice.
CREATE TABLE lead_form (
  workspace_id       uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id                 uuid NOT NULL DEFAULT gen_random_uuid(),
  public_id          text NOT NULL UNIQUE CHECK (public_id ~ '^[A-Za-z0-9_-]{22}$'),
  name               text NOT NULL,
  intro              text,
  fields             jsonb NOT NULL DEFAULT '[]',
  source_id          uuid,
  campaign_id        uuid,
  product_id         uuid,
  assignment         text NOT NULL DEFAULT 'fixed' CHECK (assignment IN ('fixed', 'round_robin')),
  owner_id           uuid,
  assignee_ids       uuid[] NOT NULL DEFAULT '{}',
  round_robin_cursor integer NOT NULL DEFAULT 0,
  locale             text CHECK (locale IN ('es', 'en')),
  thank_you_message  text,
  redirect_url       text,
  is_active          boolean NOT NULL DEFAULT true,
  created_by         uuid,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  version            integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, source_id) REFERENCES source (workspace_id, id) ON DELETE SET NULL (source_id),
  FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaign (workspace_id, id) ON DELETE SET NULL (campaign_id),
  FOREIGN KEY (workspace_id, product_id) REFERENCES product (workspace_id, id) ON DELETE SET NULL (product_id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (owner_id),
  FOREIGN KEY (workspace_id, created_by) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (created_by)
);
CREATE INDEX lead_form_name_idx ON lead_form (workspace_id, lower(name), id);

-- One row per submission, spam included (so an admin sees a flood). The values are personal data
-- of the contact: erasing the contact deletes its submissions with it (ON DELETE CASCADE).
-- ip_hash is an HMAC of the address with the installation secret: enough to count, not to recover it.
CREATE TABLE form_submission (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  form_id      uuid NOT NULL,
  field_values jsonb NOT NULL DEFAULT '{}',
  utm_source   text,
  utm_medium   text,
  utm_campaign text,
  utm_term     text,
  utm_content  text,
  referrer     text,
  ip_hash      text,
  is_spam      boolean NOT NULL DEFAULT false,
  contact_id   uuid,
  lead_id      uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, form_id) REFERENCES lead_form (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, lead_id) REFERENCES lead (workspace_id, id) ON DELETE SET NULL (lead_id)
);
CREATE INDEX form_submission_form_idx ON form_submission (workspace_id, form_id, created_at, id);

-- Fixed-window counters of the public endpoint, per form and address: one atomic
-- INSERT … ON CONFLICT DO UPDATE … RETURNING hits per request, so every app instance counts in the
-- same row. id is the bucket key '<form id>:<ip hash>:<window start epoch>'. Old windows of a form
-- are deleted as new ones are counted.
CREATE TABLE form_rate_limit (
  workspace_id uuid NOT NULL,
  id           text NOT NULL,
  form_id      uuid NOT NULL,
  window_start timestamptz NOT NULL,
  hits         integer NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, form_id) REFERENCES lead_form (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX form_rate_limit_window_idx ON form_rate_limit (workspace_id, form_id, window_start);
