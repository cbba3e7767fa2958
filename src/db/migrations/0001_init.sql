-- Seguimiento schema, version 1.
-- Every business table carries workspace_id and keys on (workspace_id, id): the tenant is a column,
-- the future Citus distribution column, and composite foreign keys make it impossible for a row to
-- point at another workspace's row.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent() is only STABLE (it reads a dictionary); pinning the dictionary makes this IMMUTABLE,
-- which generated search columns and their indexes need.
CREATE OR REPLACE FUNCTION f_search_text(input text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, input)) $$;

CREATE TABLE app_setting (
  key   text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE workspace (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name            text NOT NULL,
  currency        char(3) NOT NULL DEFAULT 'EUR',
  time_zone       text NOT NULL DEFAULT 'Europe/Madrid',
  locale          text NOT NULL DEFAULT 'es',
  default_country char(2) NOT NULL DEFAULT 'ES',
  settings        jsonb NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  version         integer NOT NULL DEFAULT 1
);

CREATE TABLE team (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  name         text NOT NULL,
  manager_id   uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id)
);

CREATE TABLE app_user (
  workspace_id  uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  email         text NOT NULL,
  name          text NOT NULL,
  role          text NOT NULL CHECK (role IN ('admin', 'manager', 'sales')),
  locale        text CHECK (locale IN ('es', 'en')),
  team_id       uuid,
  password_hash text,
  is_active     boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  version       integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES team (workspace_id, id) ON DELETE SET NULL (team_id)
);
-- Login is by email alone, so an email belongs to one account across the installation.
CREATE UNIQUE INDEX app_user_email_key ON app_user (lower(email));

ALTER TABLE team ADD FOREIGN KEY (workspace_id, manager_id)
  REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (manager_id);

CREATE TABLE session (
  id           text PRIMARY KEY,            -- sha256 of the secret token; the token itself is never stored
  workspace_id uuid NOT NULL,
  user_id      uuid NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  user_agent   text,
  FOREIGN KEY (workspace_id, user_id) REFERENCES app_user (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX session_user_idx ON session (workspace_id, user_id);

CREATE TABLE api_token (
  workspace_id uuid NOT NULL,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL,
  name         text NOT NULL,
  token_hash   text NOT NULL UNIQUE,
  prefix       text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  expires_at   timestamptz,
  revoked_at   timestamptz,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES app_user (workspace_id, id) ON DELETE CASCADE
);

CREATE TABLE login_attempt (
  key        text NOT NULL,                 -- 'email:<lower email>' or 'ip:<address>'
  at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempt_key_at_idx ON login_attempt (key, at);

CREATE TABLE pipeline (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  name         text NOT NULL,
  is_default   boolean NOT NULL DEFAULT false,
  position     integer NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX pipeline_one_default ON pipeline (workspace_id) WHERE is_default;

CREATE TABLE stage (
  workspace_id uuid NOT NULL,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  pipeline_id  uuid NOT NULL,
  name         text NOT NULL,
  position     integer NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
  probability  integer NOT NULL CHECK (probability BETWEEN 0 AND 100),
  temperature  text CHECK (temperature IN ('cold', 'warm', 'hot')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, pipeline_id) REFERENCES pipeline (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX stage_pipeline_idx ON stage (workspace_id, pipeline_id, position);

CREATE TABLE source (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  name         text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('phone', 'emailing', 'campaign', 'social', 'website', 'fair', 'referral', 'walk_in', 'other')),
  is_active    boolean NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX source_name_key ON source (workspace_id, lower(name));

CREATE TABLE campaign (
  workspace_id uuid NOT NULL,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  name         text NOT NULL,
  source_id    uuid,
  starts_on    date,
  ends_on      date,
  cost         numeric(14, 2) NOT NULL DEFAULT 0 CHECK (cost >= 0),
  notes        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, source_id) REFERENCES source (workspace_id, id) ON DELETE SET NULL (source_id),
  CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on)
);

CREATE TABLE product (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  name         text NOT NULL,
  sku          text,
  category     text,
  unit_price   numeric(14, 2) NOT NULL DEFAULT 0 CHECK (unit_price >= 0),
  is_active    boolean NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id)
);

CREATE TABLE custom_field (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  entity       text NOT NULL CHECK (entity IN ('company', 'contact', 'lead')),
  key          text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,62}$'),
  label        text NOT NULL,
  type         text NOT NULL CHECK (type IN ('text', 'number', 'date', 'choice')),
  options      jsonb NOT NULL DEFAULT '[]',
  is_required  boolean NOT NULL DEFAULT false,
  position     integer NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, entity, key)
);

CREATE TABLE company (
  workspace_id   uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  name           text NOT NULL,
  sector         text,
  employees      integer CHECK (employees >= 0),
  annual_revenue numeric(16, 2),
  website        text,
  email          text,
  phone          text,
  address        text,
  postal_code    text,
  neighbourhood  text,
  city           text,
  region         text,
  country        char(2),
  owner_id       uuid,
  custom_fields  jsonb NOT NULL DEFAULT '{}',
  status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
  cancel_reason  text,
  cancelled_at   timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  version        integer NOT NULL DEFAULT 1,
  search_text    text GENERATED ALWAYS AS (f_search_text(name || ' ' || coalesce(sector, '') || ' ' || coalesce(city, ''))) STORED,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (owner_id)
);
CREATE INDEX company_name_idx ON company (workspace_id, lower(name), id);
CREATE INDEX company_search_idx ON company USING gin (search_text gin_trgm_ops);

CREATE TABLE contact (
  workspace_id       uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id                 uuid NOT NULL DEFAULT gen_random_uuid(),
  first_name         text NOT NULL,
  last_name          text,
  second_last_name   text,
  job_title          text,
  email              text,
  phone              text,
  address            text,
  postal_code        text,
  neighbourhood      text,
  city               text,
  region             text,
  country            char(2),
  birth_date         date,
  marital_status     text CHECK (marital_status IN ('single', 'married', 'partner', 'divorced', 'widowed')),
  contact_preference text CHECK (contact_preference IN ('email', 'phone', 'whatsapp', 'visit')),
  do_not_contact     boolean NOT NULL DEFAULT false,
  lifecycle          text NOT NULL DEFAULT 'prospect' CHECK (lifecycle IN ('prospect', 'client', 'former')),
  company_id         uuid,
  owner_id           uuid,
  custom_fields      jsonb NOT NULL DEFAULT '{}',
  status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
  cancel_reason      text,
  cancelled_at       timestamptz,
  last_activity_at   timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  version            integer NOT NULL DEFAULT 1,
  search_text        text GENERATED ALWAYS AS (f_search_text(first_name || ' ' || coalesce(last_name, '') || ' ' || coalesce(second_last_name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone, ''))) STORED,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, company_id) REFERENCES company (workspace_id, id) ON DELETE SET NULL (company_id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (owner_id)
);
CREATE INDEX contact_name_idx ON contact (workspace_id, lower(last_name), lower(first_name), id);
CREATE INDEX contact_company_idx ON contact (workspace_id, company_id);
CREATE INDEX contact_email_idx ON contact (workspace_id, lower(email));
CREATE INDEX contact_phone_idx ON contact (workspace_id, phone);
CREATE INDEX contact_search_idx ON contact USING gin (search_text gin_trgm_ops);

CREATE TABLE lead (
  workspace_id        uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id                  uuid NOT NULL DEFAULT gen_random_uuid(),
  title               text NOT NULL,
  contact_id          uuid,
  company_id          uuid,
  pipeline_id         uuid NOT NULL,
  stage_id            uuid NOT NULL,
  score               integer NOT NULL DEFAULT 0 CHECK (score BETWEEN 0 AND 100),
  probability         integer NOT NULL CHECK (probability BETWEEN 0 AND 100),
  amount              numeric(14, 2) NOT NULL DEFAULT 0 CHECK (amount >= 0),
  currency            char(3) NOT NULL,
  expected_close_date date,
  source_id           uuid,
  campaign_id         uuid,
  product_ids         uuid[] NOT NULL DEFAULT '{}',
  owner_id            uuid,
  shared_with         uuid[] NOT NULL DEFAULT '{}',
  next_action_at      timestamptz,
  next_action_type    text CHECK (next_action_type IN ('call', 'email', 'meeting', 'visit', 'message', 'task')),
  next_action_note    text,
  status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost', 'cancelled')),
  lost_reason         text,
  cancel_reason       text,
  closed_at           timestamptz,
  cancelled_at        timestamptz,
  last_activity_at    timestamptz,
  custom_fields       jsonb NOT NULL DEFAULT '{}',
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  version             integer NOT NULL DEFAULT 1,
  search_text         text GENERATED ALWAYS AS (f_search_text(title)) STORED,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact (workspace_id, id) ON DELETE SET NULL (contact_id),
  FOREIGN KEY (workspace_id, company_id) REFERENCES company (workspace_id, id) ON DELETE SET NULL (company_id),
  FOREIGN KEY (workspace_id, pipeline_id) REFERENCES pipeline (workspace_id, id),
  FOREIGN KEY (workspace_id, stage_id) REFERENCES stage (workspace_id, id),
  FOREIGN KEY (workspace_id, source_id) REFERENCES source (workspace_id, id) ON DELETE SET NULL (source_id),
  FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaign (workspace_id, id) ON DELETE SET NULL (campaign_id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (owner_id)
);
-- The board's hot query: one owner's leads in some stages ordered by next action, then id. Leads
-- without a next action sort last; the list sorts on exactly this expression so keyset pagination
-- walks the index.
CREATE INDEX lead_owner_next_action_idx ON lead (workspace_id, owner_id, (coalesce(next_action_at, 'infinity'::timestamptz)), id);
CREATE INDEX lead_next_action_idx ON lead (workspace_id, (coalesce(next_action_at, 'infinity'::timestamptz)), id);
CREATE INDEX lead_stage_idx ON lead (workspace_id, stage_id, (coalesce(next_action_at, 'infinity'::timestamptz)), id);
CREATE INDEX lead_contact_idx ON lead (workspace_id, contact_id);
CREATE INDEX lead_company_idx ON lead (workspace_id, company_id);
CREATE INDEX lead_created_idx ON lead (workspace_id, created_at, id);
CREATE INDEX lead_shared_idx ON lead USING gin (shared_with);
CREATE INDEX lead_search_idx ON lead USING gin (search_text gin_trgm_ops);

CREATE TABLE lead_stage_history (
  workspace_id  uuid NOT NULL,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  lead_id       uuid NOT NULL,
  from_stage_id uuid,
  to_stage_id   uuid NOT NULL,
  user_id       uuid,
  changed_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, lead_id) REFERENCES lead (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX lead_stage_history_lead_idx ON lead_stage_history (workspace_id, lead_id, changed_at);

CREATE TABLE activity (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  type         text NOT NULL CHECK (type IN ('call', 'email', 'meeting', 'visit', 'message', 'note', 'task')),
  direction    text CHECK (direction IN ('inbound', 'outbound')),
  subject      text,
  body         text,
  outcome      text,
  occurred_at  timestamptz,
  due_at       timestamptz,
  done_at      timestamptz,
  lead_id      uuid,
  contact_id   uuid,
  company_id   uuid,
  user_id      uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, lead_id) REFERENCES lead (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, company_id) REFERENCES company (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, user_id) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (user_id),
  CHECK (occurred_at IS NOT NULL OR due_at IS NOT NULL)
);
CREATE INDEX activity_lead_idx ON activity (workspace_id, lead_id, (coalesce(occurred_at, due_at)) DESC, id);
CREATE INDEX activity_contact_idx ON activity (workspace_id, contact_id, (coalesce(occurred_at, due_at)) DESC, id);
CREATE INDEX activity_company_idx ON activity (workspace_id, company_id, (coalesce(occurred_at, due_at)) DESC, id);
CREATE INDEX activity_user_due_idx ON activity (workspace_id, user_id, due_at) WHERE done_at IS NULL;

CREATE TABLE activity_comment (
  workspace_id uuid NOT NULL,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  activity_id  uuid NOT NULL,
  user_id      uuid,
  body         text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, activity_id) REFERENCES activity (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, user_id) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (user_id)
);
CREATE INDEX activity_comment_activity_idx ON activity_comment (workspace_id, activity_id, created_at);

CREATE TABLE sale (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  contact_id   uuid,
  company_id   uuid,
  lead_id      uuid,
  owner_id     uuid,
  sold_at      timestamptz NOT NULL,
  total        numeric(14, 2) NOT NULL CHECK (total >= 0),
  currency     char(3) NOT NULL,
  notes        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact (workspace_id, id) ON DELETE SET NULL (contact_id),
  FOREIGN KEY (workspace_id, company_id) REFERENCES company (workspace_id, id) ON DELETE SET NULL (company_id),
  FOREIGN KEY (workspace_id, lead_id) REFERENCES lead (workspace_id, id) ON DELETE SET NULL (lead_id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (owner_id),
  CHECK (contact_id IS NOT NULL OR company_id IS NOT NULL)
);
CREATE INDEX sale_sold_at_idx ON sale (workspace_id, sold_at, id);
CREATE INDEX sale_contact_idx ON sale (workspace_id, contact_id, sold_at);
CREATE INDEX sale_company_idx ON sale (workspace_id, company_id, sold_at);

CREATE TABLE sale_line (
  workspace_id uuid NOT NULL,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  sale_id      uuid NOT NULL,
  position     integer NOT NULL,
  product_id   uuid,
  description  text,
  quantity     numeric(14, 3) NOT NULL CHECK (quantity > 0),
  unit_price   numeric(14, 2) NOT NULL CHECK (unit_price >= 0),
  line_total   numeric(14, 2) NOT NULL,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, sale_id) REFERENCES sale (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, product_id) REFERENCES product (workspace_id, id) ON DELETE SET NULL (product_id)
);
CREATE INDEX sale_line_sale_idx ON sale_line (workspace_id, sale_id, position);
CREATE INDEX sale_line_product_idx ON sale_line (workspace_id, product_id);

CREATE TABLE audit_event (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id           bigint GENERATED ALWAYS AS IDENTITY,
  user_id      uuid,
  entity       text NOT NULL,
  entity_id    uuid NOT NULL,
  action       text NOT NULL,
  changes      jsonb NOT NULL DEFAULT '{}',
  at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX audit_event_entity_idx ON audit_event (workspace_id, entity, entity_id, at);
