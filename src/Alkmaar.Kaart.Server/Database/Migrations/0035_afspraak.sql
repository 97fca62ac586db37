-- Afspraken of an overleg circle (issue 31, part 2 begun): what, who, by when — kept by the team of the gebied and
-- shown again at every next meeting of that circle until done. A circle ("kring") is a gebiedsteam, its Gebiedsteam+,
-- or a grensoverleg of a gebied with a neighbouring team or municipality: 'gebiedsteam:GB0361-noord',
-- 'gebiedsteamplus:GB0361-noord', 'grens:GB0361-west|GM0399'.
CREATE TABLE afspraak (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kring       text        NOT NULL CHECK (kring ~ '^(gebiedsteam|gebiedsteamplus|grens):[A-Za-z0-9_|-]+$'),
    gebied_code text        NOT NULL,
    wat         text        NOT NULL CHECK (length(wat) BETWEEN 3 AND 500),
    wie         text        CHECK (length(wie) <= 200),
    uiterlijk   date,
    status      text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'gedaan', 'vervallen')),
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    closed_by   text,
    closed_at   timestamptz,
    CHECK ((status = 'open') = (closed_at IS NULL))
);
CREATE INDEX afspraak_kring ON afspraak (kring, status, uiterlijk);
