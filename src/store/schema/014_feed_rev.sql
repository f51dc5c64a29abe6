-- A member's own feed's revision: raised by every write to what only
-- their feed shows of their answers and attendance (the actions they
-- own raise action_rev), whatever code makes it.  Their name, address
-- and alert are read as they are.  With the
-- events of their audiences, it is the feed's version: its ETag.
ALTER TABLE members ADD COLUMN feed_rev INTEGER NOT NULL DEFAULT 0;
-- the same for the actions they own alone (their actions feed's)
ALTER TABLE members ADD COLUMN action_rev INTEGER NOT NULL DEFAULT 0;

-- (what the feed shows of a record: the answer, a waiting-list place,
-- and the date of a series it is for; a check-in or an offer shows not)
CREATE TRIGGER feed_rev_attendance_in AFTER INSERT ON attendance
	WHEN NEW.occurrence != '' OR NEW.rsvp != 'invited' OR NEW.waitlisted != 0
BEGIN
	UPDATE members SET feed_rev = feed_rev + 1 WHERE id = NEW.member;
END;
CREATE TRIGGER feed_rev_attendance_up AFTER UPDATE OF event, occurrence,
	member, rsvp, waitlisted ON attendance
	WHEN (NEW.event, NEW.occurrence, NEW.member, NEW.rsvp, NEW.waitlisted)
	    IS NOT (OLD.event, OLD.occurrence, OLD.member, OLD.rsvp,
	    OLD.waitlisted)
BEGIN
	UPDATE members SET feed_rev = feed_rev + 1
	    WHERE id IN (NEW.member, OLD.member);
END;
CREATE TRIGGER feed_rev_attendance_del AFTER DELETE ON attendance
	WHEN OLD.occurrence != '' OR OLD.rsvp != 'invited' OR OLD.waitlisted != 0
BEGIN
	UPDATE members SET feed_rev = feed_rev + 1 WHERE id = OLD.member;
END;
CREATE TRIGGER feed_rev_actions_in AFTER INSERT ON actions
BEGIN
	UPDATE members SET action_rev = action_rev + 1 WHERE id = NEW.owner;
END;
CREATE TRIGGER feed_rev_actions_up AFTER UPDATE ON actions
BEGIN
	UPDATE members SET action_rev = action_rev + 1
	    WHERE id IN (NEW.owner, OLD.owner);
END;
CREATE TRIGGER feed_rev_actions_del AFTER DELETE ON actions
BEGIN
	UPDATE members SET action_rev = action_rev + 1 WHERE id = OLD.owner;
END;

PRAGMA user_version = 14;
