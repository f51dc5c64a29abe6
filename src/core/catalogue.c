/*
 * catalogue.c: the feed catalogue, one INI file per audience in feeds/
 * ("feeds as code").  A malformed catalogue is refused whole, with the
 * file, the line and the reason.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "core_int.h"

struct ini_state {
	struct audience	*a;
	int		 line;		/* counted by the handler's calls */
	char		 why[256];
	int		 seen_section;
};

static int
valid_slug(const char *s)
{
	size_t	n = strlen(s);

	/* "me" and "actions" are the members' own feeds */
	if (n == 0 || n > 48 || s[0] == '-' || s[n - 1] == '-' ||
	    strcmp(s, "me") == 0 || strcmp(s, "actions") == 0)
		return 0;
	for (; *s != '\0'; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    *s != '-')
			return 0;
	return 1;
}

static int
valid_colour(const char *s)
{
	size_t	i;

	if (strlen(s) != 7 || s[0] != '#')
		return 0;
	for (i = 1; i < 7; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * Days of a window "P12M" ("P1Y", "P6M", "P2W", "P90D"; a month is a
 * twelfth of 365 days), 1 to 3650; 0 when it cannot be read.
 */
static int
parse_past(const char *v)
{
	long	n;
	char	unit, rest;
	int	days;

	if (sscanf(v, "P%ld%c%c", &n, &unit, &rest) != 2 || n < 1 ||
	    n > 3650)
		return 0;
	switch (unit) {
	case 'Y':
		days = (int)(n * 365);
		break;
	case 'M':
		days = (int)((n * 365 + 6) / 12);
		break;
	case 'W':
		days = (int)(n * 7);
		break;
	case 'D':
		days = (int)n;
		break;
	default:
		return 0;
	}
	return days >= 1 && days <= 3650 ? days : 0;
}

/* "PT1H", "PT30M", "PT1H30M", "P1D" or a number of minutes. */
static int
parse_refresh(const char *s, int *minutes)
{
	int64_t	 n;
	int	 total = 0, v;
	char	*end;

	if (parse_int64(s, &n) == 0) {
		if (n < 1 || n > 7 * 24 * 60)
			return -1;
		*minutes = (int)n;
		return 0;
	}
	if (s[0] != 'P')
		return -1;
	s++;
	if (*s != 'T') {
		v = (int)strtol(s, &end, 10);
		if (end == s || *end != 'D' || v < 1 || v > 7)
			return -1;
		total = v * 1440;
		s = end + 1;
		if (*s == '\0')
			goto done;
	}
	if (*s++ != 'T')
		return -1;
	while (*s != '\0') {
		v = (int)strtol(s, &end, 10);
		if (end == s || v < 0 || v > 10080)
			return -1;
		if (*end == 'H')
			total += v * 60;
		else if (*end == 'M')
			total += v;
		else
			return -1;
		s = end + 1;
	}
done:
	if (total < 1 || total > 7 * 24 * 60)
		return -1;
	*minutes = total;
	return 0;
}

static int
catalogue_ini_line(void *user, const char *section, const char *name,
    const char *value)
{
	struct ini_state	*s = user;
	struct audience		*a = s->a;
	char			**dst = NULL;
	int			 v;

	if (strcmp(section, "audience") != 0) {
		snprintf(s->why, sizeof(s->why), "unknown section [%s] (the "
		    "file holds one [audience] section)", section);
		return 0;
	}
	if (name == NULL)
		return 1;
	if (strcmp(name, "slug") == 0)
		dst = &a->slug;
	else if (strcmp(name, "name") == 0)
		dst = &a->name;
	else if (strcmp(name, "description") == 0)
		dst = &a->description;
	else if (strcmp(name, "colour") == 0 || strcmp(name, "color") == 0) {
		if (!valid_colour(value)) {
			snprintf(s->why, sizeof(s->why), "colour '%s' is not "
			    "of the form #rrggbb", value);
			return 0;
		}
		dst = &a->colour;
	} else if (strcmp(name, "parent") == 0) {
		if (*value == '\0')
			return 1;
		dst = &a->parent;
	} else if (strcmp(name, "visibility") == 0) {
		if ((v = model_enum_parse(visibility_names, VIS__MAX,
		    value)) < 0) {
			snprintf(s->why, sizeof(s->why), "visibility '%s' must "
			    "be public, members or officials", value);
			return 0;
		}
		a->visibility = (enum visibility)v;
		s->seen_section |= 2;
		return 1;
	} else if (strcmp(name, "past") == 0) {
		if ((a->past_days = parse_past(value)) <= 0) {
			snprintf(s->why, sizeof(s->why), "past '%s' must be how "
			    "long events stay in feeds once over: P12M, P6M, "
			    "P1Y, P90D (at least a day, at most 10 years)",
			    value);
			return 0;
		}
		return 1;
	} else if (strcmp(name, "refresh") == 0) {
		if (parse_refresh(value, &a->refresh_minutes) == -1) {
			snprintf(s->why, sizeof(s->why), "refresh '%s' must be "
			    "a duration like PT1H or PT30M (1 minute to 7 "
			    "days)", value);
			return 0;
		}
		return 1;
	} else {
		snprintf(s->why, sizeof(s->why), "unknown key '%s'", name);
		return 0;
	}
	if (*dst != NULL) {
		snprintf(s->why, sizeof(s->why), "key '%s' given twice", name);
		return 0;
	}
	if ((*dst = strdup(value)) == NULL) {
		snprintf(s->why, sizeof(s->why), "out of memory");
		return 0;
	}
	return 1;
}

static int
ini_name(const struct dirent *d)
{
	size_t	n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 4 &&
	    strcmp(d->d_name + n - 4, ".ini") == 0;
}

static int
catalogue_file(const char *dir, const char *file, struct audience *a,
    struct qrm_error *err)
{
	struct ini_state	 s;
	char			 path[4096], stem[256];
	int			 line;

	memset(&s, 0, sizeof(s));
	s.a = a;
	a->refresh_minutes = 60;
	a->visibility = VIS_MEMBERS;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	snprintf(stem, sizeof(stem), "%.*s", (int)(strlen(file) - 4), file);
	line = ini_parse(path, catalogue_ini_line, &s);
	if (line < 0)
		return qrm_seterr(err, QRM_EINVAL, "catalogue",
		    "%s: cannot be read", path);
	if (line > 0)
		return qrm_seterr(err, QRM_EINVAL, "catalogue", "%s:%d: %s",
		    path, line, s.why[0] ? s.why : "not an INI line");
	if (a->slug == NULL)
		return qrm_seterr(err, QRM_EINVAL, "catalogue",
		    "%s: missing key 'slug'", path);
	if (!valid_slug(a->slug))
		return qrm_seterr(err, QRM_EINVAL, "catalogue", "%s: slug '%s' "
		    "must be lower-case letters, digits and dashes", path,
		    a->slug);
	if (strcmp(a->slug, stem) != 0)
		return qrm_seterr(err, QRM_EINVAL, "catalogue", "%s: slug '%s' "
		    "must match the file name", path, a->slug);
	if (a->name == NULL || *a->name == '\0')
		return qrm_seterr(err, QRM_EINVAL, "catalogue",
		    "%s: missing key 'name'", path);
	if (!(s.seen_section & 2))
		return qrm_seterr(err, QRM_EINVAL, "catalogue",
		    "%s: missing key 'visibility'", path);
	if (a->parent != NULL && strcmp(a->parent, a->slug) == 0)
		return qrm_seterr(err, QRM_EINVAL, "catalogue",
		    "%s: an audience cannot be its own parent", path);
	return QRM_OK;
}

static struct audience *
find(struct audience_list *l, const char *slug)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].slug, slug) == 0)
			return &l->v[i];
	return NULL;
}

/*
 * Read every *.ini in dir into *out (the caller frees it), parents
 * before their children.  Refused whole on the first fault.
 */
int
catalogue_read(const char *dir, struct audience_list *out,
    struct qrm_error *err)
{
	struct dirent	**names = NULL;
	struct audience	 *v, *p, tmp;
	int		  n, i, rc = QRM_OK;
	size_t		  j, k, depth;

	memset(out, 0, sizeof(*out));
	if ((n = scandir(dir, &names, ini_name, alphasort)) < 0)
		return qrm_seterr(err, QRM_EINVAL, "catalogue",
		    "%s: cannot read the feed catalogue", dir);
	if (n == 0)
		rc = qrm_seterr(err, QRM_EINVAL, "catalogue",
		    "%s: no *.ini files", dir);
	if (rc == QRM_OK && (out->v = calloc((size_t)n, sizeof(*v))) == NULL)
		rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
	for (i = 0; rc == QRM_OK && i < n; i++) {
		rc = catalogue_file(dir, names[i]->d_name, &out->v[out->n],
		    err);
		out->n++;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	/* parents must exist, without cycles; sort parents first */
	for (j = 0; rc == QRM_OK && j < out->n; j++) {
		depth = 0;
		for (p = &out->v[j]; p != NULL && p->parent != NULL && rc == QRM_OK;
		    p = find(out, p->parent)) {
			if (find(out, p->parent) == NULL)
				rc = qrm_seterr(err, QRM_EINVAL, "catalogue",
				    "%s/%s.ini: parent '%s' is not in the "
				    "catalogue", dir, p->slug, p->parent);
			else if (++depth > out->n)
				rc = qrm_seterr(err, QRM_EINVAL, "catalogue",
				    "%s/%s.ini: its parents form a cycle", dir,
				    out->v[j].slug);
		}
	}
	for (j = 0; rc == QRM_OK && j < out->n; j++)
		for (k = j + 1; k < out->n; k++)
			if (out->v[j].parent != NULL &&
			    strcmp(out->v[j].parent, out->v[k].slug) == 0) {
				tmp = out->v[j];
				out->v[j] = out->v[k];
				out->v[k] = tmp;
				j--;	/* look at the moved one again */
				break;
			}
	if (rc != QRM_OK)
		audience_list_free(out);
	return rc;
}

/* One key of a room's file ([room]: slug, name, address, capacity). */
struct room_state {
	struct room	*r;
	char		 why[128];
};

static int
room_ini_line(void *user, const char *section, const char *name,
    const char *value)
{
	struct room_state	*s = user;
	int64_t			 n;
	char			**slot = NULL;

	if (strcmp(section, "room") != 0) {
		snprintf(s->why, sizeof(s->why), "the section must be [room]");
		return 0;
	}
	if (strcmp(name, "slug") == 0)
		slot = &s->r->slug;
	else if (strcmp(name, "name") == 0)
		slot = &s->r->name;
	else if (strcmp(name, "address") == 0)
		slot = &s->r->address;
	else if (strcmp(name, "capacity") == 0) {
		if (parse_int64(value, &n) == -1 || n < 0 || n > 100000) {
			snprintf(s->why, sizeof(s->why), "capacity must be a "
			    "number of people");
			return 0;
		}
		s->r->capacity = (int)n;
		return 1;
	} else {
		snprintf(s->why, sizeof(s->why), "unknown key '%s'", name);
		return 0;
	}
	free(*slot);
	return (*slot = strdup(value)) != NULL;
}

/*
 * The rooms of the catalogue: every *.ini in dir/rooms (none is no
 * room), refused whole on the first fault.
 */
int
catalogue_rooms(const char *dir, struct room_list *out,
    struct qrm_error *err)
{
	struct dirent		**names = NULL;
	struct room_state	  s;
	char			  path[4096], stem[256];
	int			  n, i, line, rc = QRM_OK;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/rooms", dir);
	if ((n = scandir(path, &names, ini_name, alphasort)) < 0)
		return QRM_OK;		/* no rooms */
	if (n > 0 && (out->v = calloc((size_t)n, sizeof(*out->v))) == NULL)
		rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
	for (i = 0; rc == QRM_OK && i < n; i++) {
		memset(&s, 0, sizeof(s));
		s.r = &out->v[out->n++];
		snprintf(path, sizeof(path), "%s/rooms/%s", dir,
		    names[i]->d_name);
		snprintf(stem, sizeof(stem), "%.*s", (int)(strlen(
		    names[i]->d_name) - 4), names[i]->d_name);
		if ((line = ini_parse(path, room_ini_line, &s)) != 0)
			rc = qrm_seterr(err, QRM_EINVAL, "catalogue",
			    "%s:%d: %s", path, line, s.why[0] ? s.why :
			    "cannot be read");
		else if (s.r->slug == NULL || !valid_slug(s.r->slug) ||
		    strcmp(s.r->slug, stem) != 0)
			rc = qrm_seterr(err, QRM_EINVAL, "catalogue", "%s: "
			    "slug must be the file's name, in lower-case "
			    "letters, digits and dashes", path);
		else if (s.r->name == NULL || *s.r->name == '\0')
			rc = qrm_seterr(err, QRM_EINVAL, "catalogue",
			    "%s: missing key 'name'", path);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc != QRM_OK)
		room_list_free(out);
	return rc;
}

/* Read the catalogue of q and write it to the database in one go. */
int
catalogue_load(struct qrm *q, struct qrm_error *err)
{
	struct audience_list	 l;
	struct room_list	 rooms;
	struct store		*st;
	size_t			 i;
	int			 rc;

	if ((rc = catalogue_read(q->feeds_dir, &l, err)) != QRM_OK)
		return rc;
	if ((rc = catalogue_rooms(q->feeds_dir, &rooms, err)) != QRM_OK) {
		audience_list_free(&l);
		return rc;
	}
	if ((st = qrm_store(q, err)) == NULL) {
		audience_list_free(&l);
		room_list_free(&rooms);
		return QRM_EDB;
	}
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		goto out;
	for (i = 0; i < l.n; i++)
		if ((rc = store_audience_upsert(st, &l.v[i], err)) != QRM_OK) {
			store_tx_rollback(st);
			goto out;
		}
	for (i = 0; i < rooms.n; i++)
		if ((rc = store_room_upsert(st, &rooms.v[i], err)) != QRM_OK) {
			store_tx_rollback(st);
			goto out;
		}
	rc = store_tx_commit(st, err);
out:
	audience_list_free(&l);
	room_list_free(&rooms);
	return rc;
}

/* The rooms an event may book. */
int
core_room_list(struct qrm *q, struct room_list *out, struct qrm_error *err)
{
	struct store	*st;

	memset(out, 0, sizeof(*out));
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	return store_room_list(st, out, err);
}
