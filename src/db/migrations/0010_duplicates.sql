-- Duplicates: the indexes that find likely duplicates of a contact or company (same email, same phone
-- digits, similar accent- and case-folded name), the candidate pairs found by the scan with their
-- score and the user's "not a duplicate" dismissal, and merges with the snapshot that undoes them.

-- Names compared as typed would miss "Garcia" vs "García": the same folding as search_text, names only
-- (search_text also holds email and phone, which would blur the similarity).
CREATE INDEX contact_name_trgm_idx ON contact
  USING gin (f_search_text(first_name || ' ' || coalesce(last_name, '') || ' ' || coalesce(second_last_name, '')) gin_trgm_ops);
CREATE INDEX company_name_trgm_idx ON company USING gin (f_search_text(name) gin_trgm_ops);
-- Phones typed before the capture policy normalised them ("600 11 12 22", "+34 600-111-222") compare on
-- their digits.
CREATE INDEX contact_phone_digits_idx ON contact (workspace_id, (regexp_replace(phone, '\D', '', 'g'))) WHERE phone IS NOT NULL;
CREATE INDEX company_phone_digits_idx ON company (workspace_id, (regexp_replace(phone, '\D', '', 'g'))) WHERE phone IS NOT NULL;
CREATE INDEX company_email_idx ON company (workspace_id, lower(email)) WHERE email IS NOT NULL;

-- A candidate pair (record_a_id < record_b_id). Written by the scan; a dismissed pair keeps its row so
-- the scan never offers it again. No foreign key: the pair is of contacts or of companies, and a
-- purged or erased record's pairs are deleted with it by the application.
CREATE TABLE duplicate_pair (
  workspace_id  uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  entity        text NOT NULL CHECK (entity IN ('contact', 'company')),
  record_a_id   uuid NOT NULL,
  record_b_id   uuid NOT NULL,
  score         integer NOT NULL CHECK (score BETWEEN 0 AND 100),
  reasons       text[] NOT NULL DEFAULT '{}',
  detected_at   timestamptz NOT NULL DEFAULT now(),
  dismissed_at  timestamptz,
  dismissed_by  uuid,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, entity, record_a_id, record_b_id),
  FOREIGN KEY (workspace_id, dismissed_by) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (dismissed_by),
  CHECK (record_a_id < record_b_id)
);
-- The review list: open pairs of one kind by score, keyset on (score, id).
CREATE INDEX duplicate_pair_review_idx ON duplicate_pair (workspace_id, entity, score DESC, id DESC) WHERE dismissed_at IS NULL;
CREATE INDEX duplicate_pair_b_idx ON duplicate_pair (workspace_id, record_b_id);

-- One merge: the merged record is cancelled (hidden) and kept with a snapshot of both records and the
-- id of every row that moved, so undo puts back exactly what moved. After 30 days the merged record
-- is purged and the snapshot emptied.
CREATE TABLE duplicate_merge (
  workspace_id  uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  entity        text NOT NULL CHECK (entity IN ('contact', 'company')),
  keep_id       uuid NOT NULL,
  merged_id     uuid NOT NULL,
  snapshot      jsonb NOT NULL DEFAULT '{}',
  moved         jsonb NOT NULL DEFAULT '{}',
  merged_by     uuid,
  merged_at     timestamptz NOT NULL DEFAULT now(),
  undone_at     timestamptz,
  undone_by     uuid,
  purged_at     timestamptz,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, merged_by) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (merged_by),
  FOREIGN KEY (workspace_id, undone_by) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (undone_by),
  CHECK (keep_id <> merged_id)
);
CREATE INDEX duplicate_merge_recent_idx ON duplicate_merge (workspace_id, merged_at DESC, id DESC);
CREATE INDEX duplicate_merge_keep_idx ON duplicate_merge (workspace_id, keep_id);
CREATE INDEX duplicate_merge_merged_idx ON duplicate_merge (workspace_id, merged_id);
-- The purge job's due merges.
CREATE INDEX duplicate_merge_purge_idx ON duplicate_merge (workspace_id, merged_at) WHERE undone_at IS NULL AND purged_at IS NULL;
