-- Public meldingen cells maintained as data (issue 16): every public aggregate of meldingen (OGC API, the dashboard's
-- layers, exports, hotspots) reads counts per generalisation cell instead of the meldingen. The counts change in the same
-- transaction as the meldingen (statement triggers below), so a committed melding is counted exactly once.
--   melding_cell_grid  the cell size in metres (RD New) the counts are kept at (MeldingOptions.GeneralisationGridMetres;
--                      the server rebuilds the counts when its setting differs)
--   melding_cell_day   per local day (Europe/Amsterdam), cell, category and status: periods, status filters
--   melding_cell       per cell over all time: raw counts per category (jsonb), total, demo count, the cell centre
-- Disclosure control: melding_cell also keeps each cell's published categories and top category under the minimum count
-- (generated columns, made for the configured minimum by melding_cell_publish); cells below it are left out when read.

CREATE TABLE melding_cell_grid (
    only_row      boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    size          double precision NOT NULL CHECK (size > 0),
    minimum_count integer -- the minimum the published columns of melding_cell were made for
);

CREATE TABLE melding_cell_day (
    day      date    NOT NULL,
    cx       integer NOT NULL,
    cy       integer NOT NULL,
    category text    NOT NULL,
    status   text    NOT NULL,
    n        integer NOT NULL,
    demo     integer NOT NULL,
    PRIMARY KEY (day, cx, cy, category, status)
);

CREATE TABLE melding_cell (
    cx    integer NOT NULL,
    cy    integer NOT NULL,
    total integer NOT NULL,
    cats  jsonb   NOT NULL,            -- raw counts per category; never published as they are
    demo  integer NOT NULL,            -- how many of the counted meldingen are generated DEMO meldingen
    geom  geometry(Point, 28992) NOT NULL, -- the cell centre
    PRIMARY KEY (cx, cy)
);
CREATE INDEX melding_cell_geom ON melding_cell USING gist (geom);
CREATE INDEX melding_cell_day_empty ON melding_cell_day (day) WHERE n <= 0;
CREATE INDEX melding_cell_empty ON melding_cell (cx) WHERE total <= 0;

-- a + b per key, keys that reach 0 dropped
CREATE FUNCTION melding_jsonb_add(a jsonb, b jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(jsonb_object_agg(k, v ORDER BY k) FILTER (WHERE v <> 0), '{}'::jsonb)
    FROM (SELECT k, sum(v::int) v FROM (SELECT * FROM jsonb_each_text(a) UNION ALL SELECT * FROM jsonb_each_text(b)) s(k, v) GROUP BY k) t
$$;

-- The published categories of a cell (DisclosureControl.Categories in SQL): categories below k merged into 'overig';
-- NULL (total only) when 'overig' would be non-zero but below k.
CREATE FUNCTION melding_cats_published(cats jsonb, k int) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN small = 0 THEN big
                WHEN small >= k THEN big || jsonb_build_object('overig', coalesce((big ->> 'overig')::int, 0) + small)
                ELSE NULL END
    FROM (SELECT coalesce(sum(v::int) FILTER (WHERE v::int < k), 0) small,
                 coalesce(jsonb_object_agg(key, v::int) FILTER (WHERE v::int >= k), '{}'::jsonb) big
          FROM jsonb_each_text(cats) e(key, v)) s
$$;

-- The most frequent named category of published categories (DisclosureControl.Top): not 'overig', ties by name.
CREATE FUNCTION melding_cats_top(published jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT key FROM jsonb_each_text(published) e(key, v) WHERE key <> 'overig' ORDER BY v::int DESC, key COLLATE "C" LIMIT 1
$$;

-- (Re)makes the published columns of melding_cell for the minimum count k.
CREATE FUNCTION melding_cell_publish(k int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE melding_cell DROP COLUMN IF EXISTS published, DROP COLUMN IF EXISTS top;
    EXECUTE format('ALTER TABLE melding_cell ADD COLUMN published jsonb GENERATED ALWAYS AS (melding_cats_published(cats, %1$s)) STORED, '
                   'ADD COLUMN top text GENERATED ALWAYS AS (melding_cats_top(melding_cats_published(cats, %1$s))) STORED', k);
    UPDATE melding_cell_grid SET minimum_count = k;
END $$;

-- Applies the change of one statement on melding to the counts. The transition tables are only visible in the trigger
-- function itself, so the statements run here: src yields (created_at, geom, category, status, source, sign).
CREATE FUNCTION melding_cell_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    g double precision := (SELECT size FROM melding_cell_grid);
    src text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT created_at, geom, category, status, source, 1 AS sign FROM new_rows'
        WHEN 'DELETE' THEN 'SELECT created_at, geom, category, status, source, -1 AS sign FROM old_rows'
        ELSE 'SELECT created_at, geom, category, status, source, 1 AS sign FROM new_rows UNION ALL '
             'SELECT created_at, geom, category, status, source, -1 FROM old_rows' END;
BEGIN
    IF g IS NULL THEN RETURN NULL; END IF;
    EXECUTE format($q$
        INSERT INTO melding_cell_day AS t (day, cx, cy, category, status, n, demo)
        SELECT (created_at AT TIME ZONE 'Europe/Amsterdam')::date, floor(ST_X(geom) / %1$s)::int, floor(ST_Y(geom) / %1$s)::int,
               category, status, sum(sign)::int, coalesce(sum(sign) FILTER (WHERE source = 'demo'), 0)::int
        FROM (%2$s) s GROUP BY 1, 2, 3, 4, 5
        HAVING sum(sign) <> 0 OR coalesce(sum(sign) FILTER (WHERE source = 'demo'), 0) <> 0
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (day, cx, cy, category, status) DO UPDATE SET n = t.n + excluded.n, demo = t.demo + excluded.demo
        $q$, g, src);
    EXECUTE format($q$
        INSERT INTO melding_cell AS t (cx, cy, total, cats, demo, geom)
        SELECT cx, cy, sum(n)::int, coalesce(jsonb_object_agg(category, n ORDER BY category) FILTER (WHERE n <> 0), '{}'::jsonb), sum(demo)::int,
               ST_SetSRID(ST_MakePoint((cx + 0.5) * %1$s, (cy + 0.5) * %1$s), 28992)
        FROM (SELECT floor(ST_X(geom) / %1$s)::int cx, floor(ST_Y(geom) / %1$s)::int cy, category,
                     sum(sign)::int n, coalesce(sum(sign) FILTER (WHERE source = 'demo'), 0)::int demo
              FROM (%2$s) s GROUP BY 1, 2, 3) d
        GROUP BY cx, cy HAVING bool_or(n <> 0) OR bool_or(demo <> 0)
        ORDER BY cx, cy
        ON CONFLICT (cx, cy) DO UPDATE SET total = t.total + excluded.total,
            cats = melding_jsonb_add(t.cats, excluded.cats), demo = t.demo + excluded.demo
        $q$, g, src);
    IF TG_OP <> 'INSERT' THEN -- emptied counts go (found through the partial indexes below)
        DELETE FROM melding_cell_day WHERE n <= 0;
        DELETE FROM melding_cell WHERE total <= 0;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER melding_cell_insert AFTER INSERT ON melding REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION melding_cell_sync();
CREATE TRIGGER melding_cell_update AFTER UPDATE ON melding REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION melding_cell_sync();
CREATE TRIGGER melding_cell_delete AFTER DELETE ON melding REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION melding_cell_sync();

-- Recounts everything at cell size g (the server calls this when its grid setting differs from melding_cell_grid).
CREATE FUNCTION melding_cell_rebuild(g double precision) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE melding IN SHARE MODE; -- no melding changes while counting
    INSERT INTO melding_cell_grid (size) VALUES (g) ON CONFLICT (only_row) DO UPDATE SET size = excluded.size;
    TRUNCATE melding_cell_day, melding_cell;
    INSERT INTO melding_cell_day (day, cx, cy, category, status, n, demo)
    SELECT (created_at AT TIME ZONE 'Europe/Amsterdam')::date, floor(ST_X(geom) / g)::int, floor(ST_Y(geom) / g)::int, category, status,
           count(*)::int, (count(*) FILTER (WHERE source = 'demo'))::int
    FROM melding GROUP BY 1, 2, 3, 4, 5;
    INSERT INTO melding_cell (cx, cy, total, cats, demo, geom)
    SELECT cx, cy, sum(n)::int, jsonb_object_agg(category, n ORDER BY category), sum(demo)::int,
           ST_SetSRID(ST_MakePoint((cx + 0.5) * g, (cy + 0.5) * g), 28992)
    FROM (SELECT cx, cy, category, sum(n)::int n, sum(demo)::int demo FROM melding_cell_day GROUP BY 1, 2, 3) c
    GROUP BY cx, cy;
END $$;

SELECT melding_cell_rebuild(50);
SELECT melding_cell_publish(5);
