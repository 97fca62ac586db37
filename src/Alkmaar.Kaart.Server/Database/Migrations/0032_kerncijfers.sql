-- CBS Kerncijfers wijken en buurten (issue 30): per CBS code (buurt, and CBS's own wijk and gemeente rows when a kwb file
-- holds them), year and CBS column name. Several years side by side; an import replaces one year.
--   value   null when CBS kept the figure secret or unknown ("." in its files): never stored as 0
--   source  the file it came from
CREATE TABLE kerncijfer (
    code        text             NOT NULL CHECK (code ~ '^(BU|WK|GM)[0-9A-Z]+$'),
    level       text             NOT NULL CHECK (level IN ('buurt', 'wijk', 'gemeente')),
    year        integer          NOT NULL CHECK (year BETWEEN 1990 AND 2100),
    variable    text             NOT NULL CHECK (variable ~ '^[a-z][a-z0-9_]*$'),
    value       double precision CHECK (value IS NULL OR value = value),
    source      text             NOT NULL,
    imported_at timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (code, year, variable)
);
CREATE INDEX kerncijfer_variable ON kerncijfer (variable, year, level);

-- a survey's own published margin (half the 95% interval) for a score that is not a share (a rapportcijfer)
ALTER TABLE monitor_score ADD COLUMN margin double precision CHECK (margin IS NULL OR margin > 0);
