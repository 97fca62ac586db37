-- Wijkschouw (issue 34, part 3): a schouw round through a buurt with the team, Stadswerk072 and residents. Each round
-- keeps the checklist and the target beeldkwaliteit level per aspect (schoon, heel, groen; CROW levels A+ to D) as they
-- were when it was planned, so a later change of the beeldkwaliteit configuration does not rewrite an old report.
-- Findings are recorded on a phone (also without a connection) and sent when back online: client_id (made on the phone)
-- makes sending twice harmless. A finding becomes a melding in one tap (melding_id); the walked route is kept as points.
CREATE TABLE schouw (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    buurt_code   text        NOT NULL,
    gebied_code  text        NOT NULL,
    datum        date        NOT NULL,
    titel        text        NOT NULL CHECK (length(titel) BETWEEN 1 AND 200),
    route        text        CHECK (length(route) <= 1000),
    deelnemers   text[]      NOT NULL DEFAULT '{}',
    bewoners     integer     NOT NULL DEFAULT 0 CHECK (bewoners BETWEEN 0 AND 500),
    doel         jsonb       NOT NULL,
    items        jsonb       NOT NULL,
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX schouw_gebied ON schouw (gebied_code, datum DESC);

CREATE TABLE schouw_bevinding (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    schouw_id         bigint      NOT NULL REFERENCES schouw (id) ON DELETE CASCADE,
    client_id         uuid        NOT NULL UNIQUE,
    item              text        NOT NULL,
    score             text        NOT NULL CHECK (score IN ('A+', 'A', 'B', 'C', 'D')),
    toelichting       text        CHECK (length(toelichting) <= 1000),
    geom              geometry(Point, 28992) NOT NULL,
    nauwkeurigheid_m  real,
    vastgelegd_at     timestamptz NOT NULL,
    vastgelegd_door   text        NOT NULL,
    ontvangen_at      timestamptz NOT NULL DEFAULT now(),
    photo_content_type text,
    photo             bytea,
    photo_width       integer,
    photo_height      integer,
    melding_id        bigint      REFERENCES melding (id) ON DELETE SET NULL
);
CREATE INDEX schouw_bevinding_schouw ON schouw_bevinding (schouw_id, vastgelegd_at);

-- the walked route: the phone's positions while the round runs (at most one per 10 m), sent with the findings
CREATE TABLE schouw_spoor (
    schouw_id bigint      NOT NULL REFERENCES schouw (id) ON DELETE CASCADE,
    at        timestamptz NOT NULL,
    geom      geometry(Point, 28992) NOT NULL,
    PRIMARY KEY (schouw_id, at)
);

-- a finding made into a melding: source and channel 'schouw'
ALTER TABLE melding DROP CONSTRAINT melding_source_check;
ALTER TABLE melding ADD CONSTRAINT melding_source_check CHECK (source IN ('api', 'import', 'demo', 'formulier', 'medewerker', 'schouw'));
ALTER TABLE melding DROP CONSTRAINT melding_channel_known;
ALTER TABLE melding ADD CONSTRAINT melding_channel_known
    CHECK (channel IN ('formulier', 'api', 'import', 'demo', 'telefoon', 'balie', 'wijkpost', 'schouw'));
