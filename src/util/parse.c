/* parse.c: strict parsing of numbers, local times and HTTP dates. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "quorum/util.h"

/* A whole decimal number, nothing before or after it.  -1 otherwise. */
int
parse_int64(const char *s, int64_t *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

static int
digits(const char *s, int n, int *out)
{
	int	i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
days_in_month(int y, int m)
{
	static const int	days[] =
	    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/*
 * Parse "YYYY-MM-DD" (all_day set to 1) or "YYYY-MM-DDTHH:MM[:SS]"
 * (all_day 0) and check that the date exists.  Years 1900 to 2999 only:
 * nothing a union schedules lies outside them.  -1 when malformed.
 */
int
parse_local_datetime(const char *s, int *all_day, int *y, int *mo, int *d,
    int *h, int *mi, int *sec)
{
	size_t	len;

	if (s == NULL)
		return -1;
	len = strlen(s);
	*h = *mi = *sec = 0;
	if (len < 10 || digits(s, 4, y) || s[4] != '-' ||
	    digits(s + 5, 2, mo) || s[7] != '-' || digits(s + 8, 2, d))
		return -1;
	if (*y < 1900 || *y > 2999 || *mo < 1 || *mo > 12 || *d < 1 ||
	    *d > days_in_month(*y, *mo))
		return -1;
	if (len == 10) {
		*all_day = 1;
		return 0;
	}
	*all_day = 0;
	if ((len != 16 && len != 19) || s[10] != 'T' ||
	    digits(s + 11, 2, h) || s[13] != ':' || digits(s + 14, 2, mi))
		return -1;
	if (len == 19 && (s[16] != ':' || digits(s + 17, 2, sec)))
		return -1;
	if (*h > 23 || *mi > 59 || *sec > 59)
		return -1;
	return 0;
}

static const char *const wdays[] =
    { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const months[] =
    { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
      "Oct", "Nov", "Dec" };

/* RFC 9110 IMF-fixdate, locale-independent. */
int
http_date_format(time_t t, char *out, size_t sz)
{
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL)
		return -1;
	snprintf(out, sz, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    wdays[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return 0;
}

int
http_date_parse(const char *s, time_t *out)
{
	struct tm	tm;
	char		wd[4], mon[4];
	int		i, n = 0;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%3s, %d %3s %d %d:%d:%d GMT%n", wd, &tm.tm_mday, mon,
	    &tm.tm_year, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 7 ||
	    n == 0)
		return -1;
	for (i = 0; i < 12; i++)
		if (strcmp(mon, months[i]) == 0)
			break;
	if (i == 12)
		return -1;
	tm.tm_mon = i;
	tm.tm_year -= 1900;
	*out = timegm(&tm);
	return 0;
}

int
utc_format(int64_t t, char *out, size_t sz)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL)
		return -1;
	snprintf(out, sz, "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
	return 0;
}

/*
 * Is s[0..len) UTF-8 as RFC 3629 has it (no overlong forms, no
 * surrogates, nothing past U+10FFFF)?  0, or -1 with *bad (if not
 * NULL) the offset of the first byte that is not.
 */
int
utf8_check(const char *text, size_t len, size_t *bad)
{
	const unsigned char	*s = (const unsigned char *)text;
	size_t			 i = 0, n, k;
	unsigned char		 lo, hi;

	while (i < len) {
		lo = 0x80;
		hi = 0xbf;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			n = 1;
		else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 2;
			if (s[i] == 0xe0)
				lo = 0xa0;	/* overlong */
			else if (s[i] == 0xed)
				hi = 0x9f;	/* surrogates */
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 3;
			if (s[i] == 0xf0)
				lo = 0x90;	/* overlong */
			else if (s[i] == 0xf4)
				hi = 0x8f;	/* past U+10FFFF */
		} else
			goto fail;
		if (i + n >= len || s[i + 1] < lo || s[i + 1] > hi)
			goto fail;
		for (k = 2; k <= n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				goto fail;
		i += n + 1;
	}
	return 0;
fail:
	if (bad != NULL)
		*bad = i;
	return -1;
}

/* The value of a hexadecimal digit, or -1 for anything else. */
int
parse_hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "15 Dec 2026" from a date YYYY-MM-DD (anything else as it is) into b. */
void
date_words(struct buf *b, const char *date)
{
	int	y, m, d;

	/* the month names of HTTP dates above */
	if (sscanf(date, "%d-%d-%d", &y, &m, &d) == 3 && m >= 1 && m <= 12)
		buf_printf(b, "%d %s %d", d, months[m - 1], y);
	else
		buf_puts(b, date);
}
