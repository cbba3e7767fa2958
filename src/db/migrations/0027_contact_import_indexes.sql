-- Contact indexes for imports (docs/benchmarks.md, "Import … 0027").

-- "Similar name + same company" (imports match on it set-based, per batch: src/db/queries/imports.ts
-- matchContacts): a company's contacts that share the folded first surname (or first name when
-- there is none), then trigram similarity on the few found. Replaces the (workspace_id, company_id)
-- index, whose lookups it still serves. Without it the import compared every contact of the
-- company (hundreds in a large account) or missed "Nunez" for "Núñez".
--
-- contact_name_trgm_idx stays: duplicate matching could walk contact_search_idx instead (strict
-- word similarity, `%>>`), which makes contact inserts ~10 % cheaper, but the duplicate check on
-- create got ~1.6× slower at 100 000 contacts (the email words in search_text lengthen its posting
-- lists and its recheck), and bench/duplicates.ts must not get slower.
DROP INDEX contact_company_idx;
CREATE INDEX contact_company_surname_idx ON contact (workspace_id, company_id, f_search_text(coalesce(nullif(last_name, ''), first_name)));
