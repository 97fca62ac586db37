-- Wijkpanels (issue 33, part 5): residents join the panel of their wijk (address checked against the wijk, e-mail
-- confirmed), the team invites the panel to a meeting and asks a few short questions (multiple choice or a 1–5 scale),
-- results per wijk only from a minimum number of answers. Of a member only the e-mail address and the wijk are kept (not
-- the address they gave); leaving erases the row, and with it the salt that tied their answers to them.
CREATE TABLE wijkpanel_lid (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    wijk_code    text        NOT NULL,
    email        text        NOT NULL CHECK (length(email) BETWEEN 3 AND 200),
    salt         bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    confirmed_at timestamptz
);
CREATE UNIQUE INDEX wijkpanel_lid_once ON wijkpanel_lid (lower(email), wijk_code);

-- a round: an invitation to a meeting and/or a few questions, sent to every confirmed member of the wijk's panel
CREATE TABLE wijkpanel_ronde (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    wijk_code   text        NOT NULL,
    titel       text        NOT NULL CHECK (length(titel) BETWEEN 1 AND 200),
    bijeenkomst text        CHECK (length(bijeenkomst) <= 500),
    sluit_op    date        NOT NULL,
    verstuurd   integer     NOT NULL DEFAULT 0,
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE wijkpanel_vraag (
    id       bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ronde_id bigint  NOT NULL REFERENCES wijkpanel_ronde (id) ON DELETE CASCADE,
    nr       integer NOT NULL,
    tekst    text    NOT NULL CHECK (length(tekst) BETWEEN 1 AND 300),
    soort    text    NOT NULL CHECK (soort IN ('keuze', 'schaal')),
    opties   text[]  NOT NULL CHECK (cardinality(opties) BETWEEN 2 AND 8),
    UNIQUE (ronde_id, nr)
);

-- one answer per member per question, under a key made from the member's salt (gone when they leave)
CREATE TABLE wijkpanel_antwoord (
    vraag_id   bigint      NOT NULL REFERENCES wijkpanel_vraag (id) ON DELETE CASCADE,
    lid_key    bytea       NOT NULL,
    keuze      text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (vraag_id, lid_key)
);
