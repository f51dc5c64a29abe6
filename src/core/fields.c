/*
 * fields.c: the one reader of JSON bodies.  Each kind of object
 * (event, member, action, attendance, check-in) describes its fields in
 * a table: name, type, limits, whether it may be null or must be given.
 * fields_check() holds every body against its table, so that unknown
 * fields, types, lengths, NUL bytes, UTF-8, control characters and
 * ranges are checked in this one place, with the same messages for the
 * API and the command line.  What a value means (a date that exists, an
 * audience that does) is each module's own check afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

#define FIELD_MAX_LIST	64

static int
local_ok(const char *s, int date_only)
{
	int	ad, y, mo, d, h, mi, sec;

	if (parse_local_datetime(s, &ad, &y, &mo, &d, &h, &mi, &sec) == -1)
		return 0;
	return !date_only || (ad && strlen(s) == 10);
}

/* One string value against f: length, NUL, UTF-8, control characters. */
static int
text_check(const struct field *f, const char *name, const json_t *v,
    struct qrm_error *err)
{
	const unsigned char	*p;
	const char		*s = json_string_value(v);
	size_t			 len = json_string_length(v);

	if (strlen(s) != len)
		return qrm_seterr(err, QRM_EINVAL, name,
		    "%s may not contain NUL characters", name);
	if (utf8_check(s, len, NULL) == -1)
		return qrm_seterr(err, QRM_EINVAL, name, "%s must be UTF-8 text",
		    name);
	if (f->max > 0 && (int64_t)len > f->max)
		return qrm_seterr(err, QRM_EINVAL, name,
		    "%s is longer than %lld characters", name,
		    (long long)f->max);
	if (f->min > 0 && (int64_t)len < f->min)
		return qrm_seterr(err, QRM_EINVAL, name, "%s may not be empty",
		    name);
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if ((*p < 0x20 && (!(f->flags & FF_MULTILINE) ||
		    (*p != '\n' && *p != '\t' && *p != '\r'))) || *p == 0x7f)
			return qrm_seterr(err, QRM_EINVAL, name, "%s may not "
			    "contain control characters%s", name,
			    f->flags & FF_MULTILINE ? "" : " (one line only)");
	return QRM_OK;
}

static int
enum_error(const struct field *f, struct qrm_error *err)
{
	char	one_of[256] = "";
	int	k;

	for (k = 0; k < f->count; k++)
		snprintf(one_of + strlen(one_of), sizeof(one_of) -
		    strlen(one_of), "%s%s", k ? ", " : "", f->names[k]);
	return qrm_seterr(err, QRM_EINVAL, f->name, "%s must be one of: %s",
	    f->name, one_of);
}

static int
value_check(const struct field *f, const json_t *v, struct qrm_error *err)
{
	json_t		*it;
	size_t		 i;
	int64_t		 n;
	int		 rc;

	if (json_is_null(v)) {
		if (f->flags & FF_NULLABLE)
			return QRM_OK;
		return qrm_seterr(err, QRM_EINVAL, f->name,
		    "%s may not be null", f->name);
	}
	switch (f->type) {
	case FT_TEXT:
		if (!json_is_string(v))
			return qrm_seterr(err, QRM_EINVAL, f->name,
			    "%s must be text", f->name);
		return text_check(f, f->name, v, err);
	case FT_LOCAL:
	case FT_DATE:
		if (!json_is_string(v) || json_string_length(v) >=
		    LOCAL_TIME_LEN || !local_ok(json_string_value(v),
		    f->type == FT_DATE))
			return qrm_seterr(err, QRM_EINVAL, f->name, f->type ==
			    FT_DATE ? "%s must be a date YYYY-MM-DD" :
			    "%s must be a local time YYYY-MM-DDTHH:MM:SS or a "
			    "date YYYY-MM-DD", f->name);
		return QRM_OK;
	case FT_INT:
	case FT_ID:
		n = json_is_integer(v) ? json_integer_value(v) : 0;
		if (!json_is_integer(v) || n < (f->type == FT_ID ? 1 : f->min) ||
		    (f->type == FT_INT && n > f->max))
			return f->type == FT_ID ? qrm_seterr(err, QRM_EINVAL,
			    f->name, "%s must be an id (a whole number from "
			    "1)", f->name) : qrm_seterr(err, QRM_EINVAL,
			    f->name, "%s must be a whole number from %lld to "
			    "%lld", f->name, (long long)f->min,
			    (long long)f->max);
		return QRM_OK;
	case FT_BOOL:
		if (!json_is_boolean(v))
			return qrm_seterr(err, QRM_EINVAL, f->name,
			    "%s must be true or false", f->name);
		return QRM_OK;
	case FT_ENUM:
		if (!json_is_string(v) || model_enum_parse(f->names, f->count,
		    json_string_value(v)) < 0)
			return enum_error(f, err);
		return QRM_OK;
	case FT_TEXTS:
	case FT_IDS:
		if (!json_is_array(v) || json_array_size(v) > FIELD_MAX_LIST)
			return qrm_seterr(err, QRM_EINVAL, f->name, "%s must be "
			    "a list of at most %d %s", f->name, FIELD_MAX_LIST,
			    f->type == FT_IDS ? "ids" : "texts");
		json_array_foreach(v, i, it) {
			if (f->type == FT_IDS) {
				if (!json_is_integer(it) ||
				    json_integer_value(it) < 1)
					return qrm_seterr(err, QRM_EINVAL,
					    f->name, "%s must hold ids (whole "
					    "numbers from 1)", f->name);
				continue;
			}
			if (!json_is_string(it) || json_string_length(it) == 0)
				return qrm_seterr(err, QRM_EINVAL, f->name,
				    "%s must hold non-empty texts", f->name);
			if ((rc = text_check(f, f->name, it, err)) != QRM_OK)
				return rc;
		}
		return QRM_OK;
	case FT_ANY:
	default:
		return QRM_OK;
	}
}

/*
 * Hold the JSON object o against the table fields (ended by a NULL
 * name): every key must be in it, every value of its type and within
 * its limits; with create, the FF_REQUIRED fields must be given.
 * QRM_EINVAL naming the field, or QRM_OK.
 */
int
fields_check(const json_t *o, const struct field *fields, int create,
    struct qrm_error *err)
{
	const struct field	*f;
	const char		*key;
	json_t			*v;
	int			 rc;

	if (!json_is_object(o))
		return qrm_seterr(err, QRM_EINVAL, "", "the body must be a JSON "
		    "object");
	json_object_foreach((json_t *)o, key, v) {
		for (f = fields; f->name != NULL; f++)
			if (strcmp(f->name, key) == 0)
				break;
		if (f->name == NULL)
			return qrm_seterr(err, QRM_EINVAL, key,
			    "unknown field '%s'", key);
		if (!(f->flags & FF_READONLY) &&
		    (rc = value_check(f, v, err)) != QRM_OK)
			return rc;
	}
	for (f = fields; create && f->name != NULL; f++)
		if ((f->flags & FF_REQUIRED) && json_object_get(o, f->name) ==
		    NULL)
			return qrm_seterr(err, QRM_EINVAL, f->name,
			    "%s is required", f->name);
	return QRM_OK;
}

/*
 * After fields_check(): the text field key into *dst (replacing it);
 * null, or empty with empty_is_null, clears it.  Absent: unchanged.
 * -1 only when out of memory.
 */
int
fields_text(const json_t *o, const char *key, char **dst, int empty_is_null)
{
	json_t	*v = json_object_get(o, key);
	char	*s = NULL;

	if (v == NULL)
		return 0;
	if (json_is_string(v) && !(empty_is_null &&
	    json_string_length(v) == 0) &&
	    (s = strdup(json_string_value(v))) == NULL)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

/*
 * After fields_check(): the list field key into *sv (replacing it),
 * without repeats; ids as their decimal text.  Absent: unchanged.
 */
int
fields_list(const json_t *o, const char *key, struct strv *sv)
{
	json_t	*v = json_object_get(o, key), *it;
	char	 num[32];
	size_t	 i;

	if (v == NULL)
		return 0;
	strv_free(sv);
	json_array_foreach(v, i, it) {
		if (json_is_integer(it))
			snprintf(num, sizeof(num), "%lld",
			    (long long)json_integer_value(it));
		else
			snprintf(num, sizeof(num), "%s", "");
		if (strv_contains(sv, json_is_string(it) ?
		    json_string_value(it) : num))
			continue;
		if (strv_push(sv, json_is_string(it) ? json_string_value(it) :
		    num) == -1)
			return -1;
	}
	return 0;
}

/* After fields_check(): an enum field's index into *dst, if given. */
void
fields_enum(const json_t *o, const struct field *fields, const char *key,
    int *dst)
{
	const struct field	*f;
	json_t			*v = json_object_get(o, key);

	for (f = fields; f->name != NULL && strcmp(f->name, key); f++)
		;
	if (v != NULL && f->name != NULL && json_is_string(v))
		*dst = model_enum_parse(f->names, f->count,
		    json_string_value(v));
}

/* After fields_check(): an integer field (null: 0) into *dst, if given. */
void
fields_int(const json_t *o, const char *key, int64_t *dst)
{
	json_t	*v = json_object_get(o, key);

	if (v != NULL)
		*dst = json_is_integer(v) ? json_integer_value(v) : 0;
}
