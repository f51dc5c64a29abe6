/*
 * quorum: one error type for every layer.  Functions return 0 or a
 * negative QRM_E* code and fill an optional struct qrm_error with a
 * message fit for a human (and the name of the field at fault).
 */
#ifndef QUORUM_ERROR_H
#define QUORUM_ERROR_H

enum qrm_err {
	QRM_OK = 0,
	QRM_EINVAL = -1,	/* bad input from a client; message names the field */
	QRM_ENOTFOUND = -2,
	QRM_EUNAUTH = -3,	/* no or bad credentials */
	QRM_EFORBIDDEN = -4,	/* credentials fine, role too low */
	QRM_ECONFLICT = -5,	/* clashes with an existing row or rule */
	QRM_ETOOBIG = -6,	/* body or file over its limit */
	QRM_EDB = -7,		/* sqlite failure, already logged */
	QRM_ESYS = -8,		/* errno or library failure, already logged */
	QRM_EMEDIA = -9,	/* a body of a type that is not accepted */
	QRM_EMETHOD = -10,	/* a method the resource does not answer */
	QRM_ETOOMANY = -11	/* too many failures from one client: wait */
};

struct qrm_error {
	int	code;
	char	field[64];
	char	msg[512];
	char	extra[2048];	/* a JSON object's text: more for the API */
};

/* error.c */
int		 qrm_seterr(struct qrm_error *, int, const char *field,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
const char	*qrm_err_name(int);
void		 qrm_error_clear(struct qrm_error *);

#endif
