-- The board sorts leads by the names it shows (contact, company, owner, source) and by stage order.
-- Sorting 1M leads by a looked-up name cannot use an index, so each lead carries a copy of those
-- sort keys, kept right by triggers in the same transaction as any write that changes them, with an
-- index per key that starts with workspace_id (keyset pages stay cheap on page 10 000).
-- Saved views of the leads table are shared through the server instead of one browser's storage.

ALTER TABLE lead
  ADD COLUMN contact_sort text NOT NULL DEFAULT '',
  ADD COLUMN company_sort text NOT NULL DEFAULT '',
  ADD COLUMN owner_sort   text NOT NULL DEFAULT '',
  ADD COLUMN source_sort  text NOT NULL DEFAULT '',
  ADD COLUMN stage_sort   integer NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION f_person_sort(first_name text, last_name text, second_last_name text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT f_search_text(concat_ws(' ', nullif(last_name, ''), nullif(second_last_name, ''), first_name)) $$;

-- BEFORE trigger on lead: fill the keys from the referenced rows when a reference changes.
CREATE OR REPLACE FUNCTION lead_fill_sort_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.contact_id IS DISTINCT FROM OLD.contact_id THEN
    NEW.contact_sort := coalesce((SELECT f_person_sort(c.first_name, c.last_name, c.second_last_name) FROM contact c
                                   WHERE c.workspace_id = NEW.workspace_id AND c.id = NEW.contact_id), '');
  END IF;
  IF TG_OP = 'INSERT' OR NEW.company_id IS DISTINCT FROM OLD.company_id THEN
    NEW.company_sort := coalesce((SELECT f_search_text(co.name) FROM company co WHERE co.workspace_id = NEW.workspace_id AND co.id = NEW.company_id), '');
  END IF;
  IF TG_OP = 'INSERT' OR NEW.owner_id IS DISTINCT FROM OLD.owner_id THEN
    NEW.owner_sort := coalesce((SELECT f_search_text(u.name) FROM app_user u WHERE u.workspace_id = NEW.workspace_id AND u.id = NEW.owner_id), '');
  END IF;
  IF TG_OP = 'INSERT' OR NEW.source_id IS DISTINCT FROM OLD.source_id THEN
    NEW.source_sort := coalesce((SELECT f_search_text(s.name) FROM source s WHERE s.workspace_id = NEW.workspace_id AND s.id = NEW.source_id), '');
  END IF;
  IF TG_OP = 'INSERT' OR NEW.stage_id IS DISTINCT FROM OLD.stage_id THEN
    NEW.stage_sort := coalesce((SELECT st.position FROM stage st WHERE st.workspace_id = NEW.workspace_id AND st.id = NEW.stage_id), 0);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER lead_fill_sort_keys BEFORE INSERT OR UPDATE OF contact_id, company_id, owner_id, source_id, stage_id ON lead
  FOR EACH ROW EXECUTE FUNCTION lead_fill_sort_keys();

-- AFTER triggers on the referenced rows: a rename (or a stage reorder) reaches their leads.
CREATE OR REPLACE FUNCTION contact_sort_to_leads() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE k text := f_person_sort(NEW.first_name, NEW.last_name, NEW.second_last_name);
BEGIN
  IF k IS DISTINCT FROM f_person_sort(OLD.first_name, OLD.last_name, OLD.second_last_name) THEN
    UPDATE lead SET contact_sort = k WHERE workspace_id = NEW.workspace_id AND contact_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER contact_sort_to_leads AFTER UPDATE OF first_name, last_name, second_last_name ON contact
  FOR EACH ROW EXECUTE FUNCTION contact_sort_to_leads();

CREATE OR REPLACE FUNCTION company_sort_to_leads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.name IS DISTINCT FROM OLD.name THEN
    UPDATE lead SET company_sort = f_search_text(NEW.name) WHERE workspace_id = NEW.workspace_id AND company_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER company_sort_to_leads AFTER UPDATE OF name ON company
  FOR EACH ROW EXECUTE FUNCTION company_sort_to_leads();

CREATE OR REPLACE FUNCTION owner_sort_to_leads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.name IS DISTINCT FROM OLD.name THEN
    UPDATE lead SET owner_sort = f_search_text(NEW.name) WHERE workspace_id = NEW.workspace_id AND owner_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER owner_sort_to_leads AFTER UPDATE OF name ON app_user
  FOR EACH ROW EXECUTE FUNCTION owner_sort_to_leads();

CREATE OR REPLACE FUNCTION source_sort_to_leads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.name IS DISTINCT FROM OLD.name THEN
    UPDATE lead SET source_sort = f_search_text(NEW.name) WHERE workspace_id = NEW.workspace_id AND source_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER source_sort_to_leads AFTER UPDATE OF name ON source
  FOR EACH ROW EXECUTE FUNCTION source_sort_to_leads();

CREATE OR REPLACE FUNCTION stage_sort_to_leads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.position IS DISTINCT FROM OLD.position THEN
    UPDATE lead SET stage_sort = NEW.position WHERE workspace_id = NEW.workspace_id AND stage_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER stage_sort_to_leads AFTER UPDATE OF position ON stage
  FOR EACH ROW EXECUTE FUNCTION stage_sort_to_leads();

-- Existing leads: set the keys directly (the BEFORE trigger only fires when a reference changes).
UPDATE lead l SET
  contact_sort = coalesce((SELECT f_person_sort(c.first_name, c.last_name, c.second_last_name) FROM contact c WHERE c.workspace_id = l.workspace_id AND c.id = l.contact_id), ''),
  company_sort = coalesce((SELECT f_search_text(co.name) FROM company co WHERE co.workspace_id = l.workspace_id AND co.id = l.company_id), ''),
  owner_sort   = coalesce((SELECT f_search_text(u.name) FROM app_user u WHERE u.workspace_id = l.workspace_id AND u.id = l.owner_id), ''),
  source_sort  = coalesce((SELECT f_search_text(s.name) FROM source s WHERE s.workspace_id = l.workspace_id AND s.id = l.source_id), ''),
  stage_sort   = coalesce((SELECT st.position FROM stage st WHERE st.workspace_id = l.workspace_id AND st.id = l.stage_id), 0);

CREATE INDEX lead_contact_sort_idx ON lead (workspace_id, contact_sort, id);
CREATE INDEX lead_company_sort_idx ON lead (workspace_id, company_sort, id);
CREATE INDEX lead_owner_sort_idx   ON lead (workspace_id, owner_sort, id);
CREATE INDEX lead_source_sort_idx  ON lead (workspace_id, source_sort, id);
CREATE INDEX lead_stage_sort_idx   ON lead (workspace_id, stage_sort, id);

CREATE TABLE saved_view (
  workspace_id  uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id       uuid NOT NULL,
  entity        text NOT NULL CHECK (entity IN ('lead', 'contact', 'company')),
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
  -- The view as the web app stores it (filters, sort, columns): opaque to the server.
  definition    jsonb NOT NULL,
  shared        boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  version       integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES app_user (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX saved_view_name_idx ON saved_view (workspace_id, user_id, entity, lower(name));
