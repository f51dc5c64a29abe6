/* test_parse.c: strict parsing, HTTP dates and log redaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "quorum/util.h"

static void
local_datetimes(void **state)
{
	int	ad, y, mo, d, h, mi, s;

	(void)state;
	assert_int_equal(parse_local_datetime("2027-01-30T13:00:00", &ad, &y,
	    &mo, &d, &h, &mi, &s), 0);
	assert_int_equal(ad, 0);
	assert_int_equal(y, 2027);
	assert_int_equal(h, 13);
	assert_int_equal(parse_local_datetime("2027-01-30", &ad, &y, &mo, &d,
	    &h, &mi, &s), 0);
	assert_int_equal(ad, 1);
	assert_int_equal(parse_local_datetime("2027-01-30T13:05", &ad, &y,
	    &mo, &d, &h, &mi, &s), 0);
	assert_int_equal(mi, 5);
	assert_int_equal(parse_local_datetime("2028-02-29", &ad, &y, &mo, &d,
	    &h, &mi, &s), 0);
	/* each of these is refused */
	assert_int_equal(parse_local_datetime("2027-02-29", &ad, &y, &mo, &d,
	    &h, &mi, &s), -1);
	assert_int_equal(parse_local_datetime("2027-13-01", &ad, &y, &mo, &d,
	    &h, &mi, &s), -1);
	assert_int_equal(parse_local_datetime("2027-01-30T24:00:00", &ad, &y,
	    &mo, &d, &h, &mi, &s), -1);
	assert_int_equal(parse_local_datetime("2027-01-30 13:00:00", &ad, &y,
	    &mo, &d, &h, &mi, &s), -1);
	assert_int_equal(parse_local_datetime("2027-01-30T13:00:00Z", &ad, &y,
	    &mo, &d, &h, &mi, &s), -1);
	assert_int_equal(parse_local_datetime("5000-01-01", &ad, &y, &mo, &d,
	    &h, &mi, &s), -1);
	assert_int_equal(parse_local_datetime("", &ad, &y, &mo, &d, &h, &mi,
	    &s), -1);
}

static void
numbers(void **state)
{
	int64_t	v;

	(void)state;
	assert_int_equal(parse_int64("42", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_int64("42x", &v), -1);
	assert_int_equal(parse_int64(" 42", &v), -1);
	assert_int_equal(parse_int64("", &v), -1);
	assert_int_equal(parse_int64("99999999999999999999", &v), -1);
}

static void
http_dates(void **state)
{
	char	text[64];
	time_t	t;

	(void)state;
	assert_int_equal(http_date_format(784111777, text, sizeof(text)), 0);
	assert_string_equal(text, "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_int_equal(http_date_parse(text, &t), 0);
	assert_int_equal(t, 784111777);
	assert_int_equal(http_date_parse("yesterday", &t), -1);
}

static void
redaction(void **state)
{
	char	out[128];

	(void)state;
	log_redact("/feeds/me.ics?token=SECRET123&x=1", out, sizeof(out));
	assert_string_equal(out, "/feeds/me.ics?token=REDACTED&x=1");
	assert_null(strstr(out, "SECRET"));
	log_redact("/a?mytoken=keep", out, sizeof(out));
	assert_string_equal(out, "/a?mytoken=keep");
	/* a token pasted into a path */
	log_redact("/api/v1/x/LObW41Wz-KAUDeXzapZsdbk0DuQihoJh3vvFkQe0QP8/y",
	    out, sizeof(out));
	assert_string_equal(out, "/api/v1/x/[secret]/y");
	log_redact("/feeds/programme-managers.ics", out, sizeof(out));
	assert_string_equal(out, "/feeds/programme-managers.ics");
}

static void
strvs(void **state)
{
	struct strv	sv = { 0 };
	char		*j;

	(void)state;
	assert_int_equal(strv_split(&sv, "b,,a,b", ','), 0);
	assert_int_equal(sv.n, 3);
	strv_dedup(&sv);
	assert_int_equal(sv.n, 2);
	j = strv_join(&sv, ',');
	assert_string_equal(j, "a,b");
	free(j);
	strv_free(&sv);
}

/* found by fuzz_http: an empty list joined to an unterminated string */
static void
empty_joins(void **state)
{
	struct strv	sv = { 0 };
	struct buf	b = { 0 };
	char		*j;

	(void)state;
	j = strv_join(&sv, ',');
	assert_non_null(j);
	assert_string_equal(j, "");
	free(j);
	j = buf_detach(&b);
	assert_non_null(j);
	assert_string_equal(j, "");
	free(j);
}

static void
utf8(void **state)
{
	size_t	bad = 99;

	(void)state;
	assert_int_equal(utf8_check("Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	    14, &bad), 0);
	assert_int_equal(bad, 99);
	assert_int_equal(utf8_check("ab\xbc", 3, &bad), -1);	/* stray */
	assert_int_equal(bad, 2);
	assert_int_equal(utf8_check("\xc0\xaf", 2, NULL), -1);	/* overlong */
	assert_int_equal(utf8_check("\xe0\x80\xaf", 3, NULL), -1);
	assert_int_equal(utf8_check("\xed\xa0\x80", 3, NULL), -1); /* surrogate */
	assert_int_equal(utf8_check("\xf4\x90\x80\x80", 4, NULL), -1);
	assert_int_equal(utf8_check("x\xe2\x82", 3, &bad), -1);	/* cut */
	assert_int_equal(bad, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(local_datetimes),
		cmocka_unit_test(numbers),
		cmocka_unit_test(http_dates),
		cmocka_unit_test(redaction),
		cmocka_unit_test(strvs),
		cmocka_unit_test(empty_joins),
		cmocka_unit_test(utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
