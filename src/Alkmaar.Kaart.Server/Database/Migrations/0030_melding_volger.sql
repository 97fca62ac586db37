-- "Is dit al gemeld?" and merged duplicates (issue 29): residents who follow a melding instead of making a new one, and
-- melders of a duplicate the team merged into it. Each is told of the melding's steps by e-mail (no details: the status).
-- Personal data: the address is removed with the melding's personal data at retention.
CREATE TABLE melding_volger (
    melding_id bigint      NOT NULL REFERENCES melding (id) ON DELETE CASCADE,
    email      text        NOT NULL CHECK (length(email) <= 254),
    since      timestamptz NOT NULL DEFAULT now(),
    via        text        NOT NULL CHECK (via IN ('al-gemeld', 'samengevoegd')),
    PRIMARY KEY (melding_id, email)
);
