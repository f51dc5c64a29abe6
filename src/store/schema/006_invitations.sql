-- Invitations by e-mail (iTIP over iMIP): who was invited to which
-- meeting, at which SEQUENCE, and the hash of the secret of their
-- "Going" / "Not going" links; the mail carries its text/calendar part.
CREATE TABLE invitations (
	event		INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	member		INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	sequence	INTEGER NOT NULL,	-- the last one sent
	hash		TEXT NOT NULL UNIQUE,	-- of the answer links' secret
	created		INTEGER NOT NULL,
	PRIMARY KEY (event, member)
);
CREATE INDEX invitations_by_member ON invitations(member);

-- A member who wants no invitation mail for an audience's meetings.
CREATE TABLE invitation_optouts (
	member		INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	audience	TEXT NOT NULL,
	PRIMARY KEY (member, audience)
);

ALTER TABLE outbox ADD COLUMN calendar TEXT;	-- text/calendar, or NULL
ALTER TABLE outbox ADD COLUMN method TEXT;	-- its METHOD

PRAGMA user_version = 6;
