/*
 * fuzz_import: the .ics importer.  Whatever the bytes, parsing ends with
 * events or an error, every event that validates expands to a bounded
 * number of occurrences, and nothing leaks.
 */
#include <stdint.h>
#include <stdlib.h>

#include "quorum/core.h"
#include "quorum/ical.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qrm_error	 err = { 0 };
	struct event_list	 evs = { 0 };
	struct occurrence	*occ;
	size_t			 i, n;

	if (size > ICAL_MAX_IMPORT_BYTES)
		return 0;
	if (ical_import_parse((const char *)data, size, QRM_DEFAULT_TZ, &evs,
	    &err) != QRM_OK)
		return 0;
	for (i = 0; i < evs.n; i++) {
		if (event_validate(&evs.v[i], &err) != QRM_OK)
			continue;
		/* a recurrence bomb must stop at the cap */
		if (ical_event_occurrences(&evs.v[i], 0, INT64_MAX / 2, &occ,
		    &n, &err) == QRM_OK) {
			if (n > ICAL_MAX_OCCURRENCES)
				abort();
			free(occ);
		}
	}
	event_list_free(&evs);
	return 0;
}
