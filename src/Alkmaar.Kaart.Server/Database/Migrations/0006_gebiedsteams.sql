-- Gebiedsteams: one per gebied (row created by the boundary import from data/boundaries), with its roles and its
-- Gebiedsteam+ partners, edited by a beheerder. No person is ever seeded: an empty role shows the generic contact.
ALTER TABLE gebiedsteam
    ADD COLUMN mailbox    text CHECK (mailbox IS NULL OR mailbox ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    ADD COLUMN phone      text,
    ADD COLUMN note       text,
    ADD COLUMN updated_at timestamptz,
    ADD COLUMN updated_by text;

COMMENT ON COLUMN gebiedsteam.mailbox IS 'Team mailbox (public); NULL until a beheerder enters it.';
COMMENT ON COLUMN gebiedsteam.phone IS 'Team phone (public); NULL = the gemeente''s generic number from the configuration.';

-- A person in one of the team's roles (keys from data/boundaries teamRoles). Name, e-mail and phone are personal data:
-- only staff see them, except the name when name_public is set (e.g. a wijkagent the police publishes).
CREATE TABLE gebiedsteam_member (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    gebied_code text    NOT NULL REFERENCES gebiedsteam (gebied_code) ON DELETE CASCADE,
    role        text    NOT NULL,
    name        text    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email       text,
    phone       text,
    name_public boolean NOT NULL DEFAULT false,
    position    integer NOT NULL DEFAULT 0
);
CREATE INDEX gebiedsteam_member_gebied ON gebiedsteam_member (gebied_code);

-- Gebiedsteam+ partners: organisations (public), with an optional contact person (staff only).
CREATE TABLE gebiedsteam_partner (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    gebied_code    text NOT NULL REFERENCES gebiedsteam (gebied_code) ON DELETE CASCADE,
    organisation   text NOT NULL CHECK (length(organisation) BETWEEN 1 AND 200),
    kind           text NOT NULL CHECK (length(kind) BETWEEN 1 AND 100),
    contact_name   text,
    contact_email  text,
    contact_phone  text,
    position       integer NOT NULL DEFAULT 0
);
CREATE INDEX gebiedsteam_partner_gebied ON gebiedsteam_partner (gebied_code);
