-- The uploaded file of an import, kept in PostgreSQL in chunks instead of on one instance's disk, so
-- an import job picked up by any app instance can read it. Chunks are written as the upload streams
-- in and read back one at a time (memory stays flat whatever the file size); they are removed when
-- the import is done or rolled back, and by the retention job when an upload never became an import.
-- No foreign key to import: the chunks are stored before the import row exists (its layout is
-- detected from them).
CREATE TABLE import_file_chunk (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  import_id    uuid NOT NULL,
  seq          integer NOT NULL,
  data         bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, import_id, seq)
);
-- Spreadsheet text compresses well, but pglz costs more time than the disk it saves for a file
-- that lives minutes: stored out of line, uncompressed.
ALTER TABLE import_file_chunk ALTER COLUMN data SET STORAGE EXTERNAL;
-- The retention job looks for chunks left behind by uploads that never became an import.
CREATE INDEX import_file_chunk_created_idx ON import_file_chunk (workspace_id, created_at) WHERE seq = 0;
