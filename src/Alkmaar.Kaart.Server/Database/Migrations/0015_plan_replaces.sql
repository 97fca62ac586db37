-- A plan replaces the latest boundary version as it was when the plan was made (or rebased): that is the version its
-- publication must still find as the latest (optimistic concurrency), and what its changes are counted against. It can
-- differ from the version the plan started from: a plan made from an older version is a roll-back.
ALTER TABLE boundary_plan ADD COLUMN replaces_version_id integer REFERENCES boundary_version (id);
UPDATE boundary_plan SET replaces_version_id = base_version_id WHERE replaces_version_id IS NULL;
ALTER TABLE boundary_plan ALTER COLUMN replaces_version_id SET NOT NULL;
