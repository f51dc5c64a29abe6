/*
 * fuzz_json: request bodies.  Any bytes as the JSON body of an event
 * (create and patch), then the rules every stored event must pass:
 * an answer, never a crash, a hang or a leak.
 */
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "quorum/core.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qrm_error	 err = { 0 };
	struct event		 ev;
	json_error_t		 je;
	json_t			*o;
	int			 patch;

	if (size > QRM_MAX_BODY)
		return 0;
	if ((o = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    &je)) == NULL)
		return 0;
	for (patch = 0; patch < 2; patch++) {
		memset(&ev, 0, sizeof(ev));
		if (json_is_object(o) && event_from_json(o, &ev, patch,
		    &err) == QRM_OK && event_validate(&ev, &err) == QRM_OK)
			json_decref(event_to_json(&ev));
		event_clear(&ev);
	}
	json_decref(o);
	return 0;
}
