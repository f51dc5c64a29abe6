-- quorum's database at schema version 12 (make.py)
BEGIN TRANSACTION;
CREATE TABLE action_history (
	id		INTEGER PRIMARY KEY,
	action		INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
	at		INTEGER NOT NULL,
	actor		TEXT NOT NULL,
	status		TEXT NOT NULL,
	note		TEXT
);
INSERT INTO "action_history" VALUES(1,1,1790000500,'tania@napo.example','open',NULL);
INSERT INTO "action_history" VALUES(2,1,1790000600,'tania@napo.example','waiting','asked HR');
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
, asked_on TEXT, promised_on TEXT, chased TEXT);
INSERT INTO "actions" VALUES(1,1,'Send the job description',NULL,2,'employer','2027-01-20','waiting',1790000500,1790000600,NULL,NULL,NULL,NULL);
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
	recorded_at	INTEGER NOT NULL, offered_until INTEGER, offer_hash TEXT,
	PRIMARY KEY (event, occurrence, member)
);
INSERT INTO "attendance" VALUES(1,'2027-01-05T10:00:00',2,'accepted',0,1790000300,'present',NULL,1799143300,1,1799143300,NULL,NULL);
INSERT INTO "attendance" VALUES(1,'2027-01-19T10:00:00',2,'declined',0,1790000400,'apologies','Court',NULL,2,1790000400,NULL,NULL);
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
INSERT INTO "audiences" VALUES('all-members','All members','Everyone','public','#1b5e20',NULL,60);
INSERT INTO "audiences" VALUES('reps','Reps','Workplace reps','members',NULL,'all-members',60);
CREATE TABLE audit (
	id		INTEGER PRIMARY KEY,
	at		INTEGER NOT NULL,
	actor		TEXT NOT NULL,
	verb		TEXT NOT NULL,
	object		TEXT NOT NULL,
	detail		TEXT
);
INSERT INTO "audit" VALUES(1,1790000000,'cli','event.create','event/1','JES panel');
CREATE TABLE door_codes (
	event		INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	occurrence	TEXT NOT NULL,		-- "" for a one-off meeting
	code		TEXT NOT NULL UNIQUE,
	created_by	INTEGER,
	created		INTEGER NOT NULL,
	PRIMARY KEY (event, occurrence)
);
CREATE TABLE employer_feeds (
	id		INTEGER PRIMARY KEY,
	hash		TEXT NOT NULL UNIQUE,
	created		INTEGER NOT NULL,
	revoked		INTEGER
);
CREATE TABLE event_audiences (
	event		INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	audience	TEXT NOT NULL REFERENCES audiences(slug),
	PRIMARY KEY (event, audience)
);
INSERT INTO "event_audiences" VALUES(1,'reps');
INSERT INTO "event_audiences" VALUES(2,'all-members');
CREATE TABLE event_hosts (
	event		INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	member		INTEGER NOT NULL REFERENCES members(id),
	PRIMARY KEY (event, member)
);
INSERT INTO "event_hosts" VALUES(1,1);
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
, room TEXT);
INSERT INTO "events" VALUES(1,'jes-weekly@upgrade','jes_panel','JES panel','Job evaluation','Room 4',NULL,'Europe/London','2027-01-05T10:00:00','2027-01-05T12:00:00',0,'FREQ=WEEKLY;COUNT=4','2027-01-12T10:00:00','confirmed',2,10,3,'tania@napo.example',NULL,1790000000,1790000100,1799143200,1799150400,1800964800,NULL);
INSERT INTO "events" VALUES(2,'briefing@upgrade','member_briefing','Pay briefing',NULL,'Online','https://meet.example/pay','Europe/London','2027-02-01T18:00:00','2027-02-01T19:00:00',0,NULL,NULL,'cancelled',1,0,0,NULL,1,1790000000,1790000200,1801504800,1801508400,1801508400,NULL);
CREATE TABLE invitation_optouts (
	member		INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	audience	TEXT NOT NULL,
	PRIMARY KEY (member, audience)
);
CREATE TABLE invitations (
	event		INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	member		INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	sequence	INTEGER NOT NULL,	-- the last one sent
	hash		TEXT NOT NULL UNIQUE,	-- of the answer links' secret
	created		INTEGER NOT NULL,
	PRIMARY KEY (event, member)
);
CREATE TABLE member_audiences (
	member		INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	audience	TEXT NOT NULL REFERENCES audiences(slug),
	PRIMARY KEY (member, audience)
);
INSERT INTO "member_audiences" VALUES(2,'reps');
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
, work_hours TEXT, reminders TEXT, feed_alarm TEXT, contract_hours REAL);
INSERT INTO "members" VALUES(1,'Tania Bassett','tania@napo.example','N-1','official','Cymru',1,1790000000,NULL,NULL,NULL,NULL);
INSERT INTO "members" VALUES(2,'Sam Okafor','sam@napo.example','N-2','rep',NULL,1,1790000000,NULL,NULL,NULL,NULL);
CREATE TABLE meta (
	key		TEXT PRIMARY KEY,
	value		INTEGER NOT NULL
);
INSERT INTO "meta" VALUES('data_version',7);
INSERT INTO "meta" VALUES('changed_at',0);
CREATE TABLE note_revisions (
	id		INTEGER PRIMARY KEY,
	event		INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	text		TEXT NOT NULL,
	at		INTEGER NOT NULL,
	actor		TEXT NOT NULL
);
INSERT INTO "note_revisions" VALUES(1,1,'Apologies: none.',1799150000,'tania@napo.example');
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
, calendar TEXT, method TEXT);
CREATE TABLE overrides (
	event		INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	occurrence	TEXT NOT NULL,
	start_local	TEXT NOT NULL,
	end_local	TEXT NOT NULL,
	location	TEXT,
	cancelled	INTEGER NOT NULL DEFAULT 0,
	sequence	INTEGER NOT NULL DEFAULT 0,
	updated		INTEGER NOT NULL,
	PRIMARY KEY (event, occurrence)
) WITHOUT ROWID;
CREATE TABLE poll_answers (
	poll		INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
	member		INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	n		INTEGER NOT NULL,
	answer		TEXT NOT NULL CHECK (answer IN ('yes', 'if_need_be',
			'no')),
	at		INTEGER NOT NULL,
	PRIMARY KEY (poll, member, n)
);
CREATE TABLE poll_members (
	poll		INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
	member		INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	hash		TEXT NOT NULL UNIQUE,	-- of their link's secret
	PRIMARY KEY (poll, member)
);
CREATE TABLE poll_options (
	poll		INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
	n		INTEGER NOT NULL,	-- from 1
	start_local	TEXT NOT NULL,
	end_local	TEXT NOT NULL,
	PRIMARY KEY (poll, n)
);
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
CREATE TABLE quorum_checks (
	event		INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	occurrence	TEXT NOT NULL DEFAULT '',
	warned_at	INTEGER,
	accepted	INTEGER,	-- at the warning
	outcome		TEXT CHECK (outcome IN ('quorate', 'inquorate')),
	present		INTEGER,
	reconvened	INTEGER REFERENCES events(id),
	PRIMARY KEY (event, occurrence)
);
CREATE TABLE reminders_sent (
	event		INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	occurrence	TEXT NOT NULL,		-- "" for a one-off
	member		INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	lead		INTEGER NOT NULL,	-- seconds before the start
	sent_at		INTEGER NOT NULL,
	PRIMARY KEY (event, occurrence, member, lead)
);
CREATE TABLE rep_scopes (
	rep		INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	audience	TEXT NOT NULL REFERENCES audiences(slug),
	PRIMARY KEY (rep, audience)
);
INSERT INTO "rep_scopes" VALUES(2,'reps');
CREATE TABLE request_keys (
	key		TEXT PRIMARY KEY,
	created		INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE rooms (
	slug		TEXT PRIMARY KEY,
	name		TEXT NOT NULL,
	address		TEXT,
	capacity	INTEGER NOT NULL DEFAULT 0
);
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
CREATE TABLE signin_links (
	id		INTEGER PRIMARY KEY,
	member		INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	hash		TEXT NOT NULL UNIQUE,
	created		INTEGER NOT NULL,
	expires		INTEGER NOT NULL,
	used_at		INTEGER
);
CREATE TABLE tokens (
	id		INTEGER PRIMARY KEY,
	member		INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	scope		TEXT NOT NULL CHECK (scope IN ('feed', 'api')),
	hash		TEXT NOT NULL UNIQUE,
	created		INTEGER NOT NULL,
	revoked		INTEGER
, level TEXT NOT NULL DEFAULT 'full'
	CHECK (level IN ('full', 'neutral', 'busy')));
INSERT INTO "tokens" VALUES(1,2,'feed','a3f1c0ffee',1790000000,NULL,'full');
CREATE INDEX events_start ON events(start_utc);
CREATE INDEX event_audiences_by_audience ON event_audiences(audience, event);
CREATE INDEX attendance_by_member ON attendance(member);
CREATE INDEX actions_by_owner ON actions(owner, status);
CREATE INDEX actions_by_event ON actions(event);
CREATE INDEX note_revisions_by_event ON note_revisions(event, id);
CREATE INDEX outbox_due ON outbox(status, next_at);
CREATE INDEX outbox_by_member ON outbox(member);
CREATE INDEX signin_links_by_member ON signin_links(member);
CREATE INDEX sessions_by_member ON sessions(member);
CREATE INDEX request_keys_by_age ON request_keys(created);
CREATE INDEX events_by_room ON events(room) WHERE room IS NOT NULL;
CREATE INDEX event_hosts_by_member ON event_hosts(member, event);
CREATE INDEX events_by_organizer ON events(lower(organizer))
	WHERE organizer IS NOT NULL;
CREATE INDEX invitations_by_member ON invitations(member);
CREATE UNIQUE INDEX attendance_by_offer ON attendance(offer_hash)
	WHERE offer_hash IS NOT NULL;
COMMIT;
PRAGMA user_version = 12;
