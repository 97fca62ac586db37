-- Meldingen per buurt in force, local month and category (issue 30, speed): what the area pages, the gebiedsprofiel and
-- its gemeente comparison count — by location (the buurt whose polygon covers the melding's point), not by routing —
-- kept with every change of a melding instead of counting a million points per request. An area's count is the sum of
-- its buurten (those whose interior point lies in it, as for inwoners and kerncijfers).
--   The buurt is looked up in the buurten in force; melding_buurt_maand_state holds the boundary version the table was
--   built for, and MeldingStatistics rebuilds it when the version in force is another (an import, or its valid-from date).
CREATE TABLE melding_buurt_maand (
    maand      date    NOT NULL,
    buurt_code text    NOT NULL,
    category   text    NOT NULL,
    n          integer NOT NULL,
    demo       integer NOT NULL,   -- of those, generated DEMO meldingen
    PRIMARY KEY (maand, buurt_code, category)
);
CREATE TABLE melding_buurt_maand_state (
    only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    version_id integer NOT NULL
);

-- the statement that adds a set of meldingen (sign +1) and takes away old versions (sign -1); $rows$ is replaced by rows
-- (sign, geom, created_at, category, source)
CREATE FUNCTION melding_buurt_maand_statement() RETURNS text LANGUAGE sql IMMUTABLE AS $f$ SELECT $s$
    WITH rows_ AS ($rows$), located AS (
        SELECT r.sign, r.created_at, r.category, r.source,
               (SELECT b.code FROM area_in_force b WHERE b.level = 'buurt' AND ST_Covers(b.geom, r.geom) ORDER BY b.code LIMIT 1) AS buurt_code
        FROM rows_ r
    ), k AS (
        SELECT date_trunc('month', created_at AT TIME ZONE 'Europe/Amsterdam')::date AS maand, buurt_code, category,
               sum(sign)::int AS n, sum(sign * (source = 'demo')::int)::int AS demo
        FROM located WHERE buurt_code IS NOT NULL GROUP BY 1, 2, 3
    )
    INSERT INTO melding_buurt_maand AS t (maand, buurt_code, category, n, demo)
    SELECT maand, buurt_code, category, n, demo FROM k WHERE n <> 0 OR demo <> 0
    ON CONFLICT (maand, buurt_code, category) DO UPDATE SET n = t.n + excluded.n, demo = t.demo + excluded.demo
$s$ $f$;

CREATE FUNCTION melding_buurt_maand_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE replace(melding_buurt_maand_statement(), '$rows$', CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT 1 AS sign, n.geom, n.created_at, n.category, n.source FROM new_rows n'
        WHEN 'DELETE' THEN 'SELECT -1 AS sign, o.geom, o.created_at, o.category, o.source FROM old_rows o'
        -- an update counts only where place, time, category or source changed (a status or a note changes nothing here)
        ELSE 'SELECT s.sign, s.geom, s.created_at, s.category, s.source FROM new_rows n JOIN old_rows o USING (id)
              CROSS JOIN LATERAL (VALUES (1, n.geom, n.created_at, n.category, n.source), (-1, o.geom, o.created_at, o.category, o.source))
                AS s(sign, geom, created_at, category, source)
              WHERE (ST_AsBinary(n.geom), n.created_at, n.category, n.source) IS DISTINCT FROM (ST_AsBinary(o.geom), o.created_at, o.category, o.source)' END);
    RETURN NULL;
END $$;

-- recount from the meldingen against the buurten in force now
CREATE FUNCTION melding_buurt_maand_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM melding_buurt_maand;
    EXECUTE replace(melding_buurt_maand_statement(), '$rows$', 'SELECT 1 AS sign, m.geom, m.created_at, m.category, m.source FROM melding m');
    INSERT INTO melding_buurt_maand_state (version_id)
    SELECT coalesce((SELECT max(version_id) FROM area_in_force WHERE level = 'buurt'), 0)
    ON CONFLICT (only_row) DO UPDATE SET version_id = excluded.version_id;
END $$;

CREATE TRIGGER melding_buurt_maand_insert AFTER INSERT ON melding REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION melding_buurt_maand_apply();
CREATE TRIGGER melding_buurt_maand_update AFTER UPDATE ON melding REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION melding_buurt_maand_apply();
CREATE TRIGGER melding_buurt_maand_delete AFTER DELETE ON melding REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION melding_buurt_maand_apply();

SELECT melding_buurt_maand_rebuild();
