/*
 * members.c: members and their roles, audiences and scopes: JSON in and
 * out, validation, who may see and change whom, and import of a member
 * list from CSV with a report row by row.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <csv.h>

#include "core_int.h"

#define CSV_MAX_BYTES	(4u << 20)
#define CSV_MAX_ROWS	20000

/* A member as JSON: what it takes, and what it sends back read-only. */
static const struct field member_fields[] = {
	{ "id", FT_ANY, FF_READONLY, 0, 0, NULL, 0 },
	{ "name", FT_TEXT, 0, 0, 200, NULL, 0 },
	{ "email", FT_TEXT, 0, 0, 254, NULL, 0 },
	{ "number", FT_TEXT, FF_NULLABLE, 0, 32, NULL, 0 },
	{ "role", FT_ENUM, 0, 0, 0, role_names, ROLE__MAX },
	{ "branch", FT_TEXT, FF_NULLABLE, 0, 100, NULL, 0 },
	{ "work_hours", FT_TEXT, FF_NULLABLE, 0, 100, NULL, 0 },
	{ "reminders", FT_TEXT, FF_NULLABLE, 0, 100, NULL, 0 },
	{ "feed_alarm", FT_TEXT, FF_NULLABLE, 0, 20, NULL, 0 },
	{ "contract_hours", FT_ANY, FF_NULLABLE, 0, 0, NULL, 0 },
	{ "audiences", FT_TEXTS, 0, 0, 64, NULL, 0 },
	{ "scopes", FT_TEXTS, 0, 0, 64, NULL, 0 },
	{ "active", FT_BOOL, 0, 0, 0, NULL, 0 },
	{ NULL, 0, 0, 0, 0, NULL, 0 }
};

static int
valid_email(const char *e)
{
	const char	*at = strchr(e, '@');

	return at != NULL && at != e && strchr(at + 1, '.') != NULL &&
	    strchr(at + 1, '@') == NULL && strlen(e) < 255 &&
	    strpbrk(e, " \t\r\n<>,;\"") == NULL;
}

static int
valid_number(const char *n)
{
	size_t	len = strlen(n);

	if (len == 0 || len > 32)
		return 0;
	for (; *n != '\0'; n++)
		if (!isalnum((unsigned char)*n) && *n != '-' && *n != '/')
			return 0;
	return 1;
}

static int
utf8_text(const char *s)
{
	return utf8_check(s, strlen(s), NULL) == 0;
}

/* Check m as a whole; errors name the field. */
static int
member_validate(struct member *m, struct qrm_error *err)
{
	if (m->name == NULL || *m->name == '\0' || strlen(m->name) > 200)
		return qrm_seterr(err, QRM_EINVAL, "name",
		    "name is required (at most 200 characters)");
	if (m->email == NULL || !valid_email(m->email))
		return qrm_seterr(err, QRM_EINVAL, "email",
		    "email must be an address like name@example.org");
	if (m->number != NULL && !valid_number(m->number))
		return qrm_seterr(err, QRM_EINVAL, "number", "membership number "
		    "'%s' must be 1 to 32 letters, digits, '-' or '/'",
		    m->number);
	if (m->feed_alarm != NULL && (*m->feed_alarm == '\0' ||
	    strcmp(m->feed_alarm, "none") == 0)) {
		free(m->feed_alarm);
		m->feed_alarm = NULL;
	}
	if (m->feed_alarm != NULL && reminders_parse(m->feed_alarm, NULL) !=
	    1)
		return qrm_seterr(err, QRM_EINVAL, "feed_alarm", "feed_alarm "
		    "must be how long before, such as 'PT30M' or 'P1D'");
	if (m->reminders != NULL && reminders_parse(m->reminders, NULL) == -1)
		return qrm_seterr(err, QRM_EINVAL, "reminders", "reminders must "
		    "be how long before, such as 'P1D,PT1H', or 'none'");
	if (m->work_hours != NULL && work_hours_parse(m->work_hours, NULL) ==
	    -1)
		return qrm_seterr(err, QRM_EINVAL, "work_hours", "work_hours "
		    "must be days and hours such as 'Mon-Fri 09:00-17:00' or "
		    "'Mon,Wed 10:00-15:00; Thu 09:00-12:30'");
	if (m->branch != NULL && strlen(m->branch) > 100)
		return qrm_seterr(err, QRM_EINVAL, "branch",
		    "branch is longer than 100 characters");
	/* a CSV import brings bytes, not text checked as JSON's is */
	if (!utf8_text(m->name))
		return qrm_seterr(err, QRM_EINVAL, "name", "name must be UTF-8 "
		    "text (save the spreadsheet as CSV UTF-8)");
	if (!utf8_text(m->email))
		return qrm_seterr(err, QRM_EINVAL, "email", "email must be "
		    "UTF-8 text");
	if (m->branch != NULL && !utf8_text(m->branch))
		return qrm_seterr(err, QRM_EINVAL, "branch", "branch must be "
		    "UTF-8 text (save the spreadsheet as CSV UTF-8)");
	if (m->scopes.n > 0 && m->role != ROLE_REP)
		return qrm_seterr(err, QRM_EINVAL, "scopes", "scopes are for "
		    "reps: the audiences whose attendance a rep may see");
	strv_dedup(&m->audiences);
	strv_dedup(&m->scopes);
	return QRM_OK;
}

/* Apply JSON object o to m (all of it, or with patch the given fields). */
static int
member_from_json(const json_t *o, struct member *m, int patch,
    struct qrm_error *err)
{
	json_t		*v;
	char		*end = NULL;
	int		 rc, role;

	if ((rc = fields_check(o, member_fields, 0, err)) != QRM_OK)
		return rc;
	if (!patch) {
		memset(m, 0, sizeof(*m));
		m->active = 1;
	}
	if (fields_text(o, "name", &m->name, 0) == -1 ||
	    fields_text(o, "email", &m->email, 0) == -1 ||
	    fields_text(o, "number", &m->number, 1) == -1 ||
	    fields_text(o, "branch", &m->branch, 1) == -1 ||
	    fields_text(o, "work_hours", &m->work_hours, 1) == -1 ||
	    fields_text(o, "reminders", &m->reminders, 1) == -1 ||
	    fields_text(o, "feed_alarm", &m->feed_alarm, 1) == -1 ||
	    fields_list(o, "audiences", &m->audiences) == -1 ||
	    fields_list(o, "scopes", &m->scopes) == -1)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	/* hours a week, a number (or its text, from a form or a CSV) */
	if ((v = json_object_get(o, "contract_hours")) != NULL) {
		double	h = json_is_number(v) ? json_number_value(v) :
			    json_is_string(v) ? strtod(json_string_value(v),
			    &end) : -1;

		if (json_is_null(v) || (json_is_string(v) &&
		    *json_string_value(v) == '\0'))
			h = 0;
		else if (h <= 0 || h > 80 || (json_is_string(v) && *end != '\0'))
			return qrm_seterr(err, QRM_EINVAL, "contract_hours",
			    "contract_hours must be the hours a week of the "
			    "member's contract, more than 0 and at most 80");
		m->contract_hours = h;
	}
	role = (int)m->role;
	fields_enum(o, member_fields, "role", &role);
	m->role = (enum role)role;
	if ((v = json_object_get(o, "active")) != NULL)
		m->active = json_is_true(v);
	return QRM_OK;
}

static json_t *
slugs_json(const struct strv *sv)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
	return a;
}

/* The member as the API shows it; the caller decrefs it. */
json_t *
member_to_json(const struct member *m)
{
	json_t	*o;

	o = json_pack("{s:I, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:b, s:o}",
	    "id", (json_int_t)m->id, "name", m->name, "email", m->email,
	    "number", m->number ? json_string(m->number) : json_null(),
	    "role", role_names[m->role],
	    "branch", m->branch ? json_string(m->branch) : json_null(),
	    "audiences", slugs_json(&m->audiences),
	    "scopes", slugs_json(&m->scopes), "active", m->active,
	    "work_hours", m->work_hours ? json_string(m->work_hours) :
	    json_null());
	json_object_set_new(o, "reminders", m->reminders ?
	    json_string(m->reminders) : json_null());
	json_object_set_new(o, "feed_alarm", m->feed_alarm ?
	    json_string(m->feed_alarm) : json_null());
	json_object_set_new(o, "contract_hours", m->contract_hours > 0 ?
	    json_real(m->contract_hours) : json_null());
	return o;
}

static int
may_grant(const struct actor *a, const struct member *before,
    const struct member *after, struct qrm_error *err)
{
	int	rc;

	if ((rc = core_require_role(a, ROLE_OFFICIAL, err)) != QRM_OK)
		return rc;
	if (a->role != ROLE_ADMIN && (after->role == ROLE_ADMIN ||
	    (before != NULL && before->role == ROLE_ADMIN)))
		return qrm_seterr(err, QRM_EFORBIDDEN, "role",
		    "only an administrator may add or change an administrator");
	return QRM_OK;
}

static int
member_write(struct qrm *q, const struct actor *a, struct member *m,
    int insert, const char *verb, struct qrm_error *err)
{
	struct store	*st;
	char		 object[32];
	int		 rc;

	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_tx_begin(st, err)) != QRM_OK)
		return rc;
	if ((rc = insert ? store_member_insert(st, m, err) :
	    store_member_update(st, m, err)) != QRM_OK)
		goto fail;
	/* an inactive member is signed out everywhere, their links spent */
	if (!m->active && (rc = store_signin_end(st, m->id,
	    (int64_t)time(NULL), err)) != QRM_OK)
		goto fail;
	snprintf(object, sizeof(object), "member/%lld", (long long)m->id);
	if ((rc = store_audit_add(st, a->name, verb, object,
	    role_names[m->role], err)) != QRM_OK)
		goto fail;
	return store_tx_commit(st, err);
fail:
	store_tx_rollback(st);
	return rc;
}

/* Add a member (officials and administrators); m->id is set. */
int
core_member_add(struct qrm *q, const struct actor *a, struct member *m,
    struct qrm_error *err)
{
	int	rc;

	if ((rc = may_grant(a, NULL, m, err)) != QRM_OK ||
	    (rc = member_validate(m, err)) != QRM_OK)
		return rc;
	m->active = 1;
	return member_write(q, a, m, 1, "member.add", err);
}

int
core_member_create(struct qrm *q, const struct actor *a, const json_t *o,
    struct member *out, struct qrm_error *err)
{
	int	rc;

	memset(out, 0, sizeof(*out));
	if ((rc = member_from_json(o, out, 0, err)) != QRM_OK ||
	    (rc = core_member_add(q, a, out, err)) != QRM_OK)
		member_clear(out);
	return rc;
}

/*
 * The audiences rep a may see the people of (their scopes and all
 * below), into below; -1 when a is not a rep.
 */
static int
rep_reach(struct qrm *q, const struct actor *a, struct strv *below)
{
	struct store	*st;
	struct member	 me;
	size_t		 i;

	if (a->role != ROLE_REP || (st = qrm_store(q, NULL)) == NULL ||
	    store_member_get(st, a->member, &me, NULL) != QRM_OK)
		return -1;
	for (i = 0; i < me.scopes.n; i++)
		store_audience_descendants(st, me.scopes.v[i], below, NULL);
	member_clear(&me);
	return 0;
}

/* Is m in one of the audiences below? */
static int
member_within(const struct strv *below, const struct member *m)
{
	size_t	i;

	for (i = 0; i < m->audiences.n; i++)
		if (strv_contains(below, m->audiences.v[i]))
			return 1;
	return 0;
}

/*
 * May the actor see member m?  Officials: everyone; a rep: members of
 * the audiences in their scopes (and below); anyone: themselves.
 */
static int
may_see_member(struct qrm *q, const struct actor *a, const struct member *m)
{
	struct strv	 below = { 0 };
	int		 yes;

	if (a->role >= ROLE_OFFICIAL || a->member == m->id)
		return 1;
	if (rep_reach(q, a, &below) == -1)
		return 0;
	yes = member_within(&below, m);
	strv_free(&below);
	return yes;
}

int
core_member_get(struct qrm *q, const struct actor *a, int64_t id,
    struct member *out, struct qrm_error *err)
{
	struct store	*st;
	int		 rc;

	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_member_get(st, id, out, err)) != QRM_OK)
		return rc;
	if (!may_see_member(q, a, out)) {
		member_clear(out);
		return qrm_seterr(err, QRM_ENOTFOUND, "member",
		    "no member %lld", (long long)id);
	}
	return QRM_OK;
}

/* Change member id by a JSON patch; *out is the member as it now is. */
int
core_member_update(struct qrm *q, const struct actor *a, int64_t id,
    const json_t *patch, struct member *out, struct qrm_error *err)
{
	struct store	*st;
	struct member	 old;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((rc = core_require_role(a, ROLE_OFFICIAL, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((rc = store_member_get(st, id, &old, err)) != QRM_OK)
		return rc;
	if (member_copy(out, &old) == -1)
		rc = qrm_seterr(err, QRM_ESYS, "", "out of memory");
	else if ((rc = member_from_json(patch, out, 1, err)) == QRM_OK &&
	    (rc = may_grant(a, &old, out, err)) == QRM_OK &&
	    (rc = member_validate(out, err)) == QRM_OK)
		rc = member_write(q, a, out, 0, out->active || !old.active ?
		    "member.update" : "member.deactivate", err);
	member_clear(&old);
	if (rc != QRM_OK)
		member_clear(out);
	return rc;
}

/* Deactivate: the member stays (for the records), their tokens stop. */
int
core_member_deactivate(struct qrm *q, const struct actor *a, int64_t id,
    struct member *out, struct qrm_error *err)
{
	json_t	*patch = json_pack("{s:b}", "active", 0);
	int	 rc;

	rc = core_member_update(q, a, id, patch, out, err);
	json_decref(patch);
	return rc;
}

/* The members the actor may see, filtered. */
int
core_member_list(struct qrm *q, const struct actor *a, const char *audience,
    const char *role, int with_inactive, struct member_list *out,
    struct qrm_error *err)
{
	struct store	*st;
	struct strv	 below = { 0 };
	struct audience	 aud;
	size_t		 i, keep;
	int		 rc, r = -1, rep;

	memset(out, 0, sizeof(*out));
	if (role != NULL && *role != '\0' && (r = model_enum_parse(role_names,
	    ROLE__MAX, role)) < 0)
		return qrm_seterr(err, QRM_EINVAL, "role", "role must be "
		    "member, rep, official or admin");
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if (audience != NULL && *audience != '\0') {
		if (store_audience_get(st, audience, &aud, NULL) != QRM_OK)
			return qrm_seterr(err, QRM_EINVAL, "audience",
			    "unknown audience '%s'", audience);
		audience_clear(&aud);
		if ((rc = store_audience_descendants(st, audience, &below,
		    err)) != QRM_OK)
			return rc;
	}
	rc = store_member_list(st, below.n ? &below : NULL, r, with_inactive,
	    out, err);
	strv_free(&below);
	if (rc != QRM_OK)
		return rc;
	/* a rep's reach, read once for the whole list */
	rep = a->role < ROLE_OFFICIAL && rep_reach(q, a, &below) == 0;
	for (i = keep = 0; i < out->n; i++) {
		if (a->role >= ROLE_OFFICIAL || a->member == out->v[i].id ||
		    (rep && member_within(&below, &out->v[i])))
			out->v[keep++] = out->v[i];
		else
			member_clear(&out->v[i]);
	}
	out->n = keep;
	strv_free(&below);
	return QRM_OK;
}

/* CSV import */

enum csv_col { COL_NAME, COL_EMAIL, COL_NUMBER, COL_BRANCH, COL_AUDIENCES,
	COL__MAX };
static const char *const csv_cols[COL__MAX] = {
	"name", "email", "number", "branch", "audiences"
};

struct csv_state {
	struct strv	 fields;	/* of the row being read */
	struct strv	*rows;		/* rows as \x1f-joined fields */
	size_t		 nrows;
	int		 too_many;
};

static void
csv_field(void *s, size_t len, void *arg)
{
	struct csv_state	*cs = arg;
	char			*f = strndup(s ? s : "", s ? len : 0);

	if (f != NULL) {
		strv_push(&cs->fields, f);
		free(f);
	}
}

static void
csv_row(int c, void *arg)
{
	struct csv_state	*cs = arg;
	struct strv		*v;

	(void)c;
	if (cs->nrows >= CSV_MAX_ROWS) {
		cs->too_many = 1;
		strv_free(&cs->fields);
		return;
	}
	if ((v = realloc(cs->rows, (cs->nrows + 1) * sizeof(*v))) == NULL) {
		strv_free(&cs->fields);
		return;
	}
	cs->rows = v;
	cs->rows[cs->nrows++] = cs->fields;
	memset(&cs->fields, 0, sizeof(cs->fields));
}

static char *
trimmed(const char *s)
{
	size_t	n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return n ? strndup(s, n) : NULL;
}

/* One CSV row into m; the reason of a refusal goes to err. */
static int
csv_member(const struct strv *row, const int *col, struct member *m,
    struct qrm_error *err)
{
	const char	*v[COL__MAX] = { 0 };
	char		*aud;
	size_t		 i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < COL__MAX; i++)
		if (col[i] >= 0 && (size_t)col[i] < row->n)
			v[i] = row->v[col[i]];
	m->name = v[COL_NAME] ? trimmed(v[COL_NAME]) : NULL;
	m->email = v[COL_EMAIL] ? trimmed(v[COL_EMAIL]) : NULL;
	m->number = v[COL_NUMBER] ? trimmed(v[COL_NUMBER]) : NULL;
	m->branch = v[COL_BRANCH] ? trimmed(v[COL_BRANCH]) : NULL;
	m->active = 1;
	if (v[COL_AUDIENCES] != NULL && (aud = strdup(v[COL_AUDIENCES]))) {
		for (i = 0; aud[i] != '\0'; i++)
			if (aud[i] == ';' || aud[i] == '|' || aud[i] == ',' ||
			    isspace((unsigned char)aud[i]))
				aud[i] = ' ';
		strv_split(&m->audiences, aud, ' ');
		free(aud);
	}
	return member_validate(m, err);
}

static int
same_member(const struct member *a, const struct member *b)
{
	struct strv	x = { 0 }, y = { 0 };
	char		*jx, *jy;
	int		 same;

	strv_copy(&x, &a->audiences);
	strv_copy(&y, &b->audiences);
	strv_dedup(&x);
	strv_dedup(&y);
	jx = strv_join(&x, ',');
	jy = strv_join(&y, ',');
	same = jx && jy && strcmp(jx, jy) == 0 && strcmp(a->name, b->name) ==
	    0 && strcasecmp(a->email, b->email) == 0 &&
	    (a->number == NULL ? b->number == NULL : b->number != NULL &&
	    strcmp(a->number, b->number) == 0) &&
	    (a->branch == NULL ? b->branch == NULL : b->branch != NULL &&
	    strcmp(a->branch, b->branch) == 0) && a->active == b->active;
	free(jx);
	free(jy);
	strv_free(&x);
	strv_free(&y);
	return same;
}

/*
 * Import members from CSV text with a header row naming the columns
 * (name and email required; number, branch, audiences optional, the
 * audiences separated by ';').  A member is matched by number, else by
 * email.  Each row stands alone: a refused row is reported with its
 * line and reason and never undoes the others.  Running the same file
 * again changes nothing.  *report: {imported, updated, unchanged,
 * refused: [{row, reason}]}.
 */
int
core_member_import_csv(struct qrm *q, const struct actor *a,
    const char *text, size_t len, json_t **report, struct qrm_error *err)
{
	struct csv_parser	 p;
	struct csv_state	 cs;
	struct store		*st;
	struct qrm_error	 e;
	struct member		 m, old;
	json_t			*refused;
	struct strv		 seen = { 0 };	/* numbers and emails */
	char			 key[300];
	int			 col[COL__MAX], rc, found;
	int			 imported = 0, updated = 0, unchanged = 0;
	size_t			 i, j;

	*report = NULL;
	if ((rc = core_require_role(a, ROLE_OFFICIAL, err)) != QRM_OK)
		return rc;
	if (len > CSV_MAX_BYTES)
		return qrm_seterr(err, QRM_ETOOBIG, "file",
		    "the CSV file is larger than %u bytes", CSV_MAX_BYTES);
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	memset(&cs, 0, sizeof(cs));
	if (csv_init(&p, CSV_APPEND_NULL) != 0)
		return qrm_seterr(err, QRM_ESYS, "", "out of memory");
	if (csv_parse(&p, text, len, csv_field, csv_row, &cs) != len ||
	    csv_fini(&p, csv_field, csv_row, &cs) != 0) {
		rc = qrm_seterr(err, QRM_EINVAL, "file", "row %zu: %s",
		    cs.nrows + 1, csv_strerror(csv_error(&p)));
		goto out;
	}
	if (cs.too_many) {
		rc = qrm_seterr(err, QRM_ETOOBIG, "file",
		    "more than %d rows", CSV_MAX_ROWS);
		goto out;
	}
	if (cs.nrows == 0) {
		rc = qrm_seterr(err, QRM_EINVAL, "file", "the file is empty");
		goto out;
	}
	for (i = 0; i < COL__MAX; i++) {
		col[i] = -1;
		for (j = 0; j < cs.rows[0].n; j++) {
			char	*h = trimmed(cs.rows[0].v[j]);

			if (h != NULL && strcasecmp(h, csv_cols[i]) == 0)
				col[i] = (int)j;
			free(h);
		}
	}
	if (col[COL_NAME] < 0 || col[COL_EMAIL] < 0) {
		rc = qrm_seterr(err, QRM_EINVAL, "file", "row 1 must name the "
		    "columns: name, email, and optionally number, branch, "
		    "audiences");
		goto out;
	}
	refused = json_array();
	for (i = 1; i < cs.nrows; i++) {
		memset(&e, 0, sizeof(e));
		if (cs.rows[i].n == 1 && cs.rows[i].v[0][0] == '\0')
			continue;	/* a blank line */
		rc = csv_member(&cs.rows[i], col, &m, &e);
		found = 0;
		/* a second row for the same person would undo the first */
		if (rc == QRM_OK && m.number != NULL) {
			snprintf(key, sizeof(key), "#%s", m.number);
			if (strv_contains(&seen, key))
				rc = qrm_seterr(&e, QRM_ECONFLICT, "number",
				    "membership number '%s' is on an earlier "
				    "row too", m.number);
			strv_push(&seen, key);
		}
		if (rc == QRM_OK) {
			snprintf(key, sizeof(key), "@%s", m.email);
			for (j = 1; key[j] != '\0'; j++)
				key[j] = (char)tolower((unsigned char)key[j]);
			if (strv_contains(&seen, key))
				rc = qrm_seterr(&e, QRM_ECONFLICT, "email",
				    "email '%s' is on an earlier row too",
				    m.email);
			strv_push(&seen, key);
		}
		if (rc == QRM_OK) {
			found = (m.number != NULL && store_member_get_number(st,
			    m.number, &old, NULL) == QRM_OK) ||
			    store_member_get_email(st, m.email, &old,
			    NULL) == QRM_OK;
			if (found) {
				m.id = old.id;
				m.role = old.role;
				strv_copy(&m.scopes, &old.scopes);
				m.work_hours = old.work_hours;
				old.work_hours = NULL;
				m.reminders = old.reminders;
				old.reminders = NULL;
				m.feed_alarm = old.feed_alarm;
				old.feed_alarm = NULL;
				if (same_member(&m, &old))
					unchanged++;
				else if ((rc = member_write(q, a, &m, 0,
				    "member.import", &e)) == QRM_OK)
					updated++;
				member_clear(&old);
			} else if ((rc = member_write(q, a, &m, 1,
			    "member.import", &e)) == QRM_OK)
				imported++;
		}
		if (rc != QRM_OK)
			json_array_append_new(refused, json_pack("{s:i, s:s}",
			    "row", (int)i + 1, "reason", e.msg));
		member_clear(&m);
	}
	*report = json_pack("{s:i, s:i, s:i, s:o}", "imported", imported,
	    "updated", updated, "unchanged", unchanged, "refused", refused);
	rc = QRM_OK;
out:
	csv_free(&p);
	strv_free(&seen);
	for (i = 0; i < cs.nrows; i++)
		strv_free(&cs.rows[i]);
	free(cs.rows);
	strv_free(&cs.fields);
	return rc;
}

/*
 * The active member whose membership number or e-mail address is text
 * (as people type them into a form), for an official.
 */
int
core_member_find(struct qrm *q, const struct actor *a, const char *text,
    struct member *out, struct qrm_error *err)
{
	struct store	*st;
	char		*t;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((rc = core_require_role(a, ROLE_REP, err)) != QRM_OK)
		return rc;
	if ((st = qrm_store(q, err)) == NULL)
		return QRM_EDB;
	if ((t = trimmed(text)) == NULL)
		return qrm_seterr(err, QRM_EINVAL, "", "type a membership "
		    "number or an e-mail address");
	rc = strchr(t, '@') ? store_member_get_email(st, t, out, NULL) :
	    store_member_get_number(st, t, out, NULL);
	if (rc == QRM_OK && !out->active) {
		member_clear(out);
		rc = QRM_ENOTFOUND;
	}
	if (rc != QRM_OK)
		rc = qrm_seterr(err, QRM_EINVAL, "", "no active member has "
		    "the number or e-mail address '%s'", t);
	free(t);
	return rc;
}

/*
 * The alert (VALARM) member id's own feed carries, so long before each
 * meeting ("PT30M"; NULL or "none": none): the member's own choice, or
 * an official's.
 */
int
core_member_alarm(struct qrm *q, const struct actor *a, int64_t id,
    const char *alarm, struct qrm_error *err)
{
	struct member	m;
	json_t		*body;
	int		rc;

	if (a->member != id && (rc = core_require_role(a, ROLE_OFFICIAL,
	    err)) != QRM_OK)
		return rc;
	body = json_pack("{s:s?}", "feed_alarm", alarm && *alarm ? alarm :
	    NULL);
	if (json_object_get(body, "feed_alarm") == NULL)
		json_object_set_new(body, "feed_alarm", json_null());
	{
		struct actor	office = { a->member, ROLE_ADMIN, a->name };

		rc = core_member_update(q, &office, id, body, &m, err);
	}
	json_decref(body);
	if (rc == QRM_OK)
		member_clear(&m);
	return rc;
}
