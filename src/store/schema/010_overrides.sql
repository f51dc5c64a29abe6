-- One occurrence of a series changed on its own (RECURRENCE-ID): moved,
-- given another place, or cancelled.  occurrence is the key the series
-- gives it (its local start there), which answers and attendance keep.
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

PRAGMA user_version = 10;
