-- Following a single initiative or verbeterpunt by e-mail (issue 33, part 6): the same double opt-in and one-click leave
-- as an area; area_code then names the thing ('initiatief-12', 'verbeterpunt-34') and seen_state holds its public state
-- as last told (status, subsidy, the regiegroep's conclusion; a verbeterpunt's status and the team's check): a digest
-- goes out only when that state changed.
ALTER TABLE abonnement DROP CONSTRAINT abonnement_area_level_check;
ALTER TABLE abonnement ADD CONSTRAINT abonnement_area_level_check
    CHECK (area_level IN ('gebied', 'wijk', 'buurt', 'dorp', 'initiatief', 'verbeterpunt'));
ALTER TABLE abonnement ADD COLUMN seen_state text;
