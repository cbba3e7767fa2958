-- The client profile (docs/profile.md): occupation and best time to contact beside the contact data,
-- the "potential client" lifecycle, a manual lifecycle override, and custom fields flagged sensitive.
-- contact.lifecycle stays the effective value every list, filter and metric reads; it is derived by
-- the domain rule (src/domain/profile.ts) unless lifecycle_override holds a value set by hand.

ALTER TABLE contact DROP CONSTRAINT contact_lifecycle_check;
ALTER TABLE contact ADD CONSTRAINT contact_lifecycle_check CHECK (lifecycle IN ('prospect', 'potential', 'client', 'former'));

ALTER TABLE contact
  ADD COLUMN occupation           text,
  ADD COLUMN best_time_to_contact text CHECK (best_time_to_contact IN ('morning', 'midday', 'afternoon', 'evening')),
  ADD COLUMN lifecycle_override   text CHECK (lifecycle_override IN ('prospect', 'potential', 'client', 'former'));

-- The nightly "former client" pass looks at clients (and former clients) only.
CREATE INDEX contact_lifecycle_idx ON contact (workspace_id, lifecycle) WHERE lifecycle IN ('client', 'former') AND lifecycle_override IS NULL;

ALTER TABLE custom_field ADD COLUMN is_sensitive boolean NOT NULL DEFAULT false;
-- A sensitive field is hidden from some roles, so they could never fill it in: it cannot be required.
ALTER TABLE custom_field ADD CONSTRAINT custom_field_sensitive_optional CHECK (NOT (is_sensitive AND is_required));
