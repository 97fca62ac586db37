-- Regiegroepen (issue 33, part 2): a residents' body per wijk or dorp (or gebied) that advises on — or, where the area's
-- wijkbudget says so (beslist_door = 'regiegroep'), decides on — the applications for bewonersinitiatieven in its area.
-- Members are accounts with the one role 'regiegroep' and exactly one area code (gebied, wijk or dorp) in gebieden.
ALTER TABLE app_user DROP CONSTRAINT app_user_roles_check;
ALTER TABLE app_user ADD CONSTRAINT app_user_roles_check
    CHECK (roles <@ ARRAY['gebiedsteam', 'stadswerk072', 'planner', 'beheerder', 'partner', 'regiegroep']::text[]);
ALTER TABLE app_user ADD CONSTRAINT app_user_regiegroep
    CHECK (NOT 'regiegroep' = ANY (roles) OR (roles = ARRAY['regiegroep']::text[] AND cardinality(gebieden) = 1));

-- each member's judgement of an application: voor, tegen, onthouding, or 'belang' (a declared conflict of interest: the
-- member takes no part in the judgement of this application)
CREATE TABLE regiegroep_oordeel (
    initiatief_id bigint      NOT NULL REFERENCES initiatief (id) ON DELETE CASCADE,
    lid           text        NOT NULL,
    oordeel       text        NOT NULL CHECK (oordeel IN ('voor', 'tegen', 'onthouding', 'belang')),
    toelichting   text        CHECK (length(toelichting) <= 1000),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (initiatief_id, lid)
);

-- the regiegroep's conclusion, once per application: advice to the team, or the decision itself; with the reason and the
-- count of the members' judgements when it was taken
CREATE TABLE regiegroep_besluit (
    initiatief_id    bigint        PRIMARY KEY REFERENCES initiatief (id) ON DELETE CASCADE,
    area_code        text          NOT NULL,
    soort            text          NOT NULL CHECK (soort IN ('advies', 'besluit')),
    uitkomst         text          NOT NULL CHECK (uitkomst IN ('toekennen', 'afwijzen')),
    bedrag_eur       numeric(10,2) CHECK (bedrag_eur BETWEEN 0 AND 1000000),
    reden            text          NOT NULL CHECK (length(reden) BETWEEN 1 AND 2000),
    voor             integer       NOT NULL,
    tegen            integer       NOT NULL,
    onthouding       integer       NOT NULL,
    belang           integer       NOT NULL,
    vastgesteld_door text          NOT NULL,
    vastgesteld_op   timestamptz   NOT NULL DEFAULT now()
);
