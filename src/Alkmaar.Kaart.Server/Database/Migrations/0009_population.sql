-- Inwoners per buurt, for counts per 1,000 inwoners. Filled from CBS PC4 inwoners apportioned to buurten by area overlap
-- (method 'pc4-oppervlakte'), or from CBS kerncijfers per buurt (method 'kerncijfers'). One import replaces the table.
CREATE TABLE population (
    buurt_code  text PRIMARY KEY,
    year        integer NOT NULL CHECK (year BETWEEN 1990 AND 2100),
    inwoners    double precision NOT NULL CHECK (inwoners >= 0 AND inwoners = inwoners),
    method      text NOT NULL CHECK (method IN ('pc4-oppervlakte', 'kerncijfers')),
    source      text NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now()
);
