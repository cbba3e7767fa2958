-- Indexes behind the contact and lead list sorts and the Today view. Every list sort expression is
-- NOT NULL and the index starts with workspace_id and ends with id, so keyset pagination walks the
-- index instead of sorting.

-- Contacts sort by surname then first name as one expression, so "García Ana" and "García Luis"
-- stay together and a contact without surname sorts by first name.
CREATE INDEX contact_sort_name_idx ON contact (workspace_id, (lower(coalesce(last_name, '') || ' ' || first_name)), id);
CREATE INDEX contact_created_idx ON contact (workspace_id, created_at, id);
CREATE INDEX contact_updated_idx ON contact (workspace_id, updated_at, id);
CREATE INDEX contact_last_activity_idx ON contact (workspace_id, (coalesce(last_activity_at, '-infinity'::timestamptz)), id);
-- Today's "contacts to call again": one owner's contacts, least recently contacted first.
CREATE INDEX contact_owner_last_activity_idx ON contact (workspace_id, owner_id, (coalesce(last_activity_at, '-infinity'::timestamptz)), id);

CREATE INDEX lead_amount_idx ON lead (workspace_id, amount, id);
CREATE INDEX lead_score_idx ON lead (workspace_id, score, id);
CREATE INDEX lead_probability_idx ON lead (workspace_id, probability, id);
CREATE INDEX lead_title_idx ON lead (workspace_id, lower(title), id);
CREATE INDEX lead_updated_idx ON lead (workspace_id, updated_at, id);
CREATE INDEX lead_last_activity_idx ON lead (workspace_id, (coalesce(last_activity_at, '-infinity'::timestamptz)), id);
