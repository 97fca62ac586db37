-- Local accounts (ASP.NET Core Identity over our own store) and the audit log.
CREATE TABLE app_user (
    id                   uuid PRIMARY KEY,
    user_name            text        NOT NULL,
    normalized_user_name text        NOT NULL UNIQUE,
    display_name         text,
    password_hash        text,
    security_stamp       text        NOT NULL,
    concurrency_stamp    text        NOT NULL,
    lockout_enabled      boolean     NOT NULL DEFAULT true,
    lockout_end          timestamptz,
    access_failed_count  integer     NOT NULL DEFAULT 0,
    -- Roles: gebiedsteam, stadswerk072, planner, beheerder. Gebieden: the gebied codes a gebiedsteam member works for.
    roles                text[]      NOT NULL DEFAULT '{}'
        CHECK (roles <@ ARRAY['gebiedsteam', 'stadswerk072', 'planner', 'beheerder']::text[]),
    gebieden             text[]      NOT NULL DEFAULT '{}',
    created_at           timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE app_user IS 'Staff accounts. Passwords are ASP.NET Core Identity hashes (PBKDF2); with OpenID Connect sign-in this table is unused.';

-- Who viewed or changed personal data, boundaries, users or teams. Never holds the personal data itself.
CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor        text        NOT NULL,
    action       text        NOT NULL,
    subject_type text        NOT NULL,
    subject_id   text,
    detail       jsonb
);

CREATE INDEX audit_log_at ON audit_log (at DESC);
CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id);
