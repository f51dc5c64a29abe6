-- Polls: an official proposes three to five times to some members,
-- each answers yes / if need be / no through a link of their own, and
-- the official confirms one time, which makes the meeting.
CREATE TABLE polls (
	id		INTEGER PRIMARY KEY,
	title		TEXT NOT NULL,
	kind		TEXT NOT NULL,
	audiences	TEXT NOT NULL,		-- slugs, comma-separated
	tz		TEXT NOT NULL,
	location	TEXT,
	description	TEXT,
	created_by	TEXT,
	created		INTEGER NOT NULL,
	event		INTEGER REFERENCES events(id),	-- once confirmed
	closed		INTEGER
);
CREATE TABLE poll_options (
	poll		INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
	n		INTEGER NOT NULL,	-- from 1
	start_local	TEXT NOT NULL,
	end_local	TEXT NOT NULL,
	PRIMARY KEY (poll, n)
);
CREATE TABLE poll_members (
	poll		INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
	member		INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	hash		TEXT NOT NULL UNIQUE,	-- of their link's secret
	PRIMARY KEY (poll, member)
);
CREATE TABLE poll_answers (
	poll		INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
	member		INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	n		INTEGER NOT NULL,
	answer		TEXT NOT NULL CHECK (answer IN ('yes', 'if_need_be',
			'no')),
	at		INTEGER NOT NULL,
	PRIMARY KEY (poll, member, n)
);

PRAGMA user_version = 7;
