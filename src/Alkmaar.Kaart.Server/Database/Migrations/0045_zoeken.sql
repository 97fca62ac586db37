-- Search by name (issue 34, part 1): one index of the names people use — streets (with woonplaats), postcodes (PC6, PC4),
-- woonplaatsen, gebied/wijk/buurt/dorp names and the municipality's own neighbourhood names (zoek_alias, editable by a
-- beheerder) — each with a point, normalised (lower case, no accents, no punctuation) and searched with pg_trgm (typing
-- errors, parts of names). Rebuilt from its sources (addresses, boundaries, aliases) whenever they change.
CREATE TABLE zoek_alias (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    naam        text        NOT NULL CHECK (length(naam) BETWEEN 2 AND 100),
    area_code   text        NOT NULL,
    toelichting text        CHECK (length(toelichting) <= 300),
    updated_by  text        NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX zoek_alias_naam ON zoek_alias (lower(naam));

CREATE TABLE zoekterm (
    id    bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind  text    NOT NULL CHECK (kind IN ('straat', 'postcode', 'woonplaats', 'gebied', 'wijk', 'buurt', 'dorp', 'alias')),
    label text    NOT NULL,
    sub   text,
    norm  text    NOT NULL,
    ref   text,
    x     double precision NOT NULL,
    y     double precision NOT NULL
);
CREATE INDEX zoekterm_trgm ON zoekterm USING gin (norm gin_trgm_ops);
-- street + number: the address of a street by its normalised name
CREATE INDEX address_straat_nr ON address (lower(straat), huisnummer);
