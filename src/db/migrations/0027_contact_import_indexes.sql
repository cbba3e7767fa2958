-- Contact indexes for imports (docs/benchmarks.md, "Import … 0027"). Every contact insert pays for
-- each index; a bulk import pays for them a million times.

-- One trigram index on contact instead of two. search_text (0001) already starts with the folded
-- name, then the email and phone; duplicate matching walks contact_search_idx with strict word
-- similarity (`%>>`, src/db/queries/duplicates.ts nameNear) and scores on the names alone, so the
-- names-only index of 0010 duplicated the trigrams of every name (and an unaccent call per insert).
DROP INDEX contact_name_trgm_idx;

-- "Similar name + same company" (imports match on it set-based, per batch): a company's contacts
-- that share the folded first surname (or first name when there is none), then trigram similarity
-- on the few found. Replaces the (workspace_id, company_id) index, whose lookups it still serves.
DROP INDEX contact_company_idx;
CREATE INDEX contact_company_surname_idx ON contact (workspace_id, company_id, f_search_text(coalesce(nullif(last_name, ''), first_name)));
