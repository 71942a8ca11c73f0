-- Sign-in attempts counted before the password is checked (owner: crates/accounts): an attempt
-- is counted first, so that concurrent attempts cannot all pass a limit's last free place, and
-- taken back by its token when the sign-in succeeds. Plain events have no token.
ALTER TABLE rate_event ADD COLUMN attempt TEXT;
CREATE INDEX rate_event_attempt ON rate_event (attempt);
