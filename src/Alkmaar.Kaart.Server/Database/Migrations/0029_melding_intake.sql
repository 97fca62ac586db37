-- Intake for someone else (issue 29): staff record a melding received by phone (14 072), at the counter or a
-- wijkpost/spreekuur; its source is 'medewerker' and its channel says where it came in.
ALTER TABLE melding DROP CONSTRAINT melding_source_check;
ALTER TABLE melding ADD CONSTRAINT melding_source_check CHECK (source IN ('api', 'import', 'demo', 'formulier', 'medewerker'));
-- a melding recorded by staff always names its channel (the default from its source applies to the others)
ALTER TABLE melding ADD CONSTRAINT melding_intake_channel CHECK (source <> 'medewerker' OR channel IN ('telefoon', 'balie', 'wijkpost'));
