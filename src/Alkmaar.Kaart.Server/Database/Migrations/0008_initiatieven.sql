-- Bewonersinitiatieven: what residents start in their buurt, with the subsidy and where it takes place (a point or an
-- area). No applicant or other personal data is stored: the record is public.
CREATE TABLE initiatief (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title       text    NOT NULL CHECK (length(title) BETWEEN 3 AND 200),
    description text    NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    theme       text    NOT NULL,
    status      text    NOT NULL CHECK (status IN ('aangevraagd', 'toegekend', 'uitgevoerd', 'afgewezen')),
    subsidy_eur numeric(10, 2) CHECK (subsidy_eur >= 0),
    year        integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    geom        geometry(Geometry, 28992) NOT NULL
                CHECK (GeometryType(geom) IN ('POINT', 'POLYGON', 'MULTIPOLYGON') AND ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
    buurt_code  text,
    wijk_code   text,
    gebied_code text    NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text    NOT NULL
);
CREATE INDEX initiatief_geom ON initiatief USING gist (geom);
CREATE INDEX initiatief_filter ON initiatief (status, theme, year);

-- Every change of status, with who and when (the lifecycle: aangevraagd → toegekend → uitgevoerd, or → afgewezen).
CREATE TABLE initiatief_history (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    initiatief_id bigint NOT NULL REFERENCES initiatief (id) ON DELETE CASCADE,
    at            timestamptz NOT NULL DEFAULT now(),
    actor         text NOT NULL,
    status_from   text,
    status_to     text NOT NULL
);
