-- The yearly gebiedsagenda / dorpsagenda (issue 31, part 1): per gebied or dorp and year, made by its team — drafted
-- (concept), agreed (vastgesteld: on which date, by whom) and published (the public area page shows it). Its speerpunten
-- come from the team's own analysis (aimed at a figure or monitor indicator with a baseline and a target), from a Wij(k) aan
-- zet result, or from an overleg; their actions have an owner (a team member or a Gebiedsteam+ partner), a due date, a
-- status and short dated progress updates. Speerpunten from before (a campaign's result, without a year) stay as they were.
CREATE TABLE gebiedsagenda (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_code         text        NOT NULL,
    year              integer     NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    status            text        NOT NULL DEFAULT 'concept' CHECK (status IN ('concept', 'vastgesteld', 'gepubliceerd')),
    doelen            text        CHECK (length(doelen) <= 4000),
    vastgesteld_op    date,
    vastgesteld_door  text        CHECK (length(vastgesteld_door) <= 200),
    gepubliceerd_op   timestamptz,
    created_by        text        NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    version           integer     NOT NULL DEFAULT 1,
    UNIQUE (area_code, year),
    CHECK (status = 'concept' OR (vastgesteld_op IS NOT NULL AND vastgesteld_door IS NOT NULL)),
    CHECK (status <> 'gepubliceerd' OR gepubliceerd_op IS NOT NULL)
);

ALTER TABLE speerpunt ADD COLUMN agenda_id bigint REFERENCES gebiedsagenda (id) ON DELETE CASCADE;
ALTER TABLE speerpunt ADD COLUMN bron text NOT NULL DEFAULT 'wijkaanzet' CHECK (bron IN ('analyse', 'wijkaanzet', 'overleg'));
-- what it aims at: 'kerncijfer:<cbs column>' or 'monitor:<monitor>|<indicator>', with its baseline and target
ALTER TABLE speerpunt ADD COLUMN indicator text CHECK (length(indicator) <= 300);
ALTER TABLE speerpunt ADD COLUMN nulmeting double precision;
ALTER TABLE speerpunt ADD COLUMN streefwaarde double precision;
CREATE INDEX speerpunt_agenda ON speerpunt (agenda_id);

ALTER TABLE speerpunt_actie ADD COLUMN status text NOT NULL DEFAULT 'gepland' CHECK (status IN ('gepland', 'bezig', 'klaar', 'vervallen'));
ALTER TABLE speerpunt_actie ADD COLUMN eigenaar_soort text CHECK (eigenaar_soort IN ('lid', 'partner'));
UPDATE speerpunt_actie SET status = 'klaar' WHERE done;
-- done follows the status (the older pages read done)
CREATE FUNCTION speerpunt_actie_done() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.done IS DISTINCT FROM OLD.done AND NEW.status IS NOT DISTINCT FROM OLD.status THEN
        NEW.status := CASE WHEN NEW.done THEN 'klaar' ELSE 'bezig' END; -- the older checkbox
    END IF;
    NEW.done := NEW.status = 'klaar';
    RETURN NEW;
END $$;
CREATE TRIGGER speerpunt_actie_done BEFORE INSERT OR UPDATE ON speerpunt_actie FOR EACH ROW EXECUTE FUNCTION speerpunt_actie_done();

-- short dated progress notes on an action ("wat is er gebeurd"), public once the agenda is published
CREATE TABLE speerpunt_actie_update (
    id       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actie_id bigint      NOT NULL REFERENCES speerpunt_actie (id) ON DELETE CASCADE,
    at       timestamptz NOT NULL DEFAULT now(),
    actor    text        NOT NULL,
    text     text        NOT NULL CHECK (length(text) BETWEEN 2 AND 1000)
);
CREATE INDEX speerpunt_actie_update_actie ON speerpunt_actie_update (actie_id, at);
