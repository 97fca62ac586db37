-- Handling figures (issue 29), maintained like the melding cells: never recounted per request.
--   werkdag             the working-day calendar (Monday–Friday without Dutch public holidays), with a running number:
--                       the working days after a up to and including b are nr(b) - nr(a). Filled from the application
--                       (PublicHoliday, the same rule as the deadlines) at start-up for 2000–2100.
--   melding.channel     how the melding came in: formulier, api, import, demo; intake by staff adds telefoon, balie, wijkpost
--   melding_afhandeling per local month, gebied, wijk (or dorp), category and channel:
--       ontvangen   received in the month;  open: of those, still open now;  heropend: of those, reopened at least once
--       afgehandeld closed in the month;    op_tijd: of those, closed on or before their due day
--       tevreden, ontevreden: closed in the month with that answer to "Bent u tevreden?"
--       werkdagen   closed in the month: how many took 0, 1, …, 59 and 60 or more working days from arrival (or reopening)
--                   to closing, the days the clock was paused left out (the median and 90th percentile come from it)
--   Statement-level triggers subtract what the old rows contributed and add what the new rows contribute, so a bulk load of
--   a million meldingen is one update of a few thousand rows. melding_afhandeling_rebuild() recounts everything (start-up,
--   when the table is empty but meldingen are not).
CREATE TABLE werkdag (
    dag date PRIMARY KEY,
    nr  integer NOT NULL   -- working days from 2000-01-01 up to and including dag
);

ALTER TABLE melding ADD COLUMN channel text;
UPDATE melding SET channel = source WHERE channel IS NULL;
ALTER TABLE melding ALTER COLUMN channel SET NOT NULL;
ALTER TABLE melding ADD CONSTRAINT melding_channel_known
    CHECK (channel IN ('formulier', 'api', 'import', 'demo', 'telefoon', 'balie', 'wijkpost'));

CREATE TABLE melding_afhandeling (
    maand       date    NOT NULL,
    gebied_code text    NOT NULL,
    wijk        text    NOT NULL,    -- wijk code, else dorp code, else ''
    category    text    NOT NULL,
    channel     text    NOT NULL,
    ontvangen   integer NOT NULL DEFAULT 0,
    open        integer NOT NULL DEFAULT 0,
    heropend    integer NOT NULL DEFAULT 0,
    afgehandeld integer NOT NULL DEFAULT 0,
    op_tijd     integer NOT NULL DEFAULT 0,
    tevreden    integer NOT NULL DEFAULT 0,
    ontevreden  integer NOT NULL DEFAULT 0,
    werkdagen   integer[] NOT NULL DEFAULT array_fill(0, ARRAY[61]),
    PRIMARY KEY (maand, gebied_code, wijk, category, channel)
);

-- the working days from a (exclusive) to b (inclusive); null when the calendar does not cover them
CREATE FUNCTION werkdagen_tussen(a date, b date) RETURNS integer LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT greatest((SELECT nr FROM werkdag WHERE dag = b) - (SELECT nr FROM werkdag WHERE dag = a), 0)
$$;

-- The one statement that adds what a set of meldingen contributes (sign +1) and takes away what their old versions did
-- (sign -1): $rows$ is replaced by the rows with their sign (the trigger's transition tables, or all meldingen for a rebuild).
CREATE FUNCTION melding_afhandeling_statement() RETURNS text LANGUAGE sql IMMUTABLE AS $f$ SELECT $s$
    WITH rows_ AS ($rows$), parts AS (
        -- received in its month
        SELECT date_trunc('month', r.created_at AT TIME ZONE 'Europe/Amsterdam')::date AS maand, r.gebied_code,
               coalesce(r.wijk_code, r.dorp_code, '') AS wijk, r.category, r.channel,
               r.sign AS ontvangen, r.sign * (r.status <> 'afgehandeld')::int AS open, r.sign * (r.reopened_count > 0)::int AS heropend,
               0 AS afgehandeld, 0 AS op_tijd, 0 AS tevreden, 0 AS ontevreden, NULL::int AS bucket, r.sign AS s
        FROM rows_ r
        UNION ALL
        -- closed in its month
        SELECT date_trunc('month', r.closed_at AT TIME ZONE 'Europe/Amsterdam')::date, r.gebied_code,
               coalesce(r.wijk_code, r.dorp_code, ''), r.category, r.channel,
               0, 0, 0, r.sign,
               r.sign * (r.due_on IS NOT NULL AND (r.closed_at AT TIME ZONE 'Europe/Amsterdam')::date <= r.due_on)::int,
               r.sign * (r.satisfied IS TRUE)::int, r.sign * (r.satisfied IS FALSE)::int,
               least(greatest(coalesce(werkdagen_tussen(coalesce(r.clock_from, (r.created_at AT TIME ZONE 'Europe/Amsterdam')::date),
                                                         (r.closed_at AT TIME ZONE 'Europe/Amsterdam')::date), 0) - r.paused_days, 0), 60),
               r.sign
        FROM rows_ r WHERE r.status = 'afgehandeld' AND r.closed_at IS NOT NULL
    ), keyed AS (
        SELECT maand, gebied_code, wijk, category, channel,
               sum(ontvangen)::int AS ontvangen, sum(open)::int AS open, sum(heropend)::int AS heropend, sum(afgehandeld)::int AS afgehandeld,
               sum(op_tijd)::int AS op_tijd, sum(tevreden)::int AS tevreden, sum(ontevreden)::int AS ontevreden
        FROM parts GROUP BY 1, 2, 3, 4, 5
    ), buckets AS (
        SELECT maand, gebied_code, wijk, category, channel, bucket, sum(s)::int AS n
        FROM parts WHERE bucket IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6
    ), hist AS (
        SELECT k.maand, k.gebied_code, k.wijk, k.category, k.channel, array_agg(coalesce(b.n, 0) ORDER BY i) AS werkdagen
        FROM keyed k CROSS JOIN generate_series(0, 60) i
        LEFT JOIN buckets b ON b.maand = k.maand AND b.gebied_code = k.gebied_code AND b.wijk = k.wijk AND b.category = k.category
                           AND b.channel = k.channel AND b.bucket = i
        GROUP BY 1, 2, 3, 4, 5
    )
    INSERT INTO melding_afhandeling AS t (maand, gebied_code, wijk, category, channel, ontvangen, open, heropend, afgehandeld, op_tijd, tevreden, ontevreden, werkdagen)
    SELECT k.maand, k.gebied_code, k.wijk, k.category, k.channel, k.ontvangen, k.open, k.heropend, k.afgehandeld, k.op_tijd, k.tevreden, k.ontevreden, h.werkdagen
    FROM keyed k JOIN hist h USING (maand, gebied_code, wijk, category, channel)
    -- a change that adds nothing (a version touched, a note) writes nothing
    WHERE (k.ontvangen, k.open, k.heropend, k.afgehandeld, k.op_tijd, k.tevreden, k.ontevreden) <> (0, 0, 0, 0, 0, 0, 0)
       OR h.werkdagen <> array_fill(0, ARRAY[61])
    ON CONFLICT (maand, gebied_code, wijk, category, channel) DO UPDATE SET
        ontvangen = t.ontvangen + excluded.ontvangen, open = t.open + excluded.open, heropend = t.heropend + excluded.heropend,
        afgehandeld = t.afgehandeld + excluded.afgehandeld, op_tijd = t.op_tijd + excluded.op_tijd,
        tevreden = t.tevreden + excluded.tevreden, ontevreden = t.ontevreden + excluded.ontevreden,
        werkdagen = (SELECT array_agg(a + b ORDER BY i) FROM unnest(t.werkdagen, excluded.werkdagen) WITH ORDINALITY AS u(a, b, i))
$s$ $f$;

CREATE FUNCTION melding_afhandeling_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE replace(melding_afhandeling_statement(), '$rows$', CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT 1 AS sign, n.* FROM new_rows n'
        WHEN 'DELETE' THEN 'SELECT -1 AS sign, o.* FROM old_rows o'
        ELSE 'SELECT 1 AS sign, n.* FROM new_rows n UNION ALL SELECT -1 AS sign, o.* FROM old_rows o' END);
    RETURN NULL;
END $$;

-- recount from the meldingen (start-up, when the figures are empty but the meldingen are not; after a calendar change)
CREATE FUNCTION melding_afhandeling_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM melding_afhandeling;
    EXECUTE replace(melding_afhandeling_statement(), '$rows$', 'SELECT 1 AS sign, m.* FROM melding m');
END $$;

CREATE TRIGGER melding_afhandeling_insert AFTER INSERT ON melding REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION melding_afhandeling_apply();
CREATE TRIGGER melding_afhandeling_update AFTER UPDATE ON melding REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION melding_afhandeling_apply();
CREATE TRIGGER melding_afhandeling_delete AFTER DELETE ON melding REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION melding_afhandeling_apply();

-- a melding stored without a channel came in by its source (the form, the API, an import, the demo generator)
CREATE FUNCTION melding_channel_default() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.channel := NEW.source;
    RETURN NEW;
END $$;
CREATE TRIGGER melding_channel_default BEFORE INSERT ON melding FOR EACH ROW WHEN (NEW.channel IS NULL)
    EXECUTE FUNCTION melding_channel_default();
