/*
 * fuzz_roundtrip: random events -> feed -> libical parse -> the same
 * events.  The bytes choose each event's zone, date, time, length,
 * recurrence and texts (with the characters iCalendar must escape, and
 * multibyte ones that folding must not split); every event that
 * validates must come back from its own feed with the same UID, times,
 * rule and texts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quorum/core.h"
#include "quorum/ical.h"
#include "quorum/util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct bytes {
	const uint8_t	*p;
	size_t		 n;
};

static unsigned int
take(struct bytes *b)
{
	if (b->n == 0)
		return 0;
	b->n--;
	return *b->p++;
}

/* Text from the bytes: letters, what iCalendar escapes, and UTF-8. */
static char *
text(struct bytes *b, size_t max)
{
	static const char *const bits[] = { "a", "Z", " ", ",", ";", "\\",
	    ":", "\"", "\n", "é", "€", "😀", "Napo", "x", "-", "'" };
	struct buf	out = { 0 };
	size_t		len = take(b) % max, i;

	for (i = 0; i < len; i++)
		buf_puts(&out, bits[take(b) % 16]);
	buf_puts(&out, "t");	/* never empty, never all blank */
	return buf_detach(&out);
}

static void
one(struct bytes *b, int i, struct event *ev)
{
	static const char *const zones[] = { "Europe/London",
	    "America/New_York", "Asia/Kolkata", "UTC", "Australia/Lord_Howe",
	    "Europe/Dublin" };
	static const char *const rules[] = { NULL, "FREQ=WEEKLY",
	    "FREQ=DAILY", "FREQ=MONTHLY;BYDAY=1TU",
	    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE", "FREQ=YEARLY" };
	char		 uid[32], rule[64];
	unsigned int	 y, mo, d, h, mi, len, r;

	memset(ev, 0, sizeof(*ev));
	snprintf(uid, sizeof(uid), "fuzz-%d@quorum", i);
	ev->uid = strdup(uid);
	ev->kind = (enum event_kind)(take(b) % KIND__MAX);
	ev->status = take(b) % 4 == 0 ? EVSTATUS_CANCELLED : EVSTATUS_CONFIRMED;
	ev->tzid = strdup(zones[take(b) % 6]);
	ev->title = text(b, 90);
	if (take(b) % 2)
		ev->description = text(b, 200);
	if (take(b) % 2)
		ev->location = text(b, 40);
	y = 2000 + take(b) % 41;
	mo = 1 + take(b) % 12;
	d = 1 + take(b) % 31;
	h = take(b) % 24;
	mi = take(b) % 60;
	len = 1 + take(b) * 7;
	ev->all_day = take(b) % 5 == 0;
	if (ev->all_day) {
		snprintf(ev->start, sizeof(ev->start), "%04u-%02u-%02u", y, mo,
		    d);
		snprintf(ev->end, sizeof(ev->end), "%04u-%02u-%02u", y, mo,
		    d < 28 ? d + len % 3 : d);
	} else {
		snprintf(ev->start, sizeof(ev->start), "%04u-%02u-%02uT%02u:"
		    "%02u:00", y, mo, d, h, mi);
		snprintf(ev->end, sizeof(ev->end), "%04u-%02u-%02uT%02u:%02u:00",
		    y, mo, d, h + (mi + len) / 60 < 24 ? h + (mi + len) / 60 :
		    23, h + (mi + len) / 60 < 24 ? (mi + len) % 60 : 59);
	}
	if ((r = take(b) % 6) != 0) {
		snprintf(rule, sizeof(rule), "%s;COUNT=%u", rules[r],
		    1 + take(b) % 20);
		ev->rrule = strdup(rule);
	}
	ev->created = ev->updated = 1700000000;
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL &&
	    strcmp(a, b) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qrm_error	 err = { 0 };
	struct bytes		 b = { data, size };
	struct event_list	 evs = { 0 }, back = { 0 };
	struct feed_meta	 meta;
	struct buf		 out = { 0 };
	size_t			 i, want = 1 + take(&b) % 8;

	if ((evs.v = calloc(want, sizeof(*evs.v))) == NULL)
		return 0;
	for (i = 0; i < want; i++) {
		one(&b, (int)i, &evs.v[evs.n]);
		if (event_validate(&evs.v[evs.n], &err) == QRM_OK)
			evs.n++;
		else
			event_clear(&evs.v[evs.n]);
	}
	memset(&meta, 0, sizeof(meta));
	meta.name = "Fuzz";
	meta.refresh_minutes = 60;
	meta.tzid = QRM_DEFAULT_TZ;
	meta.export = 1;
	if (ical_feed_build(&meta, &evs, &out, &err) != QRM_OK) {
		fprintf(stderr, "build: %s\n", err.msg);
		abort();
	}
	if (ical_import_parse(out.p, out.len, QRM_DEFAULT_TZ, &back, &err) !=
	    QRM_OK || back.n != evs.n) {
		fprintf(stderr, "parse: %s (%zu of %zu)\n%s\n", err.msg, back.n,
		    evs.n, out.p);
		abort();
	}
	for (i = 0; i < evs.n; i++) {
		struct event	*a = &evs.v[i], *c = &back.v[i];

		if (event_validate(c, &err) != QRM_OK || !same(a->uid, c->uid) ||
		    !same(a->title, c->title) ||
		    !same(a->description, c->description) ||
		    !same(a->location, c->location) ||
		    !same(a->tzid, c->tzid) || strcmp(a->start, c->start) ||
		    strcmp(a->end, c->end) || a->all_day != c->all_day ||
		    !same(a->rrule, c->rrule) || a->status != c->status ||
		    a->start_utc != c->start_utc) {
			fprintf(stderr, "event %zu differs (%s):\n%s\n", i,
			    err.msg, out.p);
			abort();
		}
	}
	buf_free(&out);
	event_list_free(&evs);
	event_list_free(&back);
	return 0;
}
