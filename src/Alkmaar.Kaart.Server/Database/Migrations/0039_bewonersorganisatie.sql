-- Bewonersorganisaties (issue 33, part 4): the register per area of wijkraden, dorpsraden, buurthuizen,
-- bewonersondernemingen and wijkposten — organisations, not persons: their own public contact, opening hours and place.
-- Kept by the team of the gebied they lie in (or a beheerder), versioned for optimistic concurrency, public on the map,
-- the area page and in OGC API Features.
CREATE TABLE bewonersorganisatie (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    soort           text        NOT NULL CHECK (soort IN ('wijkraad', 'dorpsraad', 'buurthuis', 'bewonersonderneming', 'wijkpost')),
    naam            text        NOT NULL CHECK (length(naam) BETWEEN 2 AND 200),
    adres           text        CHECK (length(adres) <= 200),
    website         text        CHECK (length(website) <= 300),
    email           text        CHECK (length(email) <= 200),
    telefoon        text        CHECK (length(telefoon) <= 40),
    openingstijden  text        CHECK (length(openingstijden) <= 500),
    geom            geometry(Point, 28992) NOT NULL,
    buurt_code      text,
    wijk_code       text,
    gebied_code     text        NOT NULL,
    version         integer     NOT NULL DEFAULT 1,
    updated_by      text        NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bewonersorganisatie_geom ON bewonersorganisatie USING gist (geom);
CREATE INDEX bewonersorganisatie_gebied ON bewonersorganisatie (gebied_code);
