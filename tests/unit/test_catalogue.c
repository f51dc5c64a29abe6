/* test_catalogue.c: the feed catalogue shipped in feeds/, and refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "quorum/core.h"

static const struct audience *
find(const struct audience_list *l, const char *slug)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].slug, slug) == 0)
			return &l->v[i];
	return NULL;
}

static void
shipped_catalogue(void **state)
{
	static const char *const programmes_children[] = {
		"facilitators", "treatment-managers", "programme-managers",
		"daso"
	};
	struct audience_list	 l;
	struct qrm_error	 err = { 0 };
	const struct audience	*a;
	size_t			 i, j;

	(void)state;
	assert_int_equal(catalogue_read(QUORUM_SOURCE_DIR "/feeds", &l, &err),
	    QRM_OK);
	assert_int_equal(l.n, 10);
	a = find(&l, "all-members");
	assert_non_null(a);
	assert_null(a->parent);
	assert_int_equal(a->visibility, VIS_PUBLIC);
	assert_int_equal(find(&l, "officials")->visibility, VIS_OFFICIALS);
	assert_int_equal(find(&l, "reps")->visibility, VIS_MEMBERS);
	for (i = 0; i < 4; i++) {
		a = find(&l, programmes_children[i]);
		assert_non_null(a);
		assert_string_equal(a->parent, "programmes");
		assert_int_equal(a->visibility, VIS_MEMBERS);
	}
	assert_string_equal(find(&l, "programmes")->parent, "all-members");
	/* parents come before their children, for loading in order */
	for (i = 0; i < l.n; i++)
		for (j = i + 1; j < l.n; j++)
			if (l.v[i].parent != NULL)
				assert_string_not_equal(l.v[i].parent,
				    l.v[j].slug);
	audience_list_free(&l);
}

/* Write files into a fresh directory and read it as a catalogue. */
static int
read_dir(const char *const *files, struct qrm_error *err)
{
	struct audience_list	 l;
	char			 dir[] = "/tmp/quorum-cat-XXXXXX", path[256];
	FILE			*f;
	int			 rc;
	size_t			 i;

	assert_non_null(mkdtemp(dir));
	for (i = 0; files[i] != NULL; i += 2) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		assert_non_null(f = fopen(path, "w"));
		fputs(files[i + 1], f);
		fclose(f);
	}
	rc = catalogue_read(dir, &l, err);
	audience_list_free(&l);
	for (i = 0; files[i] != NULL; i += 2) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	return rc;
}

#define ROOT "[audience]\nslug = root\nname = Root\nvisibility = public\n"

static void
malformed_refused(void **state)
{
	static const struct {
		const char	*name, *text, *expect;
	} cases[] = {
		{ "bad.ini", "[audience]\nslug = bad\nname = Bad\n"
		    "visibility = secret\n", "bad.ini:4: visibility 'secret'" },
		{ "bad.ini", "[audience]\nslug = bad\nname = Bad\nvisibility = "
		    "public\nfavourite = 3\n", "bad.ini:5: unknown key" },
		{ "bad.ini", "[audience]\nslug = bad\nvisibility = public\n",
		    "missing key 'name'" },
		{ "bad.ini", "[audience]\nslug = bad\nname = B\nvisibility = "
		    "public\nparent = nowhere\n", "parent 'nowhere' is not" },
		{ "bad.ini", "[audience]\nslug = other\nname = B\nvisibility = "
		    "public\n", "must match the file name" },
		{ "bad.ini", "[audience]\nslug = bad\nname = B\nvisibility = "
		    "public\ncolour = red\n", "bad.ini:5: colour 'red'" },
		{ "bad.ini", "[audience]\nslug = bad\nname = B\nvisibility = "
		    "public\nrefresh = soon\n", "bad.ini:5: refresh 'soon'" },
		{ "bad.ini", "[people]\nslug = bad\n", "bad.ini:2: unknown "
		    "section" },
		{ "bad.ini", "[audience]\nthis is not ini\n", "bad.ini:2:" },
	};
	struct qrm_error	err;
	const char		*files[5];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		files[0] = "root.ini";
		files[1] = ROOT;
		files[2] = cases[i].name;
		files[3] = cases[i].text;
		files[4] = NULL;
		assert_int_equal(read_dir(files, &err), QRM_EINVAL);
		if (strstr(err.msg, cases[i].expect) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg,
			    cases[i].expect);
	}
	/* a cycle */
	memset(&err, 0, sizeof(err));
	files[0] = "a.ini";
	files[1] = "[audience]\nslug = a\nname = A\nvisibility = public\n"
	    "parent = b\n";
	files[2] = "b.ini";
	files[3] = "[audience]\nslug = b\nname = B\nvisibility = public\n"
	    "parent = a\n";
	files[4] = NULL;
	assert_int_equal(read_dir(files, &err), QRM_EINVAL);
	assert_non_null(strstr(err.msg, "cycle"));
	/* and a good one reads */
	memset(&err, 0, sizeof(err));
	files[0] = "root.ini";
	files[1] = ROOT "refresh = PT1H30M\n";
	files[2] = NULL;
	assert_int_equal(read_dir(files, &err), QRM_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped_catalogue),
		cmocka_unit_test(malformed_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
