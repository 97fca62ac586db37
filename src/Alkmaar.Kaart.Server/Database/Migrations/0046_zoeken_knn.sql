-- Search by name, street + number (issue 34): the streets nearest in trigram distance to what was typed, by a GiST index
-- (k nearest neighbours, so a street among thousands of similar names is found without rechecking them all).
CREATE INDEX zoekterm_straat_knn ON zoekterm USING gist (norm gist_trgm_ops) WHERE kind = 'straat';
