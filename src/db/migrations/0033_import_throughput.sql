-- Import throughput (docs/benchmarks.md, "Import toward 50k rows/s … 0033").

-- Name + company matching of an import (src/db/queries/imports.ts matchContacts) compares a row with
-- the contacts of its company that share its folded first surname. 0027 indexed that block only, so
-- every contact of the block was read and compared: in a large account full of namesakes that grew
-- with the account (~67 comparisons per row at 1M rows of the benchmark's file). With the folded full
-- name (the duplicate check's own expression, as in contact_name_trgm_idx) as the last column, the
-- import reads only the block's names nearest the row's in order, from both sides of it, a bounded
-- number whatever the block's size, and an equal name is always the first one found. It still serves
-- the (workspace_id, company_id) lookups 0027's index served.
DROP INDEX contact_company_surname_idx;
CREATE INDEX contact_company_name_idx ON contact (workspace_id, company_id, f_search_text(coalesce(nullif(last_name, ''), first_name)),
  f_search_text(first_name || ' ' || coalesce(last_name, '') || ' ' || coalesce(second_last_name, '')));

-- No query reads it: the contact list sorts by contact_sort_name_idx's expression, the import's
-- same-name lookup for rows without a company goes through contact_company_name_idx, search and the
-- duplicate check through the trigram indexes. Every contact insert paid for it.
DROP INDEX contact_name_idx;

-- An import finds the companies a batch names by their accent- and case-folded name in one join
-- ("TALLERES EBANO" is "Talleres Ébano"). The trigram index answers equality too, but one probe at a
-- time (0.1–4 ms each, more for names made of common words).
CREATE INDEX company_folded_name_idx ON company (workspace_id, f_search_text(name));
