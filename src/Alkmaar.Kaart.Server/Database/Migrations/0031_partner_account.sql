-- Partner accounts (issue 29): a handling party (a Gebiedsteam+ partner, a department working by task) may get an
-- account with the role 'partner' that lists the tasks handed to its party across gebieden. The party is its organisation
-- name as in the Gebiedsteam+ register (gebiedsteam_partner.organisation, copied to melding_taak.party_name).
--   partij  the party a partner account acts for; required with the role, and only with it
-- A partner is never also staff: its account holds that one role.
ALTER TABLE app_user DROP CONSTRAINT app_user_roles_check;
ALTER TABLE app_user ADD CONSTRAINT app_user_roles_check
    CHECK (roles <@ ARRAY['gebiedsteam', 'stadswerk072', 'planner', 'beheerder', 'partner']::text[]);
ALTER TABLE app_user ADD COLUMN partij text CHECK (length(partij) BETWEEN 1 AND 200);
ALTER TABLE app_user ADD CONSTRAINT app_user_partner_partij
    CHECK (('partner' = ANY (roles)) = (partij IS NOT NULL) AND (NOT 'partner' = ANY (roles) OR roles = ARRAY['partner']::text[]));
-- a party's recently closed tasks (its open ones use melding_taak_open)
CREATE INDEX melding_taak_party_closed ON melding_taak (party_name, closed_at DESC) WHERE closed_at IS NOT NULL;
