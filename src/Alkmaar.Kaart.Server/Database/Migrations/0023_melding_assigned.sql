-- People in a team (issue 29): a melding can be assigned to one member of its gebiedsteam ("Mijn meldingen"); the
-- history keeps each (re)assignment.
ALTER TABLE melding ADD COLUMN assigned_to text;
CREATE INDEX melding_assigned ON melding (assigned_to, created_at DESC) WHERE assigned_to IS NOT NULL;
ALTER TABLE melding_routing DROP CONSTRAINT melding_routing_history_kind;
ALTER TABLE melding_routing ADD CONSTRAINT melding_routing_history_kind
    CHECK (kind IN ('inside', 'near', 'override', 'status', 'forward', 'assign'));
