-- Wij(k) aan zet! (issue 20): per wijk (or dorp) a campaign with phases by date; residents submit verbeterpunten, staff
-- merge similar ones, residents vote with a one-time code per address (stored hashed), staff check feasibility, the
-- chosen points become speerpunten of the gebiedsagenda with actions.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE campagne (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_code       text    NOT NULL,
    area_level      text    NOT NULL CHECK (area_level IN ('wijk', 'dorp')),
    title           text    NOT NULL CHECK (length(title) BETWEEN 3 AND 200),
    indienen_from   date    NOT NULL,
    indienen_to     date    NOT NULL,
    stemmen_from    date    NOT NULL,
    stemmen_to      date    NOT NULL,
    uitslag_on      date    NOT NULL,
    votes_per_voter integer NOT NULL DEFAULT 3 CHECK (votes_per_voter BETWEEN 1 AND 10),
    created_by      text    NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (indienen_from <= indienen_to AND indienen_to < stemmen_from AND stemmen_from <= stemmen_to AND stemmen_to < uitslag_on)
);

CREATE TABLE verbeterpunt (
    id                bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campagne_id       integer NOT NULL REFERENCES campagne (id),
    title             text    NOT NULL CHECK (length(title) BETWEEN 3 AND 120),
    body              text    NOT NULL CHECK (length(body) <= 2000),
    theme             text    NOT NULL,
    geom              geometry(Point, 28992),
    status            text    NOT NULL DEFAULT 'ingediend'
                      CHECK (status IN ('ingediend', 'samengevoegd', 'uitvoerbaar', 'niet_uitvoerbaar', 'gekozen', 'doorgestuurd')),
    merged_into       bigint  REFERENCES verbeterpunt (id),
    feasible          boolean,
    affordable        boolean,
    feasibility_note  text,
    status_token_hash bytea   NOT NULL UNIQUE,
    -- personal data: only to tell the submitter; never on a public page or export
    submitter_email   text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    version           integer NOT NULL DEFAULT 1
);
CREATE INDEX verbeterpunt_campagne ON verbeterpunt (campagne_id);
CREATE INDEX verbeterpunt_trgm ON verbeterpunt USING gin ((title || ' ' || body) gin_trgm_ops);

-- One code per address for a letter; only its hash is stored. used_at: the first ballot.
CREATE TABLE stemcode (
    code_hash   bytea   PRIMARY KEY,
    campagne_id integer NOT NULL REFERENCES campagne (id),
    batch       integer NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    used_at     timestamptz
);

CREATE TABLE stem (
    id              bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campagne_id     integer NOT NULL REFERENCES campagne (id),
    code_hash       bytea   NOT NULL REFERENCES stemcode (code_hash),
    verbeterpunt_id bigint  NOT NULL REFERENCES verbeterpunt (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    returned_at     timestamptz,
    returned_reason text
);
-- a voter gives a point at most one vote that counts
CREATE UNIQUE INDEX stem_once ON stem (code_hash, verbeterpunt_id) WHERE returned_at IS NULL;
CREATE INDEX stem_point ON stem (verbeterpunt_id) WHERE returned_at IS NULL;

-- The gebiedsagenda / dorpsagenda: speerpunten per area with actions; progress follows from the actions.
CREATE TABLE speerpunt (
    id              bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_code       text    NOT NULL,
    title           text    NOT NULL CHECK (length(title) BETWEEN 3 AND 200),
    verbeterpunt_id bigint  REFERENCES verbeterpunt (id),
    owner           text    NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX speerpunt_area ON speerpunt (area_code);

CREATE TABLE speerpunt_actie (
    id           bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    speerpunt_id bigint  NOT NULL REFERENCES speerpunt (id) ON DELETE CASCADE,
    title        text    NOT NULL CHECK (length(title) BETWEEN 2 AND 200),
    owner        text,
    done         boolean NOT NULL DEFAULT false,
    due          date
);
