-- The audit log is read newest first (ORDER BY id DESC) with keyset pagination on id, filtered by
-- who made the change or by the kind of record. These indexes end in id so such a page is an index
-- range scan however long the history grows; (workspace_id, id) — the primary key — serves the
-- unfiltered log, and audit_event_entity_idx one record's history.
CREATE INDEX audit_event_user_idx ON audit_event (workspace_id, user_id, id);
CREATE INDEX audit_event_entity_kind_idx ON audit_event (workspace_id, entity, id);
