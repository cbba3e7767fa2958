-- Indexes behind the activity timeline and the sales list that 0001 does not cover. Each matches a
-- list's ORDER BY exactly (both keys in the same direction), so keyset pagination walks the index.

-- A user's timeline ("my activities") and the workspace-wide one, newest first. The per-lead,
-- per-contact and per-company timelines use activity_lead_idx / activity_contact_idx /
-- activity_company_idx from 0001.
CREATE INDEX activity_user_at_idx ON activity (workspace_id, user_id, (coalesce(occurred_at, due_at)) DESC, id DESC);
CREATE INDEX activity_at_idx ON activity (workspace_id, (coalesce(occurred_at, due_at)) DESC, id DESC);

-- Sales: a seller's own sales by date (their scope), the list sorted by total, and the sales of a lead.
CREATE INDEX sale_owner_sold_at_idx ON sale (workspace_id, owner_id, sold_at, id);
CREATE INDEX sale_total_idx ON sale (workspace_id, total, id);
CREATE INDEX sale_lead_idx ON sale (workspace_id, lead_id);
