-- Neighbouring municipalities (CBS gemeenten), to tell a resident outside the gemeente where to go and for
-- cross-boundary views. Not clipped to or aligned with our buurten: a separately generalised layer.
CREATE TABLE municipality (
    code        text PRIMARY KEY,
    name        text NOT NULL,
    geom        geometry(MultiPolygon, 28992) NOT NULL CHECK (ST_IsValid(geom)),
    source      text NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX municipality_geom_gist ON municipality USING gist (geom);
