-- Monitor scores per area and year (Veiligheidsmonitor, Leefbaarheid: schoon, heel, veilig, sociaal, ondernemend).
CREATE TABLE monitor_score (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    monitor          text    NOT NULL CHECK (length(monitor) BETWEEN 1 AND 100),
    indicator        text    NOT NULL CHECK (length(indicator) BETWEEN 1 AND 200),
    area_code        text    NOT NULL,
    year             integer NOT NULL CHECK (year BETWEEN 1990 AND 2100),
    value            double precision NOT NULL CHECK (value = value AND value NOT IN ('Infinity', '-Infinity')),
    unit             text    NOT NULL CHECK (length(unit) BETWEEN 1 AND 50),
    respondents      integer CHECK (respondents >= 0),
    higher_is_better boolean NOT NULL,
    demo             boolean NOT NULL DEFAULT false,
    UNIQUE (monitor, indicator, area_code, year)
);
CREATE INDEX monitor_score_lookup ON monitor_score (monitor, indicator, year);
