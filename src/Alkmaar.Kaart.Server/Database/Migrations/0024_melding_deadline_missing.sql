-- The start-up fill of deadlines (MeldingDeadlines.FillMissingAsync) finds the meldingen without one through this
-- partial index: empty once filled, so a server start at a million meldingen does not scan them all.
CREATE INDEX melding_due_missing ON melding (id) WHERE due_on IS NULL;
