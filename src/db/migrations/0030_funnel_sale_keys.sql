-- A sale's funnel rollups (0020 funnel_related_rollups, 0028 funnel_step_reached_related) look up the
-- won leads of the sale's client with one join whose condition is an OR of "same contact" and "same
-- company, both without contact". No index answers an OR across two columns, so every sale write
-- scanned every lead of the workspace: ~400 ms for each of the two triggers at 1M leads. The join is
-- split into two index-backed joins (lead_contact_idx, lead_company_idx) under a UNION; the leads
-- found are the same. The functions are edited in place, as 0025 did, so their guard and the rest of
-- their text stay exactly as they are.
DO $$
DECLARE
  f text;
  src text;
  fixed text;
BEGIN
  FOREACH f IN ARRAY ARRAY['funnel_related_rollups', 'funnel_step_reached_related'] LOOP
    IF to_regproc(f) IS NULL THEN CONTINUE; END IF;
    src := pg_get_functiondef(f::regproc);
    fixed := regexp_replace(src,
      'FROM lead x JOIN \(%s\) r ON r\.workspace_id = x\.workspace_id\s+AND \(r\.contact_id = x\.contact_id OR \(x\.contact_id IS NULL AND r\.contact_id IS NULL AND r\.company_id = x\.company_id\)\)\s+WHERE x\.status = ''won''\$q\$, rels\)',
      'FROM (%1$s) r JOIN lead x ON x.workspace_id = r.workspace_id AND x.contact_id = r.contact_id WHERE x.status = ''won''
                    UNION SELECT x.workspace_id, x.id FROM (%1$s) r JOIN lead x ON x.workspace_id = r.workspace_id AND x.company_id = r.company_id
                     WHERE r.contact_id IS NULL AND x.contact_id IS NULL AND x.status = ''won''$q$, rels)');
    IF fixed = src THEN RAISE EXCEPTION 'migration 0030: the sale join of % was not found', f; END IF;
    EXECUTE fixed;
  END LOOP;
END $$;
