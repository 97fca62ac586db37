-- Messages to residents (issue 20: submitters of verbeterpunten and applicants of initiatives are told what happened).
-- Written in the same transaction as the change they report, so a change is never without its message and a rolled-back
-- change sends nothing; a background sender delivers them by SMTP when a mail server is configured (Mail:Smtp:Host).
-- Personal data: the address and the text (which may carry a private status link) are erased once the message is sent,
-- and an unsent message is erased after Mail:KeepDays; what stays is what kind of message went out, about what, and when.
CREATE TABLE mail_outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL,
    ref_type text NOT NULL,
    ref_id text NOT NULL,
    to_address text,
    subject text NOT NULL,
    body text,
    created_at timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    sent_at timestamptz,
    failed_at timestamptz,
    erased_at timestamptz
);
-- the sender's queue: what is still to go, soonest first
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL AND erased_at IS NULL;
