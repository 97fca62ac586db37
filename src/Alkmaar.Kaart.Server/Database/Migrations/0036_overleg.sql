-- Overleg (issue 31, part 2): one row per meeting of a circle — a gebiedsteam, its Gebiedsteam+, or a grensoverleg of a
-- gebied with a neighbouring team or municipality. Who attended (team members by name, partner organisations from the
-- Gebiedsteam+ register), an agenda assembled from what was current when it was planned and then edited by the team,
-- and notes. Edits carry the version (optimistic concurrency).
CREATE TABLE overleg (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kring       text        NOT NULL CHECK (kring ~ '^(gebiedsteam|gebiedsteamplus|grens):[A-Za-z0-9_|-]+$'),
    gebied_code text        NOT NULL,
    datum       date        NOT NULL,
    aanvang     time,
    plaats      text        CHECK (length(plaats) <= 200),
    aanwezig    text[]      NOT NULL DEFAULT '{}',
    partijen    text[]      NOT NULL DEFAULT '{}',
    agenda      text        CHECK (length(agenda) <= 8000),
    notities    text        CHECK (length(notities) <= 20000),
    version     integer     NOT NULL DEFAULT 1,
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX overleg_kring ON overleg (kring, datum);
CREATE INDEX overleg_gebied ON overleg (gebied_code, datum);
CREATE INDEX overleg_partijen ON overleg USING gin (partijen);

-- an afspraak remembers the meeting it was made in, and the Gebiedsteam+ partner organisation that carries it (that
-- partner's account sees it and reports it done, with a short note)
ALTER TABLE afspraak ADD COLUMN overleg_id bigint REFERENCES overleg (id) ON DELETE SET NULL;
ALTER TABLE afspraak ADD COLUMN partij text CHECK (length(partij) <= 200);
ALTER TABLE afspraak ADD COLUMN toelichting text CHECK (length(toelichting) <= 1000);
CREATE INDEX afspraak_partij ON afspraak (partij) WHERE partij IS NOT NULL;

-- Toetsing (issue 31, part 4): the team's verdict per speerpunt at the end of the year, and the speerpunt of an earlier
-- year it was carried over from. An action remembers when it became klaar (late or on time).
ALTER TABLE speerpunt ADD COLUMN oordeel text CHECK (oordeel IN ('behaald', 'deels', 'niet behaald'));
ALTER TABLE speerpunt ADD COLUMN oordeel_toelichting text CHECK (length(oordeel_toelichting) <= 2000);
ALTER TABLE speerpunt ADD COLUMN overgenomen_uit bigint REFERENCES speerpunt (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX speerpunt_overgenomen_once ON speerpunt (overgenomen_uit, agenda_id) WHERE overgenomen_uit IS NOT NULL;
ALTER TABLE speerpunt_actie ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE speerpunt_actie ADD COLUMN afgesloten_op timestamptz;
UPDATE speerpunt_actie SET afgesloten_op = now() WHERE status = 'klaar';

CREATE OR REPLACE FUNCTION speerpunt_actie_done() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.done IS DISTINCT FROM OLD.done AND NEW.status IS NOT DISTINCT FROM OLD.status THEN
        NEW.status := CASE WHEN NEW.done THEN 'klaar' ELSE 'bezig' END; -- the older checkbox
    END IF;
    NEW.done := NEW.status = 'klaar';
    IF NEW.status IN ('klaar', 'vervallen') THEN
        IF TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM NEW.status THEN NEW.afgesloten_op := now(); END IF;
    ELSE
        NEW.afgesloten_op := NULL;
    END IF;
    RETURN NEW;
END $$;
