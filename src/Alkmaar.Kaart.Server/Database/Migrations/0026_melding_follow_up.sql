-- Talking with the melder (issue 29).
--   status 'reactie_gevraagd'   the team asked the melder a question (a public note) and waits; the clock stands still
--                               from paused_since until the melder answers or the team goes on, then due_on and
--                               three_times_due_on move on by the working days it stood still (summed in paused_days)
--   clock_from                  the local day the clock (re)started when it is not the day of arrival: a reopened melding
--                               gets its handling time again from the day it was reopened
--   melding_note kind 'melder'  the melder's answer on the status link (personal data: the team only; removed at
--                               retention like internal notes), with an optional photo in melding_note_photo (re-encoded
--                               without metadata, as the melding's own)
--   satisfied, satisfaction_*   "Bent u tevreden?" after closing (the reason is the melder's words: personal data)
--   reopened_count              how often the melder had it reopened within Meldingen:ReopenDays of closing
DO $$
DECLARE c text;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'melding'::regclass AND contype = 'c'
             AND pg_get_constraintdef(oid) LIKE '%in_behandeling%' LOOP
        EXECUTE format('ALTER TABLE melding DROP CONSTRAINT %I', c);
    END LOOP;
    FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'melding_note'::regclass AND contype = 'c'
             AND pg_get_constraintdef(oid) LIKE '%publiek%' LOOP
        EXECUTE format('ALTER TABLE melding_note DROP CONSTRAINT %I', c);
    END LOOP;
END $$;
ALTER TABLE melding ADD CONSTRAINT melding_status_known
    CHECK (status IN ('nieuw', 'in_behandeling', 'reactie_gevraagd', 'afgehandeld'));
ALTER TABLE melding_note ADD CONSTRAINT melding_note_kind_known CHECK (kind IN ('publiek', 'intern', 'melder'));

ALTER TABLE melding
    ADD COLUMN paused_since timestamptz,
    ADD COLUMN paused_days smallint NOT NULL DEFAULT 0,
    ADD COLUMN clock_from date,
    ADD COLUMN satisfied boolean,
    ADD COLUMN satisfaction_reason text CHECK (length(satisfaction_reason) <= 2000),
    ADD COLUMN satisfaction_at timestamptz,
    ADD COLUMN reopened_count smallint NOT NULL DEFAULT 0;

CREATE TABLE melding_note_photo (
    note_id      bigint  PRIMARY KEY REFERENCES melding_note (id) ON DELETE CASCADE,
    content_type text    NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    width        integer NOT NULL,
    height       integer NOT NULL,
    bytes        bytea   NOT NULL
);
