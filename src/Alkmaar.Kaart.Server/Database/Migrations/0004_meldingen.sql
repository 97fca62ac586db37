-- Addresses (BAG-style) and meldingen with their routing history. Geometry in RD New (EPSG:28992).
CREATE TABLE address (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bag_id      text    NOT NULL UNIQUE,           -- nummeraanduiding identification (16 digits); demo ids start with 'DEMO'
    postcode    text    NOT NULL CHECK (postcode ~ '^[1-9][0-9]{3}[A-Z]{2}$'),
    huisnummer  integer NOT NULL CHECK (huisnummer BETWEEN 1 AND 99999),
    toevoeging  text    NOT NULL DEFAULT '',       -- huisletter + huisnummertoevoeging, '' when none
    straat      text    NOT NULL,
    woonplaats  text    NOT NULL,
    geom        geometry(Point, 28992) NOT NULL,
    demo        boolean NOT NULL DEFAULT false,
    UNIQUE (postcode, huisnummer, toevoeging)
);
CREATE INDEX address_geom_gist ON address USING gist (geom);

CREATE TABLE melding (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at          timestamptz NOT NULL DEFAULT now(),
    category            text    NOT NULL,
    status              text    NOT NULL DEFAULT 'nieuw' CHECK (status IN ('nieuw', 'in_behandeling', 'afgehandeld')),
    closed_at           timestamptz,
    geom                geometry(Point, 28992) NOT NULL,
    location_source     text    NOT NULL CHECK (location_source IN ('rd', 'wgs84', 'adres')),
    -- Routing stamp: the areas and team at the time of routing, why, and on which boundary version.
    buurt_code          text,
    wijk_code           text,
    dorp_code           text,
    gebied_code         text    NOT NULL,
    routing_kind        text    NOT NULL CHECK (routing_kind IN ('inside', 'near', 'override')),
    routing_reason      text    NOT NULL,
    distance_m          double precision,
    boundary_version_id integer NOT NULL REFERENCES boundary_version (id),
    forwarded_to        text,
    source              text    NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'import', 'demo')),
    -- Personal data: visible to the routed team and beheerders only; removed by the retention job after closing.
    description         text,
    address_text        text,
    melder_naam         text,
    melder_email        text,
    melder_telefoon     text,
    personal_removed_at timestamptz
);
CREATE INDEX melding_geom_gist ON melding USING gist (geom);
CREATE INDEX melding_gebied ON melding (gebied_code, created_at DESC);
CREATE INDEX melding_created ON melding (created_at DESC);

CREATE TABLE melding_routing (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    melding_id          bigint      NOT NULL REFERENCES melding (id) ON DELETE CASCADE,
    at                  timestamptz NOT NULL DEFAULT now(),
    actor               text        NOT NULL,
    kind                text        NOT NULL CHECK (kind IN ('inside', 'near', 'override', 'status')),
    from_gebied         text,
    to_gebied           text,
    detail              text        NOT NULL,
    boundary_version_id integer
);
CREATE INDEX melding_routing_melding ON melding_routing (melding_id, id);
