-- Cheaper rollup triggers, with the same results.
--
-- 1. A statement that changed nothing a rollup reads costs nothing. The statement-level triggers of
--    0014, 0018, 0020 and 0023 ran their dynamic SQL even for a statement touching no row (renaming a
--    contact updates its leads' sort key, usually zero rows: ~200 ms under load), or changing only
--    columns no rollup reads (a score, the last interaction, the next action: every interaction logged
--    rewrites its lead). Each such trigger function now starts with a guard. The guard is inserted
--    into the functions' current bodies here rather than by copying them; test/metric-rollups.test.ts
--    fails if a later migration redefines one of them without it.
-- 2. `metric_zone` was PL/pgSQL with an EXCEPTION block, a subtransaction per row built (most of the
--    rollup rebuild time). A zone PostgreSQL does not know can no longer be stored (CHECK, and the API
--    already refuses it), so the zone rollups bucket by is the stored one and metric_zone is inlined.

-- Columns no rollup reads. A rollup that starts reading one of them must remove it from this list.
CREATE OR REPLACE FUNCTION rollup_unread_columns() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['score', 'score_explanation', 'updated_at', 'version', 'last_activity_at',
               'next_action_at', 'next_action_type', 'next_action_note', 'custom_fields']
$$;

DO $migration$
DECLARE
  guard constant text := $g$
  -- rollup guard (0025): skip a statement that changed nothing a rollup reads.
  IF TG_LEVEL = 'STATEMENT' THEN
    IF TG_OP = 'INSERT' THEN
      IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
    ELSIF TG_OP = 'DELETE' THEN
      IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;
    ELSIF NOT EXISTS (SELECT to_jsonb(n) - rollup_unread_columns() FROM new_rows n
                      EXCEPT ALL SELECT to_jsonb(o) - rollup_unread_columns() FROM old_rows o) THEN
      RETURN NULL;
    END IF;
  END IF;
$g$;
  f record;
  body text;
BEGIN
  FOR f IN SELECT DISTINCT p.oid, p.proname, p.prosrc
             FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE NOT t.tgisinternal AND (t.tgoldtable IS NOT NULL OR t.tgnewtable IS NOT NULL)
  LOOP
    IF position('rollup guard (0025)' IN f.prosrc) > 0 THEN CONTINUE; END IF;
    IF f.prosrc !~ '(^|\n)BEGIN\n' THEN
      RAISE EXCEPTION 'trigger function % has no BEGIN line to put the rollup guard after', f.proname;
    END IF;
    body := regexp_replace(f.prosrc, '(^|\n)BEGIN\n', '\1BEGIN' || guard);
    EXECUTE format('CREATE OR REPLACE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql AS %L', f.proname, body);
  END LOOP;
END
$migration$;

-- Only used by the CHECK below: one subtransaction per workspace write, not per rollup row.
CREATE OR REPLACE FUNCTION time_zone_is_known(tz text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  PERFORM now() AT TIME ZONE tz;
  RETURN true;
EXCEPTION WHEN others THEN
  RETURN false;
END $$;

-- Rollups of a workspace with an unknown zone were bucketed as UTC: store what they already used.
UPDATE workspace SET time_zone = 'UTC' WHERE NOT time_zone_is_known(time_zone);
ALTER TABLE workspace ADD CONSTRAINT workspace_time_zone_known CHECK (time_zone_is_known(time_zone));

CREATE OR REPLACE FUNCTION metric_zone(tz text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT tz $$;
