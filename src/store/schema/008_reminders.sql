-- Reminders by e-mail before the meetings a member accepted: each sent
-- once (for a meeting, a date of it, a member and how long before).
CREATE TABLE reminders_sent (
	event		INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	occurrence	TEXT NOT NULL,		-- "" for a one-off
	member		INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	lead		INTEGER NOT NULL,	-- seconds before the start
	sent_at		INTEGER NOT NULL,
	PRIMARY KEY (event, occurrence, member, lead)
);

-- A member's own reminders: "P1D,PT1H", or "none"; NULL: the default.
ALTER TABLE members ADD COLUMN reminders TEXT;

-- An alert (VALARM) in the member's own feed, so long before each
-- meeting ("PT30M"); NULL: none.
ALTER TABLE members ADD COLUMN feed_alarm TEXT;

PRAGMA user_version = 8;
