-- Standard answers to the melder per category (issue 29, Signalen's "standaardteksten"): kept by beheerders, picked by a
-- team when it answers; '*' is an answer for every category.
CREATE TABLE standaard_antwoord (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    category    text        NOT NULL,
    title       text        NOT NULL CHECK (length(title) BETWEEN 1 AND 80),
    text        text        NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    updated_by  text        NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX standaard_antwoord_category ON standaard_antwoord (category, title);
