-- Wijkbudget (issue 33, part 1): a budget per wijk or dorp per year for bewonersinitiatieven, set by the team, decided
-- on by the team or a regiegroep. An application asks an amount (requested_eur); a grant (subsidy_eur of an initiative
-- that becomes toegekend) never makes the granted total of its wijk or dorp exceed the budget: the grant locks the
-- budget's row first, so concurrent grants take turns. An initiative draws on the budget of the dorp it lies in, or else
-- of its wijk.
CREATE TABLE wijkbudget (
    area_code     text          NOT NULL,
    year          integer       NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    amount_eur    numeric(12,2) NOT NULL CHECK (amount_eur BETWEEN 0 AND 10000000),
    beslist_door  text          NOT NULL DEFAULT 'team' CHECK (beslist_door IN ('team', 'regiegroep')),
    version       integer       NOT NULL DEFAULT 1,
    updated_by    text          NOT NULL,
    updated_at    timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (area_code, year)
);

ALTER TABLE initiatief ADD COLUMN requested_eur numeric(10,2) CHECK (requested_eur BETWEEN 0 AND 1000000);

-- the wijk or dorp whose budget an initiative draws on: the dorp its location lies in, or else its wijk
CREATE FUNCTION initiatief_budget_area(g geometry, wijk text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT d.code FROM area_in_force d WHERE d.level = 'dorp' AND ST_Intersects(d.geom, ST_PointOnSurface(g)) LIMIT 1), wijk)
$$;
