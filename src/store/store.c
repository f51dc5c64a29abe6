/*
 * store.c: the connection, its pragmas, migrations, transactions and the
 * one table of SQL statements.  Only the files of src/store include
 * sqlite3.h.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"
#include "quorum/util.h"

extern const char *const	store_migrations[];
extern const size_t		store_migrations_count;

/* a series' changed occurrences, as a JSON array of arrays, or NULL */
#define EVENT_OVERRIDES \
	"CASE WHEN e.rrule IS NULL THEN NULL ELSE (SELECT " \
	"json_group_array(json_array(occurrence, start_local, end_local, " \
	"location, cancelled, sequence, updated)) FROM (SELECT * FROM " \
	"overrides WHERE event = e.id ORDER BY occurrence)) END "

#define EVENT_COLUMNS \
	"e.id, e.uid, e.kind, e.title, e.description, e.location, e.url, " \
	"e.tzid, e.start_local, e.end_local, e.all_day, e.rrule, " \
	"e.exdates, e.status, e.sequence, e.capacity, e.organizer, " \
	"e.created, e.updated, e.start_utc, e.end_utc, e.last_utc, " \
	"e.after_event, " \
	"(SELECT group_concat(audience, ',') FROM (SELECT audience FROM " \
	"event_audiences WHERE event = e.id ORDER BY audience)), " \
	"(SELECT group_concat(member, ',') FROM (SELECT member FROM " \
	"event_hosts WHERE event = e.id ORDER BY member)), e.quorum, e.room, " \
	EVENT_OVERRIDES

#define MEMBER_COLUMNS \
	"m.id, m.name, m.email, m.number, m.role, m.branch, m.active, " \
	"(SELECT group_concat(audience, ',') FROM (SELECT audience FROM " \
	"member_audiences WHERE member = m.id ORDER BY audience)), " \
	"(SELECT group_concat(audience, ',') FROM (SELECT audience FROM " \
	"rep_scopes WHERE rep = m.id ORDER BY audience)), m.work_hours, " \
	"m.reminders, m.feed_alarm, m.contract_hours "

#define ACTION_COLUMNS \
	"x.id, x.event, x.title, x.notes, x.owner, x.waiting_on, x.due, " \
	"x.status, x.created, x.updated, x.completed_at, m.name, e.uid, " \
	"e.title, x.asked_on, x.promised_on, x.chased "
#define ACTION_FROM \
	"FROM actions x LEFT JOIN members m ON m.id = x.owner " \
	"LEFT JOIN events e ON e.id = x.event "

/*
 * waitlisted is 0, or the member's ticket on the event's waiting list:
 * tickets rise with each joining, so two who join in one second keep
 * their order.  The last column is the place in the queue (1 is next).
 */
#define ATT_COLUMNS \
	"a.event, a.occurrence, a.member, a.rsvp, a.waitlisted, a.rsvp_at, " \
	"a.status, a.reason, a.checked_in_at, a.recorded_by, a.recorded_at, " \
	"m.name, m.number, m.email, " \
	"CASE WHEN a.waitlisted > 0 THEN (SELECT count(*) FROM attendance w " \
	"WHERE w.event = a.event AND w.occurrence = a.occurrence AND " \
	"w.rsvp = 'accepted' AND w.waitlisted > 0 AND " \
	"(w.waitlisted < a.waitlisted OR (w.waitlisted = a.waitlisted AND " \
	"(coalesce(w.rsvp_at, 0) < coalesce(a.rsvp_at, 0) OR " \
	"(coalesce(w.rsvp_at, 0) = coalesce(a.rsvp_at, 0) AND " \
	"w.member <= a.member))))) ELSE 0 END, a.offered_until "

/* the same columns without audiences and hosts, which feeds never show */
#define EVENT_COLUMNS_LIGHT \
	"e.id, e.uid, e.kind, e.title, e.description, e.location, e.url, " \
	"e.tzid, e.start_local, e.end_local, e.all_day, e.rrule, " \
	"e.exdates, e.status, e.sequence, e.capacity, e.organizer, " \
	"e.created, e.updated, e.start_utc, e.end_utc, e.last_utc, " \
	"e.after_event, NULL, NULL, e.quorum, e.room, " EVENT_OVERRIDES

/*
 * Which events a list shows: ?1 ending after, ?2 starting before, ?4
 * kind, cancelled ones only when ?5 = 1, or changed since ?6, or not
 * over by ?7.
 */
#define EVENT_WHERE \
	"(?1 IS NULL OR coalesce(e.last_utc, 9223372036854775807) > ?1) " \
	"AND (?2 IS NULL OR e.start_utc < ?2) " \
	"AND (?4 IS NULL OR e.kind = ?4) " \
	"AND (e.status != 'cancelled' OR ?5 = 1 OR e.updated >= ?6 OR " \
	"coalesce(e.last_utc, 9223372036854775807) >= ?7) "

#define EVENT_OF_AUDIENCES \
	"(SELECT DISTINCT event FROM event_audiences WHERE audience IN " \
	"(SELECT value FROM json_each(?3))) ea " \
	"CROSS JOIN events e ON e.id = ea.event "

/* Every statement the store runs, prepared once per connection. */
static const char *const stmt_sql[STMT__MAX] = {
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
	[STMT_DATA_VERSION] =
	    "SELECT (SELECT value FROM meta WHERE key = 'data_version'), "
	    "(SELECT value FROM meta WHERE key = 'changed_at')",
	[STMT_DATA_VERSION_BUMP] =
	    "UPDATE meta SET value = CASE key WHEN 'data_version' THEN "
	    "value + 1 ELSE max(value, ?) END WHERE key IN ('data_version', "
	    "'changed_at')",
	[STMT_AUDIT_ADD] =
	    "INSERT INTO audit (at, actor, verb, object, detail) "
	    "VALUES (?, ?, ?, ?, ?)",
	[STMT_AUDIT_COUNT] = "SELECT count(*) FROM audit",
	[STMT_AUDIENCE_UPSERT] =
	    "INSERT INTO audiences (slug, name, description, visibility, "
	    "colour, parent, refresh_minutes, past_days) VALUES (?, ?, ?, ?, "
	    "?, ?, ?, ?) "
	    "ON CONFLICT (slug) DO UPDATE SET name = excluded.name, "
	    "description = excluded.description, "
	    "visibility = excluded.visibility, colour = excluded.colour, "
	    "parent = excluded.parent, "
	    "refresh_minutes = excluded.refresh_minutes, "
	    "past_days = excluded.past_days "
	    "WHERE (name, description, visibility, coalesce(colour, ''), "
	    "coalesce(parent, ''), refresh_minutes, coalesce(past_days, 0)) "
	    "IS NOT (excluded.name, excluded.description, excluded.visibility, "
	    "coalesce(excluded.colour, ''), coalesce(excluded.parent, ''), "
	    "excluded.refresh_minutes, coalesce(excluded.past_days, 0))",
	[STMT_AUDIENCE_GET] =
	    "SELECT slug, name, description, visibility, colour, parent, "
	    "refresh_minutes, coalesce(past_days, 0) FROM audiences "
	    "WHERE slug = ?",
	[STMT_AUDIENCE_LIST] =
	    "SELECT slug, name, description, visibility, colour, parent, "
	    "refresh_minutes, coalesce(past_days, 0) FROM audiences "
	    "ORDER BY slug",
	[STMT_AUDIENCE_LINEAGE] =
	    "WITH RECURSIVE up(slug, depth) AS (SELECT ?, 0 UNION "
	    "SELECT a.parent, up.depth + 1 FROM audiences a JOIN up "
	    "ON a.slug = up.slug WHERE a.parent IS NOT NULL AND "
	    "up.depth < 64) SELECT slug FROM up ORDER BY depth",
	[STMT_AUDIENCE_DESCENDANTS] =
	    "WITH RECURSIVE down(slug, depth) AS (SELECT ?, 0 UNION "
	    "SELECT a.slug, down.depth + 1 FROM audiences a JOIN down "
	    "ON a.parent = down.slug WHERE down.depth < 64) "
	    "SELECT slug FROM down ORDER BY depth, slug",
	[STMT_EVENT_INSERT] =
	    "INSERT INTO events (uid, kind, title, description, location, "
	    "url, tzid, start_local, end_local, all_day, rrule, exdates, "
	    "status, sequence, capacity, organizer, created, updated, "
	    "start_utc, end_utc, last_utc, after_event, quorum, room) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?)",
	[STMT_EVENT_UPDATE] =
	    "UPDATE events SET uid = ?, kind = ?, title = ?, description = ?, "
	    "location = ?, url = ?, tzid = ?, start_local = ?, end_local = ?, "
	    "all_day = ?, rrule = ?, exdates = ?, status = ?, sequence = ?, "
	    "capacity = ?, organizer = ?, created = ?, updated = ?, "
	    "start_utc = ?, end_utc = ?, last_utc = ?, after_event = ?, "
	    "quorum = ?, room = ? WHERE id = ?25",
	[STMT_EVENT_GET] =
	    "SELECT " EVENT_COLUMNS "FROM events e WHERE e.id = ?",
	[STMT_EVENT_GET_UID] =
	    "SELECT " EVENT_COLUMNS "FROM events e WHERE e.uid = ?",
	/*
	 * ?1 from, ?2 to (unix seconds; NULL: open), ?3 audience list
	 * (comma-separated slugs, NULL: all), ?4 kind (NULL: any),
	 * ?5 1 to keep cancelled events, ?6 keep cancelled ones changed
	 * since then.
	 */
	[STMT_EVENT_LIST] =
	    "SELECT " EVENT_COLUMNS "FROM events e WHERE " EVENT_WHERE
	    "ORDER BY e.start_utc, e.id",
	[STMT_EVENT_LIST_LIGHT] =
	    "SELECT " EVENT_COLUMNS_LIGHT "FROM events e WHERE " EVENT_WHERE
	    "ORDER BY e.start_utc, e.id",
	/*
	 * Of some audiences (?3, a JSON array of slugs): driven by the
	 * audience index, so that a small audience costs little in a large
	 * database.  In no order: SQLite's sorter would copy every row
	 * (a third of a 10,000-event rebuild); store_event_list() sorts.
	 */
	[STMT_EVENT_LIST_AUD] =
	    "SELECT " EVENT_COLUMNS "FROM " EVENT_OF_AUDIENCES "WHERE "
	    EVENT_WHERE,
	[STMT_EVENT_LIST_AUD_LIGHT] =
	    "SELECT " EVENT_COLUMNS_LIGHT "FROM " EVENT_OF_AUDIENCES "WHERE "
	    EVENT_WHERE,
	[STMT_EVENT_COUNT] = "SELECT count(*) FROM events",
	/* feeds' versions: see store_backup.c (?1 member, ?2, ?3) */
	[STMT_LINEAGE_SIG] =
	    "SELECT (SELECT count(*) || ':' || coalesce(max("
	    "e.updated), 0) || ':' || coalesce(sum(e.updated), 0) || ':' || "
	    "coalesce(sum(e.id * 7919 + e.sequence), 0) FROM events e WHERE "
	    "e.id IN (SELECT event FROM event_audiences WHERE audience IN "
	    "(SELECT value FROM json_each(?2)))) || '|' || (SELECT coalesce("
	    "group_concat(slug || '=' || coalesce(past_days, 0)), '') FROM "
	    "audiences WHERE slug IN (SELECT value FROM json_each(?2)))",
	[STMT_MEMBER_FEED_SIG] =
	    "SELECT (SELECT CASE WHEN ?3 THEN coalesce("
	    "group_concat(a.event || '/' || a.occurrence || '/' || (SELECT "
	    "count(*) FROM attendance w WHERE w.event = a.event AND "
	    "w.occurrence = a.occurrence AND w.rsvp = 'accepted' AND "
	    "w.waitlisted > 0 AND w.waitlisted <= a.waitlisted)), '') ELSE '' "
	    "END FROM attendance a WHERE a.member = ?1 AND a.waitlisted > 0) "
	    "|| '|' || (SELECT CASE WHEN ?3 THEN feed_rev || '/' || email || "
	    "'/' || coalesce(feed_alarm, '') ELSE '' END || '/' || action_rev "
	    "|| '/' || name || '/' || active FROM members WHERE id = ?1)",
	[STMT_EVENT_FOLLOWERS] =
	    "SELECT id FROM events WHERE after_event = ? AND "
	    "status != 'cancelled' ORDER BY id",
	[STMT_OVERRIDES_CLEAR] = "DELETE FROM overrides WHERE event = ?",
	[STMT_OVERRIDE_ADD] =
	    "INSERT INTO overrides (event, occurrence, start_local, "
	    "end_local, location, cancelled, sequence, updated) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_EVENT_AUDIENCES_CLEAR] =
	    "DELETE FROM event_audiences WHERE event = ?",
	[STMT_EVENT_AUDIENCE_ADD] =
	    "INSERT INTO event_audiences (event, audience) VALUES (?, ?)",
	[STMT_EVENT_HOSTS_CLEAR] = "DELETE FROM event_hosts WHERE event = ?",
	[STMT_EVENT_HOST_ADD] =
	    "INSERT INTO event_hosts (event, member) VALUES (?, ?)",
	[STMT_MEMBER_INSERT] =
	    "INSERT INTO members (name, email, number, role, branch, active, "
	    "created, work_hours, reminders, feed_alarm, contract_hours) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?9, ?10, ?11)",
	[STMT_MEMBER_GET] =
	    "SELECT " MEMBER_COLUMNS "FROM members m WHERE m.id = ?",
	[STMT_MEMBER_GET_EMAIL] =
	    "SELECT id FROM members WHERE email = ?",
	[STMT_MEMBER_GET_NUMBER] =
	    "SELECT id FROM members WHERE number = ?",
	[STMT_MEMBER_UPDATE] =
	    "UPDATE members SET name = ?, email = ?, number = ?, role = ?, "
	    "branch = ?, active = ?, work_hours = ?8, reminders = ?9, "
	    "feed_alarm = ?10, contract_hours = ?11 WHERE id = ?7",
	/* ?1 audience lineage below which (comma-separated, NULL: any) */
	[STMT_MEMBER_LIST] =
	    "SELECT " MEMBER_COLUMNS "FROM members m WHERE "
	    "(?1 IS NULL OR EXISTS (SELECT 1 FROM member_audiences ma "
	    "WHERE ma.member = m.id AND "
	    "instr(',' || ?1 || ',', ',' || ma.audience || ',') > 0)) "
	    "AND (?2 IS NULL OR m.role = ?2) AND (?3 = 1 OR m.active = 1) "
	    "ORDER BY m.name COLLATE NOCASE, m.id",
	[STMT_MEMBER_SCOPES_CLEAR] = "DELETE FROM rep_scopes WHERE rep = ?",
	[STMT_MEMBER_AUDIENCES_CLEAR] =
	    "DELETE FROM member_audiences WHERE member = ?",
	[STMT_MEMBER_AUDIENCE_ADD] =
	    "INSERT OR IGNORE INTO member_audiences (member, audience) "
	    "VALUES (?, ?)",
	[STMT_MEMBER_SCOPE_ADD] =
	    "INSERT OR IGNORE INTO rep_scopes (rep, audience) VALUES (?, ?)",
	[STMT_TOKEN_INSERT] =
	    "INSERT INTO tokens (member, scope, hash, created, level) "
	    "VALUES (?, ?, ?, ?, ?)",
	[STMT_TOKEN_MEMBER] =
	    "SELECT t.member, t.hash, t.level FROM tokens t JOIN members m ON "
	    "m.id = t.member WHERE t.hash = ? AND t.scope = ? AND "
	    "t.revoked IS NULL AND m.active = 1",
	[STMT_TOKEN_LIST] =
	    "SELECT id, member, scope, created, revoked, level FROM tokens "
	    "WHERE ?1 = 0 OR member = ?1 ORDER BY id",
	[STMT_TOKEN_REVOKE] =
	    "UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL",
	[STMT_TOKEN_OWNER] = "SELECT member FROM tokens WHERE id = ?",
	[STMT_ATT_GET] =
	    "SELECT " ATT_COLUMNS "FROM attendance a JOIN members m ON "
	    "m.id = a.member WHERE a.event = ? AND a.occurrence = ? AND "
	    "a.member = ?",
	[STMT_ATT_UPSERT] =
	    "INSERT INTO attendance (event, occurrence, member, rsvp, "
	    "waitlisted, rsvp_at, status, reason, checked_in_at, recorded_by, "
	    "recorded_at) VALUES (?1, ?2, ?3, ?4, CASE WHEN ?5 = 0 THEN 0 "
	    "ELSE (SELECT coalesce(max(waitlisted), 0) + 1 FROM attendance "
	    "WHERE event = ?1 AND occurrence = ?2) END, "
	    "?6, ?7, ?8, ?9, ?10, ?11) "
	    "ON CONFLICT (event, occurrence, member) DO UPDATE SET "
	    "rsvp = excluded.rsvp, waitlisted = CASE WHEN "
	    "excluded.waitlisted = 0 THEN 0 WHEN attendance.waitlisted > 0 "
	    "THEN attendance.waitlisted ELSE excluded.waitlisted END, "
	    "offered_until = CASE WHEN excluded.waitlisted = 0 THEN NULL ELSE "
	    "attendance.offered_until END, offer_hash = CASE WHEN "
	    "excluded.waitlisted = 0 THEN NULL ELSE attendance.offer_hash END, "
	    "rsvp_at = excluded.rsvp_at, status = excluded.status, "
	    "reason = excluded.reason, checked_in_at = excluded.checked_in_at, "
	    "recorded_by = excluded.recorded_by, "
	    "recorded_at = excluded.recorded_at",
	[STMT_ATT_LIST] =
	    "SELECT " ATT_COLUMNS "FROM attendance a JOIN members m ON "
	    "m.id = a.member WHERE a.event = ?1 AND (?2 IS NULL OR "
	    "a.occurrence = ?2) AND (?3 IS NULL OR a.rsvp = ?3) AND "
	    "(?4 IS NULL OR a.status = ?4) "
	    "ORDER BY a.occurrence, m.name COLLATE NOCASE, m.id",
	/* the places taken: given, or held for an offer not yet run out */
	[STMT_ATT_ACCEPTED] =
	    "SELECT count(*) FROM attendance WHERE event = ? AND "
	    "occurrence = ? AND rsvp = 'accepted' AND (waitlisted = 0 OR "
	    "offered_until > ?3)",
	[STMT_ATT_FIRST_WAITING] =
	    "SELECT member FROM attendance WHERE event = ? AND occurrence = ? "
	    "AND rsvp = 'accepted' AND waitlisted > 0 AND offered_until IS NULL "
	    "ORDER BY waitlisted, rsvp_at, member LIMIT 1",
	[STMT_ATT_PROMOTE] =
	    "UPDATE attendance SET offered_until = ?4, offer_hash = ?5 WHERE "
	    "event = ?1 AND occurrence = ?2 AND member = ?3",
	[STMT_ATT_CLAIM] =
	    "UPDATE attendance SET waitlisted = 0, offered_until = NULL, "
	    "offer_hash = NULL WHERE offer_hash = ?1 AND offered_until > ?2 "
	    "AND rsvp = 'accepted' RETURNING event, occurrence, member",
	[STMT_ATT_OFFERS_LAPSED] =
	    "SELECT event, occurrence, member FROM attendance WHERE "
	    "offered_until IS NOT NULL AND offered_until <= ?",
	/* an offer not taken: to the back of the list, and no offer */
	[STMT_ATT_OFFER_LAPSE] =
	    "UPDATE attendance SET offered_until = NULL, offer_hash = NULL, "
	    "waitlisted = (SELECT coalesce(max(waitlisted), 0) + 1 FROM "
	    "attendance WHERE event = ?1 AND occurrence = ?2) WHERE "
	    "event = ?1 AND occurrence = ?2 AND member = ?3",
	[STMT_ATT_OFFER_GET] =
	    "SELECT event, occurrence, member, offered_until FROM attendance "
	    "WHERE offer_hash = ?",
	[STMT_ATT_OF_MEMBER] =
	    "SELECT " ATT_COLUMNS "FROM attendance a JOIN members m ON "
	    "m.id = a.member WHERE a.member = ? ORDER BY a.event, a.occurrence",
	[STMT_ERASE_MEMBER] =
	    "UPDATE members SET name = 'erased member', email = 'erased-' || "
	    "id || '@erased.invalid', number = NULL, branch = NULL, "
	    "work_hours = NULL, reminders = NULL, feed_alarm = NULL, "
	    "active = 0 WHERE id = ?",
	[STMT_ERASE_AUDIENCES] = "DELETE FROM member_audiences WHERE member = ?",
	[STMT_ERASE_SCOPES] = "DELETE FROM rep_scopes WHERE rep = ?",
	[STMT_ERASE_TOKENS] = "DELETE FROM tokens WHERE member = ?",
	[STMT_ERASE_REASONS] =
	    "UPDATE attendance SET reason = NULL WHERE member = ?",
	[STMT_ERASE_OUTBOX] = "DELETE FROM outbox WHERE member = ?",
	[STMT_ERASE_SESSIONS] = "DELETE FROM sessions WHERE member = ?",
	[STMT_SIGNIN_ADD] =
	    "INSERT INTO signin_links (member, hash, created, expires) "
	    "VALUES (?, ?, ?, ?)",
	[STMT_SIGNIN_RECENT] =
	    "SELECT count(*) FROM signin_links WHERE member = ? AND created > ?",
	/* a link works once, before it expires, for an active member */
	[STMT_SIGNIN_REDEEM] =
	    "UPDATE signin_links SET used_at = ?2 WHERE hash = ?1 AND "
	    "used_at IS NULL AND expires > ?2 AND member IN "
	    "(SELECT id FROM members WHERE active = 1) RETURNING member",
	/* a member's sign-in ends: sessions revoked, unused links spent */
	[STMT_SIGNIN_END] =
	    "UPDATE signin_links SET used_at = ?2 WHERE member = ?1 AND "
	    "used_at IS NULL",
	[STMT_SESSION_ADD] =
	    "INSERT INTO sessions (member, hash, csrf, created, last_seen, "
	    "expires, agent) VALUES (?, ?, ?, ?, ?, ?, ?)",
#define SESSION_COLUMNS \
	"s.id, s.member, s.csrf, s.created, s.last_seen, s.expires, " \
	"s.revoked, s.agent "
	/* ?2 now, ?3 idle before this: gone */
	[STMT_SESSION_GET] =
	    "SELECT " SESSION_COLUMNS "FROM sessions s JOIN members m ON "
	    "m.id = s.member WHERE s.hash = ?1 AND s.revoked IS NULL AND "
	    "s.expires > ?2 AND s.last_seen > ?3 AND m.active = 1",
	[STMT_SESSION_TOUCH] = "UPDATE sessions SET last_seen = ? WHERE id = ?",
	/* the sealed feed token of a session, if it is still live */
	[STMT_SESSION_FEED_GET] =
	    "SELECT s.feed_box FROM sessions s JOIN tokens t ON "
	    "t.id = s.feed_token WHERE s.id = ? AND t.revoked IS NULL",
	[STMT_SESSION_FEED_SET] =
	    "UPDATE sessions SET feed_token = ?2, feed_box = ?3 WHERE id = ?1",
	[STMT_TOKEN_REVOKE_SCOPE] =
	    "UPDATE tokens SET revoked = ?3 WHERE member = ?1 AND scope = ?2 "
	    "AND revoked IS NULL",
	/* a request's key: no row added when it was seen before */
	[STMT_KEY_ADD] =
	    "INSERT OR IGNORE INTO request_keys (key, created) VALUES (?, ?)",
	[STMT_KEY_PURGE] = "DELETE FROM request_keys WHERE created < ?",
	[STMT_DOOR_CODE_GET] =
	    "SELECT code FROM door_codes WHERE event = ? AND occurrence = ?",
	[STMT_DOOR_CODE_ADD] =
	    "INSERT OR IGNORE INTO door_codes (event, occurrence, code, "
	    "created_by, created) VALUES (?, ?, ?, ?, ?)",
	[STMT_DOOR_CODE_FIND] =
	    "SELECT event, occurrence FROM door_codes WHERE code = ?",
	[STMT_ROOM_UPSERT] =
	    "INSERT INTO rooms (slug, name, address, capacity) VALUES "
	    "(?1, ?2, ?3, ?4) ON CONFLICT (slug) DO UPDATE SET name = ?2, "
	    "address = ?3, capacity = ?4",
	[STMT_ROOM_LIST] =
	    "SELECT slug, name, address, capacity FROM rooms ORDER BY slug",
	/*
	 * The events that may clash with one: not cancelled, not itself
	 * (?1), overlapping ?2..?3 (UTC) in some occurrence, and sharing
	 * one of the people ?4 (a JSON array of member ids: as host, or
	 * with a place) or addresses ?5 (as organiser), or the room ?6.
	 */
	[STMT_EVENT_CLASHES] =
	    "SELECT " EVENT_COLUMNS "FROM events e WHERE e.id IN ("
	    "SELECT event FROM event_hosts WHERE member IN "
	    "(SELECT value FROM json_each(?4)) UNION "
	    "SELECT event FROM attendance WHERE member IN "
	    "(SELECT value FROM json_each(?4)) AND rsvp = 'accepted' AND "
	    "waitlisted = 0 UNION "
	    "SELECT id FROM events WHERE lower(organizer) IN "
	    "(SELECT lower(value) FROM json_each(?5)) AND "
	    "organizer IS NOT NULL UNION "
	    "SELECT id FROM events WHERE room = ?6 AND room IS NOT NULL) AND "
	    "e.id != ?1 AND e.status != 'cancelled' AND "
	    "coalesce(e.last_utc, 9223372036854775807) > ?2 AND "
	    "e.start_utc < ?3 ORDER BY e.start_utc, e.id",
	/* who (of ?2, a JSON array of ids) has a place at event ?1, and when */
	[STMT_EVENT_BOOKED] =
	    "SELECT member, occurrence FROM attendance WHERE event = ?1 AND "
	    "rsvp = 'accepted' AND waitlisted = 0 AND (?2 IS NULL OR member "
	    "IN (SELECT value FROM json_each(?2)))",
	[STMT_INVITATION_PUT] =
	    "INSERT INTO invitations (event, member, sequence, hash, created) "
	    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (event, member) DO UPDATE "
	    "SET sequence = ?3, hash = ?4",
	[STMT_INVITATION_FIND] =
	    "SELECT event, member, sequence FROM invitations WHERE hash = ?",
	[STMT_INVITATION_GET] =
	    "SELECT sequence FROM invitations WHERE event = ? AND member = ?",
	[STMT_INVITEES] =
	    "SELECT i.member FROM invitations i JOIN members m ON "
	    "m.id = i.member WHERE i.event = ? AND m.active = 1 ORDER BY "
	    "i.member",
	/* has member ?1 opted out of any of the audiences ?2 (JSON)? */
	[STMT_OPTOUT_HAS] =
	    "SELECT count(*) FROM invitation_optouts WHERE member = ?1 AND "
	    "audience IN (SELECT value FROM json_each(?2))",
	[STMT_OPTOUT_CLEAR] = "DELETE FROM invitation_optouts WHERE member = ?",
	[STMT_OPTOUT_ADD] =
	    "INSERT OR IGNORE INTO invitation_optouts (member, audience) "
	    "VALUES (?, ?)",
	[STMT_OPTOUT_LIST] =
	    "SELECT audience FROM invitation_optouts WHERE member = ? ORDER "
	    "BY audience",
	[STMT_POLL_INSERT] =
	    "INSERT INTO polls (title, kind, audiences, tz, location, "
	    "description, created_by, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_POLL_OPTION_ADD] =
	    "INSERT INTO poll_options (poll, n, start_local, end_local) VALUES "
	    "(?, ?, ?, ?)",
	[STMT_POLL_MEMBER_ADD] =
	    "INSERT INTO poll_members (poll, member, hash) VALUES (?, ?, ?)",
	[STMT_POLL_ANSWER_SET] =
	    "INSERT INTO poll_answers (poll, member, n, answer, at) VALUES "
	    "(?1, ?2, ?3, ?4, ?5) ON CONFLICT (poll, member, n) DO UPDATE SET "
	    "answer = ?4, at = ?5",
	[STMT_POLL_GET] =
	    "SELECT id, title, kind, audiences, tz, location, description, "
	    "created_by, created, event, closed FROM polls WHERE id = ?",
	[STMT_POLL_OPTIONS] =
	    "SELECT n, start_local, end_local FROM poll_options WHERE poll = ? "
	    "ORDER BY n",
	[STMT_POLL_MEMBERS] =
	    "SELECT m.id, m.name FROM poll_members p JOIN members m ON "
	    "m.id = p.member WHERE p.poll = ? ORDER BY m.name COLLATE NOCASE",
	[STMT_POLL_ANSWERS] =
	    "SELECT member, n, answer FROM poll_answers WHERE poll = ?",
	[STMT_POLL_FIND] = "SELECT poll, member FROM poll_members WHERE hash = ?",
	[STMT_POLL_CLOSE] =
	    "UPDATE polls SET event = ?2, closed = ?3 WHERE id = ?1 AND "
	    "closed IS NULL",
	[STMT_REMINDER_SENT] =
	    "SELECT count(*) FROM reminders_sent WHERE event = ? AND "
	    "occurrence = ? AND member = ? AND lead = ?",
	[STMT_REMINDER_ADD] =
	    "INSERT OR IGNORE INTO reminders_sent (event, occurrence, member, "
	    "lead, sent_at) VALUES (?, ?, ?, ?, ?)",
	[STMT_SESSION_LIST] =
	    "SELECT " SESSION_COLUMNS "FROM sessions s WHERE ?1 = 0 OR "
	    "s.member = ?1 ORDER BY s.id",
	/* ?1 a session, or 0 with ?2 every session of a member; ?3 now */
	[STMT_SESSION_REVOKE] =
	    "UPDATE sessions SET revoked = ?3 WHERE revoked IS NULL AND "
	    "(id = ?1 OR (?1 = 0 AND member = ?2))",
	/* ?1 the member's id, ?2 their email as it was */
	[STMT_ERASE_AUDIT] =
	    "UPDATE audit SET actor = 'erased member ' || ?1 WHERE actor = ?2",
	/* ?1 events over before then (UTC), ?2 occurrences before (local) */
	[STMT_PURGE_ATTENDANCE] =
	    "DELETE FROM attendance WHERE event IN (SELECT id FROM events "
	    "WHERE coalesce(last_utc, 9223372036854775807) < ?1) OR "
	    "(occurrence != '' AND occurrence < ?2)",
	/* what the audit log says of a member, or that they did */
	[STMT_AUDIT_OF] =
	    "SELECT id, at, actor, verb, object, detail FROM audit WHERE "
	    "actor = ?2 OR object = 'member/' || ?1 OR detail LIKE "
	    "'member/' || ?1 || ' %' ORDER BY id",
	[STMT_ACTION_INSERT] =
	    "INSERT INTO actions (event, title, notes, owner, waiting_on, due, "
	    "status, created, updated, completed_at, asked_on, promised_on, "
	    "chased) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?12, ?13, ?14)",
	[STMT_ACTION_UPDATE] =
	    "UPDATE actions SET event = ?, title = ?, notes = ?, owner = ?, "
	    "waiting_on = ?, due = ?, status = ?, created = ?, updated = ?, "
	    "completed_at = ?, asked_on = ?12, promised_on = ?13, chased = ?14 "
	    "WHERE id = ?11",
	[STMT_ACTION_GET] =
	    "SELECT " ACTION_COLUMNS ACTION_FROM "WHERE x.id = ?",
	/*
	 * ?1 owner, ?2 event, ?3 status (NULL: any), ?4 due before
	 * (overdue: open or waiting), ?5 closed ones kept if completed
	 * after (NULL: all), ?6 comma-separated event ids (NULL: any)
	 */
	[STMT_ACTION_LIST] =
	    "SELECT " ACTION_COLUMNS ACTION_FROM "WHERE "
	    "(?1 IS NULL OR x.owner = ?1) AND (?2 IS NULL OR x.event = ?2) "
	    "AND (?3 IS NULL OR x.status = ?3) AND (?4 IS NULL OR "
	    "(x.due IS NOT NULL AND x.due < ?4 AND x.status IN ('open', "
	    "'waiting'))) AND (?5 IS NULL OR x.status IN ('open', 'waiting') "
	    "OR x.completed_at >= ?5) AND (?6 IS NULL OR "
	    "instr(',' || ?6 || ',', ',' || x.event || ',') > 0) "
	    "ORDER BY x.due IS NULL, x.due, x.id",
	[STMT_ACTION_HISTORY_ADD] =
	    "INSERT INTO action_history (action, at, actor, status, note) "
	    "VALUES (?, ?, ?, ?, ?)",
	[STMT_ACTION_HISTORY] =
	    "SELECT at, actor, status, note FROM action_history "
	    "WHERE action = ? ORDER BY id",
	[STMT_NOTE_ADD] =
	    "INSERT INTO note_revisions (event, text, at, actor) "
	    "VALUES (?, ?, ?, ?)",
	[STMT_NOTE_REVISIONS] =
	    "SELECT id, text, at, actor FROM note_revisions WHERE event = ? "
	    "ORDER BY id DESC LIMIT ?",
#define OUTBOX_COLUMNS \
	"id, kind, member, recipient, name, subject, body, created, status, " \
	"attempts, next_at, claimed_at, sent_at, last_error, calendar, method "
	[STMT_OUTBOX_ADD] =
	    "INSERT INTO outbox (kind, member, recipient, name, subject, body, "
	    "created, next_at, calendar, method) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7, ?7, ?8, ?9)",
	/* ?1 now, ?2 claims older than this are taken again (a sender died) */
	[STMT_OUTBOX_DUE] =
	    "SELECT id FROM outbox WHERE (status = 'queued' AND next_at <= ?1) "
	    "OR (status = 'sending' AND claimed_at < ?2) "
	    "ORDER BY next_at, id LIMIT 1",
	[STMT_OUTBOX_CLAIM] =
	    "UPDATE outbox SET status = 'sending', claim = ?2, claimed_at = ?3, "
	    "attempts = attempts + 1 WHERE id = ?1 RETURNING " OUTBOX_COLUMNS,
	[STMT_OUTBOX_SENT] =
	    "UPDATE outbox SET status = 'sent', sent_at = ?3, last_error = NULL "
	    "WHERE id = ?1 AND claim = ?2 AND status = 'sending'",
	/* ?4 the next try, ?5 the error, ?6 1 to give up */
	[STMT_OUTBOX_FAILED] =
	    "UPDATE outbox SET status = CASE WHEN ?6 THEN 'failed' ELSE "
	    "'queued' END, next_at = ?4, last_error = ?5, claim = NULL "
	    "WHERE id = ?1 AND claim = ?2 AND status = 'sending' AND ?3 = ?3",
	[STMT_OUTBOX_GET] = "SELECT " OUTBOX_COLUMNS "FROM outbox WHERE id = ?",
	[STMT_OUTBOX_LIST] =
	    "SELECT " OUTBOX_COLUMNS "FROM outbox WHERE ?1 IS NULL OR "
	    "status = ?1 ORDER BY id DESC LIMIT ?2",
	/* ?1 an id, or 0 for every failed one; ?2 now */
	[STMT_OUTBOX_RETRY] =
	    "UPDATE outbox SET status = 'queued', next_at = ?2, attempts = 0, "
	    "claim = NULL WHERE status IN ('queued', 'failed') AND "
	    "(id = ?1 OR (?1 = 0 AND status = 'failed'))",
	/* since 0: the newest ?2; else the ?2 after ?1; oldest first */
	[STMT_AUDIT_LIST] =
	    "SELECT * FROM (SELECT id, at, actor, verb, object, detail "
	    "FROM audit WHERE id > ?1 ORDER BY CASE WHEN ?1 = 0 THEN -id "
	    "ELSE id END LIMIT ?2) ORDER BY id",
};

static int
atoi_safe(const char *s)
{
	int64_t	v;

	return parse_int64(s, &v) == 0 ? (int)v : -1;
}

/* Log the connection's last error and record it as QRM_EDB. */
int
store_dberr(struct store *st, struct qrm_error *err, const char *what)
{
	const char	*msg = st->db ? sqlite3_errmsg(st->db) : "no database";

	log_warn("sqlite: %s: %s", what, msg);
	return qrm_seterr(err, QRM_EDB, "", "database error while %s: %s",
	    what, msg);
}

/* The statement, reset and with no bindings; NULL (and err) on failure. */
sqlite3_stmt *
store_stmt(struct store *st, enum stmt id, struct qrm_error *err)
{
	sqlite3_stmt	*s = st->stmts[id];

	if (s == NULL) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[id], -1,
		    SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
			store_dberr(st, err, "preparing a statement");
			return NULL;
		}
		st->stmts[id] = s;
		return s;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

int
store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

/* A copy of a text column (caller frees), or NULL for SQL NULL. */
char *
store_col_text(sqlite3_stmt *s, int i)
{
	const unsigned char	*t = sqlite3_column_text(s, i);

	return t == NULL ? NULL : strdup((const char *)t);
}

/*
 * After a step that wanted one row (its columns read): reset s, and say
 * whether the row was there, with missing as the answer when it was not.
 */
int
store_row_end(struct store *st, sqlite3_stmt *s, int rc,
    struct qrm_error *err, const char *field, const char *missing,
    const char *what)
{
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return QRM_OK;
	if (rc == SQLITE_DONE)
		return qrm_seterr(err, QRM_ENOTFOUND, field, "%s", missing);
	return store_dberr(st, err, what);
}

/* Step a statement that returns no rows. */
int
store_step_done(struct store *st, sqlite3_stmt *s, struct qrm_error *err,
    const char *what)
{
	int	rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return QRM_OK;
	if (rc == SQLITE_CONSTRAINT)
		return qrm_seterr(err, QRM_ECONFLICT, "",
		    "%s conflicts with existing data: %s", what,
		    sqlite3_errmsg(st->db));
	return store_dberr(st, err, what);
}

static int
store_exec(struct store *st, const char *sql, struct qrm_error *err,
    const char *what)
{
	char	*msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_warn("sqlite: %s: %s", what, msg ? msg : "?");
		qrm_seterr(err, QRM_EDB, "", "database error while %s: %s",
		    what, msg ? msg : "?");
		sqlite3_free(msg);
		return QRM_EDB;
	}
	return QRM_OK;
}

int
store_schema_version(struct store *st, int *version)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = QRM_EDB;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s,
	    NULL) != SQLITE_OK)
		return QRM_EDB;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*version = sqlite3_column_int(s, 0);
		rc = QRM_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/*
 * Bring the schema up to date.  Migration i (from 0) sets user_version
 * to i + 1 itself; each runs in its own immediate transaction, so two
 * processes starting at once do not both apply it.
 */
static int
store_migrate(struct store *st, struct qrm_error *err)
{
	int	version, rc;
	size_t	i;

	for (;;) {
		if ((rc = store_exec(st, "BEGIN IMMEDIATE", err,
		    "starting a migration")) != QRM_OK)
			return rc;
		if (store_schema_version(st, &version) != QRM_OK) {
			store_exec(st, "ROLLBACK", NULL, "rollback");
			return store_dberr(st, err, "reading user_version");
		}
		if (version < 0 || (size_t)version > store_migrations_count) {
			store_exec(st, "ROLLBACK", NULL, "rollback");
			return qrm_seterr(err, QRM_EDB, "", "database schema "
			    "version %d is newer than this quorum (%zu)",
			    version, store_migrations_count);
		}
		if ((size_t)version == store_migrations_count)
			return store_exec(st, "COMMIT", err, "commit");
		i = (size_t)version;
		if ((rc = store_exec(st, store_migrations[i], err,
		    "applying a migration")) != QRM_OK ||
		    (rc = store_exec(st, "COMMIT", err, "commit")) != QRM_OK) {
			store_exec(st, "ROLLBACK", NULL, "rollback");
			return rc;
		}
		log_debug("database migrated to schema version %zu", i + 1);
	}
}

/*
 * Open (creating if need be) the database at path, set its pragmas and
 * apply pending migrations.  The caller frees *out with store_close().
 */
int
store_open(const char *path, struct store **out, struct qrm_error *err)
{
	struct store	*st;
	int		 rc;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->path = strdup(path)) == NULL) {
		free(st);
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	}
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = qrm_seterr(err, QRM_EDB, "", "cannot open database %s: %s",
		    path, st->db ? sqlite3_errmsg(st->db) : "out of memory");
		store_close(st);
		return rc;
	}
	sqlite3_busy_timeout(st->db, 10000);
	sqlite3_extended_result_codes(st->db, 0);
	if ((rc = store_exec(st, "PRAGMA journal_mode = WAL; "
	    "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; "
	    "PRAGMA secure_delete = ON", err,
	    "setting pragmas")) != QRM_OK ||
	    (rc = store_migrate(st, err)) != QRM_OK) {
		store_close(st);
		return rc;
	}
	*out = st;
	return QRM_OK;
}

void
store_close(struct store *st)
{
	size_t	i;

	if (st == NULL)
		return;
	for (i = 0; i < STMT__MAX; i++)
		sqlite3_finalize(st->stmts[i]);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

/*
 * Writers of this process take turns here before SQLite sees them.
 * Left to SQLite, a writer that finds the database locked backs off in
 * sleeps of up to 100 ms (the busy handler): with 8 clients writing,
 * p99 was 700 ms.  A mutex hands over at once.  Other processes (the
 * CLI beside the daemon) still meet the busy timeout.
 */
static pthread_mutex_t	write_mu = PTHREAD_MUTEX_INITIALIZER;

static void
tx_end(struct store *st)
{
	if (st->in_tx) {
		st->in_tx = 0;
		pthread_mutex_unlock(&write_mu);
	}
}

int
store_tx_begin(struct store *st, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_BEGIN, err)) == NULL)
		return QRM_EDB;
	pthread_mutex_lock(&write_mu);
	if ((rc = store_step_done(st, s, err, "starting a transaction")) !=
	    QRM_OK) {
		pthread_mutex_unlock(&write_mu);
		return rc;
	}
	st->in_tx = 1;
	st->changes_at_begin = sqlite3_total_changes64(st->db);
	return QRM_OK;
}

static int	tx_commit(struct store *, int quiet, struct qrm_error *);

/*
 * Commit.  A transaction that changed any row also raises data_version,
 * which every cache of derived data (feeds) keys on.
 */
int
store_tx_commit(struct store *st, struct qrm_error *err)
{
	return tx_commit(st, 0, err);
}

/*
 * Commit what changes no derived data (the outbox): data_version stays,
 * and the commit hook is told so.
 */
int
store_tx_commit_quiet(struct store *st, struct qrm_error *err)
{
	return tx_commit(st, 1, err);
}

static int
tx_commit(struct store *st, int quiet, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc, wrote;

	wrote = sqlite3_total_changes64(st->db) != st->changes_at_begin;
	if (wrote && !quiet) {
		if ((s = store_stmt(st, STMT_DATA_VERSION_BUMP, err)) == NULL ||
		    sqlite3_bind_int64(s, 1, (sqlite3_int64)time(NULL)) !=
		    SQLITE_OK || (rc = store_step_done(st, s, err,
		    "bumping data_version")) != QRM_OK) {
			store_tx_rollback(st);
			return QRM_EDB;
		}
	}
	if ((s = store_stmt(st, STMT_COMMIT, err)) == NULL) {
		store_tx_rollback(st);
		return QRM_EDB;
	}
	if ((rc = store_step_done(st, s, err, "committing")) != QRM_OK) {
		store_tx_rollback(st);
		return rc;
	}
	tx_end(st);
	if (wrote && st->on_commit != NULL)
		st->on_commit(st->on_commit_arg, !quiet);
	return QRM_OK;
}

/*
 * Call fn(arg, data) after every commit that wrote: data is 0 when what
 * it wrote changes no derived data (cache upkeep).
 */
void
store_on_commit(struct store *st, void (*fn)(void *, int), void *arg)
{
	st->on_commit = fn;
	st->on_commit_arg = arg;
}

/* Undo the open transaction, if any; safe to call when there is none. */
void
store_tx_rollback(struct store *st)
{
	sqlite3_stmt	*s;

	if (sqlite3_get_autocommit(st->db)) {	/* nothing open */
		tx_end(st);
		return;
	}
	if ((s = store_stmt(st, STMT_ROLLBACK, NULL)) != NULL) {
		sqlite3_step(s);
		sqlite3_reset(s);
	}
	tx_end(st);
}

/* The one integer a statement without parameters answers. */
int
store_scalar(struct store *st, enum stmt id, int64_t *out)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, id, NULL)) == NULL)
		return QRM_EDB;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? QRM_OK : QRM_EDB;
}

static int
pragma_text(struct store *st, const char *sql, char *out, size_t sz)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = QRM_EDB;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return QRM_EDB;
	if (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(out, sz, "%s", (const char *)sqlite3_column_text(s, 0));
		rc = QRM_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/* The connection's settings as SQLite reports them, for checks. */
int
store_settings(struct store *st, struct store_settings *out)
{
	char	v[32];

	memset(out, 0, sizeof(*out));
	if (pragma_text(st, "PRAGMA journal_mode", out->journal_mode,
	    sizeof(out->journal_mode)) != QRM_OK ||
	    pragma_text(st, "PRAGMA synchronous", v, sizeof(v)) != QRM_OK)
		return QRM_EDB;
	out->synchronous = atoi_safe(v);
	if (pragma_text(st, "PRAGMA foreign_keys", v, sizeof(v)) != QRM_OK)
		return QRM_EDB;
	out->foreign_keys = atoi_safe(v);
	if (pragma_text(st, "PRAGMA busy_timeout", v, sizeof(v)) != QRM_OK)
		return QRM_EDB;
	out->busy_timeout_ms = atoi_safe(v);
	return store_schema_version(st, &out->schema_version);
}

/*
 * The data version (it rises with every committed write) and the time
 * of that write; changed_at may be NULL.
 */
int
store_data_version(struct store *st, int64_t *out, int64_t *changed_at)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_DATA_VERSION, NULL)) == NULL)
		return QRM_EDB;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		if (changed_at != NULL)
			*changed_at = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? QRM_OK : QRM_EDB;
}

/* Append to the audit log (inside the caller's transaction). */
int
store_audit_add(struct store *st, const char *actor, const char *verb,
    const char *object, const char *detail, struct qrm_error *err)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, STMT_AUDIT_ADD, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)time(NULL));
	store_bind_text(s, 2, actor);
	store_bind_text(s, 3, verb);
	store_bind_text(s, 4, object);
	store_bind_text(s, 5, detail);
	return store_step_done(st, s, err, "writing the audit log");
}

/* Step s (bound by the caller) and hand each audit row to fn. */
static int
audit_rows(struct store *st, sqlite3_stmt *s,
    int (*fn)(void *, const struct audit_row *), void *arg,
    struct qrm_error *err)
{
	struct audit_row	row;
	int			rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.id = sqlite3_column_int64(s, 0);
		row.at = sqlite3_column_int64(s, 1);
		row.actor = (const char *)sqlite3_column_text(s, 2);
		row.verb = (const char *)sqlite3_column_text(s, 3);
		row.object = (const char *)sqlite3_column_text(s, 4);
		row.detail = (const char *)sqlite3_column_text(s, 5);
		if (fn(arg, &row) != 0)
			break;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_dberr(st, err, "reading the audit log");
	return QRM_OK;
}

/*
 * Audit rows, oldest first, at most limit: the newest ones when since
 * is 0, else those after id since (paging forward); each row goes
 * to fn (which returns 0 to go on).
 */
int
store_audit_list(struct store *st, int64_t since, int limit,
    int (*fn)(void *, const struct audit_row *), void *arg,
    struct qrm_error *err)
{
	sqlite3_stmt		*s;

	if ((s = store_stmt(st, STMT_AUDIT_LIST, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, since);
	sqlite3_bind_int(s, 2, limit);
	return audit_rows(st, s, fn, arg, err);
}

int
store_audit_count(struct store *st, int64_t *out)
{
	return store_scalar(st, STMT_AUDIT_COUNT, out);
}

/*
 * Remove a member's personal data, keeping the anonymous row so that
 * attendance counts stand.  Inside a transaction; the database runs with
 * secure_delete, and store_checkpoint() afterwards clears the WAL.
 */
int
store_member_erase(struct store *st, int64_t id, const char *email,
    struct qrm_error *err)
{
	static const enum stmt	steps[] = { STMT_ERASE_MEMBER,
	    STMT_ERASE_AUDIENCES, STMT_ERASE_SCOPES, STMT_ERASE_TOKENS,
	    STMT_ERASE_REASONS, STMT_ERASE_OUTBOX, STMT_ERASE_SESSIONS };
	sqlite3_stmt		*s;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if ((s = store_stmt(st, steps[i], err)) == NULL)
			return QRM_EDB;
		sqlite3_bind_int64(s, 1, id);
		if ((rc = store_step_done(st, s, err, "erasing a member")))
			return rc;
	}
	if ((s = store_stmt(st, STMT_ERASE_AUDIT, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, id);
	store_bind_text(s, 2, email);
	return store_step_done(st, s, err, "erasing a member");
}

/* Delete attendance older than the cutoff; *n is how many rows. */
int
store_attendance_purge(struct store *st, int64_t before_utc,
    const char *before_local, int64_t *n, struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, STMT_PURGE_ATTENDANCE, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, before_utc);
	store_bind_text(s, 2, before_local);
	if ((rc = store_step_done(st, s, err, "purging attendance")))
		return rc;
	*n = sqlite3_changes64(st->db);
	return QRM_OK;
}

/* The audit rows about member id or done by email. */
int
store_audit_of(struct store *st, int64_t id, const char *email,
    int (*fn)(void *, const struct audit_row *), void *arg,
    struct qrm_error *err)
{
	sqlite3_stmt		*s;

	if ((s = store_stmt(st, STMT_AUDIT_OF, err)) == NULL)
		return QRM_EDB;
	sqlite3_bind_int64(s, 1, id);
	store_bind_text(s, 2, email);
	return audit_rows(st, s, fn, arg, err);
}

/*
 * Copy the WAL into the database and truncate it, so that pages from
 * before an erasure are no longer on disk in the -wal file.
 */
int
store_checkpoint(struct store *st, struct qrm_error *err)
{
	int	log = 0, done = 0;

	if (sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
	    &log, &done) != SQLITE_OK)
		return store_dberr(st, err, "checkpointing");
	return QRM_OK;
}

/* meta's key set to value, outside any transaction of the caller's. */
int
store_meta_set(struct store *st, const char *key, int64_t value,
    struct qrm_error *err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO meta (key, value) "
	    "VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
	    "excluded.value", -1, &s, NULL) != SQLITE_OK)
		return store_dberr(st, err, "saving a setting");
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, value);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? QRM_OK : store_dberr(st, err,
	    "saving a setting");
}

/* meta's key into *value (0 when not there). */
int
store_meta_get(struct store *st, const char *key, int64_t *value)
{
	sqlite3_stmt	*s;
	int		 rc;

	*value = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?",
	    -1, &s, NULL) != SQLITE_OK)
		return QRM_EDB;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*value = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? QRM_OK : QRM_EDB;
}
