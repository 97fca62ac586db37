-- Parts of a melding handed to a handling party (issue 29): a Gebiedsteam+ partner or a municipal department from the
-- gebied's register (gebiedsteam_partner). The party is copied at the hand-off (name, kind, contact address): the task
-- keeps who it went to when the register changes later.
--   token_hash        SHA-256 of the party's link (256 random bits; the token itself is only in the link sent to the party)
--   token_expires_at  the link works until then (Meldingen:TaskLinkDays after the due date); token_revoked_at: withdrawn
--   status            uitgezet → geaccepteerd | teruggegeven; geaccepteerd → afgerond; any open one → ingetrokken
-- A melding handed in parts closes when the last open part is done (MeldingTaken.CloseWhenAllDoneAsync).
CREATE TABLE melding_taak (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    melding_id       bigint      NOT NULL REFERENCES melding (id) ON DELETE CASCADE,
    party_name       text        NOT NULL CHECK (length(party_name) BETWEEN 1 AND 200),
    party_kind       text        NOT NULL,
    party_email      text,
    question         text        NOT NULL CHECK (length(question) BETWEEN 1 AND 2000),
    due_on           date        NOT NULL,
    status           text        NOT NULL DEFAULT 'uitgezet'
                                 CHECK (status IN ('uitgezet', 'geaccepteerd', 'teruggegeven', 'afgerond', 'ingetrokken')),
    token_hash       bytea       NOT NULL UNIQUE,
    token_expires_at timestamptz NOT NULL,
    token_revoked_at timestamptz,
    created_by       text        NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    closed_at        timestamptz,
    version          integer     NOT NULL DEFAULT 1
);
CREATE INDEX melding_taak_melding ON melding_taak (melding_id, id);
CREATE INDEX melding_taak_open ON melding_taak (party_name, due_on) WHERE status IN ('uitgezet', 'geaccepteerd');

-- each step of a task: who (the team member, or the party by its name), what, and the text (a question, an answer, a reason)
CREATE TABLE melding_taak_stap (
    id       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    taak_id  bigint      NOT NULL REFERENCES melding_taak (id) ON DELETE CASCADE,
    at       timestamptz NOT NULL DEFAULT now(),
    actor    text        NOT NULL,
    kind     text        NOT NULL CHECK (kind IN ('uitgezet', 'geaccepteerd', 'teruggegeven', 'antwoord', 'afgerond', 'ingetrokken')),
    text     text        CHECK (length(text) <= 2000)
);
CREATE INDEX melding_taak_stap_taak ON melding_taak_stap (taak_id, id);
