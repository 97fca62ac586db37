-- Areas of the gebiedsindeling with their boundary versions. Geometry in RD New (EPSG:28992).
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE boundary_version (
    id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    valid_from   date        NOT NULL,
    source       text        NOT NULL,
    source_sha256 text       NOT NULL,
    source_crs   text        NOT NULL,
    imported_at  timestamptz NOT NULL DEFAULT now(),
    note         text
);

CREATE TABLE area (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    level       text    NOT NULL CHECK (level IN ('gemeente', 'gebied', 'wijk', 'buurt', 'dorp')),
    code        text    NOT NULL,
    name        text    NOT NULL,
    parent_code text,
    geom        geometry(MultiPolygon, 28992) NOT NULL CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
    valid_from  date    NOT NULL,
    valid_to    date,
    version_id  integer NOT NULL REFERENCES boundary_version (id),
    CHECK (valid_to IS NULL OR valid_to > valid_from),
    UNIQUE (level, code, valid_from)
);

CREATE INDEX area_geom_gist ON area USING gist (geom);
CREATE UNIQUE INDEX area_current_code ON area (level, code) WHERE valid_to IS NULL;
CREATE INDEX area_code ON area (code);

COMMENT ON TABLE area IS 'Areas (gemeente, gebied, wijk, buurt, dorp); buurten come from CBS, the rest is derived from them. A row is in force from valid_from (inclusive) to valid_to (exclusive, NULL = open).';

CREATE TABLE gebiedsteam (
    gebied_code text PRIMARY KEY,
    name        text NOT NULL
);
