-- Following an area by e-mail (issue 33, part 6): double opt-in — nothing is sent but the confirmation until the link in it
-- is followed —, a digest of what changed (the area's news: speerpunten and progress, initiatives, campaigns) at most
-- once a day, and leaving with one click, which erases the row (the address is the only personal data, kept for this
-- purpose only). Unconfirmed rows are erased after seven days. Only the token's hash is stored.
CREATE TABLE abonnement (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email          text        NOT NULL CHECK (length(email) BETWEEN 3 AND 200),
    area_code      text        NOT NULL,
    area_level     text        NOT NULL CHECK (area_level IN ('gebied', 'wijk', 'buurt', 'dorp')),
    token_hash     bytea       NOT NULL UNIQUE,
    created_at     timestamptz NOT NULL DEFAULT now(),
    confirmed_at   timestamptz,
    last_digest_at timestamptz
);
CREATE UNIQUE INDEX abonnement_once ON abonnement (lower(email), area_code);
