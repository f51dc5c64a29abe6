-- Rooms: a small catalogue (feeds/rooms/*.ini), each with a capacity;
-- an event may book one, and a room is booked as a person is.
CREATE TABLE rooms (
	slug		TEXT PRIMARY KEY,
	name		TEXT NOT NULL,
	address		TEXT,
	capacity	INTEGER NOT NULL DEFAULT 0
);
ALTER TABLE events ADD COLUMN room TEXT;		-- a slug of rooms
CREATE INDEX events_by_room ON events(room) WHERE room IS NOT NULL;
-- who is booked where: the clash check and the slot finder start here
CREATE INDEX event_hosts_by_member ON event_hosts(member, event);
CREATE INDEX events_by_organizer ON events(lower(organizer))
	WHERE organizer IS NOT NULL;

-- When a member works, for the slot finder ("Mon-Fri 09:00-17:00" when
-- NULL).
ALTER TABLE members ADD COLUMN work_hours TEXT;

PRAGMA user_version = 5;
