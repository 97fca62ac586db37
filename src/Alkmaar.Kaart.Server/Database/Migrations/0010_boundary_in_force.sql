-- One definition of "in force": a boundary version is in force from its valid_from (inclusive) to the next version's
-- valid_from (exclusive); its areas carry the same range. Every query about areas in force reads area_in_force (today)
-- or area_at(d) (any date); nothing else tests valid_to.
CREATE OR REPLACE FUNCTION area_at(d date) RETURNS SETOF area
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT * FROM area WHERE valid_from <= d AND (valid_to IS NULL OR valid_to > d)
$$;
COMMENT ON FUNCTION area_at(date) IS 'The areas in force on date d (the boundary version whose range holds d).';

CREATE OR REPLACE VIEW area_in_force AS
    SELECT * FROM area WHERE valid_from <= current_date AND (valid_to IS NULL OR valid_to > current_date);
COMMENT ON VIEW area_in_force IS 'The areas in force today: area_at(current_date).';

-- The gebiedsindeling (which wijk in which gebied, names, team names, dorpen) belongs to the version: the file seeds
-- the first version only.
ALTER TABLE boundary_version ADD COLUMN indeling jsonb;

-- What the import repaired: small overlaps, gaps and edge mismatches between buurten (CoverageRepair).
CREATE TABLE boundary_repair (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version_id  integer NOT NULL REFERENCES boundary_version (id) ON DELETE CASCADE,
    kind        text    NOT NULL CHECK (kind IN ('overlap', 'gap', 'edge_mismatch')),
    buurten     text[]  NOT NULL,
    assigned_to text    NOT NULL,
    area_m2     double precision NOT NULL,
    width_m     double precision NOT NULL,
    location    geometry(Point, 28992) NOT NULL,
    geom        geometry(Geometry, 28992) NOT NULL
);
CREATE INDEX boundary_repair_version ON boundary_repair (version_id);
