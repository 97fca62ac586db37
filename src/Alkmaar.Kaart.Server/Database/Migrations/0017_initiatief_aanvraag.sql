-- Residents apply for a bewonersinitiatief themselves (issue 20): a private status link (only its hash) and, optionally,
-- an e-mail address to tell them (personal data: never on a public page, the GeoJSON or an export). demo: generated
-- rows of the DEMO set, labelled as such wherever they are shown.
ALTER TABLE initiatief ADD COLUMN demo boolean NOT NULL DEFAULT false;
ALTER TABLE initiatief ADD COLUMN status_token_hash bytea UNIQUE;
ALTER TABLE initiatief ADD COLUMN applicant_email text;
