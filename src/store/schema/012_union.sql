-- What a union, facing an employer, needs kept.
-- A member's contracted hours a week (NULL: full time, 37), for the
-- facility time return's full-time equivalents and percentages.
ALTER TABLE members ADD COLUMN contract_hours REAL;

-- The employer's clock: an action waiting on the employer was asked
-- for on asked_on and promised for promised_on (YYYY-MM-DD); chased is
-- the promise its owner was last chased about.
ALTER TABLE actions ADD COLUMN asked_on TEXT;
ALTER TABLE actions ADD COLUMN promised_on TEXT;
ALTER TABLE actions ADD COLUMN chased TEXT;

-- A read-only feed of what the employer owes, given to the employer
-- side by the union's choice: the hash of its secret; one in force.
CREATE TABLE employer_feeds (
	id		INTEGER PRIMARY KEY,
	hash		TEXT NOT NULL UNIQUE,
	created		INTEGER NOT NULL,
	revoked		INTEGER
);

-- The quorum forecast: a warning sent once per meeting (occurrence)
-- that looked inquorate; and, after it, whether it was quorate.
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

PRAGMA user_version = 12;
