-- Imports of CSV and XLSX files: the import itself (file, detected layout, mapping, progress with its
-- checkpoint), the rows it rejected with their reasons and original values, and every record it
-- created or updated, so it can be rolled back and re-imports can match on an external id.

CREATE TABLE import (
  workspace_id       uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id                 uuid NOT NULL DEFAULT gen_random_uuid(),
  file_name          text NOT NULL,
  file_size          bigint NOT NULL,
  format             text NOT NULL CHECK (format IN ('csv', 'xlsx')),
  encoding           text,
  delimiter          text,
  header_row         integer NOT NULL,
  headers            jsonb NOT NULL,
  -- Normalised headers: the same spreadsheet layout gets the same fingerprint, so its mapping is remembered.
  layout_fingerprint text NOT NULL,
  mapping            jsonb NOT NULL DEFAULT '[]',
  upsert_key         text NOT NULL DEFAULT 'email' CHECK (upsert_key IN ('email', 'phone', 'externalId')),
  create_leads       boolean NOT NULL DEFAULT false,
  status             text NOT NULL DEFAULT 'uploaded' CHECK (status IN ('uploaded', 'queued', 'running', 'failed', 'done', 'rolled_back')),
  -- Data rows of the file, known after a dry run or the import.
  total_rows         integer,
  -- Checkpoint: data rows (in file order) whose batch has committed; a resumed import skips them.
  processed_rows     integer NOT NULL DEFAULT 0,
  created_count      integer NOT NULL DEFAULT 0,
  updated_count      integer NOT NULL DEFAULT 0,
  unchanged_count    integer NOT NULL DEFAULT 0,
  duplicate_count    integer NOT NULL DEFAULT 0,
  rejected_count     integer NOT NULL DEFAULT 0,
  leads_created      integer NOT NULL DEFAULT 0,
  last_error         text,
  created_by         uuid,
  started_at         timestamptz,
  finished_at        timestamptz,
  rolled_back_at     timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  version            integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, created_by) REFERENCES app_user (workspace_id, id) ON DELETE SET NULL (created_by)
);
CREATE INDEX import_created_idx ON import (workspace_id, created_at DESC, id);
CREATE INDEX import_layout_idx ON import (workspace_id, layout_fingerprint, created_at DESC);

-- A rejected row: its number in the file, the cells as read, and every reason.
CREATE TABLE import_row (
  workspace_id uuid NOT NULL,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  import_id    uuid NOT NULL,
  row_number   integer NOT NULL,
  original     jsonb NOT NULL,
  reasons      jsonb NOT NULL,
  PRIMARY KEY (workspace_id, id),
  -- A batch retried after a crash writes its rejects again; this keeps them once.
  UNIQUE (workspace_id, import_id, row_number),
  FOREIGN KEY (workspace_id, import_id) REFERENCES import (workspace_id, id) ON DELETE CASCADE
);

-- A record an import created or updated. `before` holds the imported fields as they were before an
-- update, so a rollback can put them back; `external_id` links a record to the source system's id.
CREATE TABLE import_record (
  workspace_id  uuid NOT NULL,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  import_id     uuid NOT NULL,
  entity        text NOT NULL CHECK (entity IN ('contact', 'company', 'lead')),
  record_id     uuid NOT NULL,
  action        text NOT NULL CHECK (action IN ('created', 'updated')),
  row_number    integer NOT NULL,
  before        jsonb,
  external_id   text,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, import_id) REFERENCES import (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX import_record_import_idx ON import_record (workspace_id, import_id, entity, action);
-- Whether a matched contact was created by this same import (a duplicate inside the file) is asked per row.
CREATE INDEX import_record_record_idx ON import_record (workspace_id, record_id);
CREATE INDEX import_record_external_idx ON import_record (workspace_id, entity, external_id) WHERE external_id IS NOT NULL;
