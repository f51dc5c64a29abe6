-- quorum schema, version 1: audiences, events, members, attendance,
-- actions, tokens and the audit log.
CREATE TABLE audiences (
	slug		TEXT PRIMARY KEY,
	name		TEXT NOT NULL,
	description	TEXT NOT NULL DEFAULT '',
	visibility	TEXT NOT NULL
			CHECK (visibility IN ('public', 'members', 'officials')),
	colour		TEXT,
	parent		TEXT REFERENCES audiences(slug),
	refresh_minutes	INTEGER NOT NULL DEFAULT 60
);

CREATE TABLE members (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL,
	email		TEXT NOT NULL UNIQUE COLLATE NOCASE,
	number		TEXT UNIQUE,		-- membership number
	role		TEXT NOT NULL
			CHECK (role IN ('member', 'rep', 'official', 'admin')),
	branch		TEXT,
	active		INTEGER NOT NULL DEFAULT 1,
	created		INTEGER NOT NULL
);

CREATE TABLE member_audiences (
	member		INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	audience	TEXT NOT NULL REFERENCES audiences(slug),
	PRIMARY KEY (member, audience)
);

CREATE TABLE rep_scopes (
	rep		INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	audience	TEXT NOT NULL REFERENCES audiences(slug),
	PRIMARY KEY (rep, audience)
);

CREATE TABLE events (
	id		INTEGER PRIMARY KEY,
	uid		TEXT NOT NULL UNIQUE,
	kind		TEXT NOT NULL CHECK (kind IN ('workshop', 'jes_panel',
			'employer_meeting', 'member_briefing',
			'joint_union_meeting', 'away_day', 'other')),
	title		TEXT NOT NULL,
	description	TEXT,
	location	TEXT,
	url		TEXT,
	tzid		TEXT NOT NULL,
	start_local	TEXT NOT NULL,
	end_local	TEXT NOT NULL,
	all_day		INTEGER NOT NULL DEFAULT 0,
	rrule		TEXT,
	exdates		TEXT,
	status		TEXT NOT NULL
			CHECK (status IN ('tentative', 'confirmed', 'cancelled')),
	sequence	INTEGER NOT NULL DEFAULT 0,
	capacity	INTEGER NOT NULL DEFAULT 0,
	quorum		INTEGER NOT NULL DEFAULT 0,	-- present needed
	organizer	TEXT,
	after_event	INTEGER REFERENCES events(id),
	created		INTEGER NOT NULL,
	updated		INTEGER NOT NULL,
	start_utc	INTEGER NOT NULL,
	end_utc		INTEGER NOT NULL,
	last_utc	INTEGER
);
CREATE INDEX events_start ON events(start_utc);

CREATE TABLE event_audiences (
	event		INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	audience	TEXT NOT NULL REFERENCES audiences(slug),
	PRIMARY KEY (event, audience)
);
CREATE INDEX event_audiences_by_audience ON event_audiences(audience, event);

CREATE TABLE event_hosts (
	event		INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	member		INTEGER NOT NULL REFERENCES members(id),
	PRIMARY KEY (event, member)
);

-- One row per member and occurrence ('' for a one-off event): the RSVP
-- and, separately, whether they attended; who recorded it and when.
CREATE TABLE attendance (
	event		INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	occurrence	TEXT NOT NULL DEFAULT '',
	member		INTEGER NOT NULL REFERENCES members(id),
	rsvp		TEXT NOT NULL DEFAULT 'invited' CHECK (rsvp IN
			('invited', 'accepted', 'declined', 'tentative')),
	waitlisted	INTEGER NOT NULL DEFAULT 0,
	rsvp_at		INTEGER,
	status		TEXT NOT NULL DEFAULT 'unknown' CHECK (status IN
			('unknown', 'present', 'absent', 'apologies')),
	reason		TEXT,
	checked_in_at	INTEGER,
	recorded_by	INTEGER REFERENCES members(id),
	recorded_at	INTEGER NOT NULL,
	PRIMARY KEY (event, occurrence, member)
);
CREATE INDEX attendance_by_member ON attendance(member);

-- Follow-up actions: owned by a member, or waiting on someone outside
-- (waiting_on, e.g. 'employer'), with every status change in history.
CREATE TABLE actions (
	id		INTEGER PRIMARY KEY,
	event		INTEGER REFERENCES events(id),
	title		TEXT NOT NULL,
	notes		TEXT,
	owner		INTEGER REFERENCES members(id),
	waiting_on	TEXT,
	due		TEXT,			-- YYYY-MM-DD
	status		TEXT NOT NULL DEFAULT 'open' CHECK (status IN
			('open', 'waiting', 'done', 'cancelled')),
	created		INTEGER NOT NULL,
	updated		INTEGER NOT NULL,
	completed_at	INTEGER
);
CREATE INDEX actions_by_owner ON actions(owner, status);
CREATE INDEX actions_by_event ON actions(event);

CREATE TABLE action_history (
	id		INTEGER PRIMARY KEY,
	action		INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
	at		INTEGER NOT NULL,
	actor		TEXT NOT NULL,
	status		TEXT NOT NULL,
	note		TEXT
);

-- Meeting notes (minutes), one text per event, every revision kept.
CREATE TABLE note_revisions (
	id		INTEGER PRIMARY KEY,
	event		INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	text		TEXT NOT NULL,
	at		INTEGER NOT NULL,
	actor		TEXT NOT NULL
);
CREATE INDEX note_revisions_by_event ON note_revisions(event, id);

CREATE TABLE tokens (
	id		INTEGER PRIMARY KEY,
	member		INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	scope		TEXT NOT NULL CHECK (scope IN ('feed', 'api')),
	hash		TEXT NOT NULL UNIQUE,
	created		INTEGER NOT NULL,
	revoked		INTEGER
);

CREATE TABLE audit (
	id		INTEGER PRIMARY KEY,
	at		INTEGER NOT NULL,
	actor		TEXT NOT NULL,
	verb		TEXT NOT NULL,
	object		TEXT NOT NULL,
	detail		TEXT
);

-- data_version rises with every committed write: feed caches key on it;
-- changed_at is the time of that write (a safe Last-Modified).
CREATE TABLE meta (
	key		TEXT PRIMARY KEY,
	value		INTEGER NOT NULL
);
INSERT INTO meta (key, value) VALUES ('data_version', 1);
INSERT INTO meta (key, value) VALUES ('changed_at', 0);

PRAGMA user_version = 1;
