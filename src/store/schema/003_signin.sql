-- Signing in by e-mail: a one-time link (stored as its hash) becomes a
-- session (stored as its hash, with the CSRF token of its forms).
CREATE TABLE signin_links (
	id		INTEGER PRIMARY KEY,
	member		INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	hash		TEXT NOT NULL UNIQUE,
	created		INTEGER NOT NULL,
	expires		INTEGER NOT NULL,
	used_at		INTEGER
);
CREATE INDEX signin_links_by_member ON signin_links(member);

CREATE TABLE sessions (
	id		INTEGER PRIMARY KEY,
	member		INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	hash		TEXT NOT NULL UNIQUE,
	csrf		TEXT NOT NULL,
	created		INTEGER NOT NULL,
	last_seen	INTEGER NOT NULL,
	expires		INTEGER NOT NULL,	-- the absolute end
	revoked		INTEGER,
	agent		TEXT,			-- the browser, to tell them apart
	-- the member's feed token for this browser's page, sealed with a
	-- key only the browser's cookie gives: the database alone cannot
	-- show it
	feed_token	INTEGER REFERENCES tokens(id),
	feed_box	TEXT
);
CREATE INDEX sessions_by_member ON sessions(member);

PRAGMA user_version = 3;
