-- Plans of the gebiedsindeling (issue 18): a planner's draft made from a boundary version (or a file, or an equivalency
-- CSV), edited on the map, compared, and published as a new boundary version from a date. A plan is complete: every
-- buurt's wijk, every wijk's gebied, and every buurt's shape (a border move changes two shapes).
CREATE TABLE boundary_plan (
    id                   integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                 text    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    base_version_id      integer NOT NULL REFERENCES boundary_version (id),
    source               text    NOT NULL,
    wijk_of_buurt        jsonb   NOT NULL,
    gebied_of_wijk       jsonb   NOT NULL,
    -- areas (gebied or wijk codes) whose buurten edits may not take or add to
    locked               text[]  NOT NULL DEFAULT '{}',
    -- areas allowed to be in more than one piece (an explicit allowance, e.g. an exclave)
    allow_non_contiguous text[]  NOT NULL DEFAULT '{}',
    -- optimistic concurrency: every save raises it; a save names the version it started from
    version              integer NOT NULL DEFAULT 1,
    created_by           text    NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_by           text    NOT NULL,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    published_version_id integer REFERENCES boundary_version (id),
    published_at         timestamptz
);

CREATE TABLE boundary_plan_buurt (
    plan_id integer NOT NULL REFERENCES boundary_plan (id) ON DELETE CASCADE,
    code    text    NOT NULL,
    name    text    NOT NULL,
    geom    geometry(MultiPolygon, 28992) NOT NULL CHECK (NOT ST_IsEmpty(geom)),
    PRIMARY KEY (plan_id, code)
);
CREATE INDEX boundary_plan_buurt_geom ON boundary_plan_buurt USING gist (geom);

-- A version published from a plan says so, with the planner's reason.
ALTER TABLE boundary_version ADD COLUMN plan_id integer REFERENCES boundary_plan (id);
ALTER TABLE boundary_version ADD COLUMN reason text;
