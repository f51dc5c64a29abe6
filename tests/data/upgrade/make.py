#!/usr/bin/python3
"""Makes the upgrade fixtures vN.sql: a database as quorum's schema
version N left it (migrations 001..N, exactly as that version applied
them), holding a little of everything version 1 knew: audiences, a
member with a token, a weekly meeting with attendance and an action with
its history, notes and the audit log.  Kept in the repository: a later
change of a migration file must not change what the fixtures are.
Run from the repository's root: tests/data/upgrade/make.py"""
import glob
import os
import sqlite3

HERE = os.path.dirname(os.path.abspath(__file__))
MIGRATIONS = sorted(glob.glob(os.path.join(HERE, "..", "..", "..", "src",
                                           "store", "schema", "*.sql")))
DATA = """
INSERT INTO audiences (slug, name, description, visibility, colour, parent,
    refresh_minutes) VALUES
 ('all-members', 'All members', 'Everyone', 'public', '#1b5e20', NULL, 60),
 ('reps', 'Reps', 'Workplace reps', 'members', NULL, 'all-members', 60);
INSERT INTO members (id, name, email, number, role, branch, active, created)
 VALUES (1, 'Tania Bassett', 'tania@napo.example', 'N-1', 'official',
         'Cymru', 1, 1790000000),
        (2, 'Sam Okafor', 'sam@napo.example', 'N-2', 'rep', NULL, 1,
         1790000000);
INSERT INTO member_audiences VALUES (2, 'reps');
INSERT INTO rep_scopes VALUES (2, 'reps');
INSERT INTO tokens (id, member, scope, hash, created) VALUES
 (1, 2, 'feed', 'a3f1c0ffee', 1790000000);
INSERT INTO events (id, uid, kind, title, description, location, url, tzid,
    start_local, end_local, all_day, rrule, exdates, status, sequence,
    capacity, quorum, organizer, after_event, created, updated, start_utc,
    end_utc, last_utc) VALUES
 (1, 'jes-weekly@upgrade', 'jes_panel', 'JES panel', 'Job evaluation',
  'Room 4', NULL, 'Europe/London', '2027-01-05T10:00:00',
  '2027-01-05T12:00:00', 0, 'FREQ=WEEKLY;COUNT=4', '2027-01-12T10:00:00',
  'confirmed', 2, 10, 3, 'tania@napo.example', NULL, 1790000000,
  1790000100, 1799143200, 1799150400, 1800964800),
 (2, 'briefing@upgrade', 'member_briefing', 'Pay briefing', NULL, 'Online',
  'https://meet.example/pay', 'Europe/London', '2027-02-01T18:00:00',
  '2027-02-01T19:00:00', 0, NULL, NULL, 'cancelled', 1, 0, 0, NULL, 1,
  1790000000, 1790000200, 1801504800, 1801508400, 1801508400);
INSERT INTO event_audiences VALUES (1, 'reps'), (2, 'all-members');
INSERT INTO event_hosts VALUES (1, 1);
INSERT INTO attendance (event, occurrence, member, rsvp, waitlisted, rsvp_at,
    status, reason, checked_in_at, recorded_by, recorded_at) VALUES
 (1, '2027-01-05T10:00:00', 2, 'accepted', 0, 1790000300, 'present', NULL,
  1799143300, 1, 1799143300),
 (1, '2027-01-19T10:00:00', 2, 'declined', 0, 1790000400, 'apologies',
  'Court', NULL, 2, 1790000400);
INSERT INTO actions (id, event, title, notes, owner, waiting_on, due, status,
    created, updated, completed_at) VALUES
 (1, 1, 'Send the job description', NULL, 2, 'employer', '2027-01-20',
  'waiting', 1790000500, 1790000600, NULL);
INSERT INTO action_history (action, at, actor, status, note) VALUES
 (1, 1790000500, 'tania@napo.example', 'open', NULL),
 (1, 1790000600, 'tania@napo.example', 'waiting', 'asked HR');
INSERT INTO note_revisions (event, text, at, actor) VALUES
 (1, 'Apologies: none.', 1799150000, 'tania@napo.example');
INSERT INTO audit (at, actor, verb, object, detail) VALUES
 (1790000000, 'cli', 'event.create', 'event/1', 'JES panel');
UPDATE meta SET value = 7 WHERE key = 'data_version';
"""

for n in range(1, len(MIGRATIONS)):
    db = sqlite3.connect(":memory:")
    for m in MIGRATIONS[:n]:
        with open(m) as f:
            db.executescript(f.read())
    db.executescript(DATA)
    assert db.execute("PRAGMA user_version").fetchone()[0] == n
    with open(os.path.join(HERE, "v%d.sql" % n), "w") as f:
        f.write("-- quorum's database at schema version %d (make.py)\n" % n)
        for line in db.iterdump():
            f.write(line + "\n")
        f.write("PRAGMA user_version = %d;\n" % n)
    db.close()
