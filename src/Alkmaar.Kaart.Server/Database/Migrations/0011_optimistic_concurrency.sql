-- Optimistic concurrency for staff edits: every change raises the row's version; an edit names the version it started
-- from (HTTP: ETag / If-Match) and is refused with 412 when another edit came first.
ALTER TABLE initiatief ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE gebiedsteam ADD COLUMN version integer NOT NULL DEFAULT 1;
