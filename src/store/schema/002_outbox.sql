-- The mail outbox: every message quorum sends is a row first, so that
-- none is lost when the mail server is down, and the claim (a token and
-- a time) lets one sender at a time take it, so none goes twice.
CREATE TABLE outbox (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL,		-- digest, welcome, signin, ...
	member		INTEGER REFERENCES members(id),
	recipient	TEXT NOT NULL,		-- the e-mail address
	name		TEXT,			-- the recipient's name
	subject		TEXT NOT NULL,
	body		TEXT NOT NULL,		-- text/plain, UTF-8
	created		INTEGER NOT NULL,
	status		TEXT NOT NULL DEFAULT 'queued' CHECK (status IN
			('queued', 'sending', 'sent', 'failed')),
	attempts	INTEGER NOT NULL DEFAULT 0,
	next_at		INTEGER NOT NULL,	-- due from then
	claim		TEXT,			-- the sender that took it
	claimed_at	INTEGER,
	sent_at		INTEGER,
	last_error	TEXT
);
CREATE INDEX outbox_due ON outbox(status, next_at);
CREATE INDEX outbox_by_member ON outbox(member);

PRAGMA user_version = 2;
