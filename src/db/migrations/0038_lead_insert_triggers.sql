-- Cheaper lead inserts (docs/benchmarks.md, "Imports with leads: set-based stage-history rollup and
-- sort keys (0038)"). The same results, for every write path.
--
-- 1. metric_stage_history_rollups (0014, with the guard of 0025) found each lead's furthest funnel step
--    before the statement by a correlated subquery per lead whose "history without the new rows" was
--    an anti-join against the transition table, which has no index: every history row of every lead
--    scanned the whole of new_rows. Quadratic in the statement's size: 94 µs a lead for 250 leads,
--    425 µs for 2 000 (an import batch). It is now one set-based statement: the candidate stages of the
--    leads concerned (their current stage, their history as it is and the rows the statement removed,
--    each marked as counting before and/or after) grouped once per lead, and only the leads whose
--    furthest step changed are moved from the old rollup key to the new one. A history row that
--    records the move to the lead's current stage (every insert of the API and of an import) changes
--    nothing, as before, where the removal and the addition cancelled out in the upsert's HAVING.
--    Stages of equal position (a transient state: a reorder renumbers them 1..n and rebuilds the
--    funnel rollups) are told apart by id here, where the correlated subquery took either.
-- 2. lead_fill_sort_keys (0016) costs ~130–220 µs per inserted lead, mostly not its five index look-ups
--    but the folding: f_search_text cannot be inlined (its regdictionary cast is only STABLE), so each
--    of its calls in a trigger statement sets the SQL function up again, twice for f_person_sort.
--    One statement instead of five does not change that (measured). A statement that writes the keys
--    itself, folding them once per statement (an import computes them in its INSERT … SELECT by joins,
--    as the bulk loader does), now says so with the transaction-local setting
--    seguimiento.sort_keys_given = 'on', and the trigger's WHEN skips the call altogether. Any other
--    insert or update gets its keys from the trigger as before (same function, unchanged).

DROP TRIGGER lead_fill_sort_keys ON lead;
CREATE TRIGGER lead_fill_sort_keys BEFORE INSERT OR UPDATE OF contact_id, company_id, owner_id, source_id, stage_id ON lead
  FOR EACH ROW WHEN (current_setting('seguimiento.sort_keys_given', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION lead_fill_sort_keys();

-- Stage history: the furthest step of the leads concerned before the statement (their history without
-- the rows it added, with the rows it removed) and after it; a lead whose furthest step moved leaves
-- the old key (-1) for the new one (+1). A lead being deleted is no longer there: nothing to do.
CREATE OR REPLACE FUNCTION metric_stage_history_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed text := CASE TG_OP
    WHEN 'INSERT' THEN 'SELECT n.workspace_id, n.id, n.lead_id, n.to_stage_id, true AS added FROM new_rows n'
    WHEN 'DELETE' THEN 'SELECT o.workspace_id, o.id, o.lead_id, o.to_stage_id, false AS added FROM old_rows o'
    ELSE 'SELECT n.workspace_id, n.id, n.lead_id, n.to_stage_id, true AS added FROM new_rows n
          UNION ALL SELECT o.workspace_id, o.id, o.lead_id, o.to_stage_id, false FROM old_rows o' END;
BEGIN
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
  EXECUTE metric_lead_funnel_sql(format($q$
    WITH ch AS MATERIALIZED (%s),
    l AS MATERIALIZED (
      SELECT x.workspace_id, x.id, x.pipeline_id, x.stage_id, x.created_at, x.owner_id, x.source_id
        FROM lead x
       WHERE (x.workspace_id, x.id) IN (SELECT ch.workspace_id, ch.lead_id FROM ch) AND x.status <> 'cancelled'),
    added AS (SELECT ch.workspace_id, ch.id FROM ch WHERE ch.added),
    cand AS (
      SELECT l.workspace_id, l.id AS lead_id, l.stage_id, true AS in_before, true AS in_after FROM l
      UNION ALL
      SELECT h.workspace_id, h.lead_id, h.to_stage_id, a.id IS NULL, true
        FROM l JOIN lead_stage_history h ON h.workspace_id = l.workspace_id AND h.lead_id = l.id
        LEFT JOIN added a ON a.workspace_id = h.workspace_id AND a.id = h.id
      UNION ALL
      SELECT r.workspace_id, r.lead_id, r.to_stage_id, true, false FROM ch r WHERE NOT r.added),
    f AS (
      SELECT c.workspace_id, c.lead_id,
             (array_agg(s.id ORDER BY s.position DESC, s.id DESC) FILTER (WHERE c.in_before))[1] AS before_id,
             (array_agg(s.id ORDER BY s.position DESC, s.id DESC) FILTER (WHERE c.in_after))[1] AS after_id
        FROM cand c JOIN l ON l.workspace_id = c.workspace_id AND l.id = c.lead_id
        JOIN stage s ON s.workspace_id = c.workspace_id AND s.id = c.stage_id AND s.pipeline_id = l.pipeline_id AND s.kind <> 'lost'
       GROUP BY c.workspace_id, c.lead_id)
    SELECT l.workspace_id, l.pipeline_id, (l.created_at AT TIME ZONE metric_zone(w.time_zone))::date AS day,
           coalesce(l.owner_id, '00000000-0000-0000-0000-000000000000') AS owner_id,
           coalesce(l.source_id, '00000000-0000-0000-0000-000000000000') AS source_id,
           coalesce(CASE WHEN m.sign < 0 THEN f.before_id ELSE f.after_id END, '00000000-0000-0000-0000-000000000000') AS furthest_stage_id,
           m.sign AS leads
      FROM f JOIN l ON l.workspace_id = f.workspace_id AND l.id = f.lead_id
      JOIN workspace w ON w.id = l.workspace_id
      CROSS JOIN (VALUES (-1), (1)) AS m (sign)
     WHERE f.before_id IS DISTINCT FROM f.after_id$q$, changed));
  RETURN NULL;
END $$;
