-- Handling deadlines per category in working days (issue 29): what was promised to the melder when it arrived, kept with
-- the melding (a later change of the configured days does not move a promise made). due_on: the last local day of the
-- handling time; three_times_due_on: the last day of three times it ("3× te laat" after it). Filled when a melding is
-- stored; meldingen from before this migration are filled once at start-up (MeldingDeadlines.FillMissingAsync).
ALTER TABLE melding ADD COLUMN handling_days smallint, ADD COLUMN due_on date, ADD COLUMN three_times_due_on date;
CREATE INDEX melding_open_due ON melding (gebied_code, due_on) WHERE status <> 'afgehandeld';
