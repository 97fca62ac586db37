-- The resident's melding form and the gebiedsteam's workspace (issue 17).
--   melding.status_token_hash  SHA-256 of the private status link's token (256 random bits; the token itself is only in
--                              the link the resident gets, never stored)
--   melding.version            optimistic concurrency for staff edits (status, routing, forwarding)
--   melding.updated_at         last change by staff
--   melding_note               notes on a melding: 'publiek' (an answer to the resident, shown on the status link) or
--                              'intern' (for staff with access to the melding only)
--   melding_photo              the resident's photo, re-encoded without metadata (personal data: removed with the rest)
-- Every insert or update of meldingen announces the gebieden it touched on channel kaart_meldingen, so each server's open
-- workspaces refresh (statement level: a bulk load of a million meldingen is one notification, not a million).

ALTER TABLE melding
    ADD COLUMN status_token_hash bytea UNIQUE,
    ADD COLUMN version integer NOT NULL DEFAULT 1,
    ADD COLUMN updated_at timestamptz;

-- the workspace's list: a team's meldingen newest first, per status; and the forwarded ones for the partner
CREATE INDEX melding_gebied_status ON melding (gebied_code, status, created_at DESC, id DESC);
CREATE INDEX melding_forwarded ON melding (forwarded_to, created_at DESC, id DESC) WHERE forwarded_to IS NOT NULL;

-- meldingen from the resident's form
ALTER TABLE melding DROP CONSTRAINT IF EXISTS melding_source_check;
ALTER TABLE melding ADD CONSTRAINT melding_source_check CHECK (source IN ('api', 'import', 'demo', 'formulier'));

-- the history's kinds gain 'forward' (the old check's generated name clashes with melding's routing_kind check: found by table)
DO $$
DECLARE c text;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'melding_routing'::regclass AND contype = 'c'
             AND pg_get_constraintdef(oid) LIKE '%kind%' LOOP
        EXECUTE format('ALTER TABLE melding_routing DROP CONSTRAINT %I', c);
    END LOOP;
END $$;
ALTER TABLE melding_routing ADD CONSTRAINT melding_routing_history_kind
    CHECK (kind IN ('inside', 'near', 'override', 'status', 'forward'));

CREATE TABLE melding_note (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    melding_id  bigint      NOT NULL REFERENCES melding (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('publiek', 'intern')),
    text        text        NOT NULL CHECK (length(text) BETWEEN 1 AND 2000)
);
CREATE INDEX melding_note_melding ON melding_note (melding_id, id);

CREATE TABLE melding_photo (
    melding_id   bigint  PRIMARY KEY REFERENCES melding (id) ON DELETE CASCADE,
    content_type text    NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    width        integer NOT NULL,
    height       integer NOT NULL,
    bytes        bytea   NOT NULL
);

CREATE FUNCTION melding_announce() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    payload text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT json_build_object('op', 'insert', 'gebieden', coalesce(json_agg(DISTINCT gebied_code), '[]'),
                                 'forwarded', bool_or(forwarded_to IS NOT NULL),
                                 'ids', (SELECT json_agg(id) FROM (SELECT id FROM new_rows LIMIT 50) s),
                                 'count', count(*))::text
        INTO payload FROM new_rows;
    ELSE
        SELECT json_build_object('op', 'update', 'gebieden', coalesce(json_agg(DISTINCT g), '[]'),
                                 'forwarded', bool_or(f),
                                 'ids', (SELECT json_agg(id) FROM (SELECT id FROM new_rows LIMIT 50) s),
                                 'count', (SELECT count(*) FROM new_rows))::text
        INTO payload
        FROM (SELECT gebied_code g, forwarded_to IS NOT NULL f FROM new_rows
              UNION ALL SELECT gebied_code, forwarded_to IS NOT NULL FROM old_rows) s;
    END IF;
    PERFORM pg_notify('kaart_meldingen', payload);
    RETURN NULL;
END $$;

CREATE TRIGGER melding_announce_insert AFTER INSERT ON melding REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION melding_announce();
CREATE TRIGGER melding_announce_update AFTER UPDATE ON melding REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION melding_announce();
