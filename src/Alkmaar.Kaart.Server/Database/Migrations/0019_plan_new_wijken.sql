-- A plan may make a new wijk (issue 18: planners split or regroup wijken): its code and name, until the plan is
-- published as a boundary version whose gebiedsindeling then names it like every other wijk.
ALTER TABLE boundary_plan ADD COLUMN new_wijken jsonb NOT NULL DEFAULT '{}';
