-- The door: a change sent again (a phone that lost its signal retries)
-- is applied once, by the key the phone gave it; and the code of a
-- meeting's self check-in, which members scan at the door.
CREATE TABLE request_keys (
	key		TEXT PRIMARY KEY,
	created		INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX request_keys_by_age ON request_keys(created);

CREATE TABLE door_codes (
	event		INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	occurrence	TEXT NOT NULL,		-- "" for a one-off meeting
	code		TEXT NOT NULL UNIQUE,
	created_by	INTEGER,
	created		INTEGER NOT NULL,
	PRIMARY KEY (event, occurrence)
);
PRAGMA user_version = 4;
