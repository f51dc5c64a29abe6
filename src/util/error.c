/* error.c: the one error type and its names. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "quorum/error.h"

/*
 * Record an error in e (which may be NULL) and return code, so that a
 * caller can write "return qrm_seterr(err, QRM_EINVAL, "title", ...)".
 * An error already recorded is kept: the first cause is the one to tell.
 */
int
qrm_seterr(struct qrm_error *e, int code, const char *field,
    const char *fmt, ...)
{
	va_list	ap;

	if (e == NULL || e->code != 0)
		return code;
	e->code = code;
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

void
qrm_error_clear(struct qrm_error *e)
{
	if (e != NULL)
		memset(e, 0, sizeof(*e));
}

/* The stable machine-readable name of a code, as used in JSON errors. */
const char *
qrm_err_name(int code)
{
	switch (code) {
	case QRM_OK:		return "ok";
	case QRM_EINVAL:	return "invalid";
	case QRM_ENOTFOUND:	return "not_found";
	case QRM_EUNAUTH:	return "unauthorized";
	case QRM_EFORBIDDEN:	return "forbidden";
	case QRM_ECONFLICT:	return "conflict";
	case QRM_ETOOBIG:	return "too_large";
	case QRM_EDB:		return "database";
	case QRM_EMEDIA:	return "unsupported_media_type";
	case QRM_EMETHOD:	return "method_not_allowed";
	case QRM_ETOOMANY:	return "too_many_requests";
	default:		return "internal";
	}
}
