-- Draagvlak (issue 33, part 3): residents support an application or initiative — one support per resident per initiative,
-- with the same kind of proof as voting: a code from the letter to every address of a wijk or dorp (only its hash is
-- stored, not the address), or the municipality's sign-in where configured (a keyed pseudonym). Optionally offering help
-- or money, and a short comment that is published only after the team's check.
--   initiatief.gecontroleerd_at  the team checked a resident's application: its text may be shown so neighbours can support
--                                it while it is still 'aangevraagd'
ALTER TABLE initiatief ADD COLUMN gecontroleerd_at timestamptz;

CREATE TABLE steuncode (
    code_hash  bytea       PRIMARY KEY,
    area_code  text        NOT NULL,
    year       integer     NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    batch      integer     NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE steun (
    id             bigint        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    initiatief_id  bigint        NOT NULL REFERENCES initiatief (id) ON DELETE CASCADE,
    supporter_key  bytea         NOT NULL,   -- a code's hash, or a hash of the signed-in resident's pseudonym
    via            text          NOT NULL CHECK (via IN ('code', 'inlog')),
    uit_gebied     boolean       NOT NULL,   -- the supporter's address lies in the initiative's wijk or dorp
    helpt_mee      boolean       NOT NULL DEFAULT false,
    bijdrage_eur   numeric(10,2) CHECK (bijdrage_eur BETWEEN 0 AND 100000),
    reactie        text          CHECK (length(reactie) BETWEEN 1 AND 280),
    reactie_status text          CHECK (reactie_status IN ('nieuw', 'getoond', 'afgewezen')),
    reactie_door   text,
    created_at     timestamptz   NOT NULL DEFAULT now(),
    UNIQUE (initiatief_id, supporter_key),
    CHECK ((reactie IS NULL) = (reactie_status IS NULL))
);
CREATE INDEX steun_reactie_nieuw ON steun (initiatief_id) WHERE reactie_status = 'nieuw';
