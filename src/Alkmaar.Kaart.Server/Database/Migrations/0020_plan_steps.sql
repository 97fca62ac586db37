-- The undo history of a plan (issue 18 left it on the server that had the plan open): every edit as the plan before and
-- after, the counts a border move shifted and the shapes it changed, so any server (or the same one after a restart)
-- can undo and redo it. undone: taken back and not yet redone; a new edit drops those. A rebase starts a new history.
CREATE TABLE boundary_plan_step (
    plan_id     integer NOT NULL REFERENCES boundary_plan (id) ON DELETE CASCADE,
    seq         integer NOT NULL,
    undone      boolean NOT NULL DEFAULT false,
    before_plan jsonb   NOT NULL,
    after_plan  jsonb   NOT NULL,
    moves       jsonb   NOT NULL,
    shapes      jsonb,
    PRIMARY KEY (plan_id, seq)
);
