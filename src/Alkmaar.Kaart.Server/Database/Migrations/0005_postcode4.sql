-- PC4 postcode areas (CBS), for "which areas does this PC4 overlap, and how much".
CREATE TABLE postcode4 (
    postcode text PRIMARY KEY CHECK (postcode ~ '^[1-9][0-9]{3}$'),
    geom     geometry(MultiPolygon, 28992) NOT NULL CHECK (ST_IsValid(geom)),
    source   text NOT NULL
);
CREATE INDEX postcode4_geom_gist ON postcode4 USING gist (geom);
