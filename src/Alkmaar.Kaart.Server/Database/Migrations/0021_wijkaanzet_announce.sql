-- Live Wij(k) aan zet pages (issue 28: no polling where NOTIFY exists): every committed statement that adds or changes
-- verbeterpunten or votes announces the campaigns it touched on channel kaart_wijkaanzet (payload: their ids, comma
-- separated), whichever server or import made it.
CREATE FUNCTION wijkaanzet_announce() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    payload text;
BEGIN
    SELECT string_agg(DISTINCT campagne_id::text, ',') INTO payload FROM changed_rows;
    IF payload IS NOT NULL THEN PERFORM pg_notify('kaart_wijkaanzet', payload); END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER verbeterpunt_announce_insert AFTER INSERT ON verbeterpunt REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION wijkaanzet_announce();
CREATE TRIGGER verbeterpunt_announce_update AFTER UPDATE ON verbeterpunt REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION wijkaanzet_announce();
CREATE TRIGGER stem_announce_insert AFTER INSERT ON stem REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION wijkaanzet_announce();
CREATE TRIGGER stem_announce_update AFTER UPDATE ON stem REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION wijkaanzet_announce();
